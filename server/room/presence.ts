/**
 * Presence and typing, derived from the sockets' attachments on demand.
 * A member with several tabs is listed once. Work is proportional to the
 * number of open sockets and happens only on join, leave, rename and typing
 * changes — never per chat message.
 */
import type { PresenceMember, Typer } from "../../shared/protocol";
import type { ConnectionState } from "./connectionState";

/** An outside agent acting for a member (mcpserver/roomAccess.ts), as presence lists it. */
export interface AgentVisit {
  memberId: string;
  name: string;
  role: PresenceMember["role"];
  client: string;
  /** The client's OAuth id. */
  app: string;
  /** It has an icon to show. */
  icon?: boolean;
}

export function presenceOf(states: Iterable<ConnectionState>, agents: Iterable<AgentVisit> = []): PresenceMember[] {
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
  // A member's agent is here too: beside their tabs, or alone (no tab open).
  for (const a of agents) {
    const seen = byMember.get(a.memberId) ?? { id: a.memberId, name: a.name, role: a.role, connections: 0 };
    if (!seen.agents?.some((known) => known.app === a.app)) seen.agents = [...(seen.agents ?? []), { name: a.client, app: a.app, ...(a.icon ? { icon: true } : {}) }];
    byMember.set(a.memberId, seen);
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
