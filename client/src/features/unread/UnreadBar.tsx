import { useEffect, useState } from "react";
import type { ChatMessage } from "../../../../shared/protocol";
import { LIMITS } from "../../../../shared/limits";
import { countLabel } from "./state";
import { reveal } from "../chat/reveal";
import "./unread.css";

/**
 * Above the messages while this view shows a "new messages" divider: how
 * many are unread (and how many mention me), a jump to the first of them —
 * loading older pages until it is there — and "mark as read".
 */
export function UnreadBar({
  counts,
  dividerAfter,
  messages,
  hasMore,
  loadingOlder,
  loadOlder,
  markRead,
}: {
  counts: { unread: number; mentions: number };
  dividerAfter: number;
  messages: ChatMessage[];
  hasMore: boolean;
  loadingOlder: boolean;
  loadOlder: () => void;
  /** Marks everything read and removes the divider. */
  markRead: () => void;
}) {
  const [jumping, setJumping] = useState(false);
  const loaded = !hasMore || (messages[0] !== undefined && messages[0].seq <= dividerAfter);
  useEffect(() => {
    if (!jumping) return;
    if (!loaded) {
      if (!loadingOlder) loadOlder();
      return;
    }
    setJumping(false);
    // After this render has put the divider in the list (virtualised: it may not be in the DOM).
    requestAnimationFrame(() => reveal("divider"));
  }, [jumping, loaded, loadingOlder, loadOlder]);

  const { unread, mentions } = counts;
  return (
    <div className="unread-bar" data-testid="unread-bar" role="status">
      <span>
        {unread > 0 ? `${countLabel(unread, LIMITS.unreadCap)} new message${unread === 1 ? "" : "s"}` : "New messages above"}
        {mentions > 0 && <strong> · {countLabel(mentions, LIMITS.unreadCap)} for you</strong>}
      </span>
      <button type="button" className="link" data-testid="jump-unread" disabled={jumping} onClick={() => setJumping(true)}>
        {jumping ? "Loading…" : "Jump to first unread"}
      </button>
      <button type="button" className="link" data-testid="mark-read" onClick={markRead}>
        Mark as read
      </button>
    </div>
  );
}
