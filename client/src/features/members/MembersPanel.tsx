import { useId, useState } from "react";
import { Role, type PresenceMember, type RoomMember } from "../../../../shared/protocol";
import { latestCommand } from "../room/commandLog";
import type { RoomState } from "../room/roomState";
import type { RoomActions } from "../room/useRoom";
import { CommandNote } from "../../components/CommandNote";
import "./members.css";

/**
 * Everyone with a role in the room, online or not, searchable; owners
 * change roles, remove and ban here, and anyone can leave.
 */
export function MembersPanel({ state, actions }: { state: RoomState; actions: RoomActions }) {
  const [query, setQuery] = useState("");
  const searchId = useId();
  const selfId = state.self?.id;
  const isOwner = state.self?.role === "owner";
  const online = new Set(state.presence.map((p: PresenceMember) => p.id));
  const q = query.trim().toLowerCase();
  const shown = state.members.filter((m) => !q || m.name.toLowerCase().includes(q));
  const result = latestCommand(state, "members");
  const owners = state.members.filter((m) => m.role === "owner");

  const leave = () => {
    const me = state.members.find((m) => m.id === selfId);
    if (me?.role === "owner" && owners.length === 1) {
      const successor = state.members.find((m) => m.id !== selfId);
      if (!successor) return actions.memberAction("leave", "Leave the room");
      if (!confirm(`You are the only owner: leave and hand the room to ${successor.name}?`)) return;
      return actions.memberAction("leave", `Leave, handing the room to ${successor.name}`, successor.id);
    }
    if (confirm("Leave this room?")) actions.memberAction("leave", "Leave the room");
  };

  return (
    <section className="card members" aria-labelledby="members-heading">
      <h2 id="members-heading">Members ({state.membersTotal})</h2>
      <label htmlFor={searchId} className="visually-hidden">
        Search members
      </label>
      <input
        id={searchId}
        type="search"
        placeholder="Search members"
        data-testid="members-search"
        value={query}
        onChange={(e) => setQuery(e.currentTarget.value)}
      />
      <ul>
        {shown.map((m) => (
          <MemberRow key={m.id} member={m} self={m.id === selfId} online={online.has(m.id)} isOwner={isOwner} actions={actions} />
        ))}
      </ul>
      {result && <CommandNote entry={result} testId="members-result" onDismiss={() => actions.dismissCommand(result.id)} />}
      {selfId && (
        <button type="button" className="link" data-testid="leave-room" onClick={leave}>
          Leave room
        </button>
      )}
    </section>
  );
}

function MemberRow({ member, self, online, isOwner, actions }: { member: RoomMember; self: boolean; online: boolean; isOwner: boolean; actions: RoomActions }) {
  return (
    <li data-testid="member-row" data-member-id={member.id} data-role={member.role}>
      <span className="member-name">{member.name}</span>
      {self && <span className="you"> (you)</span>}
      <span className={`badge badge-${member.role}`}>{member.role}</span>
      <span className="muted small" title={new Date(member.joinedAt).toLocaleString()}>
        {online ? " · online" : " · away"} · joined {new Date(member.joinedAt).toLocaleDateString()}
      </span>
      {isOwner && !self && (
        <span className="member-actions">
          <select
            aria-label={`Role of ${member.name}`}
            data-testid="member-role"
            value={member.role}
            onChange={(e) => actions.memberAction("set_role", `Make ${member.name} ${e.currentTarget.value}`, member.id, e.currentTarget.value as Role)}
          >
            {Role.options.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
          <button type="button" data-testid="member-remove" onClick={() => confirm(`Remove ${member.name}?`) && actions.memberAction("remove", `Remove ${member.name}`, member.id)}>
            Remove
          </button>
          <button type="button" data-testid="member-ban" onClick={() => confirm(`Ban ${member.name}? They cannot come back until unbanned.`) && actions.memberAction("ban", `Ban ${member.name}`, member.id)}>
            Ban
          </button>
        </span>
      )}
    </li>
  );
}
