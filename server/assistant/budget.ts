/**
 * Spending limits for the assistant: turns per minute and tokens per day,
 * for the room and for each member. A turn is recorded when it starts (so a
 * flood of mentions cannot all slip in) and its tokens when it ends. Checked
 * before any model call; over budget means no call at all.
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

  /** Records the start of a turn; returns the row to add its tokens to. */
  startTurn(memberId: string, now: number): number {
    // Rows older than a day no longer count: drop them as we go.
    this.sql.exec("DELETE FROM assistant_usage WHERE at < ?", now - DAY);
    const row = this.sql
      .exec<{ id: number }>("INSERT INTO assistant_usage (member_id, at) VALUES (?, ?) RETURNING id", memberId, now)
      .one();
    return row.id;
  }

  addTokens(usageId: number, tokens: number): void {
    this.sql.exec("UPDATE assistant_usage SET tokens = tokens + ? WHERE id = ?", Math.max(0, Math.round(tokens)), usageId);
  }

  private totals(since: number, memberId: string) {
    const row = this.sql
      .exec<{ roomTurns: number; memberTurns: number; roomTokens: number; memberTokens: number }>(
        `SELECT COUNT(*) AS roomTurns,
                COALESCE(SUM(member_id = ?), 0) AS memberTurns,
                COALESCE(SUM(tokens), 0) AS roomTokens,
                COALESCE(SUM(CASE WHEN member_id = ? THEN tokens ELSE 0 END), 0) AS memberTokens
         FROM assistant_usage WHERE at >= ?`,
        memberId,
        memberId,
        since,
      )
      .one();
    return row;
  }
}
