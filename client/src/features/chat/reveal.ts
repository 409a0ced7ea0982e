/**
 * Bringing a loaded message (or the "new messages" divider) into view. The
 * message list is virtualised, so a row far from the viewport is not in the
 * DOM and `querySelector(...).scrollIntoView()` cannot find it: the list
 * registers how it scrolls to an item, and panels (pinned, approvals, the
 * unread bar) ask through here. One room list is mounted at a time.
 */
export type RevealTarget = { seq: number; flash?: boolean } | "divider";

type Revealer = (target: RevealTarget) => boolean;

let current: Revealer | null = null;

/** The mounted message list's way to scroll; returns the unregister function. */
export function registerRevealer(revealer: Revealer): () => void {
  current = revealer;
  return () => {
    if (current === revealer) current = null;
  };
}

/** Scrolls the target into view; false when it is not in the loaded window (the caller may jump there instead). */
export function reveal(target: RevealTarget): boolean {
  return current?.(target) ?? false;
}
