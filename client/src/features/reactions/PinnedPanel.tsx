import { PinOff } from "lucide-react";
import type { PinnedItem } from "../../../../shared/protocol";
import { SidePanel } from "../../components/SidePanel";
import type { RoomActions } from "../room/useRoom";
import { reveal } from "../chat/reveal";
import "./reactions.css";

/** Brings a loaded message into view; one not loaded is jumped to (its history loaded around it). */
function showMessage(seq: number, jumpTo: (seq: number) => void) {
  if (!reveal({ seq, flash: true })) jumpTo(seq);
}

/** The room's pinned messages, newest pin first, live for every member. */
export function PinnedPanel({
  id,
  items,
  mayPin,
  actions,
  onClose,
}: {
  id: string;
  items: PinnedItem[];
  mayPin: boolean;
  actions: RoomActions;
  onClose: () => void;
}) {
  return (
    <SidePanel id={id} testId="pinned-panel" title="Pinned" closeLabel="Close pinned messages" onClose={onClose}>
      {items.length === 0 ? (
        <p className="muted" data-testid="pinned-empty">
          Nothing is pinned yet. {mayPin ? "Pin a message with its pin button to keep it here for everyone." : "Owners pin messages here for everyone."}
        </p>
      ) : (
        <ul className="pinned-list" aria-label="Pinned messages">
          {items.map((p) => (
            <li key={p.seq} className="pinned-item" data-testid="pinned-item" data-seq={p.seq}>
              <button type="button" className="pinned-open" onClick={() => showMessage(p.seq, actions.jumpTo)}>
                <span className="pinned-author">{p.author.name}</span>
                <span className="pinned-excerpt">{p.excerpt}</span>
              </button>
              <span className="pinned-by muted">pinned by {p.pinnedBy.name}</span>
              {mayPin && (
                <button type="button" className="icon-only" aria-label={`Unpin message ${p.seq}`} onClick={() => actions.pin(p.seq, false)}>
                  <PinOff size={14} aria-hidden="true" />
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </SidePanel>
  );
}
