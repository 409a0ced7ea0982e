import type { ReactNode } from "react";
import type { PresenceMember, Role } from "../../../../shared/protocol";
import { AppIcon } from "../../components/AppIcon";
import "./members.css";

const ROLE_ORDER: Record<Role, number> = { owner: 0, member: 1, viewer: 2 };

/**
 * Who is in the room right now (each person once, however many tabs),
 * owners first; `assistant` is the room's AI member's row, listed first.
 */
export function PresenceList({ members, selfId, assistant }: { members: PresenceMember[]; selfId: string | undefined; assistant?: ReactNode }) {
  const sorted = [...members].sort(
    (a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.name.localeCompare(b.name),
  );
  return (
    <section className="card presence" aria-labelledby="presence-heading">
      <h2 id="presence-heading">Here now ({members.length})</h2>
      <ul>
        {assistant}
        {sorted.map((m) => (
          <li key={m.id} data-testid="presence-member" data-member-id={m.id}>
            <span className="member-name">{m.name}</span>
            {m.id === selfId && <span className="you"> (you)</span>}
            <span className={`badge badge-${m.role}`}>{m.role}</span>
            {m.agents && m.agents.length > 0 && (
              <span className="muted small presence-agents" data-testid="presence-agents" title="Outside apps acting for this member now">
                {m.connections === 0 ? "" : " · "}via{" "}
                {m.agents.map((a, i) => (
                  <span key={a.app} className="presence-agent" data-app={a.app}>
                    {i > 0 ? ", " : ""}
                    <AppIcon app={a.icon ? a.app : undefined} size={12} /> {a.name}
                  </span>
                ))}
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
