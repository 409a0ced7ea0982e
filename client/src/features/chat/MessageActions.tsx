import { Square } from "lucide-react";
import { useState, type ReactNode } from "react";
import type { ChatMessage } from "../../../../shared/protocol";
import type { RoomActions } from "../room/useRoom";
import { isLive } from "./MessageMeta";

/** Under an assistant answer: anyone who may write can stop a live turn or reply (which asks it again). */
export function AssistantActions({
  message: m,
  onReply,
  actions,
}: {
  message: ChatMessage;
  onReply: ((message: ChatMessage) => void) | undefined;
  actions: RoomActions;
}) {
  return (
    <div className="message-actions assistant-actions">
      {isLive(m) && (
        <button
          type="button"
          className="danger"
          data-testid="stop-turn"
          onClick={() => actions.stop(m.seq)}
          aria-label={`Stop the assistant (message ${m.seq})`}
        >
          <Square size={12} fill="currentColor" aria-hidden="true" /> Stop
        </button>
      )}
      {onReply && (
        <button type="button" data-testid="reply" onClick={() => onReply(m)} aria-label={`Reply to ${m.author.name} (message ${m.seq})`}>
          Reply
        </button>
      )}
    </div>
  );
}

/** Edit and delete on one's own message, floating over its corner; delete asks once more. */
export function OwnMessageActions({
  seq,
  onEdit,
  actions,
  children,
}: {
  seq: number;
  onEdit: () => void;
  actions: RoomActions;
  /** More tools for the message (react, pin), before Edit. */
  children?: ReactNode;
}) {
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  return (
    <div className="message-actions floating">
      {confirmingDelete ? (
        <>
          <button type="button" className="danger" onClick={() => actions.remove(seq)}>
            Confirm delete
          </button>
          <button type="button" onClick={() => setConfirmingDelete(false)}>
            Cancel
          </button>
        </>
      ) : (
        <>
          {children}
          <button type="button" onClick={onEdit} aria-label={`Edit message ${seq}`}>
            Edit
          </button>
          <button type="button" onClick={() => setConfirmingDelete(true)} aria-label={`Delete message ${seq}`}>
            Delete
          </button>
        </>
      )}
    </div>
  );
}
