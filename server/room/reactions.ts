/**
 * Emoji reactions on messages.
 *
 * Who reacted with what is one row per (message, emoji, member) in its own
 * table, so adding twice stores once and removing what is not there finds
 * nothing. After each change the message row gets the new summary (counts
 * and the first few names per emoji) and a new rev: members see it as a
 * `message_updated`, and a reconnecting client's catch-up by rev carries it
 * like an edit — no second change log to keep in step.
 *
 * 👍 and 👎 on the assistant's answers double as feedback for the owners
 * (`/feedback`).
 */
import { LIMITS } from "../../shared/limits";
import type { Author, ChatMessage, Reaction } from "../../shared/protocol";
import type { MessageLog } from "./messages";

export const THUMBS_UP = "👍";
export const THUMBS_DOWN = "👎";

export type ReactOutcome =
  | { status: "changed"; message: ChatMessage }
  | { status: "unchanged" }
  | { status: "not_found" }
  | { status: "busy" }
  | { status: "too_many" };

/** One assistant answer's thumbs, for the owners' feedback list. */
export interface FeedbackRow {
  message: ChatMessage;
  up: number;
  down: number;
}

export class Reactions {
  constructor(
    private readonly sql: SqlStorage,
    private readonly log: MessageLog,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS reactions (
      seq INTEGER NOT NULL,
      emoji TEXT NOT NULL,
      member_id TEXT NOT NULL,
      member_name TEXT NOT NULL,
      at INTEGER NOT NULL,
      PRIMARY KEY (seq, emoji, member_id)
    )`);
    // Feedback reads thumbs only, newest message first.
    sql.exec("CREATE INDEX IF NOT EXISTS reactions_emoji ON reactions(emoji, seq)");
  }

  /** Adds (`on`) or removes `who`'s `emoji` on message `seq`. */
  react(who: Author, seq: number, emoji: string, on: boolean, now: number): ReactOutcome {
    const message = this.log.bySeq(seq);
    if (!message || message.deleted) return { status: "not_found" };
    // A live turn's row lags its drafts; a new rev now would hand members the older text.
    if (message.status === "streaming" || message.status === "waiting") return { status: "busy" };
    if (on) {
      const known = message.reactions?.some((r) => r.emoji === emoji) ?? false;
      if (!known && (message.reactions?.length ?? 0) >= LIMITS.reactionsPerMessage) return { status: "too_many" };
      const added = this.sql.exec(
        "INSERT INTO reactions (seq, emoji, member_id, member_name, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        seq,
        emoji,
        who.id,
        who.name,
        now,
      ).rowsWritten;
      if (added === 0) return { status: "unchanged" };
    } else {
      const removed = this.sql.exec("DELETE FROM reactions WHERE seq = ? AND emoji = ? AND member_id = ?", seq, emoji, who.id).rowsWritten;
      if (removed === 0) return { status: "unchanged" };
    }
    return { status: "changed", message: this.log.setReactions(seq, this.summary(seq)) };
  }

  /** Up to `limit` assistant answers with thumbs, newest first. */
  feedback(limit = 20): FeedbackRow[] {
    const rows = this.sql
      .exec<{ seq: number; up: number; down: number }>(
        `SELECT seq, SUM(emoji = ?) AS up, SUM(emoji = ?) AS down FROM reactions
         WHERE emoji IN (?, ?) GROUP BY seq ORDER BY seq DESC`,
        THUMBS_UP,
        THUMBS_DOWN,
        THUMBS_UP,
        THUMBS_DOWN,
      )
      .toArray();
    const out: FeedbackRow[] = [];
    for (const row of rows) {
      if (out.length >= limit) break;
      const message = this.log.bySeq(row.seq);
      if (message?.kind === "assistant" && !message.deleted) out.push({ message, up: row.up, down: row.down });
    }
    return out;
  }

  /** Every emoji on the message, in the order each was first used, with the first names. */
  private summary(seq: number): Reaction[] {
    const emoji = this.sql
      .exec<{ emoji: string; count: number }>(
        "SELECT emoji, COUNT(*) AS count, MIN(at) AS first FROM reactions WHERE seq = ? GROUP BY emoji ORDER BY first, emoji",
        seq,
      )
      .toArray();
    return emoji.map(({ emoji: e, count }) => ({
      emoji: e,
      count,
      by: this.sql
        .exec<{ id: string; name: string }>(
          "SELECT member_id AS id, member_name AS name FROM reactions WHERE seq = ? AND emoji = ? ORDER BY at, member_id LIMIT ?",
          seq,
          e,
          LIMITS.reactorsListed,
        )
        .toArray()
        .map((r) => ({ id: r.id, name: r.name })),
    }));
  }
}
