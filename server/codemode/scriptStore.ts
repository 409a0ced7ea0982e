/**
 * Saved scripts: Code Mode runs worth keeping, by name, with every version
 * kept (saving again adds a version; the newest runs). At most
 * LIMITS.scriptsPerRoom names and LIMITS.scriptCodeChars of code a version.
 */
import { LIMITS } from "../../shared/limits";

export interface ScriptVersion {
  name: string;
  version: number;
  code: string;
  savedBy: { id: string; name: string };
  savedAt: number;
}

export const SCRIPT_NAME = /^[a-z][a-z0-9_-]{0,39}$/;

export class ScriptStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS scripts (
      name TEXT NOT NULL,
      version INTEGER NOT NULL,
      code TEXT NOT NULL,
      saved_by_id TEXT NOT NULL,
      saved_by_name TEXT NOT NULL,
      saved_at INTEGER NOT NULL,
      PRIMARY KEY (name, version)
    )`);
  }

  save(name: string, code: string, by: { id: string; name: string }, now: number): ScriptVersion {
    const row = this.sql
      .exec<{ version: number }>(
        `INSERT INTO scripts (name, version, code, saved_by_id, saved_by_name, saved_at)
         VALUES (?, (SELECT COALESCE(MAX(version), 0) + 1 FROM scripts WHERE name = ?), ?, ?, ?, ?)
         RETURNING version`,
        name, name, code, by.id, by.name, now,
      )
      .one();
    return { name, version: row.version, code, savedBy: by, savedAt: now };
  }

  /** Why this save would break the room's caps (LIMITS), or null when it fits. */
  refusal(name: string, code: string): string | null {
    if (code.length > LIMITS.scriptCodeChars) {
      return `A script has at most ${LIMITS.scriptCodeChars.toLocaleString("en")} characters of code; this one has ${code.length.toLocaleString("en")}.`;
    }
    const known = this.sql.exec("SELECT 1 FROM scripts WHERE name = ? LIMIT 1", name).toArray().length > 0;
    const count = this.sql.exec<{ n: number }>("SELECT COUNT(DISTINCT name) AS n FROM scripts").one().n;
    if (!known && count >= LIMITS.scriptsPerRoom) {
      return `This room keeps at most ${LIMITS.scriptsPerRoom} scripts; save a new version of one of them instead.`;
    }
    return null;
  }

  latest(name: string): ScriptVersion | null {
    return this.versions(name)[0] ?? null;
  }

  versions(name: string): ScriptVersion[] {
    return this.sql
      .exec<{ name: string; version: number; code: string; saved_by_id: string; saved_by_name: string; saved_at: number }>(
        "SELECT * FROM scripts WHERE name = ? ORDER BY version DESC",
        name,
      )
      .toArray()
      .map((r) => ({ name: r.name, version: r.version, code: r.code, savedBy: { id: r.saved_by_id, name: r.saved_by_name }, savedAt: r.saved_at }));
  }

  /** Newest version of every script. */
  all(): ScriptVersion[] {
    return this.sql
      .exec<{ name: string; version: number; code: string; saved_by_id: string; saved_by_name: string; saved_at: number }>(
        `SELECT s.* FROM scripts s
         JOIN (SELECT name, MAX(version) AS v FROM scripts GROUP BY name) m ON s.name = m.name AND s.version = m.v
         ORDER BY s.name`,
      )
      .toArray()
      .map((r) => ({ name: r.name, version: r.version, code: r.code, savedBy: { id: r.saved_by_id, name: r.saved_by_name }, savedAt: r.saved_at }));
  }
}
