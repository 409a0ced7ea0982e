/** The `@` completion: the room's assistant is the one name offered. */
export function MentionList({
  id,
  optionId,
  assistantName,
  onAccept,
}: {
  id: string;
  optionId: string;
  assistantName: string;
  onAccept: () => void;
}) {
  return (
    <ul className="mention-list" id={id} role="listbox" aria-label="Mention suggestions" data-testid="mention-list">
      <li
        id={optionId}
        role="option"
        aria-selected="true"
        data-testid="mention-option"
        // mousedown, not click: the textarea keeps its focus and caret.
        onMouseDown={(e) => {
          e.preventDefault();
          onAccept();
        }}
      >
        @{assistantName} <span className="muted small">AI assistant · Tab or Enter</span>
      </li>
    </ul>
  );
}
