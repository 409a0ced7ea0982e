/**
 * Spending limits for the assistant: turns per minute and tokens per day,
 * for the room and for each member; and script runs and scheduled jobs per
 * room per day. Checked before any model call or run; over budget means no
 * call at all.
 *
 * A turn is recorded when it starts (so a flood of mentions cannot all slip
 * in) and its tokens as it ends — finished, stopped or failed alike. A turn
 * that answers several members is charged to each of them in full (one row
 * per member), so merging into someone else's turn never escapes a
 * member's cap; the room counts the turn once (the `room` column).
 */
import type { AssistantConfig } from "./config";

const MINUTE = 60_000;
const DAY = 86_400_000;

export type BudgetCheck = { ok: true } | { ok: false; reason: string };

export class AssistantBudget {
  constructor(
    private readonly sql: SqlStorage,
    private readonly limits: AssistantConfig["budgets"],
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS assistant_usage (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      member_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      tokens INTEGER NOT NULL DEFAULT 0
    )`);
    // Added later: what the row counts ('turn' or 'run'), whether it counts
    // for the room (1) or only for its member (0), and the turn's first row.
    const columns = new Set(sql.exec<{ name: string }>("PRAGMA table_info(assistant_usage)").toArray().map((c) => c.name));
    if (!columns.has("kind")) sql.exec("ALTER TABLE assistant_usage ADD COLUMN kind TEXT NOT NULL DEFAULT 'turn'");
    if (!columns.has("room")) sql.exec("ALTER TABLE assistant_usage ADD COLUMN room INTEGER NOT NULL DEFAULT 1");
    if (!columns.has("turn")) sql.exec("ALTER TABLE assistant_usage ADD COLUMN turn INTEGER");
    sql.exec("CREATE INDEX IF NOT EXISTS assistant_usage_at ON assistant_usage(at)");
  }

  check(memberId: string, now: number): BudgetCheck {
    const { limits } = this;
    const minute = this.totals(now - MINUTE, memberId);
    if (minute.roomTurns >= limits.roomTurnsPerMinute) {
      return { ok: false, reason: `the room's limit of ${limits.roomTurnsPerMinute} assistant turns per minute is reached; try again in a minute` };
    }
    if (minute.memberTurns >= limits.memberTurnsPerMinute) {
      return { ok: false, reason: `your limit of ${limits.memberTurnsPerMinute} assistant turns per minute is reached; try again in a minute` };
    }
    const day = this.totals(now - DAY, memberId);
    if (day.roomTokens >= limits.roomTokensPerDay) {
      return { ok: false, reason: `the room has used its ${limits.roomTokensPerDay} assistant tokens for today` };
    }
    if (day.memberTokens >= limits.memberTokensPerDay) {
      return { ok: false, reason: `you have used your ${limits.memberTokensPerDay} assistant tokens for today` };
    }
    return { ok: true };
  }

  /**
   * Records the start of a turn for every member it answers; returns the
   * turn's usage id (its first row) to add its tokens to.
   */
  startTurn(memberIds: string[], now: number): number {
    this.prune(now);
    const [first, ...others] = memberIds;
    const id = this.sql
      .exec<{ id: number }>("INSERT INTO assistant_usage (member_id, at, kind, room) VALUES (?, ?, 'turn', 1) RETURNING id", first!, now)
      .one().id;
    this.sql.exec("UPDATE assistant_usage SET turn = id WHERE id = ?", id);
    for (const other of others) {
      this.sql.exec("INSERT INTO assistant_usage (member_id, at, kind, room, turn) VALUES (?, ?, 'turn', 0, ?)", other, now, id);
    }
    return id;
  }

  /** Adds tokens to the turn: to the room once, and to each member it answers. */
  addTokens(usageId: number, tokens: number): void {
    this.sql.exec(
      "UPDATE assistant_usage SET tokens = tokens + ? WHERE id = ? OR turn = ?",
      Math.max(0, Math.round(tokens)),
      usageId,
      usageId,
    );
  }

  /**
   * A script run (`/run`, by hand or scheduled) or a scheduled job: counted
   * per room per day, recorded when it starts, like a turn.
   */
  takeRun(memberId: string, now: number): BudgetCheck {
    this.prune(now);
    const runs = this.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM assistant_usage WHERE kind = 'run' AND at >= ?", now - DAY)
      .one().n;
    if (runs >= this.limits.roomRunsPerDay) {
      return { ok: false, reason: `the room has used its ${this.limits.roomRunsPerDay} script runs and scheduled jobs for today` };
    }
    this.sql.exec("INSERT INTO assistant_usage (member_id, at, kind, room) VALUES (?, ?, 'run', 1)", memberId, now);
    return { ok: true };
  }

  // Rows older than a day no longer count: drop them as we go.
  private prune(now: number): void {
    this.sql.exec("DELETE FROM assistant_usage WHERE at < ?", now - DAY);
  }

  private totals(since: number, memberId: string) {
    return this.sql
      .exec<{ roomTurns: number; memberTurns: number; roomTokens: number; memberTokens: number }>(
        `SELECT COALESCE(SUM(room), 0) AS roomTurns,
                COUNT(CASE WHEN member_id = ? THEN 1 END) AS memberTurns,
                COALESCE(SUM(tokens * room), 0) AS roomTokens,
                COALESCE(SUM(CASE WHEN member_id = ? THEN tokens ELSE 0 END), 0) AS memberTokens
         FROM assistant_usage WHERE kind = 'turn' AND at >= ?`,
        memberId,
        memberId,
        since,
      )
      .one();
  }
}
