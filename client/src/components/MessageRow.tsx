import { memo, useId, useMemo, useState, type KeyboardEvent } from "react";
import { MessageText, type ChatMessage, type MessageStatus } from "../../../shared/protocol";
import { formatFullTime, formatTime } from "../time";
import { renderMarkdown } from "../markdown";
import type { PendingMessage } from "../roomState";
import type { RoomActions } from "../useRoom";

function Timestamp({ at }: { at: number }) {
  return (
    <time dateTime={new Date(at).toISOString()} title={formatFullTime(at)}>
      {formatTime(at)}
    </time>
  );
}

const STATUS_LABELS: Record<MessageStatus, string | null> = {
  streaming: "writing…",
  waiting: "waiting for approval",
  done: null,
  stopped: "stopped",
  interrupted: "interrupted",
  failed: "failed",
};

function ToolCalls({ parts }: { parts: ChatMessage["parts"] }) {
  if (parts.length === 0) return null;
  return (
    <ul className="tool-calls" aria-label="Tool calls">
      {parts.map((p) => (
        <li key={p.callId} className={`tool-call tool-${p.state}`}>
          <code>{p.tool}</code> <span className="muted">{p.state.replace("_", " ")}</span>
          {p.error && <span className="form-error"> {p.error}</span>}
        </li>
      ))}
    </ul>
  );
}

function MessageBody({ text }: { text: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  // renderMarkdown escapes raw HTML and sanitises the rest (see markdown.ts).
  return <div className="message-text" data-testid="message-text" dangerouslySetInnerHTML={{ __html: html }} />;
}

export const MessageRow = memo(function MessageRow({
  message: m,
  own,
  canWrite,
  actions,
}: {
  message: ChatMessage;
  own: boolean;
  canWrite: boolean;
  actions: RoomActions;
}) {
  const [editing, setEditing] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const mayChange = own && canWrite && !m.deleted && m.kind === "user";
  const statusLabel = m.status ? STATUS_LABELS[m.status] : null;

  return (
    <li
      className={`message${own ? " own" : ""}${m.kind === "user" ? "" : ` ${m.kind}`}`}
      data-testid="message"
      data-seq={m.seq}
      data-id={m.id}
      data-author={m.author.name}
      data-author-id={m.author.id}
      data-state="sent"
    >
      <div className="message-meta">
        <span className="author">{m.author.name}</span>
        <Timestamp at={m.createdAt} />
        {m.editedAt !== null && !m.deleted && (
          <span className="edited" title={`Edited ${formatFullTime(m.editedAt)}`}>
            (edited)
          </span>
        )}
        {statusLabel && <span className="delivery">{statusLabel}</span>}
      </div>
      {m.deleted ? (
        <p className="message-text deleted" data-testid="message-text">
          message deleted
        </p>
      ) : editing ? (
        <EditForm
          initial={m.text}
          onCancel={() => setEditing(false)}
          onSave={(text) => {
            actions.edit(m.seq, text);
            setEditing(false);
          }}
        />
      ) : (
        <>
          <MessageBody text={m.text} />
          <ToolCalls parts={m.parts} />
        </>
      )}
      {mayChange && !editing && (
        <div className="message-actions floating">
          {confirmingDelete ? (
            <>
              <button type="button" className="danger" onClick={() => actions.remove(m.seq)}>
                Confirm delete
              </button>
              <button type="button" onClick={() => setConfirmingDelete(false)}>
                Cancel
              </button>
            </>
          ) : (
            <>
              <button type="button" onClick={() => setEditing(true)} aria-label={`Edit message ${m.seq}`}>
                Edit
              </button>
              <button type="button" onClick={() => setConfirmingDelete(true)} aria-label={`Delete message ${m.seq}`}>
                Delete
              </button>
            </>
          )}
        </div>
      )}
    </li>
  );
});

function EditForm({
  initial,
  onSave,
  onCancel,
}: {
  initial: string;
  onSave: (text: string) => void;
  onCancel: () => void;
}) {
  const [text, setText] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  const save = () => {
    const parsed = MessageText.safeParse(text);
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message ?? "This text cannot be saved.");
      return;
    }
    if (parsed.data === initial) onCancel();
    else onSave(parsed.data);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Escape") onCancel();
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      save();
    }
  };

  return (
    <div className="edit-form">
      <label htmlFor={id} className="visually-hidden">
        Edit message
      </label>
      <textarea id={id} value={text} autoFocus rows={3} onChange={(e) => setText(e.target.value)} onKeyDown={onKeyDown} />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="message-actions">
        <button type="button" onClick={save}>
          Save
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

export function PendingRow({
  message: p,
  author,
  actions,
}: {
  message: PendingMessage;
  author: string;
  actions: RoomActions;
}) {
  return (
    <li className={`message own ${p.state}`} data-testid="message" data-id={p.id} data-author={author} data-state={p.state}>
      <div className="message-meta">
        <span className="author">{author}</span>
        <Timestamp at={p.createdAt} />
        <span className="delivery">{p.state === "pending" ? "Sending…" : "Not sent"}</span>
      </div>
      <MessageBody text={p.text} />
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
    </li>
  );
}
