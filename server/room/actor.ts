/**
 * Who acts in a room: one shape for a command's sender, a tool call's
 * principal, a script's runner and author, a governance change's actor and
 * a member's record. It is the member as the room knows them now (the role
 * is read from the room, never taken from the client).
 */
import type { Role } from "../../shared/protocol";

export interface Actor {
  id: string;
  name: string;
  role: Role;
}

/** Distinct members of a principal (the same asker may be listed twice). */
export function distinctMembers(requestedBy: readonly Actor[]): Actor[] {
  return [...new Map(requestedBy.map((m) => [m.id, m])).values()];
}

/**
 * The one member a call acts as (a reminder's creator, a script version's
 * author). A principal of several members cannot be one person, and picking
 * any of them would let the others borrow that member's authority: refused.
 */
export function actingMember(requestedBy: Actor[]): Actor {
  const members = distinctMembers(requestedBy);
  if (members.length === 1) return members[0]!;
  if (members.length === 0) throw new Error("This call acts for nobody.");
  throw new Error(
    `This acts for several people at once (${members.map((m) => m.name).join(", ")}), so it cannot act as any one of them: ` +
      "ask for it in a message of your own.",
  );
}

/** True when `allowed` holds for every member the call acts for (least authority). */
export function everyMember(requestedBy: Actor[], allowed: (member: Actor) => boolean): boolean {
  const members = distinctMembers(requestedBy);
  return members.length > 0 && members.every(allowed);
}
