/**
 * Governed invites: each link the owners hand out is a row here, so that it
 * can be listed, limited and revoked. The link still carries a signed token
 * (the Worker checks the signature before it wakes the room), but the token
 * only names the row; whether it still works is decided here, at redemption.
 */
import type { InviteItem, Role } from "../../shared/protocol";
import { randomBase32 } from "../ids";

export type InviteRole = Exclude<Role, "owner">;

/** Why a redemption was refused, in words for the person holding the link. */
export type InviteCheck = { ok: true; role: InviteRole } | { ok: false; reason: string };

export const INVITE_DEFAULT_TTL_MS = 14 * 24 * 3600 * 1000;
/** Owners keep at most this many live invites: a runaway script cannot fill the table. */
export const MAX_LIVE_INVITES = 100;

type Row = {
  id: string;
  role: string;
  created_by: string;
  created_by_name: string;
  created_at: number;
  expires_at: number;
  max_uses: number | null;
  uses: number;
  revoked_at: number | null;
};

export class Invites {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS invites (
      id TEXT PRIMARY KEY,
      role TEXT NOT NULL,
      created_by TEXT NOT NULL,
      created_by_name TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      max_uses INTEGER,
      uses INTEGER NOT NULL DEFAULT 0,
      revoked_at INTEGER
    )`);
  }

  create(input: { role: InviteRole; creator: { id: string; name: string }; ttlMs: number; maxUses?: number }, now: number): InviteItem | { error: string } {
    if (this.live(now).length >= MAX_LIVE_INVITES) {
      return { error: `This room has ${MAX_LIVE_INVITES} live invites; revoke some first.` };
    }
    // 16 base32 characters = 80 bits: an id is not guessable, though the signature is what protects a link.
    const id = `inv_${randomBase32(16)}`;
    this.sql.exec(
      "INSERT INTO invites (id, role, created_by, created_by_name, created_at, expires_at, max_uses) VALUES (?, ?, ?, ?, ?, ?, ?)",
      id,
      input.role,
      input.creator.id,
      input.creator.name,
      now,
      now + input.ttlMs,
      input.maxUses ?? null,
    );
    return this.item(this.row(id)!, now);
  }

  /** Checks an invite without using it (so that a refused join costs no use). */
  check(id: string, now: number): InviteCheck {
    const row = this.row(id);
    if (!row) return { ok: false, reason: "This invite link is not known in this room: ask for a new link." };
    if (row.revoked_at !== null) return { ok: false, reason: "This invite link was revoked: ask for a new link." };
    if (row.expires_at <= now) return { ok: false, reason: "This invite link has expired: ask for a new link." };
    if (row.max_uses !== null && row.uses >= row.max_uses) {
      return { ok: false, reason: "This invite link has been used as often as it may: ask for a new link." };
    }
    return { ok: true, role: row.role as InviteRole };
  }

  /** Counts one use: by someone who was not a member yet. */
  use(id: string): void {
    this.sql.exec("UPDATE invites SET uses = uses + 1 WHERE id = ?", id);
  }

  revoke(id: string, now: number): InviteItem | null {
    const row = this.row(id);
    if (!row) return null;
    if (row.revoked_at === null) this.sql.exec("UPDATE invites SET revoked_at = ? WHERE id = ?", now, id);
    return this.item(this.row(id)!, now);
  }

  /** Every invite still listed: live ones and those ended in the last 14 days. */
  list(now: number): InviteItem[] {
    return this.sql
      .exec<Row>("SELECT * FROM invites WHERE expires_at > ? ORDER BY created_at DESC", now - INVITE_DEFAULT_TTL_MS)
      .toArray()
      .map((r) => this.item(r, now));
  }

  private live(now: number): InviteItem[] {
    return this.list(now).filter((i) => i.status === "active");
  }

  private row(id: string): Row | null {
    return this.sql.exec<Row>("SELECT * FROM invites WHERE id = ?", id).toArray()[0] ?? null;
  }

  private item(r: Row, now: number): InviteItem {
    const status: InviteItem["status"] =
      r.revoked_at !== null ? "revoked" : r.expires_at <= now ? "expired" : r.max_uses !== null && r.uses >= r.max_uses ? "used_up" : "active";
    return {
      id: r.id,
      role: r.role as InviteRole,
      createdBy: { id: r.created_by, name: r.created_by_name },
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      maxUses: r.max_uses,
      uses: r.uses,
      status,
    };
  }
}
