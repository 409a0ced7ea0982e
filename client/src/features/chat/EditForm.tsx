import { useId, useState, type KeyboardEvent } from "react";
import { MessageText } from "../../../../shared/protocol";

/** Editing one's own message in place: the same text rules as sending, Escape cancels, Enter saves. */
export function EditForm({
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
