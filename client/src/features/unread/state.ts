/**
 * The unread slice: the member's read marker as the room last stated it
 * (`read_state`, shared by all their devices), and where this view's
 * "new messages" divider stands. The divider is fixed when the room opens
 * and stays while the member reads on (as in Slack), until they mark the
 * room read or leave.
 */
import type { ChatMessage, ReadState } from "../../../../shared/protocol";
import { LIMITS } from "../../../../shared/limits";
import type { FrameReducers } from "../room/slice";
import { inTimeline } from "../threads/state";

export interface UnreadState {
  read: ReadState | null;
  /** The divider goes after this seq (null: no divider). */
  dividerAfter: number | null;
}

export const initialUnread = (): UnreadState => ({ read: null, dividerAfter: null });

export const unreadFrames: FrameReducers<UnreadState, "read_state"> = {
  // Only the view's first `read_state` places the divider: a reconnect's, or one after reading, does not move it.
  read_state: (state, { type: _, ...read }) => ({
    ...state,
    read,
    ...(state.read === null ? { dividerAfter: read.unread > 0 ? read.seq : null } : {}),
  }),
};

export function clearDivider<S extends UnreadState>(state: S): S {
  return state.dividerAfter === null ? state : { ...state, dividerAfter: null };
}

/** Does this message count as unread news for `self`? Others' timeline messages, not Hearth's notices. */
export function countsAsNews(m: ChatMessage, self: string): boolean {
  return !m.deleted && m.author.id !== self && m.kind !== "system" && inTimeline(m);
}

export function mentionsMe(m: ChatMessage, self: string | undefined): boolean {
  return self !== undefined && !m.deleted && m.author.id !== self && (m.mentions?.includes(self) ?? false);
}

/**
 * Unread and mention counts now: the room's count as of its `upTo`, plus
 * what arrived since then (loaded here, so counted here).
 */
export function unreadCounts(state: UnreadState & { messages: ChatMessage[]; self: { id: string } | null }): { unread: number; mentions: number } {
  const { read, self } = state;
  if (!read || !self) return { unread: 0, mentions: 0 };
  const after = Math.max(read.upTo, read.seq);
  let unread = read.unread;
  let mentions = read.mentions;
  for (let i = state.messages.length - 1; i >= 0; i--) {
    const m = state.messages[i]!;
    if (m.seq <= after) break;
    if (countsAsNews(m, self.id)) unread++;
    if (mentionsMe(m, self.id)) mentions++;
  }
  return { unread, mentions };
}

/** The first unread message (after the divider) among those loaded. */
export function firstUnread(messages: ChatMessage[], after: number, self: string): ChatMessage | null {
  return messages.find((m) => m.seq > after && countsAsNews(m, self)) ?? null;
}

/** "99+" past the cap the room counts to. */
export function countLabel(n: number, cap: number): string {
  return n >= cap ? `${cap - 1}+` : String(n);
}

/** The tab title's prefix: unread count, and mentions of me when there are any. */
export function unreadTitle({ unread, mentions }: { unread: number; mentions: number }): string {
  if (unread === 0 && mentions === 0) return "";
  const n = countLabel(unread, LIMITS.unreadCap);
  return mentions > 0 ? `(${n} · @${countLabel(mentions, LIMITS.unreadCap)}) ` : `(${n}) `;
}
