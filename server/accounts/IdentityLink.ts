/**
 * The global mapping from an outside identity (issuer + subject) to a
 * member id: one Durable Object per identity, named by a hash of the pair
 * (accounts/identity.ts `identityKey`), so no index object becomes a
 * bottleneck and no listing of identities exists anywhere.
 *
 * `link` is one serialized step: two first sign-ins racing (two devices,
 * two tabs) cannot both create a member — the second gets the first's.
 * A link is never moved to another member: the person who signed in first
 * with that identity keeps it (moving it would hand their rooms to whoever
 * came second).
 */
import { DurableObject } from "cloudflare:workers";

// Reads no binding or variable: its env is not typed.
export class IdentityLink extends DurableObject<unknown> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS link (
      issuer TEXT NOT NULL,
      subject TEXT NOT NULL,
      member_id TEXT NOT NULL,
      linked_at INTEGER NOT NULL,
      PRIMARY KEY (issuer, subject)
    )`);
  }

  /**
   * The member this identity is linked to; when it is linked to none yet,
   * `candidate` becomes that member (`created: true`).
   */
  link(issuer: string, subject: string, candidate: string, now: number): { memberId: string; created: boolean } {
    const existing = this.sql
      .exec<{ member_id: string }>("SELECT member_id FROM link WHERE issuer = ? AND subject = ?", issuer, subject)
      .toArray()[0];
    if (existing) return { memberId: existing.member_id, created: false };
    this.sql.exec("INSERT INTO link (issuer, subject, member_id, linked_at) VALUES (?, ?, ?, ?)", issuer, subject, candidate, now);
    return { memberId: candidate, created: true };
  }

  /** The linked member, or null (no side effect). */
  memberOf(issuer: string, subject: string): string | null {
    return (
      this.sql
        .exec<{ member_id: string }>("SELECT member_id FROM link WHERE issuer = ? AND subject = ?", issuer, subject)
        .toArray()[0]?.member_id ?? null
    );
  }
}
