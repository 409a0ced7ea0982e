/**
 * Read state: per member, the seq of the last room message they have read.
 * One row per member, in the room's SQLite, so every device of the member
 * shares it: a `read` from the phone clears the laptop's counts (the room
 * sends the new state to each of the member's sockets).
 *
 * A marker only moves forward, and never past the newest message, so a
 * stale tab or a forged seq cannot hide messages that have yet to arrive.
 */
import { LIMITS } from "../../shared/limits";
import type { ReadState } from "../../shared/protocol";
import type { MessageLog } from "./messages";

export class ReadMarkers {
  constructor(
    private readonly sql: SqlStorage,
    private readonly log: MessageLog,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS read_markers (
      member_id TEXT PRIMARY KEY,
      seq INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    )`);
  }

  /**
   * A member's first visit starts them at the newest message: what was said
   * before they joined is history, not news.
   */
  ensure(memberId: string, now: number): void {
    this.sql.exec(
      "INSERT INTO read_markers (member_id, seq, updated_at) VALUES (?, ?, ?) ON CONFLICT(member_id) DO NOTHING",
      memberId,
      this.log.lastSeq(),
      now,
    );
  }

  /** Moves the marker forward to `seq` (capped at the newest message); false when nothing moved. */
  mark(memberId: string, seq: number, now: number): boolean {
    const target = Math.min(seq, this.log.lastSeq());
    const moved = this.sql
      .exec(
        `INSERT INTO read_markers (member_id, seq, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(member_id) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at WHERE excluded.seq > read_markers.seq
         RETURNING seq`,
        memberId,
        target,
        now,
      )
      .toArray();
    return moved.length > 0;
  }

  /** The member's state, or null when they have never been in the room. */
  state(memberId: string): ReadState | null {
    const row = this.sql.exec<{ seq: number }>("SELECT seq FROM read_markers WHERE member_id = ?", memberId).toArray()[0];
    if (!row) return null;
    return { seq: row.seq, ...this.log.unreadAfter(row.seq, memberId, LIMITS.unreadCap) };
  }

  forget(memberId: string): void {
    this.sql.exec("DELETE FROM read_markers WHERE member_id = ?", memberId);
  }
}
