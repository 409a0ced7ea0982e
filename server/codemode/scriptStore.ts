/**
 * Saved scripts: Code Mode runs worth keeping, by name, with every version
 * kept (saving again adds a version; the newest runs). At most
 * LIMITS.scriptsPerRoom names, LIMITS.versionsPerScript versions of each and
 * LIMITS.scriptCodeChars of code a version.
 *
 * Each version records who it was saved for and how: by that member's own
 * `/scripts save` ("command"), or by the assistant's `save_script` tool
 * ("assistant": the model wrote or changed the code). Reviews record which
 * member approved which version for their own runs (`/run x --approve N`);
 * they are durable, so a reviewed version keeps running without asking.
 */
import { LIMITS } from "../../shared/limits";

export interface ScriptVersion {
  name: string;
  version: number;
  code: string;
  savedBy: { id: string; name: string };
  savedAt: number;
  /**
   * How the version was saved: "command", `/scripts save` of a run the saver
   * asked for; "others-run", `/scripts save` of a run someone else asked for
   * (code the saver may not have read); "assistant", `save_script`;
   * "unknown" for versions saved before this was recorded.
   */
  via: SaveVia | "unknown";
}

export type SaveVia = "command" | "others-run" | "assistant";

export const SCRIPT_NAME = /^[a-z][a-z0-9_-]{0,39}$/;

interface Row {
  name: string;
  version: number;
  code: string;
  saved_by_id: string;
  saved_by_name: string;
  saved_at: number;
  via: string | null;
  [key: string]: SqlStorageValue;
}

export class ScriptStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS scripts (
      name TEXT NOT NULL,
      version INTEGER NOT NULL,
      code TEXT NOT NULL,
      saved_by_id TEXT NOT NULL,
      saved_by_name TEXT NOT NULL,
      saved_at INTEGER NOT NULL,
      via TEXT,
      PRIMARY KEY (name, version)
    )`);
    // Rooms whose scripts predate `via`: those versions count as "unknown" (not trusted).
    const columns = sql.exec<{ name: string }>("PRAGMA table_info(scripts)").toArray();
    if (!columns.some((c) => c.name === "via")) sql.exec("ALTER TABLE scripts ADD COLUMN via TEXT");
    sql.exec(`CREATE TABLE IF NOT EXISTS script_reviews (
      name TEXT NOT NULL,
      version INTEGER NOT NULL,
      member_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      PRIMARY KEY (name, version, member_id)
    )`);
  }

  save(name: string, code: string, by: { id: string; name: string }, via: SaveVia, now: number): ScriptVersion {
    const row = this.sql
      .exec<{ version: number }>(
        `INSERT INTO scripts (name, version, code, saved_by_id, saved_by_name, saved_at, via)
         VALUES (?, (SELECT COALESCE(MAX(version), 0) + 1 FROM scripts WHERE name = ?), ?, ?, ?, ?, ?)
         RETURNING version`,
        name, name, code, by.id, by.name, now, via,
      )
      .one();
    return { name, version: row.version, code, savedBy: by, savedAt: now, via };
  }

  /** Why this save would break the room's caps (LIMITS), or null when it fits. */
  refusal(name: string, code: string): string | null {
    if (code.length > LIMITS.scriptCodeChars) {
      return `A script has at most ${LIMITS.scriptCodeChars.toLocaleString("en")} characters of code; this one has ${code.length.toLocaleString("en")}.`;
    }
    const versions = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM scripts WHERE name = ?", name).one().n;
    // Versions are never pruned (schedules pin them), so a script's history is capped instead.
    if (versions >= LIMITS.versionsPerScript) {
      return `${name} has ${LIMITS.versionsPerScript} versions, the most a script keeps; save this one under a new name.`;
    }
    const count = this.sql.exec<{ n: number }>("SELECT COUNT(DISTINCT name) AS n FROM scripts").one().n;
    if (versions === 0 && count >= LIMITS.scriptsPerRoom) {
      return `This room keeps at most ${LIMITS.scriptsPerRoom} scripts; save a new version of one of them instead.`;
    }
    return null;
  }

  latest(name: string): ScriptVersion | null {
    return this.versions(name)[0] ?? null;
  }

  get(name: string, version: number): ScriptVersion | null {
    const row = this.sql.exec<Row>("SELECT * FROM scripts WHERE name = ? AND version = ?", name, version).toArray()[0];
    return row ? toVersion(row) : null;
  }

  versions(name: string): ScriptVersion[] {
    return this.sql.exec<Row>("SELECT * FROM scripts WHERE name = ? ORDER BY version DESC", name).toArray().map(toVersion);
  }

  /** Newest version of every script. */
  all(): ScriptVersion[] {
    return this.sql
      .exec<Row>(
        `SELECT s.* FROM scripts s
         JOIN (SELECT name, MAX(version) AS v FROM scripts GROUP BY name) m ON s.name = m.name AND s.version = m.v
         ORDER BY s.name`,
      )
      .toArray()
      .map(toVersion);
  }

  review(name: string, version: number, memberId: string, now: number): void {
    this.sql.exec("INSERT OR IGNORE INTO script_reviews (name, version, member_id, at) VALUES (?, ?, ?, ?)", name, version, memberId, now);
  }

  reviewed(name: string, version: number, memberId: string): boolean {
    return (
      this.sql.exec("SELECT 1 FROM script_reviews WHERE name = ? AND version = ? AND member_id = ?", name, version, memberId).toArray().length > 0
    );
  }
}

function toVersion(r: Row): ScriptVersion {
  const via = r.via === "command" || r.via === "others-run" || r.via === "assistant" ? r.via : "unknown";
  return { name: r.name, version: r.version, code: r.code, savedBy: { id: r.saved_by_id, name: r.saved_by_name }, savedAt: r.saved_at, via };
}
