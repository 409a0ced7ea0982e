/**
 * The session lives in a cookie the page's scripts cannot read.
 *
 * HttpOnly keeps it away from any script (an XSS cannot steal it);
 * SameSite=Lax keeps other sites' forms and fetches from carrying it; Secure
 * (and the `__Host-` prefix, which also forbids a Domain attribute) when the
 * app is served over https. Browsers send it with same-origin WebSocket
 * upgrades too, so the room socket needs nothing in its URL — no token ever
 * lands in a server, proxy or browser log.
 */
import { cookieHeader, readCookie } from "./cookies";
import { SESSION_RENEW_AFTER_MS, SESSION_TTL_MS, signToken, verifySession, type SessionClaims } from "./tokens";

const SECURE_NAME = "__Host-hearth_session";
const PLAIN_NAME = "hearth_session";

export function sessionCookieName(url: URL): string {
  return url.protocol === "https:" ? SECURE_NAME : PLAIN_NAME;
}

/** The session token from the request's cookies, or null. */
export function readSessionCookie(request: Request): string | null {
  return readCookie(request, sessionCookieName(new URL(request.url)));
}

export function setSessionCookie(url: URL, token: string, maxAgeMs = SESSION_TTL_MS): string {
  return cookieHeader(url, sessionCookieName(url), token, { path: "/", maxAgeMs, sameSite: "Lax" });
}

export function clearSessionCookie(url: URL): string {
  return setSessionCookie(url, "", 0);
}

/** Signs a fresh session for a member: the member id never changes. */
export async function issueSession(secret: string, member: { id: string; name: string }, now = Date.now()) {
  const claims: SessionClaims = { typ: "session", sub: member.id, name: member.name, iat: now, exp: now + SESSION_TTL_MS };
  return { token: await signToken(secret, claims), claims };
}

export type SessionCheck =
  | { ok: true; claims: SessionClaims; renewed?: string }
  | { ok: false; reason: string };

/**
 * Verifies the request's session cookie. A session in use for more than a
 * day is re-signed (`renewed`: a Set-Cookie value) so that it expires 30
 * days after its last use, not after its first.
 */
export async function checkSession(secret: string, request: Request, now = Date.now()): Promise<SessionCheck> {
  const session = await verifySession(secret, readSessionCookie(request), now);
  if (!session.ok) return session;
  const age = now - (session.claims.iat ?? session.claims.exp - SESSION_TTL_MS);
  if (age < SESSION_RENEW_AFTER_MS) return session;
  const fresh = await issueSession(secret, { id: session.claims.sub, name: session.claims.name }, now);
  return { ok: true, claims: fresh.claims, renewed: setSessionCookie(new URL(request.url), fresh.token) };
}
