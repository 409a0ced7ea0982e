/**
 * Signing in with an outside identity (Cloudflare Access, OpenID Connect):
 * which member an (issuer, subject) pair is.
 *
 * The first time an identity is seen it is linked to the browser's current
 * member when there is one — a guest upgrades in place and keeps their id,
 * authorship and rooms — and to a new member otherwise. From then on the
 * identity always lands on that member, on any device.
 */
import { DisplayName } from "../../shared/protocol";
import { randomBase32 } from "../ids";

/** The Worker's bindings (server/env.ts), by their global name: env.ts names every class, so no module imports it. */
type Env = Cloudflare.Env;

export interface OutsideIdentity {
  /** The issuer as the provider names itself (`iss`). */
  issuer: string;
  /** The provider's stable id for the person (`sub`). */
  subject: string;
  /** What Settings shows: "Cloudflare Access", "Google" … */
  provider: string;
  /** A name to start with when this makes a new member (never trusted for anything else). */
  suggestedName?: string;
}

/** The IdentityLink object's name: a hash, so the pair itself names nothing in storage listings. */
export async function identityKey(issuer: string, subject: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${issuer}\n${subject}`));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The member `identity` is. `current` is the member of the browser's valid
 * session, if any: it is linked when the identity is new.
 */
export async function memberForIdentity(
  env: Env,
  identity: OutsideIdentity,
  current: { id: string; name: string } | null,
  now = Date.now(),
): Promise<{ id: string; name: string; linkedNow: boolean }> {
  const link = env.IdentityLink.getByName(await identityKey(identity.issuer, identity.subject));
  const candidate = current?.id ?? `m_${randomBase32(20)}`;
  const { memberId, created } = await link.link(identity.issuer, identity.subject, candidate, now);
  const account = env.Account.getByName(memberId);
  if (created) {
    const name = current?.name ?? cleanName(identity.suggestedName) ?? "guest";
    await account.setName(name);
    await account.addIdentity(identity.issuer, identity.provider, now);
    return { id: memberId, name, linkedNow: true };
  }
  const name = (await account.displayName()) ?? (memberId === current?.id ? current.name : null) ?? "guest";
  return { id: memberId, name, linkedNow: false };
}

/** A display name from a provider (email local part, given name …): short and printable, or nothing. */
function cleanName(raw: string | undefined): string | null {
  // The same rules as a name typed into Hearth (length, no control characters).
  const parsed = DisplayName.safeParse(raw?.split("@")[0] ?? "");
  return parsed.success ? parsed.data : null;
}
