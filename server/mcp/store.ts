/**
 * The room's own records about its MCP servers, beside the agents SDK's
 * (which keeps URLs, options and OAuth tokens): who connected each server
 * and who else may use that connection, which tools are enabled with the
 * fingerprint they were enabled with, and the audit trail of every call.
 */

/**
 * Who may use a server's connection, which carries its connector's
 * credentials (an OAuth grant to private repositories, drives …):
 * - `me`: only the connector;
 * - `approval`: everyone, but the connector approves each call made for
 *   someone else, read-only or not (the default);
 * - `all`: every member; read-only tools run without asking.
 */
export type Access = "me" | "approval" | "all";
export const ACCESS_VALUES: readonly Access[] = ["me", "approval", "all"];
export const DEFAULT_ACCESS: Access = "approval";

/**
 * Whose grant a server's calls use: `shared` — the connector's, for every
 * member, under the access policy; `personal` — each member authorizes with
 * their own account and every call uses the grant of the member it serves
 * (grants.ts).
 */
export type Mode = "shared" | "personal";

export interface ServerMeta {
  serverId: string;
  name: string;
  addedBy: { id: string; name: string };
  createdAt: number;
  access: Access;
  mode: Mode;
  /** The server's URL, kept for personal servers (each member's grant connects to it anew). */
  url: string | null;
}

export interface ToolSetting {
  enabled: boolean;
  fingerprint: string;
  /** Disabled because its definition changed since it was enabled. */
  changed: boolean;
}

export interface AuditEntry {
  at: number;
  server: string;
  tool: string;
  args: string;
  via: "assistant" | "command" | "code";
  requestedBy: string;
  approvedBy: string | null;
  /** Whose grant the call used (the connector's for a shared server, the member's own for a personal one); null: none (denied before). */
  grantOf?: string | null;
  outcome: "ok" | "error" | "denied";
  durationMs: number;
  error: string | null;
}

const AUDIT_ARGS_CHARS = 2_000;
const AUDIT_KEEP = 1_000;

export class McpStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS mcp_meta (
      server_id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      added_by_id TEXT NOT NULL,
      added_by_name TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`);
    // A table of its own rather than a column, so rooms created before it
    // need no migration: no row is the default.
    sql.exec(`CREATE TABLE IF NOT EXISTS mcp_access (
      server_id TEXT PRIMARY KEY,
      access TEXT NOT NULL
    )`);
    // Personal servers only (no row: shared), for the same reason.
    sql.exec(`CREATE TABLE IF NOT EXISTS mcp_mode (
      server_id TEXT PRIMARY KEY,
      mode TEXT NOT NULL,
      url TEXT NOT NULL
    )`);
    sql.exec(`CREATE TABLE IF NOT EXISTS mcp_tools (
      server_id TEXT NOT NULL,
      tool TEXT NOT NULL,
      enabled INTEGER NOT NULL,
      fingerprint TEXT NOT NULL,
      changed INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (server_id, tool)
    )`);
    sql.exec(`CREATE TABLE IF NOT EXISTS mcp_audit (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      server TEXT NOT NULL,
      tool TEXT NOT NULL,
      args TEXT NOT NULL,
      via TEXT NOT NULL,
      requested_by TEXT NOT NULL,
      approved_by TEXT,
      outcome TEXT NOT NULL,
      duration_ms INTEGER NOT NULL,
      error TEXT
    )`);
    // Whose grant a call used; rooms from before personal servers lack the column.
    const columns = sql.exec<{ name: string }>("PRAGMA table_info(mcp_audit)").toArray();
    if (!columns.some((c) => c.name === "grant_of")) sql.exec("ALTER TABLE mcp_audit ADD COLUMN grant_of TEXT");
  }

  addServer(meta: Omit<ServerMeta, "access" | "mode" | "url">, personal?: { url: string }): void {
    if (personal) this.sql.exec("INSERT OR REPLACE INTO mcp_mode (server_id, mode, url) VALUES (?, 'personal', ?)", meta.serverId, personal.url);
    this.sql.exec(
      "INSERT OR REPLACE INTO mcp_meta (server_id, name, added_by_id, added_by_name, created_at) VALUES (?, ?, ?, ?, ?)",
      meta.serverId,
      meta.name,
      meta.addedBy.id,
      meta.addedBy.name,
      meta.createdAt,
    );
  }

  servers(): ServerMeta[] {
    return this.sql
      .exec<{
        server_id: string; name: string; added_by_id: string; added_by_name: string; created_at: number;
        access: string | null; mode: string | null; url: string | null;
      }>(
        `SELECT m.*, a.access, p.mode, p.url FROM mcp_meta m
         LEFT JOIN mcp_access a ON a.server_id = m.server_id
         LEFT JOIN mcp_mode p ON p.server_id = m.server_id
         ORDER BY m.created_at, m.server_id`,
      )
      .toArray()
      .map((r) => ({
        serverId: r.server_id,
        name: r.name,
        addedBy: { id: r.added_by_id, name: r.added_by_name },
        createdAt: r.created_at,
        access: ACCESS_VALUES.includes(r.access as Access) ? (r.access as Access) : DEFAULT_ACCESS,
        mode: r.mode === "personal" ? ("personal" as const) : ("shared" as const),
        url: r.url,
      }));
  }

  setAccess(serverId: string, access: Access): void {
    this.sql.exec("INSERT OR REPLACE INTO mcp_access (server_id, access) VALUES (?, ?)", serverId, access);
  }

  byName(name: string): ServerMeta | undefined {
    return this.servers().find((s) => s.name === name);
  }

  byId(serverId: string): ServerMeta | undefined {
    return this.servers().find((s) => s.serverId === serverId);
  }

  removeServer(serverId: string): void {
    this.sql.exec("DELETE FROM mcp_meta WHERE server_id = ?", serverId);
    this.sql.exec("DELETE FROM mcp_access WHERE server_id = ?", serverId);
    this.sql.exec("DELETE FROM mcp_tools WHERE server_id = ?", serverId);
    this.sql.exec("DELETE FROM mcp_mode WHERE server_id = ?", serverId);
  }

  tool(serverId: string, tool: string): ToolSetting | null {
    const row = this.sql
      .exec<{ enabled: number; fingerprint: string; changed: number }>(
        "SELECT enabled, fingerprint, changed FROM mcp_tools WHERE server_id = ? AND tool = ?",
        serverId,
        tool,
      )
      .toArray()[0];
    return row ? { enabled: row.enabled === 1, fingerprint: row.fingerprint, changed: row.changed === 1 } : null;
  }

  setTool(serverId: string, tool: string, setting: ToolSetting): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO mcp_tools (server_id, tool, enabled, fingerprint, changed) VALUES (?, ?, ?, ?, ?)",
      serverId,
      tool,
      setting.enabled ? 1 : 0,
      setting.fingerprint,
      setting.changed ? 1 : 0,
    );
  }

  audit(entry: AuditEntry): void {
    this.sql.exec(
      `INSERT INTO mcp_audit (at, server, tool, args, via, requested_by, approved_by, grant_of, outcome, duration_ms, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      entry.at,
      entry.server,
      entry.tool,
      entry.args.slice(0, AUDIT_ARGS_CHARS),
      entry.via,
      entry.requestedBy,
      entry.approvedBy,
      entry.grantOf ?? null,
      entry.outcome,
      entry.durationMs,
      entry.error,
    );
    // The trail is bounded: the oldest entries go.
    this.sql.exec("DELETE FROM mcp_audit WHERE id <= (SELECT MAX(id) FROM mcp_audit) - ?", AUDIT_KEEP);
  }

  recentAudit(limit = 50): AuditEntry[] {
    return this.sql
      .exec<{
        at: number; server: string; tool: string; args: string; via: string; requested_by: string;
        approved_by: string | null; grant_of: string | null; outcome: string; duration_ms: number; error: string | null;
      }>("SELECT * FROM mcp_audit ORDER BY id DESC LIMIT ?", limit)
      .toArray()
      .map((r) => ({
        at: r.at, server: r.server, tool: r.tool, args: r.args, via: r.via as AuditEntry["via"],
        requestedBy: r.requested_by, approvedBy: r.approved_by, grantOf: r.grant_of, outcome: r.outcome as AuditEntry["outcome"],
        durationMs: r.duration_ms, error: r.error,
      }));
  }
}
