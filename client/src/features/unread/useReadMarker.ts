/**
 * Moves the member's read marker while they are actually reading: the tab
 * is visible and the newest message is in view. Debounced, so scrolling
 * through a busy room sends one `read`, not one per message.
 */
import { useEffect, useState } from "react";
import type { ChatMessage, ReadState } from "../../../../shared/protocol";

const READ_DEBOUNCE_MS = 400;

export function usePageVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState === "visible");
  useEffect(() => {
    const update = () => setVisible(document.visibilityState === "visible");
    document.addEventListener("visibilitychange", update);
    return () => document.removeEventListener("visibilitychange", update);
  }, []);
  return visible;
}

export function useReadMarker({
  messages,
  read,
  atBottom,
  online,
  markRead,
}: {
  messages: ChatMessage[];
  read: ReadState | null;
  atBottom: boolean;
  online: boolean;
  markRead: (seq: number) => void;
}): void {
  const visible = usePageVisible();
  const newest = messages.at(-1)?.seq ?? 0;
  useEffect(() => {
    if (!read || !visible || !atBottom || !online || newest <= read.seq) return;
    const timer = setTimeout(() => markRead(newest), READ_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [read, visible, atBottom, online, newest, markRead]);
}
