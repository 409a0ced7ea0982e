/**
 * Which conversation an assistant turn belongs to: the room, or one thread.
 * A mention inside a thread is answered in that thread, with the thread
 * (its parent first) as the transcript instead of the room's recent
 * messages; mentions from different conversations never share a turn.
 */
import type { ChatMessage } from "../../shared/protocol";
import type { RoomKernel } from "../room/kernel";
import type { QueuedMention } from "./turns";

/** The thread (parent seq) a queued mention was written in; null for the room (and for scheduled jobs). */
export function threadOfMention(room: RoomKernel, mention: QueuedMention): number | null {
  if (mention.seq === null) return null;
  return room.log.bySeq(mention.seq)?.threadOf ?? null;
}

/**
 * Splits the queue into the first mention's conversation (this turn) and
 * the rest (left queued for the next turn, in their order).
 */
export function takeConversation(room: RoomKernel, queued: QueuedMention[]): { thread: number | null; now: QueuedMention[]; later: QueuedMention[] } {
  const threads = queued.map((q) => threadOfMention(room, q));
  const thread = threads[0] ?? null;
  return {
    thread,
    now: queued.filter((_, i) => threads[i] === thread),
    later: queued.filter((_, i) => threads[i] !== thread),
  };
}

/** The transcript a turn sees, newest last: the thread with its parent, or the room's recent messages. */
export function conversation(room: RoomKernel, thread: number | null, limit: number): ChatMessage[] {
  if (thread === null) return room.log.recent(limit);
  const parent = room.log.bySeq(thread);
  const replies = room.threads.recent(thread, limit);
  return parent ? [parent, ...replies] : replies;
}
