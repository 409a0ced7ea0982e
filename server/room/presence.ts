/**
 * Presence and typing, derived from the sockets' attachments on demand.
 * A member with several tabs is listed once. Work is proportional to the
 * number of open sockets and happens only on join, leave, rename and typing
 * changes — never per chat message.
 */
import type { PresenceMember, Typer } from "../../shared/protocol";
import type { ConnectionState } from "./connectionState";

export function presenceOf(states: Iterable<ConnectionState>): PresenceMember[] {
  const byMember = new Map<string, PresenceMember>();
  for (const s of states) {
    const seen = byMember.get(s.memberId);
    if (seen) {
      seen.connections += 1;
      // The newest name wins if tabs disagree after a rename.
      seen.name = s.name;
    } else {
      byMember.set(s.memberId, { id: s.memberId, name: s.name, role: s.role, connections: 1 });
    }
  }
  return [...byMember.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function typersOf(states: Iterable<ConnectionState>, now: number): Typer[] {
  const byMember = new Map<string, Typer>();
  for (const s of states) {
    if (s.typingUntil <= now) continue;
    const seen = byMember.get(s.memberId);
    if (!seen || seen.until < s.typingUntil) byMember.set(s.memberId, { id: s.memberId, name: s.name, until: s.typingUntil });
  }
  return [...byMember.values()];
}
