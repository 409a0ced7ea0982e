/**
 * The `@` completion of a textarea, shared by the room's composer and a
 * thread's: which names the partial word before the caret could become,
 * the one chosen with the arrow keys, Tab/Enter to complete, Escape to
 * dismiss. Completed member names are remembered, so that sending turns
 * them into `<@id>` tokens (text.ts) and a rename never breaks them.
 */
import { useRef, useState, type KeyboardEvent } from "react";
import { mentionAt, type MentionCandidate } from "../chat/composer/mention";
import { namesToTokens } from "./text";

export function useMentionCompletion({
  text,
  caret,
  enabled,
  candidates,
  apply,
}: {
  text: string;
  caret: number;
  /** Off while the input is disabled, unfocused, or showing command hints. */
  enabled: boolean;
  candidates: readonly MentionCandidate[];
  /** Puts the completed text in the input with the caret at `at`. */
  apply: (next: string, at: number) => void;
}) {
  /** The mention position the member dismissed with Escape. */
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [active, setActive] = useState(0);
  const picked = useRef(new Map<string, string>());
  const found = enabled ? mentionAt(text, caret, candidates) : null;
  const mention = found && found.start !== dismissedAt ? found : null;
  const chosen = mention ? mention.options[Math.min(active, mention.options.length - 1)] : undefined;

  const complete = (choice: MentionCandidate | undefined = chosen) => {
    if (!mention || !choice) return;
    const insert = `@${choice.name} `;
    if (choice.id !== null) picked.current.set(`@${choice.name}`, choice.id);
    setActive(0);
    const next = text.slice(0, mention.start) + insert + text.slice(caret).replace(/^ /, "");
    apply(next, mention.start + insert.length);
  };

  /** Handles the completion's keys; true when the key was its. */
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!mention) return false;
    if ((e.key === "Tab" || e.key === "Enter") && !e.shiftKey) {
      e.preventDefault();
      complete();
      return true;
    }
    if (mention.options.length > 1 && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      e.preventDefault();
      const n = mention.options.length;
      const at = Math.min(active, n - 1);
      setActive((at + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
      return true;
    }
    if (e.key === "Escape") {
      setDismissedAt(mention.start);
      return true;
    }
    return false;
  };

  return {
    mention,
    chosen,
    activeIndex: mention && chosen ? mention.options.indexOf(chosen) : -1,
    complete,
    onKeyDown,
    /** The text to send: completed names as member ids. */
    withTokens: (t: string) => namesToTokens(t, picked.current),
    /** After a send: a fresh message remembers nothing. */
    reset: () => {
      picked.current = new Map();
      setDismissedAt(null);
    },
    textChanged: () => setActive(0),
    blurred: () => setDismissedAt(null),
  };
}
