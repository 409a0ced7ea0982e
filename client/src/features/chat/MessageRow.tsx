import { memo, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from "react";
import { MessageText, type ChatMessage, type MessageStatus, type ToolPart } from "../../../../shared/protocol";
import { formatFullTime, formatTime } from "../../time";
import { renderMarkdown } from "../../markdown";
import type { PendingMessage } from "../room/roomState";
import type { RoomActions } from "../room/useRoom";
import { groupParts } from "../codemode/codeParts";
import { PartCard, type CardContext } from "../codemode/CodeCard";

function Timestamp({ at }: { at: number }) {
  return (
    <time dateTime={new Date(at).toISOString()} title={formatFullTime(at)}>
      {formatTime(at)}
    </time>
  );
}

/** Final and waiting states get a small label; streaming gets the animated indicator. */
const STATUS_LABELS: Record<MessageStatus, string | null> = {
  streaming: "writing…",
  waiting: "waiting for approval",
  done: null,
  stopped: "stopped",
  interrupted: "interrupted — the server restarted",
  failed: "failed",
};

const NO_NAMES: ReadonlyMap<string, string> = new Map();

function MessageBody({ text, code = false }: { text: string; code?: boolean }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  const ref = useRef<HTMLDivElement>(null);
  // Copy buttons for code blocks: added after each render of the sanitised
  // HTML (React replaces the whole inner HTML when it changes).
  useLayoutEffect(() => {
    if (!code || !ref.current) return;
    for (const pre of ref.current.querySelectorAll("pre")) {
      if (pre.querySelector(":scope > .copy-code")) continue;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "copy-code";
      button.setAttribute("aria-label", "Copy code");
      pre.prepend(button);
    }
  }, [html, code]);
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const button = (e.target as Element).closest?.(".copy-code");
    if (!(button instanceof HTMLElement)) return;
    const source = button.parentElement?.querySelector("code")?.textContent ?? "";
    void navigator.clipboard?.writeText(source).then(
      () => {
        button.dataset.copied = "true";
        setTimeout(() => delete button.dataset.copied, 1500);
      },
      () => undefined,
    );
  };
  // renderMarkdown escapes raw HTML and sanitises the rest (see markdown.ts).
  return (
    <div
      ref={ref}
      className="message-text"
      data-testid="message-text"
      onClick={code ? onClick : undefined}
      dangerouslySetInnerHTML={{ __html: html }}
    />
  );
}

/** The answer's text with its tool cards placed where the calls happened. */
function AssistantBody({
  message: m,
  selfId,
  canWrite,
  names,
  actions,
  savableCallId,
  onSaveScript,
}: {
  message: ChatMessage;
  selfId: string | undefined;
  canWrite: boolean;
  names: ReadonlyMap<string, string>;
  actions: RoomActions;
  savableCallId: string | undefined;
  onSaveScript: (() => void) | undefined;
}) {
  const pieces: Array<{ key: string; text: string } | { key: string; part: ToolPart }> = [];
  let at = 0;
  // Calls made from inside a Code Mode run show inside its card, not here.
  const tree = groupParts(m.parts);
  const parts = [...tree.top].sort((a, b) => a.textOffset - b.textOffset);
  for (const part of parts) {
    const offset = Math.min(Math.max(part.textOffset, at), m.text.length);
    if (offset > at) pieces.push({ key: `text-${at}`, text: m.text.slice(at, offset) });
    pieces.push({ key: `tool-${part.callId}`, part });
    at = offset;
  }
  if (m.text.length > at || pieces.length === 0) pieces.push({ key: `text-${at}`, text: m.text.slice(at) });
  const ctx: CardContext = {
    selfId,
    canWrite,
    names,
    onDecide: (callId, approved) => actions.approve(m.seq, callId, approved),
    children: tree.children,
    savableCallId: canWrite ? savableCallId : undefined,
    onSaveScript,
  };

  return (
    <div className="assistant-body" data-testid="assistant-body">
      {pieces.map((p) =>
        "part" in p ? (
          <PartCard key={p.key} part={p.part} ctx={ctx} />
        ) : (
          <MessageBody key={p.key} text={p.text} code />
        ),
      )}
    </div>
  );
}

const noDecision = () => undefined;

/**
 * A member's `/mcp call` or `/run <script>`: the command as typed, and its
 * card — for a script, the code card with its calls inside (nobody approves
 * these: a run without a model has no turn to pause).
 */
function ToolCallBody({
  message: m,
  selfId,
  savableCallId,
  onSaveScript,
}: {
  message: ChatMessage;
  selfId: string | undefined;
  savableCallId: string | undefined;
  onSaveScript: (() => void) | undefined;
}) {
  const tree = groupParts(m.parts);
  const ctx: CardContext = {
    selfId,
    canWrite: false,
    names: NO_NAMES,
    onDecide: noDecision,
    children: tree.children,
    savableCallId,
    onSaveScript,
  };
  return (
    <div className="tool-call-body" data-testid="tool-call-body">
      <p className="message-text tool-command" data-testid="message-text">
        <code>{m.text}</code>
      </p>
      {tree.top.map((part) => (
        <PartCard key={part.callId} part={part} ctx={ctx} />
      ))}
    </div>
  );
}

export const MessageRow = memo(function MessageRow({
  message: m,
  own,
  canWrite,
  selfId,
  names = NO_NAMES,
  replyToAuthor,
  onReply,
  actions,
  savableCallId,
  onSaveScript,
}: {
  message: ChatMessage;
  own: boolean;
  canWrite: boolean;
  selfId?: string | undefined;
  /** Member id → name (presence), for "waiting for approval by …". */
  names?: ReadonlyMap<string, string>;
  /** Author of the message this one answers, when it is loaded. */
  replyToAuthor?: string | undefined;
  onReply?: (message: ChatMessage) => void;
  actions: RoomActions;
  /** The code card in this message that `/scripts save` would save (the room's newest done run). */
  savableCallId?: string | undefined;
  /** Fills the composer with `/scripts save `. */
  onSaveScript?: (() => void) | undefined;
}) {
  const [editing, setEditing] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const mayChange = own && canWrite && !m.deleted && m.kind === "user";
  const assistant = m.kind === "assistant";
  // A Code Mode run waiting for a nested call's approval keeps the message
  // `streaming`; it is waiting all the same.
  const shownStatus: MessageStatus | null =
    m.status === "streaming" && m.parts.some((p) => p.state === "awaiting_approval") ? "waiting" : m.status;
  const statusLabel = shownStatus ? STATUS_LABELS[shownStatus] : null;
  const live = m.status === "streaming" || m.status === "waiting";

  return (
    <li
      className={`message${own ? " own" : ""}${m.kind === "user" ? "" : ` ${m.kind}`}`}
      data-testid="message"
      data-seq={m.seq}
      data-id={m.id}
      data-author={m.author.name}
      data-author-id={m.author.id}
      data-kind={m.kind}
      data-status={m.status ?? undefined}
      data-state="sent"
      aria-busy={m.status === "streaming" || undefined}
    >
      <div className="message-meta">
        {assistant && (
          <span className="avatar-ai" title="AI assistant" aria-label="AI assistant">
            AI
          </span>
        )}
        {m.kind === "reminder" && (
          <span className="avatar-reminder" title="Reminder" role="img" aria-label="Reminder" data-testid="reminder-icon">
            🔔
          </span>
        )}
        <span className="author">{m.author.name}</span>
        <Timestamp at={m.createdAt} />
        {m.replyTo !== null && replyToAuthor && (
          <span className="reply-context muted" data-testid="reply-context">
            ↪ to {replyToAuthor}
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
            role={live ? "status" : undefined}
          >
            {shownStatus === "streaming" && <span className="writing-dots" aria-hidden="true" />}
            {statusLabel}
          </span>
        ) : (
          statusLabel && <span className="delivery">{statusLabel}</span>
        )}
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
      ) : assistant ? (
        <AssistantBody
          message={m}
          selfId={selfId}
          canWrite={canWrite}
          names={names}
          actions={actions}
          savableCallId={savableCallId}
          onSaveScript={onSaveScript}
        />
      ) : m.kind === "tool" ? (
        <ToolCallBody
          message={m}
          selfId={selfId}
          savableCallId={canWrite ? savableCallId : undefined}
          onSaveScript={onSaveScript}
        />
      ) : (
        <MessageBody text={m.text} />
      )}
      {assistant && canWrite && !m.deleted && (
        <div className="message-actions assistant-actions">
          {live && (
            <button
              type="button"
              className="danger"
              data-testid="stop-turn"
              onClick={() => actions.stop(m.seq)}
              aria-label={`Stop the assistant (message ${m.seq})`}
            >
              ■ Stop
            </button>
          )}
          {onReply && (
            <button type="button" data-testid="reply" onClick={() => onReply(m)} aria-label={`Reply to ${m.author.name} (message ${m.seq})`}>
              Reply
            </button>
          )}
        </div>
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
