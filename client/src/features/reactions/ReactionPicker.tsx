import { SmilePlus } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import "./reactions.css";

/** One click away on every message. */
export const QUICK_REACTIONS = ["👍", "❤️", "😂", "🎉", "👀"] as const;
/** The rest of the small picker. */
const MORE_REACTIONS = ["👎", "🙏", "🔥", "✅", "❌", "🤔", "😮", "😢", "🚀", "💯", "👏", "🙌", "😅", "🤝", "⭐"] as const;

/** The add-reaction button and its small popover of emoji. */
export function ReactionPicker({ seq, onPick }: { seq: number; onPick: (emoji: string) => void }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    // A click anywhere else closes it, as a menu does.
    const close = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [open]);
  const pick = (emoji: string) => {
    onPick(emoji);
    setOpen(false);
  };
  return (
    <div className="reaction-picker" ref={ref} onKeyDown={(e) => e.key === "Escape" && open && (e.stopPropagation(), setOpen(false))}>
      <button
        type="button"
        className="icon-only"
        data-testid="add-reaction"
        aria-label={`Add a reaction to message ${seq}`}
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        <SmilePlus size={14} aria-hidden="true" />
      </button>
      {open && (
        <div className="reaction-menu" role="group" aria-label="Pick a reaction" data-testid="reaction-menu">
          <div className="reaction-quick">
            {QUICK_REACTIONS.map((e) => (
              <button key={e} type="button" data-testid="pick-reaction" data-emoji={e} aria-label={`React with ${e}`} onClick={() => pick(e)}>
                {e}
              </button>
            ))}
          </div>
          <div className="reaction-more">
            {MORE_REACTIONS.map((e) => (
              <button key={e} type="button" data-testid="pick-reaction" data-emoji={e} aria-label={`React with ${e}`} onClick={() => pick(e)}>
                {e}
              </button>
            ))}
          </div>
        </div>
      )}
    </div>
  );
}
