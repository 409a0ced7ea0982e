import { Role, type RoomMember } from "../../../../shared/protocol";
import type { RoomActions } from "../room/useRoom";

/** One member: role, online or away, since when; an owner's role, remove, hand-over and ban controls for others. */
export function MemberRow({ member, self, online, isOwner, actions }: { member: RoomMember; self: boolean; online: boolean; isOwner: boolean; actions: RoomActions }) {
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
          <button
            type="button"
            data-testid="member-transfer"
            onClick={() =>
              confirm(`Hand the room over to ${member.name}? They become an owner and you a member.`) &&
              actions.command(`/transfer ${member.id}`, "members")
            }
          >
            Hand over
          </button>
          <button type="button" data-testid="member-ban" onClick={() => confirm(`Ban ${member.name}? They cannot come back until unbanned.`) && actions.memberAction("ban", `Ban ${member.name}`, member.id)}>
            Ban
          </button>
        </span>
      )}
    </li>
  );
}
