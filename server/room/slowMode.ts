/**
 * Slow mode: an owner sets how many seconds a member waits between two
 * messages (room setting `slowModeSeconds`; owners are exempt). When each
 * member last posted is in its own small table, so the interval holds
 * across hibernation and eviction, and the check is one keyed read.
 */
import type { ConnectionState } from "./connectionState";
import type { Membership } from "./members";

export class SlowMode {
  constructor(
    private readonly sql: SqlStorage,
    private readonly members: Membership,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS slow_mode_sends (
      member_id TEXT PRIMARY KEY,
      at INTEGER NOT NULL
    )`);
  }

  /** When `sender` may send again, if that is later than `now`; null: now is fine. */
  retryAt(sender: Pick<ConnectionState, "memberId" | "role">, now: number): number | null {
    if (sender.role === "owner") return null;
    const seconds = this.members.slowModeSeconds();
    if (seconds <= 0) return null;
    const last = this.sql.exec<{ at: number }>("SELECT at FROM slow_mode_sends WHERE member_id = ?", sender.memberId).toArray()[0];
    if (!last) return null;
    const next = last.at + seconds * 1000;
    return next > now ? next : null;
  }

  /**
   * A member's message was stored at `now`. Written only while slow mode is
   * on: every message would otherwise pay a row written (B7) for a setting
   * most rooms never use. So the first message after an owner turns slow
   * mode on is not held back by one sent before.
   */
  sent(memberId: string, now: number): void {
    if (this.members.slowModeSeconds() <= 0) return;
    this.sql.exec(
      "INSERT INTO slow_mode_sends (member_id, at) VALUES (?, ?) ON CONFLICT(member_id) DO UPDATE SET at = excluded.at",
      memberId,
      now,
    );
  }
}

/** "30s", "5m", "1h", "90" (seconds) or "off"; null when it is none of those. */
export function parseInterval(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === "off" || t === "0") return 0;
  const m = /^(\d{1,5})\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)?$/.exec(t);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2]?.[0] ?? "s";
  return unit === "h" ? n * 3600 : unit === "m" ? n * 60 : n;
}

/** "30 s", "5 min", "1 h 30 min". */
export function describeInterval(seconds: number): string {
  if (seconds <= 0) return "off";
  if (seconds < 60) return `${seconds} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [h ? `${h} h` : "", m ? `${m} min` : "", s ? `${s} s` : ""].filter(Boolean).join(" ");
}
