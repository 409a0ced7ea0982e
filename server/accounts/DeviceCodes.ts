/**
 * One-time codes that sign another device in as the same member ("link a
 * device"). The signed-in device shows the code (text and QR); the other
 * device types it within five minutes. A code works once and is replaced by
 * the next one its member makes.
 *
 * 12 characters of base32 are 60 random bits: even a million guesses a
 * second for the five minutes a code lives find one with odds below one in
 * three million, so wrong guesses need no lockout (which would let anyone
 * void everyone's codes).
 *
 * One instance ("codes") holds them all: a code is looked up by its value,
 * so it cannot be an object's name (every name would create an object).
 */
import { DurableObject } from "cloudflare:workers";
import { randomBase32 } from "../ids";

export const DEVICE_CODE_TTL_MS = 5 * 60_000;

// Reads no binding or variable: its env is not typed.
export class DeviceCodes extends DurableObject<unknown> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS codes (
      code TEXT PRIMARY KEY,
      member_id TEXT NOT NULL,
      exp INTEGER NOT NULL
    )`);
  }

  /** A new code for the member, shown as XXXX-XXXX-XXXX (their earlier code stops working). */
  issue(memberId: string, now: number): { code: string; expiresAt: number } {
    this.sql.exec("DELETE FROM codes WHERE exp < ? OR member_id = ?", now, memberId);
    const code = randomBase32(12).toUpperCase();
    const expiresAt = now + DEVICE_CODE_TTL_MS;
    this.sql.exec("INSERT INTO codes (code, member_id, exp) VALUES (?, ?, ?)", code, memberId, expiresAt);
    return { code: code.match(/.{4}/g)!.join("-"), expiresAt };
  }

  /** The member a code signs in — once. */
  redeem(input: string, now: number): { ok: true; memberId: string } | { ok: false; reason: string } {
    const code = input.replace(/[\s-]/g, "").toUpperCase();
    const row = this.sql
      .exec<{ member_id: string; exp: number }>("DELETE FROM codes WHERE code = ? RETURNING member_id, exp", code)
      .toArray()[0];
    if (row && row.exp >= now) return { ok: true, memberId: row.member_id };
    return { ok: false, reason: row ? "This code has expired: make a new one." : "This code does not work: check it, or make a new one." };
  }
}
