import type { PendingMessage } from "./state";
import type { RoomActions } from "../room/useRoom";
import { MessageBody } from "./MessageBody";
import { MessageAttachments } from "../files/MessageAttachments";
import { Timestamp } from "./Timestamp";
import "./chat.css";

/** An own message the room has not confirmed yet: sending, or failed with Retry and Discard. */
export function PendingRow({
  message: p,
  author,
  actions,
  as: Tag = "li",
}: {
  /** `div` inside the virtual list, whose items are the `li`s. */
  as?: "li" | "div";
  message: PendingMessage;
  author: string;
  actions: RoomActions;
}) {
  return (
    <Tag className={`message own ${p.state}`} data-testid="message" data-id={p.id} data-author={author} data-state={p.state}>
      <div className="message-meta">
        <span className="author">{author}</span>
        <Timestamp at={p.createdAt} />
        <span className="delivery">{p.state === "pending" ? "Sending…" : "Not sent"}</span>
      </div>
      <MessageBody text={p.text} />
      {p.attachments && <MessageAttachments attachments={p.attachments} />}
      {p.state === "failed" && (
        <div className="message-actions">
          <span className="form-error">{p.error}</span>
          <button type="button" onClick={() => actions.retry(p.id)}>
            Retry
          </button>
          <button type="button" onClick={() => actions.discard(p.id)}>
            Discard
          </button>
        </div>
      )}
    </Tag>
  );
}
