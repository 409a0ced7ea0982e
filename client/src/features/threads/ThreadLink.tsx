import { MessageSquare } from "lucide-react";
import type { ChatMessage } from "../../../../shared/protocol";

/**
 * Under a room message: its thread's summary (replies, last repliers),
 * which opens it, or "Reply in thread" for members who may write. A thread
 * reply also sent to the room says so and opens its thread.
 */
export function ThreadLink({
  message: m,
  canWrite,
  onOpen,
}: {
  message: ChatMessage;
  canWrite: boolean;
  onOpen: (parent: ChatMessage | number) => void;
}) {
  if (m.threadOf != null) {
    const parent = m.threadOf;
    return (
      <button type="button" className="thread-link in-thread" data-testid="thread-reply-marker" onClick={() => onOpen(parent)}>
        <MessageSquare size={12} aria-hidden="true" /> replied in a thread
      </button>
    );
  }
  const count = m.thread?.count ?? 0;
  if (count > 0) {
    const names = m.thread!.repliers.join(", ");
    return (
      <button
        type="button"
        className="thread-link"
        data-testid="thread-summary"
        onClick={() => onOpen(m)}
        aria-label={`Open the thread of message ${m.seq}: ${count} ${count === 1 ? "reply" : "replies"} from ${names}`}
      >
        <MessageSquare size={12} aria-hidden="true" />
        <span data-testid="thread-count">
          {count} {count === 1 ? "reply" : "replies"}
        </span>
        <span className="thread-repliers muted" data-testid="thread-repliers">
          {names}
        </span>
      </button>
    );
  }
  if (!canWrite || m.deleted) return null;
  return (
    <button
      type="button"
      className="thread-link start"
      data-testid="reply-in-thread"
      onClick={() => onOpen(m)}
      aria-label={`Reply in a thread to ${m.author.name} (message ${m.seq})`}
    >
      <MessageSquare size={12} aria-hidden="true" /> Reply in thread
    </button>
  );
}
