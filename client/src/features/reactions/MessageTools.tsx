import { Pin, PinOff } from "lucide-react";
import { useState } from "react";
import type { ChatMessage } from "../../../../shared/protocol";
import type { RoomActions } from "../room/useRoom";
import { ReactionPicker } from "./ReactionPicker";

/** What this member may do to any message (the room checks again). */
export interface MessagePowers {
  react: boolean;
  pin: boolean;
  /** An owner: removes anyone's message, the tombstone naming them. */
  remove: boolean;
}

/**
 * The add-reaction picker, pin/unpin, and an owner's remove (asks once
 * more), for one message. Rendered among the row's floating actions.
 */
export function MessageTools({
  message: m,
  powers,
  own,
  actions,
}: {
  message: ChatMessage;
  powers: MessagePowers;
  /** Own messages have their own Delete. */
  own: boolean;
  actions: RoomActions;
}) {
  const [confirming, setConfirming] = useState(false);
  const live = m.status === "streaming" || m.status === "waiting";
  if (m.deleted || live) return null;
  const pinned = Boolean(m.pinned);
  if (confirming) {
    return (
      <>
        <button type="button" className="danger" data-testid="confirm-remove" onClick={() => actions.remove(m.seq)}>
          Confirm remove
        </button>
        <button type="button" onClick={() => setConfirming(false)}>
          Cancel
        </button>
      </>
    );
  }
  return (
    <>
      {powers.react && <ReactionPicker seq={m.seq} onPick={(emoji) => actions.react(m.seq, emoji, true)} />}
      {powers.pin && (
        <button
          type="button"
          className="icon-only"
          data-testid={pinned ? "unpin-message" : "pin-message"}
          aria-label={`${pinned ? "Unpin" : "Pin"} message ${m.seq}`}
          title={pinned ? "Unpin" : "Pin"}
          onClick={() => actions.pin(m.seq, !pinned)}
        >
          {pinned ? <PinOff size={14} aria-hidden="true" /> : <Pin size={14} aria-hidden="true" />}
        </button>
      )}
      {powers.remove && !(own && m.kind === "user") && (
        <button type="button" data-testid="remove-message" aria-label={`Remove message ${m.seq}`} onClick={() => setConfirming(true)}>
          Remove
        </button>
      )}
    </>
  );
}
