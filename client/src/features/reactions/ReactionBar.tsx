import type { ChatMessage, Reaction } from "../../../../shared/protocol";
import type { RoomActions } from "../room/useRoom";
import "./reactions.css";

/** "olive, bob and 3 others": who reacted, as far as the room lists them. */
export function reactorsLabel(r: Reaction): string {
  const names = r.by.map((a) => a.name);
  const others = r.count - names.length;
  if (others <= 0) return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
  return `${names.join(", ")} and ${others} other${others === 1 ? "" : "s"}`;
}

/**
 * A message's reactions: one chip per emoji with its count; hovering names
 * who reacted; a member's own reaction is pressed, and clicking a chip adds
 * or takes back theirs (the room makes either idempotent).
 */
export function ReactionBar({
  message: m,
  selfId,
  canReact,
  actions,
}: {
  message: ChatMessage;
  selfId: string | undefined;
  canReact: boolean;
  actions: RoomActions;
}) {
  const reactions = m.reactions ?? [];
  if (m.deleted || reactions.length === 0) return null;
  return (
    <ul className="reaction-bar" aria-label="Reactions" data-testid="reactions">
      {reactions.map((r) => {
        // Beyond the names listed, the room does not say: a click then adds (harmless if it is there).
        const mine = r.by.some((a) => a.id === selfId);
        const who = reactorsLabel(r);
        return (
          <li key={r.emoji}>
            <button
              type="button"
              className={`reaction${mine ? " mine" : ""}`}
              data-testid="reaction"
              data-emoji={r.emoji}
              data-count={r.count}
              aria-pressed={mine}
              disabled={!canReact}
              title={`${who} reacted with ${r.emoji}`}
              aria-label={`${r.emoji} ${r.count}: ${who}`}
              onClick={() => actions.react(m.seq, r.emoji, !mine)}
            >
              <span className="reaction-emoji" aria-hidden="true">
                {r.emoji}
              </span>
              <span className="reaction-count" aria-hidden="true">
                {r.count}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
