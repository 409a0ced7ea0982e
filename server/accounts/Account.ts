/**
 * One Durable Object per person (named by member id): what outlives a
 * browser. A guest is a member id in a cookie; adding a passkey here makes
 * that same member id an account that any device can sign in to, so
 * authorship and ownerships never move. It also keeps the rooms the member
 * belongs to ("my rooms"), reported by each room when the member enters.
 *
 * WebAuthn verification runs here rather than in the Worker so that reading
 * a credential, checking its signature counter and storing the new counter
 * is one serialized step (two sign-ins racing cannot both use a stale one).
 */
import { DurableObject } from "cloudflare:workers";
import {
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import type { AccountRoom, LinkedIdentity, Passkey } from "../../shared/api";
import type { Role } from "../../shared/protocol";

/** Where a WebAuthn ceremony must have happened. */
export interface Ceremony {
  challenge: string;
  origin: string;
  rpID: string;
}

/** "My rooms" keeps the most recently seen this many. */
const MAX_ROOMS = 500;
export const MAX_PASSKEYS = 20;

// Reads no binding or variable: its env is not typed.
export class Account extends DurableObject<unknown> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS profile (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS passkeys (
      id TEXT PRIMARY KEY,
      public_key BLOB NOT NULL,
      counter INTEGER NOT NULL,
      transports TEXT NOT NULL,
      label TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      last_used_at INTEGER
    )`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS rooms (
      name TEXT PRIMARY KEY,
      role TEXT NOT NULL,
      visibility TEXT NOT NULL,
      joined_at INTEGER NOT NULL,
      seen_at INTEGER NOT NULL
    )`);
    // Outside identities linked to this member (the mapping itself is IdentityLink's).
    this.sql.exec(`CREATE TABLE IF NOT EXISTS identities (issuer TEXT PRIMARY KEY, provider TEXT NOT NULL, linked_at INTEGER NOT NULL)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS used_challenges (challenge TEXT PRIMARY KEY, exp INTEGER NOT NULL)`);
  }

  /** The member's current display name, as last signed into a session. (Not `name`: a stub's `name` is the object's.) */
  displayName(): string | null {
    return this.sql.exec<{ value: string }>("SELECT value FROM profile WHERE key = 'name'").toArray()[0]?.value ?? null;
  }

  setName(name: string): void {
    this.sql.exec("INSERT OR REPLACE INTO profile (key, value) VALUES ('name', ?)", name);
  }

  passkeys(): Passkey[] {
    return this.sql
      .exec<{ id: string; label: string; created_at: number; last_used_at: number | null }>(
        "SELECT id, label, created_at, last_used_at FROM passkeys ORDER BY created_at",
      )
      .toArray()
      .map((r) => ({ id: r.id, label: r.label, createdAt: r.created_at, lastUsedAt: r.last_used_at }));
  }

  /** Credentials a new registration must not repeat (the authenticator is told). */
  credentialIds(): Array<{ id: string; transports: AuthenticatorTransport[] }> {
    return this.sql
      .exec<{ id: string; transports: string }>("SELECT id, transports FROM passkeys")
      .toArray()
      .map((r) => ({ id: r.id, transports: JSON.parse(r.transports) as AuthenticatorTransport[] }));
  }

  /** Verifies a registration for this member and keeps the passkey. */
  async addPasskey(
    response: RegistrationResponseJSON,
    ceremony: Ceremony,
    label: string,
    now: number,
  ): Promise<{ ok: true; passkey: Passkey } | { ok: false; reason: string }> {
    if (!this.useChallenge(ceremony.challenge, now)) return { ok: false, reason: "that passkey request was used already" };
    if (this.passkeys().length >= MAX_PASSKEYS) return { ok: false, reason: `an account has at most ${MAX_PASSKEYS} passkeys` };
    let verification;
    try {
      verification = await verifyRegistrationResponse({
        response,
        expectedChallenge: ceremony.challenge,
        expectedOrigin: ceremony.origin,
        expectedRPID: ceremony.rpID,
        requireUserVerification: false,
      });
    } catch (err) {
      return { ok: false, reason: `the passkey could not be verified (${err instanceof Error ? err.message : "invalid"})` };
    }
    if (!verification.verified || !verification.registrationInfo) return { ok: false, reason: "the passkey could not be verified" };
    const { credential } = verification.registrationInfo;
    this.sql.exec(
      "INSERT INTO passkeys (id, public_key, counter, transports, label, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      credential.id,
      credential.publicKey,
      credential.counter,
      JSON.stringify(credential.transports ?? []),
      label,
      now,
    );
    return { ok: true, passkey: { id: credential.id, label, createdAt: now, lastUsedAt: null } };
  }

  removePasskey(id: string): boolean {
    return this.sql.exec("DELETE FROM passkeys WHERE id = ? RETURNING id", id).toArray().length === 1;
  }

  /** Verifies a sign-in assertion made with one of this member's passkeys. */
  async verifySignIn(
    response: AuthenticationResponseJSON,
    ceremony: Ceremony,
    now: number,
  ): Promise<{ ok: true; name: string | null } | { ok: false; reason: string }> {
    const row = this.sql
      .exec<{ public_key: ArrayBuffer; counter: number; transports: string }>(
        "SELECT public_key, counter, transports FROM passkeys WHERE id = ?",
        response.id,
      )
      .toArray()[0];
    if (!row) return { ok: false, reason: "this passkey is not known here (it may have been removed)" };
    if (!this.useChallenge(ceremony.challenge, now)) return { ok: false, reason: "that sign-in request was used already" };
    let verification;
    try {
      verification = await verifyAuthenticationResponse({
        response,
        expectedChallenge: ceremony.challenge,
        expectedOrigin: ceremony.origin,
        expectedRPID: ceremony.rpID,
        credential: {
          id: response.id,
          publicKey: new Uint8Array(row.public_key),
          counter: row.counter,
          transports: JSON.parse(row.transports) as AuthenticatorTransport[],
        },
        requireUserVerification: false,
      });
    } catch (err) {
      return { ok: false, reason: `the passkey could not be verified (${err instanceof Error ? err.message : "invalid"})` };
    }
    if (!verification.verified) return { ok: false, reason: "the passkey could not be verified" };
    this.sql.exec(
      "UPDATE passkeys SET counter = ?, last_used_at = ? WHERE id = ?",
      verification.authenticationInfo.newCounter,
      now,
      response.id,
    );
    return { ok: true, name: this.displayName() };
  }

  addIdentity(issuer: string, provider: string, now: number): void {
    this.sql.exec("INSERT OR IGNORE INTO identities (issuer, provider, linked_at) VALUES (?, ?, ?)", issuer, provider, now);
  }

  identities(): LinkedIdentity[] {
    return this.sql
      .exec<{ issuer: string; provider: string; linked_at: number }>("SELECT issuer, provider, linked_at FROM identities ORDER BY linked_at")
      .toArray()
      .map((r) => ({ issuer: r.issuer, provider: r.provider, linkedAt: r.linked_at }));
  }

  /** Called by a room when the member enters it (or their role there changes). */
  noteRoom(room: string, role: Role, visibility: "public" | "private", now: number): void {
    this.sql.exec(
      `INSERT INTO rooms (name, role, visibility, joined_at, seen_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET role = excluded.role, seen_at = excluded.seen_at`,
      room,
      role,
      visibility,
      now,
      now,
    );
    // Bounded: the oldest-seen rooms drop off a very long list.
    this.sql.exec(
      "DELETE FROM rooms WHERE name NOT IN (SELECT name FROM rooms ORDER BY seen_at DESC LIMIT ?)",
      MAX_ROOMS,
    );
  }

  /** Called by a room when the member left it or an owner removed or banned them. */
  forgetRoom(room: string): void {
    this.sql.exec("DELETE FROM rooms WHERE name = ?", room);
  }

  rooms(): AccountRoom[] {
    return this.sql
      .exec<{ name: string; role: string; visibility: string; joined_at: number; seen_at: number }>(
        "SELECT name, role, visibility, joined_at, seen_at FROM rooms ORDER BY seen_at DESC",
      )
      .toArray()
      .map((r) => ({
        room: r.name,
        role: r.role as Role,
        visibility: r.visibility as "public" | "private",
        joinedAt: r.joined_at,
        seenAt: r.seen_at,
      }));
  }

  /** A WebAuthn challenge counts once (they expire after 5 minutes anyway). */
  private useChallenge(challenge: string, now: number): boolean {
    this.sql.exec("DELETE FROM used_challenges WHERE exp < ?", now);
    return (
      this.sql
        .exec("INSERT INTO used_challenges (challenge, exp) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING challenge", challenge, now + 10 * 60_000)
        .toArray().length === 1
    );
  }
}
