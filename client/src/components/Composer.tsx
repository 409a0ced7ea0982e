import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { MessageText } from "../../../shared/protocol";
import type { RoomState } from "../roomState";
import type { RoomActions } from "../useRoom";

/** The counter appears once this share of the cap is used. */
const COUNTER_FROM = 0.8;

export function Composer({
  maxChars,
  readOnlyReason,
  error,
  actions,
}: {
  maxChars: number;
  readOnlyReason: string | null;
  error: RoomState["error"];
  actions: RoomActions;
}) {
  const [text, setText] = useState("");
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

  const submit = () => {
    if (disabled) return;
    const parsed = MessageText.safeParse(text);
    if (!parsed.success) {
      // An empty composer is not worth an error message.
      if (text.trim() !== "") setLocalError(parsed.error.issues[0]?.message ?? "This message cannot be sent.");
      return;
    }
    actions.send(parsed.data);
    setText("");
    setLocalError(null);
    inputRef.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // IME composition uses Enter to pick a candidate, not to send.
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit();
  };

  const describedBy = [disabled ? hintId : null, showCounter ? counterId : null].filter(Boolean).join(" ");

  return (
    <form className="composer" onSubmit={onSubmit}>
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
          onKeyDown={onKeyDown}
          onChange={(e) => {
            setText(e.target.value);
            setLocalError(null);
            actions.clearError();
            actions.typing(e.target.value);
          }}
        />
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
