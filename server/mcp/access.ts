/**
 * Whose credentials a call uses, and who must agree. A server's connection
 * carries its connector's grant (OAuth to private repositories, drives …),
 * so a call made for anyone else borrows that grant. The server's own
 * `readOnlyHint` says nothing about *whose* data is read, so for other
 * members it is not enough on its own: the connector's access policy
 * decides (store.ts, `Access`).
 */
import type { Access } from "./store";

export type CallRule =
  | { kind: "run" }
  /**
   * Needs an approval. `connectorOnly`: the call borrows the connector's
   * grant for someone else, so only the connector's approval counts (not an
   * owner's); otherwise the usual approvers (the connector or an owner).
   */
  | { kind: "approve"; connectorOnly: boolean }
  | { kind: "refuse"; reason: string };

export interface PolicyServer {
  name: string;
  addedBy: { id: string; name: string };
  access: Access;
}

/**
 * `requesters`: every member the call serves (for an assistant turn, each
 * member whose request it answers). A call counts as the connector's own
 * only when it serves nobody else (least authority: a turn answering alice
 * and bob together is bob's too).
 */
export function callRule(server: PolicyServer, readOnly: boolean, requesters: ReadonlyArray<{ id: string }>): CallRule {
  const forOthers = requesters.length === 0 || requesters.some((r) => r.id !== server.addedBy.id);
  if (!forOthers) return readOnly ? { kind: "run" } : { kind: "approve", connectorOnly: false };
  switch (server.access) {
    case "me":
      return {
        kind: "refuse",
        reason: `${server.name} uses ${server.addedBy.name}'s connection, which ${server.addedBy.name} keeps to themselves (they can change that with /mcp access ${server.name} approval)`,
      };
    case "approval":
      return { kind: "approve", connectorOnly: true };
    case "all":
      return readOnly ? { kind: "run" } : { kind: "approve", connectorOnly: false };
  }
}

/** Whether `approver` may approve under `rule` (owners: the room's owners now). */
export function mayApprove(
  server: PolicyServer,
  rule: Extract<CallRule, { kind: "approve" }>,
  approver: { id: string } | null,
  owners: string[],
): boolean {
  if (!approver) return false;
  if (approver.id === server.addedBy.id) return true;
  return !rule.connectorOnly && owners.includes(approver.id);
}

export function accessLabel(server: PolicyServer): string {
  switch (server.access) {
    case "me":
      return `only ${server.addedBy.name}`;
    case "approval":
      return `members, each call approved by ${server.addedBy.name}`;
    case "all":
      return "all members (read-only tools without asking)";
  }
}
