import { Bell, CornerDownRight } from "lucide-react";
import { AppIcon } from "../../components/AppIcon";
import type { ChatMessage, MessageStatus } from "../../../../shared/protocol";
import { formatFullTime } from "../../time";
import { Timestamp } from "./Timestamp";

/** Final and waiting states get a small label; streaming gets the animated indicator. */
const STATUS_LABELS: Record<MessageStatus, string | null> = {
  streaming: "writing…",
  waiting: "waiting for approval",
  done: null,
  stopped: "stopped",
  interrupted: "interrupted — the server restarted",
  failed: "failed",
};

/** A live assistant turn: still writing, or paused on an approval. */
export function isLive(m: ChatMessage): boolean {
  return m.status === "streaming" || m.status === "waiting";
}

/** A message's header line: who (and whether the assistant or a reminder), when, what it answers, edited, and its status. */
export function MessageMeta({ message: m, replyToAuthor }: { message: ChatMessage; replyToAuthor: string | undefined }) {
  const assistant = m.kind === "assistant";
  // A Code Mode run waiting for a nested call's approval keeps the message
  // `streaming`; it is waiting all the same.
  const shownStatus: MessageStatus | null =
    m.status === "streaming" && m.parts.some((p) => p.state === "awaiting_approval") ? "waiting" : m.status;
  const statusLabel = shownStatus ? STATUS_LABELS[shownStatus] : null;
  return (
    <div className="message-meta">
      {assistant && (
        <span className="avatar-ai" title="AI assistant" aria-label="AI assistant">
          AI
        </span>
      )}
      {m.kind === "reminder" && (
        <span className="avatar-reminder" title="Reminder" role="img" aria-label="Reminder" data-testid="reminder-icon">
          <Bell size={15} aria-hidden="true" />
        </span>
      )}
      <span className="author">{m.author.name}</span>
      {m.via && (
        // Posted by an app the author connected (Hearth's MCP endpoint): theirs, but not typed by them.
        <span className="via muted" data-testid="via" title={`Posted by ${m.author.name} through ${m.via}, an app they connected`}>
          <AppIcon app={m.viaApp} /> via {m.via}
        </span>
      )}
      <Timestamp at={m.createdAt} />
      {m.replyTo !== null && replyToAuthor && (
        <span className="reply-context muted" data-testid="reply-context">
          <CornerDownRight size={14} aria-hidden="true" /> to {replyToAuthor}
        </span>
      )}
      {m.editedAt !== null && !m.deleted && (
        <span className="edited" title={`Edited ${formatFullTime(m.editedAt)}`}>
          (edited)
        </span>
      )}
      {assistant && statusLabel ? (
        <span
          className={`assistant-status status-${shownStatus}`}
          data-testid="assistant-status"
          data-status={m.status ?? undefined}
          role={isLive(m) ? "status" : undefined}
        >
          {shownStatus === "streaming" && <span className="writing-dots" aria-hidden="true" />}
          {statusLabel}
        </span>
      ) : (
        statusLabel && <span className="delivery">{statusLabel}</span>
      )}
    </div>
  );
}
