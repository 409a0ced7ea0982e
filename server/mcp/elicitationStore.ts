/**
 * The room's record of MCP elicitation requests waiting for a member, so
 * that a reload or a reconnect shows the form again. The answer itself can
 * only go back over the live MCP request, which lives in memory: a row left
 * by an earlier instance of the object is marked expired (elicitation.ts).
 */
import type { ElicitationField, ElicitationItem } from "../../shared/protocol";

export interface ElicitationRow extends ElicitationItem {
  serverId: string;
  /** Who may see and answer it: the call's principal (its requesters). */
  memberIds: string[];
}

/** Expired rows nobody dismissed are dropped after this long. */
const EXPIRED_KEEP_MS = 7 * 24 * 3600_000;

export class ElicitationStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS mcp_elicitations (
      id TEXT PRIMARY KEY,
      server_id TEXT NOT NULL,
      server TEXT NOT NULL,
      tool TEXT,
      member_ids TEXT NOT NULL,
      mode TEXT NOT NULL,
      message TEXT NOT NULL,
      fields TEXT NOT NULL,
      url TEXT,
      domain TEXT,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      state TEXT NOT NULL,
      note TEXT
    )`);
  }

  add(row: ElicitationRow): void {
    this.sql.exec(
      `INSERT INTO mcp_elicitations (id, server_id, server, tool, member_ids, mode, message, fields, url, domain, created_at, expires_at, state, note)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.id, row.serverId, row.server, row.tool, JSON.stringify(row.memberIds), row.mode, row.message, JSON.stringify(row.fields),
      row.url, row.domain, row.createdAt, row.expiresAt, row.state, row.note,
    );
  }

  get(id: string): ElicitationRow | null {
    const r = this.sql.exec("SELECT * FROM mcp_elicitations WHERE id = ?", id).toArray()[0];
    return r ? toRow(r) : null;
  }

  remove(id: string): void {
    this.sql.exec("DELETE FROM mcp_elicitations WHERE id = ?", id);
  }

  pendingCount(): number {
    return Number(this.sql.exec("SELECT COUNT(*) AS n FROM mcp_elicitations WHERE state = 'pending'").one().n);
  }

  /** A member's requests, oldest first. */
  forMember(memberId: string): ElicitationRow[] {
    return this.sql
      .exec("SELECT * FROM mcp_elicitations ORDER BY created_at")
      .toArray()
      .map(toRow)
      .filter((r) => r.memberIds.includes(memberId));
  }

  /**
   * Every pending row becomes expired with `note`; returns the members who
   * had one (their lists changed). Old expired rows are dropped.
   */
  expireAll(note: string, now: number): Set<string> {
    const affected = new Set<string>();
    for (const r of this.sql.exec("SELECT member_ids FROM mcp_elicitations WHERE state = 'pending'").toArray()) {
      for (const id of JSON.parse(String(r.member_ids)) as string[]) affected.add(id);
    }
    this.sql.exec("UPDATE mcp_elicitations SET state = 'expired', note = ? WHERE state = 'pending'", note);
    this.sql.exec("DELETE FROM mcp_elicitations WHERE state = 'expired' AND created_at < ?", now - EXPIRED_KEEP_MS);
    return affected;
  }
}

function toRow(r: Record<string, SqlStorageValue>): ElicitationRow {
  return {
    id: String(r.id),
    serverId: String(r.server_id),
    server: String(r.server),
    tool: r.tool === null ? null : String(r.tool),
    memberIds: JSON.parse(String(r.member_ids)) as string[],
    mode: r.mode === "url" ? "url" : "form",
    message: String(r.message),
    fields: JSON.parse(String(r.fields)) as ElicitationField[],
    url: r.url === null ? null : String(r.url),
    domain: r.domain === null ? null : String(r.domain),
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    state: r.state === "expired" ? "expired" : "pending",
    note: r.note === null ? null : String(r.note),
  };
}
