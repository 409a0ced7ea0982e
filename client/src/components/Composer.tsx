import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { MessageText } from "../../../shared/protocol";
import { mentionAt } from "../mention";
import type { RoomState } from "../roomState";
import type { RoomActions } from "../useRoom";

/** The counter appears once this share of the cap is used. */
const COUNTER_FROM = 0.8;

/** The message being answered, shown above the composer. */
export interface ReplyTarget {
  seq: number;
  author: string;
}

export function Composer({
  maxChars,
  readOnlyReason,
  error,
  replyTo,
  onCancelReply,
  assistantName,
  actions,
}: {
  maxChars: number;
  readOnlyReason: string | null;
  error: RoomState["error"];
  replyTo: ReplyTarget | null;
  onCancelReply: () => void;
  /** Offered as an `@` completion. */
  assistantName: string;
  actions: RoomActions;
}) {
  const [text, setText] = useState("");
  const [caret, setCaret] = useState(0);
  /** The mention position the member dismissed with Escape. */
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [focused, setFocused] = useState(false);
  const listId = useId();
  const optionId = useId();
  const replyId = useId();
  const [localError, setLocalError] = useState<string | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const inputId = useId();
  const hintId = useId();
  const counterId = useId();
  const disabled = readOnlyReason !== null;
  const length = text.length;
  const over = length > maxChars;
  const showCounter = length >= maxChars * COUNTER_FROM;
  const shownError = localError ?? error?.message ?? "";
  const found = disabled || !focused ? null : mentionAt(text, caret, assistantName);
  const mention = found && found.start !== dismissedAt ? found : null;

  // Choosing "Reply" puts the caret here.
  const replySeq = replyTo?.seq;
  useEffect(() => {
    if (replySeq !== undefined) inputRef.current?.focus();
  }, [replySeq]);

  const complete = () => {
    if (!mention) return;
    const insert = `@${assistantName} `;
    const next = text.slice(0, mention.start) + insert + text.slice(caret).replace(/^ /, "");
    const at = mention.start + insert.length;
    setText(next);
    setCaret(at);
    actions.typing(next);
    requestAnimationFrame(() => {
      const el = inputRef.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(at, at);
    });
  };

  const submit = () => {
    if (disabled) return;
    const parsed = MessageText.safeParse(text);
    if (!parsed.success) {
      // An empty composer is not worth an error message.
      if (text.trim() !== "") setLocalError(parsed.error.issues[0]?.message ?? "This message cannot be sent.");
      return;
    }
    actions.send(parsed.data, replyTo?.seq);
    if (replyTo) onCancelReply();
    setText("");
    setCaret(0);
    setDismissedAt(null);
    setLocalError(null);
    inputRef.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) return;
    if (mention && (e.key === "Tab" || e.key === "Enter") && !e.shiftKey) {
      e.preventDefault();
      complete();
      return;
    }
    if (e.key === "Escape") {
      if (mention) setDismissedAt(mention.start);
      else if (replyTo) onCancelReply();
      return;
    }
    // IME composition uses Enter to pick a candidate, not to send.
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      submit();
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit();
  };

  const describedBy = [replyTo ? replyId : null, disabled ? hintId : null, showCounter ? counterId : null]
    .filter(Boolean)
    .join(" ");

  return (
    <form className="composer" onSubmit={onSubmit}>
      {replyTo && !disabled && (
        <div className="reply-banner" data-testid="reply-banner">
          <span id={replyId}>
            Replying to <strong>{replyTo.author}</strong>
          </span>
          <button type="button" data-testid="cancel-reply" onClick={onCancelReply} aria-label={`Cancel reply to ${replyTo.author}`}>
            Cancel
          </button>
        </div>
      )}
      <label htmlFor={inputId} className="visually-hidden">
        Message
      </label>
      <div className="composer-row">
        <textarea
          id={inputId}
          ref={inputRef}
          data-testid="composer-input"
          rows={2}
          value={text}
          disabled={disabled}
          placeholder={disabled ? "Read only" : "Write a message… (Enter to send, Shift+Enter for a new line)"}
          aria-describedby={describedBy || undefined}
          aria-invalid={over || undefined}
          aria-autocomplete="list"
          aria-controls={mention ? listId : undefined}
          aria-activedescendant={mention ? optionId : undefined}
          onKeyDown={onKeyDown}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onFocus={() => setFocused(true)}
          onBlur={() => {
            setFocused(false);
            setDismissedAt(null);
          }}
          onChange={(e) => {
            setText(e.target.value);
            setCaret(e.target.selectionStart);
            setLocalError(null);
            actions.clearError();
            actions.typing(e.target.value);
          }}
        />
        {mention && (
          <ul className="mention-list" id={listId} role="listbox" aria-label="Mention suggestions" data-testid="mention-list">
            <li
              id={optionId}
              role="option"
              aria-selected="true"
              data-testid="mention-option"
              // mousedown, not click: the textarea keeps its focus and caret.
              onMouseDown={(e) => {
                e.preventDefault();
                complete();
              }}
            >
              @{assistantName} <span className="muted small">AI assistant · Tab or Enter</span>
            </li>
          </ul>
        )}
        <button type="submit" data-testid="composer-send" disabled={disabled || over || text.trim() === ""}>
          Send
        </button>
      </div>
      <div className="composer-footer">
        {disabled && (
          <p id={hintId} className="muted small">
            {readOnlyReason}
          </p>
        )}
        <p className="composer-error" role="alert" data-testid="composer-error">
          {shownError}
        </p>
        {showCounter && (
          <p id={counterId} className={over ? "counter over" : "counter"} aria-live="polite">
            {length} / {maxChars}
          </p>
        )}
      </div>
    </form>
  );
}
