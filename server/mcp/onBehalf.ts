/**
 * Whose request a call of a personal MCP server serves (personal.ts): the
 * rules alone, without storage, so the composer's and the room's tests can
 * reach them.
 */
import { distinctMembers, type Actor } from "../room/actor";
import type { ApprovalNeed, CallContext } from "../room/tools";

/** The argument a personal tool takes in a turn that answers several people: whose request the call serves. */
export const ON_BEHALF_OF = "on_behalf_of";

export type Served = { ok: true; member: Actor; several: boolean } | { ok: false; reason: string };

/** The one member whose grant a call uses (see the module comment). */
export function servedMember(input: unknown, requestedBy: readonly Actor[], context?: CallContext): Served {
  if (context?.runner) return { ok: true, member: context.runner, several: false };
  const members = distinctMembers(requestedBy);
  const raw = typeof input === "object" && input !== null ? (input as Record<string, unknown>)[ON_BEHALF_OF] : undefined;
  const named = typeof raw === "string" ? raw.trim().replace(/^@/, "").toLowerCase() : "";
  const matches = (m: Actor) => m.id === named || m.name.toLowerCase() === named;
  if (members.length === 0) return { ok: false, reason: "This call acts for nobody." };
  if (members.length === 1) {
    const only = members[0]!;
    if (named && !matches(only)) {
      return { ok: false, reason: `${ON_BEHALF_OF} names “${named}”, who did not ask: this call can use only ${only.name}'s own authorization` };
    }
    return { ok: true, member: only, several: false };
  }
  const member = named ? members.find(matches) : undefined;
  if (!member) {
    return {
      ok: false,
      reason:
        `Several people asked (${members.map((m) => m.name).join(", ")}): set ${ON_BEHALF_OF} to the one whose request this call serves — ` +
        "it uses that person's own authorization",
    };
  }
  return { ok: true, member, several: true };
}

/**
 * Who must agree to a personal call: nobody for a read-only call serving
 * its one asker; otherwise that member alone (owners cannot consent for
 * someone else's account).
 */
export function personalApproval(served: Served, readOnly: boolean): ApprovalNeed | null {
  if (!served.ok) return null;
  return served.several || !readOnly ? { approvers: [served.member.id], only: true } : null;
}

/** Whether the approvals a call got include the consent a personal call needs (checked again where it runs). */
export function personalConsentMissing(served: Extract<Served, { ok: true }>, readOnly: boolean, approvedBy: ReadonlyArray<{ id: string }>): boolean {
  if (!served.several && readOnly) return false;
  return !approvedBy.some((a) => a.id === served.member.id);
}

/** The input without the room's own argument: the server never sees it. */
export function withoutOnBehalf(input: Record<string, unknown>): Record<string, unknown> {
  if (!(ON_BEHALF_OF in input)) return input;
  const { [ON_BEHALF_OF]: _, ...rest } = input;
  return rest;
}

/** A personal tool's schema with `on_behalf_of` added (when the server's own schema has no such property). */
export function withOnBehalfSchema(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  const base = schema ?? { type: "object" };
  const properties = (base.properties ?? {}) as Record<string, unknown>;
  if (ON_BEHALF_OF in properties) return base;
  return {
    ...base,
    properties: {
      ...properties,
      [ON_BEHALF_OF]: {
        type: "string",
        description: "Only when several people asked: the name of the one whose request this call serves (their own account is used).",
      },
    },
  };
}

