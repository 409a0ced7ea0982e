/**
 * Who belongs to the room, with which role, and what kind of room it is.
 *
 * Every room is created by an explicit act (POST /api/rooms), which makes
 * its creator the owner: typing a name nobody created finds no room, so no
 * visitor can claim one by being first. Anyone with a session may join a
 * public room; a private room lets others in only with an invite token the
 * Worker has verified. Owners can switch between the two later. Roles are
 * stored here, so a member keeps theirs across reconnects without
 * presenting the invite again.
 */
import type { Role, RoomInfo } from "../../shared/protocol";
import { roomNameKind, type RoomVisibility } from "../../shared/rooms";
import type { Actor } from "./actor";

/** What the Worker vouches for, passed to the room on connect. */
export interface VerifiedIdentity {
  id: string;
  name: string;
  /** Role granted by a verified invite token for this room, if one came along. */
  inviteRole?: Exclude<Role, "owner">;
  /** A socket ticket (single use): the room refuses a `jti` it has seen. */
  ticket?: { jti: string; exp: number };
}

export type Admission =
  | { ok: true; member: Actor; /** A first visit: the member was not in the room before. */ joined?: boolean }
  | { ok: false; code: "forbidden" | "not_found"; reason: string };

const RANK: Record<Role, number> = { viewer: 0, member: 1, owner: 2 };

export class Membership {
  constructor(
    private readonly sql: SqlStorage,
    private readonly roomName: string,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS room_meta (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    )`);
    sql.exec(`CREATE TABLE IF NOT EXISTS members (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      role TEXT NOT NULL,
      joined_at INTEGER NOT NULL,
      time_zone TEXT,
      time_zone_explicit INTEGER NOT NULL DEFAULT 0
    )`);
    // A ban outlives the member row: it is checked before any way in (invite, public URL).
    sql.exec(`CREATE TABLE IF NOT EXISTS bans (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      by_id TEXT NOT NULL,
      at INTEGER NOT NULL
    )`);
    sql.exec(`CREATE TABLE IF NOT EXISTS member_audit (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      actor_id TEXT NOT NULL,
      actor_name TEXT NOT NULL,
      action TEXT NOT NULL,
      target_id TEXT,
      target_name TEXT,
      detail TEXT
    )`);
  }

  info(): RoomInfo | null {
    const visibility = this.meta("visibility") as RoomVisibility | null;
    if (!visibility) return null;
    const info: RoomInfo = { name: this.roomName, visibility, membersMayInvite: this.meta("members_may_invite") === "1" };
    // Only when set: a room that never used them reads as it always did.
    if (this.meta("members_may_pin") === "1") info.membersMayPin = true;
    const slowMode = this.slowModeSeconds();
    if (slowMode > 0) info.slowModeSeconds = slowMode;
    return info;
  }

  /** Seconds between two messages of a member (0: slow mode off); one keyed read, for every send. */
  slowModeSeconds(): number {
    return Number(this.meta("slow_mode_seconds") ?? 0);
  }

  /**
   * Creates the room with its owner. A room that exists already is left as
   * it is (`created: false`): asking for a taken name grants nothing.
   * Chosen names are for rooms created public, random ids for private ones.
   */
  create(visibility: RoomVisibility, owner: { id: string; name: string }, now: number): { info: RoomInfo; created: boolean } {
    const existing = this.info();
    if (existing) return { info: existing, created: false };
    if (roomNameKind(this.roomName) !== (visibility === "public" ? "named" : "generated")) {
      throw new Error(`room name ${this.roomName} is not a valid ${visibility} room name`);
    }
    this.setMeta("visibility", visibility);
    this.setMeta("created_at", String(now));
    this.upsert({ ...owner, role: "owner" }, now);
    return { info: this.info()!, created: true };
  }

  /** An owner's switch between public and private (governance.ts checks who). */
  setVisibility(visibility: RoomVisibility): void {
    this.setMeta("visibility", visibility);
  }

  setMembersMayInvite(allowed: boolean): void {
    this.setMeta("members_may_invite", allowed ? "1" : "0");
  }

  setMembersMayPin(allowed: boolean): void {
    this.setMeta("members_may_pin", allowed ? "1" : "0");
  }

  setSlowModeSeconds(seconds: number): void {
    this.setMeta("slow_mode_seconds", String(seconds));
  }

  /** Decides whether a verified identity may enter, and with which role. */
  admit(identity: VerifiedIdentity, now: number): Admission {
    const info = this.info();
    if (!info) {
      const reason =
        roomNameKind(this.roomName) === "named"
          ? `No room is called “${this.roomName}” yet.`
          : "This private room does not exist.";
      return { ok: false, code: "not_found", reason };
    }
    if (this.banned(identity.id)) {
      return { ok: false, code: "forbidden", reason: "You are banned from this room." };
    }
    const known = this.get(identity.id);
    const invited = identity.inviteRole;
    if (known) {
      // An invite may raise a role (viewer → member), never lower it.
      const role = invited && RANK[invited] > RANK[known.role] ? invited : known.role;
      return { ok: true, member: this.upsert({ id: identity.id, name: identity.name, role }, now) };
    }
    if (info.visibility === "public") {
      return { ok: true, member: this.upsert({ id: identity.id, name: identity.name, role: invited ?? "member" }, now), joined: true };
    }
    if (invited) return { ok: true, member: this.upsert({ id: identity.id, name: identity.name, role: invited }, now), joined: true };
    return { ok: false, code: "forbidden", reason: "This room is private: ask its owner for an invite link." };
  }

  get(id: string): Actor | null {
    const row = this.sql
      .exec<{ id: string; name: string; role: string }>("SELECT id, name, role FROM members WHERE id = ?", id)
      .toArray()[0];
    return row ? { id: row.id, name: row.name, role: row.role as Role } : null;
  }

  banned(id: string): boolean {
    return this.sql.exec("SELECT 1 FROM bans WHERE id = ?", id).toArray().length > 0;
  }

  ban(target: { id: string; name: string }, byId: string, now: number): void {
    this.sql.exec("INSERT OR REPLACE INTO bans (id, name, by_id, at) VALUES (?, ?, ?, ?)", target.id, target.name, byId, now);
    this.remove(target.id);
  }

  /** Lifts a ban; true when there was one. */
  unban(id: string): { id: string; name: string } | null {
    const row = this.sql.exec<{ id: string; name: string }>("SELECT id, name FROM bans WHERE id = ?", id).toArray()[0];
    if (!row) return null;
    this.sql.exec("DELETE FROM bans WHERE id = ?", id);
    return { id: row.id, name: row.name };
  }

  /** The id of a banned person, by id or by the name they had. */
  bannedId(idOrName: string): string | null {
    return (
      this.sql
        .exec<{ id: string }>("SELECT id FROM bans WHERE id = ? OR name = ? COLLATE NOCASE LIMIT 1", idOrName, idOrName)
        .toArray()[0]?.id ?? null
    );
  }

  remove(id: string): void {
    this.sql.exec("DELETE FROM members WHERE id = ?", id);
  }

  setRole(id: string, role: Role): void {
    this.sql.exec("UPDATE members SET role = ? WHERE id = ?", role, id);
  }

  /** Everyone with a role here, newest first, at most `limit`; and how many there are. */
  list(limit: number): { members: Array<Actor & { joinedAt: number }>; total: number } {
    const members = this.sql
      .exec<{ id: string; name: string; role: string; joined_at: number }>(
        "SELECT id, name, role, joined_at FROM members ORDER BY joined_at DESC LIMIT ?",
        limit,
      )
      .toArray()
      .map((r) => ({ id: r.id, name: r.name, role: r.role as Role, joinedAt: r.joined_at }));
    const total = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM members").one().n;
    return { members, total };
  }

  /** One row per membership change, for the owners (`/audit`). */
  audit(entry: { actor: { id: string; name: string }; action: string; target?: { id: string; name: string }; detail?: string }, now: number): void {
    this.sql.exec(
      "INSERT INTO member_audit (at, actor_id, actor_name, action, target_id, target_name, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
      now,
      entry.actor.id,
      entry.actor.name,
      entry.action,
      entry.target?.id ?? null,
      entry.target?.name ?? null,
      entry.detail ?? null,
    );
  }

  auditLog(limit: number): Array<{ at: number; actor: string; action: string; target: string | null; detail: string | null }> {
    return this.sql
      .exec<{ at: number; actor_name: string; action: string; target_name: string | null; detail: string | null }>(
        "SELECT at, actor_name, action, target_name, detail FROM member_audit ORDER BY seq DESC LIMIT ?",
        limit,
      )
      .toArray()
      .map((r) => ({ at: r.at, actor: r.actor_name, action: r.action, target: r.target_name, detail: r.detail }));
  }

  /** Ids of the room's owners: they may approve any tool call. */
  owners(): string[] {
    return this.sql
      .exec<{ id: string }>("SELECT id FROM members WHERE role = 'owner'")
      .toArray()
      .map((r) => r.id);
  }

  /** Members whose display name matches (case-insensitive), for "@name" targets. */
  byName(name: string): Actor[] {
    return this.sql
      .exec<{ id: string; name: string; role: string }>("SELECT id, name, role FROM members WHERE name = ? COLLATE NOCASE", name)
      .toArray()
      .map((r) => ({ id: r.id, name: r.name, role: r.role as Role }));
  }

  /** The member's IANA time zone, as their browser last reported it. */
  timeZone(id: string): string | null {
    return this.sql.exec<{ tz: string | null }>("SELECT time_zone AS tz FROM members WHERE id = ?", id).toArray()[0]?.tz ?? null;
  }

  /**
   * A zone the member chose (/timezone, set_timezone) wins over the one the
   * browser reports on each connect.
   */
  setTimeZone(id: string, timeZone: string, explicit: boolean): void {
    if (explicit) {
      this.sql.exec("UPDATE members SET time_zone = ?, time_zone_explicit = 1 WHERE id = ?", timeZone, id);
    } else {
      this.sql.exec("UPDATE members SET time_zone = ? WHERE id = ? AND time_zone_explicit = 0", timeZone, id);
    }
  }

  rename(id: string, name: string): void {
    this.sql.exec("UPDATE members SET name = ? WHERE id = ?", name, id);
  }

  private upsert(member: Actor, now: number): Actor {
    this.sql.exec(
      `INSERT INTO members (id, name, role, joined_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET name = excluded.name, role = excluded.role`,
      member.id,
      member.name,
      member.role,
      now,
    );
    return member;
  }

  /** A room setting (e.g. the assistant's tool mode), stored with the room. */
  setting(key: string): string | null {
    return this.meta(`setting:${key}`);
  }

  setSetting(key: string, value: string): void {
    this.setMeta(`setting:${key}`, value);
  }

  private meta(key: string): string | null {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM room_meta WHERE key = ?", key).toArray()[0];
    return row?.value ?? null;
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO room_meta (key, value) VALUES (?, ?)", key, value);
  }
}
