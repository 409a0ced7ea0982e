import { useId, useState, type KeyboardEvent } from "react";
import { MessageText } from "../../../../shared/protocol";
import { useMentionNames } from "../mentions/MentionNames";
import { namesToTokens, tokensToNames } from "../mentions/text";

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
  // Mentions are edited as the names they show, and saved as the ids they were.
  const names = useMentionNames();
  const [shown] = useState(() => tokensToNames(initial, (id) => names?.nameOf(id) ?? null));
  const [text, setText] = useState(shown.text);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  const save = () => {
    const parsed = MessageText.safeParse(namesToTokens(text, shown.picked));
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
