/**
 * Members' Web Push subscriptions in the room's SQLite: one row per
 * endpoint (a browser profile's push channel), at most
 * SUBSCRIPTIONS_PER_MEMBER per member. The keys are the browser's ECDH
 * public key and auth secret the payload is encrypted to; with the endpoint
 * they let anyone push to that browser, so they never leave the server.
 */
import { checkEgress } from "../egress";
import type { StoredSubscription } from "./send";

export const SUBSCRIPTIONS_PER_MEMBER = 5;

export type SubscribeOutcome = { ok: true } | { ok: false; code: "invalid_frame" | "too_many"; text: string };

export class PushSubscriptions {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS push_subscriptions (
      endpoint TEXT PRIMARY KEY,
      member_id TEXT NOT NULL,
      p256dh TEXT NOT NULL,
      auth TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`);
    sql.exec("CREATE INDEX IF NOT EXISTS push_subscriptions_member ON push_subscriptions(member_id)");
  }

  /**
   * Stores a subscription for `memberId`. The same endpoint replaces its
   * row (new keys, or another member signed in on that browser: a push
   * channel belongs to whoever subscribed it last).
   */
  add(memberId: string, input: StoredSubscription, allowHosts: string[], now: number): SubscribeOutcome {
    const problem = invalid(input, allowHosts);
    if (problem) return { ok: false, code: "invalid_frame", text: problem };
    const mine = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM push_subscriptions WHERE member_id = ? AND endpoint != ?", memberId, input.endpoint).one().n;
    if (mine >= SUBSCRIPTIONS_PER_MEMBER) {
      return { ok: false, code: "too_many", text: `A member has push on at most ${SUBSCRIPTIONS_PER_MEMBER} devices in a room: turn it off on one first.` };
    }
    this.sql.exec(
      `INSERT INTO push_subscriptions (endpoint, member_id, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(endpoint) DO UPDATE SET member_id = excluded.member_id, p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at`,
      input.endpoint,
      memberId,
      input.p256dh,
      input.auth,
      now,
    );
    return { ok: true };
  }

  /** Removes `memberId`'s subscription with this endpoint; true when there was one. */
  remove(memberId: string, endpoint: string): boolean {
    return this.sql.exec("DELETE FROM push_subscriptions WHERE member_id = ? AND endpoint = ?", memberId, endpoint).rowsWritten > 0;
  }

  /** The push service said the subscription is gone (404/410). */
  drop(endpoint: string): void {
    this.sql.exec("DELETE FROM push_subscriptions WHERE endpoint = ?", endpoint);
  }

  /** A member left or was removed: their devices get nothing from this room any more. */
  forget(memberId: string): void {
    this.sql.exec("DELETE FROM push_subscriptions WHERE member_id = ?", memberId);
  }

  count(memberId: string): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM push_subscriptions WHERE member_id = ?", memberId).one().n;
  }

  of(memberId: string): StoredSubscription[] {
    return this.sql
      .exec<{ endpoint: string; p256dh: string; auth: string }>("SELECT endpoint, p256dh, auth FROM push_subscriptions WHERE member_id = ? ORDER BY created_at", memberId)
      .toArray()
      .map((r) => ({ endpoint: r.endpoint, p256dh: r.p256dh, auth: r.auth }));
  }

  /** Members with at least one subscription (who could be pushed to at all). */
  subscribers(): Set<string> {
    return new Set(this.sql.exec<{ member_id: string }>("SELECT DISTINCT member_id FROM push_subscriptions").toArray().map((r) => r.member_id));
  }
}

/** Why a subscription cannot be used, or null. */
function invalid(input: StoredSubscription, allowHosts: string[]): string | null {
  const egress = checkEgress(input.endpoint, allowHosts);
  if (!egress.ok) return `That push endpoint cannot be used: ${egress.message}.`;
  const p256dh = decode(input.p256dh);
  if (!p256dh || p256dh.length !== 65 || p256dh[0] !== 4) return "keys.p256dh must be an uncompressed P-256 public key (65 bytes, base64url).";
  const auth = decode(input.auth);
  if (!auth || auth.length !== 16) return "keys.auth must be a 16-byte secret (base64url).";
  return null;
}

function decode(b64url: string): Uint8Array | null {
  try {
    const bin = atob(b64url.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}
