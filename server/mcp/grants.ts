/**
 * Members' own grants to personal MCP servers.
 *
 * A personal server's calls never borrow anyone's credentials: each member
 * authorizes with their own account, and each grant is an agents SDK
 * connection of its own (`addMcpServer` under a name only the room uses),
 * so the SDK keeps that member's OAuth client, tokens and refresh in the
 * object's storage exactly as it does for a shared server, restores it after
 * hibernation, and clears all of it when the connection is removed. This
 * table says whose connection is whose: one grant per (server, member); a
 * room refuses two personal servers with the same URL, so that is one grant
 * per (member, authorization server, resource). No token is ever read here.
 */
export interface Grant {
  serverId: string;
  memberId: string;
  /** The SDK connection that holds this member's tokens. */
  sdkId: string;
  /** Where the member authorizes (the consent page's host), shown on the card and in settings. */
  domain: string | null;
  createdAt: number;
}

/** The SDK name of a member's connection to a personal server: never shown, unique per (server, member). */
export function grantSdkName(serverName: string, memberId: string): string {
  return `${serverName}~${memberId}`;
}

export class McpGrants {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS mcp_grants (
      server_id TEXT NOT NULL,
      member_id TEXT NOT NULL,
      sdk_id TEXT NOT NULL UNIQUE,
      domain TEXT,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (server_id, member_id)
    )`);
  }

  get(serverId: string, memberId: string): Grant | null {
    return this.rows("WHERE server_id = ? AND member_id = ?", serverId, memberId)[0] ?? null;
  }

  bySdkId(sdkId: string): Grant | null {
    return this.rows("WHERE sdk_id = ?", sdkId)[0] ?? null;
  }

  forServer(serverId: string): Grant[] {
    return this.rows("WHERE server_id = ? ORDER BY created_at, member_id", serverId);
  }

  forMember(memberId: string): Grant[] {
    return this.rows("WHERE member_id = ?", memberId);
  }

  all(): Grant[] {
    return this.rows("");
  }

  put(grant: Grant): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO mcp_grants (server_id, member_id, sdk_id, domain, created_at) VALUES (?, ?, ?, ?, ?)",
      grant.serverId,
      grant.memberId,
      grant.sdkId,
      grant.domain,
      grant.createdAt,
    );
  }

  delete(serverId: string, memberId: string): void {
    this.sql.exec("DELETE FROM mcp_grants WHERE server_id = ? AND member_id = ?", serverId, memberId);
  }

  private rows(where: string, ...bindings: string[]): Grant[] {
    return this.sql
      .exec<{ server_id: string; member_id: string; sdk_id: string; domain: string | null; created_at: number }>(
        `SELECT * FROM mcp_grants ${where}`,
        ...bindings,
      )
      .toArray()
      .map((r) => ({ serverId: r.server_id, memberId: r.member_id, sdkId: r.sdk_id, domain: r.domain, createdAt: r.created_at }));
  }
}

/** The host part of an authorization URL: what the member is sent to, named before they go. */
export function authDomain(authUrl: string | undefined | null): string | null {
  if (!authUrl) return null;
  try {
    return new URL(authUrl).host;
  } catch {
    return null;
  }
}

/**
 * Calls waiting for a member to authorize (in memory: a wait lives only as
 * long as the call that waits, which keeps the object awake). Keyed by
 * `serverId member`; resolved when that grant's connection is ready.
 */
export class GrantWaits {
  private readonly waits = new Map<string, Array<{ resolve: () => void; reject: (err: Error) => void }>>();

  waiting(serverId: string, memberId: string): boolean {
    return this.waits.has(key(serverId, memberId));
  }

  wait(serverId: string, memberId: string, timeoutMs: number, onTimeout: () => Error): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const k = key(serverId, memberId);
      const entry = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err: Error) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      const timer = setTimeout(() => {
        this.drop(k, entry);
        reject(onTimeout());
      }, timeoutMs);
      this.waits.set(k, [...(this.waits.get(k) ?? []), entry]);
    });
  }

  /** Ends every wait for that grant: ready (no error) or gone (revoked, removed). */
  settle(serverId: string, memberId: string, err?: Error): void {
    const k = key(serverId, memberId);
    const entries = this.waits.get(k) ?? [];
    this.waits.delete(k);
    for (const e of entries) (err ? e.reject(err) : e.resolve());
  }

  keys(): Array<{ serverId: string; memberId: string }> {
    return [...this.waits.keys()].map((k) => {
      const [serverId = "", memberId = ""] = k.split(" ");
      return { serverId, memberId };
    });
  }

  private drop(k: string, entry: { resolve: () => void }): void {
    const rest = (this.waits.get(k) ?? []).filter((e) => e !== entry);
    if (rest.length > 0) this.waits.set(k, rest);
    else this.waits.delete(k);
  }
}

function key(serverId: string, memberId: string): string {
  return `${serverId} ${memberId}`;
}
