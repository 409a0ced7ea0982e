import type { MentionCandidate } from "./mention";

/** The `@` completion: the room's assistant and its members whose names start with what was typed. */
export function MentionList({
  id,
  optionId,
  options,
  active,
  onAccept,
}: {
  id: string;
  /** The DOM id of option `i` (the textarea's aria-activedescendant). */
  optionId: (i: number) => string;
  options: MentionCandidate[];
  active: number;
  onAccept: (chosen: MentionCandidate) => void;
}) {
  return (
    <ul className="mention-list" id={id} role="listbox" aria-label="Mention suggestions" data-testid="mention-list">
      {options.map((o, i) => (
        <li
          key={o.id ?? "assistant"}
          id={optionId(i)}
          role="option"
          aria-selected={i === active}
          data-testid="mention-option"
          data-member={o.id ?? undefined}
          // mousedown, not click: the textarea keeps its focus and caret.
          onMouseDown={(e) => {
            e.preventDefault();
            onAccept(o);
          }}
        >
          @{o.name}{" "}
          <span className="muted small">{o.id === null ? "AI assistant" : "member"}{i === active ? " · Tab or Enter" : ""}</span>
        </li>
      ))}
    </ul>
  );
}
