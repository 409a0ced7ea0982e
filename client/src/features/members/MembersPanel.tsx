import { useId, useState } from "react";
import type { PresenceMember } from "../../../../shared/protocol";
import { latestCommand } from "../room/commandLog";
import type { RoomState } from "../room/roomState";
import type { RoomActions } from "../room/useRoom";
import { CommandNote } from "../../components/CommandNote";
import { MemberRow } from "./MemberRow";
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
