/**
 * Threads: replies to one room message, kept in the same message log (a
 * reply is a row with `thread_of` = its parent's seq), so that revs, acks,
 * edits, deletes and catch-up work for them exactly as for room messages.
 *
 * The parent carries its thread's summary (reply count, newest reply time,
 * last repliers) on its own row. Every change to a thread's replies
 * recomputes it and stamps the parent with a new rev, so a member who was
 * away learns of it through the ordinary catch-up, and a snapshot's parents
 * show their threads without loading them.
 *
 * Threads are one level deep: a thread reply cannot have a thread.
 */
import { LIMITS } from "../../shared/limits";
import type { ChatMessage } from "../../shared/protocol";
import { NEXT_REV, toMessage, type MessageLog, type MessageRow } from "./messages";

/** How many distinct recent repliers a parent names. */
const REPLIERS_SHOWN = 3;
/** How many of the newest replies are read to find them. */
const REPLIERS_WINDOW = 50;

export type ThreadCheck = { ok: true; parent: ChatMessage } | { ok: false; code: "not_found" | "invalid_frame"; text: string };

export class Threads {
  constructor(
    private readonly sql: SqlStorage,
    private readonly log: MessageLog,
  ) {}

  /** May a reply go into the thread of `parentSeq`? Checked before anything is stored. */
  check(parentSeq: number): ThreadCheck {
    const parent = this.log.bySeq(parentSeq);
    if (!parent) return { ok: false, code: "not_found", text: `There is no message ${parentSeq} to reply in the thread of.` };
    if (parent.deleted) return { ok: false, code: "not_found", text: `Message ${parentSeq} was deleted; its thread takes no new replies.` };
    if (parent.threadOf != null) {
      return { ok: false, code: "invalid_frame", text: `Message ${parentSeq} is itself a thread reply; reply in its thread (${parent.threadOf}) instead.` };
    }
    return { ok: true, parent };
  }

  /**
   * Recomputes the parent's summary after a reply was stored, edited away or
   * deleted, with a new rev: the parent as it is now. Bounded by one
   * thread's length (an indexed count), never the room's.
   */
  refresh(parentSeq: number): ChatMessage | null {
    const stats = this.sql
      .exec<{ n: number; last: number | null }>(
        "SELECT COUNT(*) AS n, MAX(created_at) AS last FROM messages WHERE thread_of = ? AND deleted = 0",
        parentSeq,
      )
      .one();
    const names = this.sql
      .exec<{ author_name: string }>(
        "SELECT author_name FROM messages WHERE thread_of = ? AND deleted = 0 ORDER BY seq DESC LIMIT ?",
        parentSeq,
        REPLIERS_WINDOW,
      )
      .toArray()
      .map((r) => r.author_name);
    const repliers = [...new Set(names)].slice(0, REPLIERS_SHOWN);
    const rows = this.sql
      .exec<MessageRow>(
        `UPDATE messages SET thread_count = ?, thread_last_at = ?, thread_repliers = ?, rev = ${NEXT_REV} WHERE seq = ? RETURNING *`,
        stats.n,
        stats.last,
        JSON.stringify(repliers),
        parentSeq,
      )
      .toArray();
    return rows[0] ? toMessage(rows[0]) : null;
  }

  /** The newest page of a thread, or the page before `before` (oldest first), and whether older replies exist. */
  page(parentSeq: number, before: number | null, limit: number = LIMITS.pageSize): { messages: ChatMessage[]; hasMore: boolean } {
    const rows = this.sql
      .exec<MessageRow>(
        "SELECT * FROM messages WHERE thread_of = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
        parentSeq,
        before ?? Number.MAX_SAFE_INTEGER,
        limit + 1,
      )
      .toArray();
    return { messages: rows.slice(0, limit).reverse().map(toMessage), hasMore: rows.length > limit };
  }

  /** The newest `limit` replies, oldest first, for the assistant's context. */
  recent(parentSeq: number, limit: number): ChatMessage[] {
    return this.page(parentSeq, null, limit).messages;
  }
}

/**
 * After a change to `message`: when it is a thread reply, its parent's new
 * summary, shown to everyone. The one call every writer of thread replies
 * makes (chat, the assistant, moderation).
 */
export function threadChanged(threads: Threads, message: ChatMessage, broadcast: (frame: { type: "message_updated"; message: ChatMessage }) => void): void {
  if (message.threadOf == null) return;
  const parent = threads.refresh(message.threadOf);
  if (parent) broadcast({ type: "message_updated", message: parent });
}
