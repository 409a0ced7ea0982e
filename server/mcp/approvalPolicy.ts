/**
 * Who decides an MCP server's calls that need approval, how many must
 * agree, and how long they have — per server, or per tool (which wins).
 * Without a policy the connector (or an owner) decides, one of them, within
 * the Worker's APPROVAL_EXPIRY_HOURS.
 *
 * A policy widens or narrows *who* decides a call that needs approval
 * anyway; it never makes a call need none, and it does not apply to a call
 * that borrows the connector's grant for someone else (access `approval`):
 * only the connector can lend their grant (access.ts).
 *
 *   /mcp approvals github owners              any owner
 *   /mcp approvals github.merge 2 of owners    two owners
 *   /mcp approvals github 2 of @ann @bo @cy    two of the three named
 *   /mcp approvals github members for 2h       any member, within 2 hours
 *   /mcp approvals github default             back to the connector
 */
import type { ApprovalNeed } from "../room/tools";
import type { Actor } from "../room/actor";

export interface ApprovalPolicy {
  who: "owners" | "members" | { named: Array<{ id: string; name: string }> };
  required: number;
  /** Hours an approval may take; the Worker's default when absent. */
  expiryHours?: number;
}

/** What the policy needs to know of the room now: its owners and members. */
export interface PolicyRoom {
  owners(): string[];
  /** Members who may write (owners and members), at most a few thousand. */
  writers(): string[];
  byName(name: string): Actor[];
}

const MAX_EXPIRY_HOURS = 24 * 30;

export function parsePolicy(text: string, room: PolicyRoom): { ok: true; policy: ApprovalPolicy | null } | { ok: false; text: string } {
  let rest = text.trim();
  if (rest === "default") return { ok: true, policy: null };
  let expiryHours: number | undefined;
  const expiry = /\s+for\s+(\d+(?:\.\d+)?)\s*(m|h|d)$/i.exec(rest);
  if (expiry) {
    const n = Number(expiry[1]);
    expiryHours = expiry[2]!.toLowerCase() === "m" ? n / 60 : expiry[2]!.toLowerCase() === "d" ? n * 24 : n;
    if (!(expiryHours > 0) || expiryHours > MAX_EXPIRY_HOURS) return { ok: false, text: `An approval may take from a minute to ${MAX_EXPIRY_HOURS / 24} days.` };
    rest = rest.slice(0, expiry.index).trim();
  }
  let required = 1;
  const count = /^(\d+)\s+of\s+(.+)$/i.exec(rest);
  if (count) {
    required = Number(count[1]);
    rest = count[2]!.trim();
    if (required < 1) return { ok: false, text: "At least one approval is needed." };
  }
  let who: ApprovalPolicy["who"];
  if (rest === "owners" || rest === "members") {
    who = rest;
    const pool = rest === "owners" ? room.owners() : room.writers();
    if (required > pool.length) return { ok: false, text: `The room has ${pool.length} ${rest}: ${required} of them cannot approve.` };
  } else {
    const names = rest.split(/\s+/).map((n) => n.replace(/^@/, "")).filter(Boolean);
    if (names.length === 0) return { ok: false, text: USAGE };
    const named: Array<{ id: string; name: string }> = [];
    for (const name of names) {
      const found = room.byName(name).filter((m) => m.role !== "viewer");
      if (found.length !== 1) return { ok: false, text: found.length === 0 ? `Nobody who may write here is called ${name}.` : `Several members are called ${name}.` };
      if (!named.some((m) => m.id === found[0]!.id)) named.push({ id: found[0]!.id, name: found[0]!.name });
    }
    if (required > named.length) return { ok: false, text: `${required} approvals cannot come from ${named.length} ${named.length === 1 ? "person" : "people"}.` };
    who = { named };
  }
  return { ok: true, policy: { who, required, ...(expiryHours !== undefined ? { expiryHours } : {}) } };
}

export const USAGE =
  "Use `/mcp approvals <server>[.<tool>] owners|members|@name …` with an optional `N of` before and `for 2h` after, or `default`.";

/** The approval a policy asks for, with who may decide as the room is now. */
export function needFor(policy: ApprovalPolicy, room: PolicyRoom): ApprovalNeed {
  const approvers = policy.who === "owners" ? room.owners() : policy.who === "members" ? room.writers() : policy.who.named.map((m) => m.id);
  return {
    approvers,
    only: true,
    required: policy.required,
    ...(policy.expiryHours !== undefined ? { expiresInMs: Math.round(policy.expiryHours * 3_600_000) } : {}),
  };
}

export function policyLabel(policy: ApprovalPolicy): string {
  const who =
    policy.who === "owners" ? "owners" : policy.who === "members" ? "members" : policy.who.named.map((m) => m.name).join(", ");
  const count = policy.required > 1 || typeof policy.who === "object" ? `${policy.required} of ${who}` : `any of the ${who}`;
  const hours = policy.expiryHours;
  return hours === undefined ? count : `${count}, within ${hours < 1 ? `${Math.round(hours * 60)} minutes` : `${hours} hours`}`;
}

/** Policies in the room's SQLite: per server (tool "") and per tool. */
export class ApprovalPolicies {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS mcp_approval_policies (
      server_id TEXT NOT NULL,
      tool TEXT NOT NULL,
      policy TEXT NOT NULL,
      PRIMARY KEY (server_id, tool)
    )`);
  }

  /** The tool's own policy, else its server's, else null. */
  get(serverId: string, tool: string): ApprovalPolicy | null {
    const rows = this.sql
      .exec<{ tool: string; policy: string }>("SELECT tool, policy FROM mcp_approval_policies WHERE server_id = ? AND tool IN (?, '')", serverId, tool)
      .toArray();
    const row = rows.find((r) => r.tool === tool) ?? rows.find((r) => r.tool === "");
    return row ? (JSON.parse(row.policy) as ApprovalPolicy) : null;
  }

  /** Every policy of a server, for its card: "" is the server's own. */
  forServer(serverId: string): Array<{ tool: string; policy: ApprovalPolicy }> {
    return this.sql
      .exec<{ tool: string; policy: string }>("SELECT tool, policy FROM mcp_approval_policies WHERE server_id = ? ORDER BY tool", serverId)
      .toArray()
      .map((r) => ({ tool: r.tool, policy: JSON.parse(r.policy) as ApprovalPolicy }));
  }

  set(serverId: string, tool: string, policy: ApprovalPolicy | null): void {
    if (policy) this.sql.exec("INSERT OR REPLACE INTO mcp_approval_policies (server_id, tool, policy) VALUES (?, ?, ?)", serverId, tool, JSON.stringify(policy));
    else this.sql.exec("DELETE FROM mcp_approval_policies WHERE server_id = ? AND tool = ?", serverId, tool);
  }

  removeServer(serverId: string): void {
    this.sql.exec("DELETE FROM mcp_approval_policies WHERE server_id = ?", serverId);
  }
}
