import type { CommandHint } from "./commands";

/** The `/` completion list: the commands the typed text could become, one of them active. */
export function CommandHints({
  id,
  hints,
  active,
  optionId,
  onAccept,
}: {
  id: string;
  hints: CommandHint[];
  active: CommandHint;
  /** The element id of option `i`, for the textarea's aria-activedescendant. */
  optionId: (i: number) => string;
  onAccept: (hint: CommandHint) => void;
}) {
  return (
    <ul className="mention-list command-list" id={id} role="listbox" aria-label="Commands" data-testid="command-list">
      {hints.map((h, i) => (
        <li
          key={h.name}
          id={optionId(i)}
          role="option"
          aria-selected={h === active}
          data-testid="command-option"
          data-command={h.name}
          // mousedown, not click: the textarea keeps its focus and caret.
          onMouseDown={(e) => {
            e.preventDefault();
            onAccept(h);
          }}
        >
          <code>{h.label ?? h.name}</code> <span className="muted small">{h.usage.slice(h.name.length).replace(/^ — /, "· ").trim() || "· Tab or Enter"}</span>
        </li>
      ))}
    </ul>
  );
}
