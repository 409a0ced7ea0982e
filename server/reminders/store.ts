/**
 * Reminders and scheduled jobs of a room, in its SQLite. The agents
 * scheduler only holds "call fireReminder({id, at}) at time at"; everything
 * about the reminder lives here, so cancelling, snoozing or pausing is a row
 * change and a fire that no longer matches its row does nothing.
 */
import type { ReminderItem } from "../../shared/protocol";
import type { Schedule } from "./when";

export interface ReminderRecord {
  id: string;
  kind: "reminder" | "job";
  creator: { id: string; name: string };
  target: { type: "member" | "room"; id: string | null; name: string };
  text: string;
  schedule: Schedule;
  timeZone: string;
  nextAt: number;
  paused: boolean;
  scheduleId: string | null;
  createdAt: number;
  /** For a `/run <script>` job: the script version it runs (pinned when made). */
  scriptVersion: number | null;
}

interface Row {
  id: string;
  kind: string;
  creator_id: string;
  creator_name: string;
  target_type: string;
  target_id: string | null;
  target_name: string;
  text: string;
  schedule: string;
  time_zone: string;
  next_at: number;
  paused: number;
  schedule_id: string | null;
  created_at: number;
  script_version: number | null;
  [key: string]: SqlStorageValue;
}

export class ReminderStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS reminders (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      creator_id TEXT NOT NULL,
      creator_name TEXT NOT NULL,
      target_type TEXT NOT NULL,
      target_id TEXT,
      target_name TEXT NOT NULL,
      text TEXT NOT NULL,
      schedule TEXT NOT NULL,
      time_zone TEXT NOT NULL,
      next_at INTEGER NOT NULL,
      paused INTEGER NOT NULL DEFAULT 0,
      schedule_id TEXT,
      created_at INTEGER NOT NULL,
      script_version INTEGER
    )`);
    // Rooms made before jobs pinned script versions.
    const columns = sql.exec<{ name: string }>("PRAGMA table_info(reminders)").toArray();
    if (!columns.some((c) => c.name === "script_version")) sql.exec("ALTER TABLE reminders ADD COLUMN script_version INTEGER");
  }

  insert(r: ReminderRecord): void {
    this.sql.exec(
      `INSERT INTO reminders (id, kind, creator_id, creator_name, target_type, target_id, target_name, text,
         schedule, time_zone, next_at, paused, schedule_id, created_at, script_version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      r.id, r.kind, r.creator.id, r.creator.name, r.target.type, r.target.id, r.target.name, r.text,
      JSON.stringify(r.schedule), r.timeZone, r.nextAt, r.paused ? 1 : 0, r.scheduleId, r.createdAt, r.scriptVersion,
    );
  }

  get(id: string): ReminderRecord | null {
    const row = this.sql.exec<Row>("SELECT * FROM reminders WHERE id = ?", id).toArray()[0];
    return row ? toRecord(row) : null;
  }

  all(): ReminderRecord[] {
    return this.sql.exec<Row>("SELECT * FROM reminders ORDER BY next_at").toArray().map(toRecord);
  }

  count(creatorId?: string): number {
    return creatorId
      ? this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM reminders WHERE creator_id = ?", creatorId).one().n
      : this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM reminders").one().n;
  }

  setNext(id: string, nextAt: number, scheduleId: string | null): void {
    this.sql.exec("UPDATE reminders SET next_at = ?, schedule_id = ? WHERE id = ?", nextAt, scheduleId, id);
  }

  setPaused(id: string, paused: boolean, scheduleId: string | null): void {
    this.sql.exec("UPDATE reminders SET paused = ?, schedule_id = ? WHERE id = ?", paused ? 1 : 0, scheduleId, id);
  }

  delete(id: string): void {
    this.sql.exec("DELETE FROM reminders WHERE id = ?", id);
  }
}

export function toItem(r: ReminderRecord): ReminderItem {
  return {
    id: r.id,
    kind: r.kind,
    text: r.text,
    target: r.target,
    creator: r.creator,
    repeat: r.schedule.kind === "once" ? "once" : r.schedule.label,
    recurring: r.schedule.kind !== "once",
    timeZone: r.timeZone,
    nextAt: r.nextAt,
    paused: r.paused,
  };
}

function toRecord(row: Row): ReminderRecord {
  return {
    id: row.id,
    kind: row.kind as ReminderRecord["kind"],
    creator: { id: row.creator_id, name: row.creator_name },
    target: { type: row.target_type as "member" | "room", id: row.target_id, name: row.target_name },
    text: row.text,
    schedule: JSON.parse(row.schedule) as Schedule,
    timeZone: row.time_zone,
    nextAt: row.next_at,
    paused: row.paused === 1,
    scheduleId: row.schedule_id,
    createdAt: row.created_at,
    scriptVersion: row.script_version ?? null,
  };
}
