/**
 * Signed tokens: `base64url(JSON claims) . base64url(HMAC-SHA256)`.
 *
 * Two kinds share one key but can never be confused: the claims carry a
 * `typ`, and verification demands the expected one. Session tokens name a
 * member; invite tokens grant a role in one private room. Nothing secret is
 * inside (claims are readable); the signature only proves the Worker made them.
 */
import type { Role } from "../../shared/protocol";

export interface SessionClaims {
  typ: "session";
  /** Member id: stable across renames. */
  sub: string;
  name: string;
  /** Expiry, epoch ms. */
  exp: number;
  /** Issued at, epoch ms: a session in use is renewed once it is a day old. */
  iat?: number;
}

/**
 * A short-lived, single-use pass for one room socket, for clients on an
 * allowed other origin that cannot send the session cookie with their
 * upgrade. The room remembers used `jti`s until they expire.
 */
export interface TicketClaims {
  typ: "ticket";
  sub: string;
  name: string;
  room: string;
  jti: string;
  exp: number;
}

/** A WebAuthn challenge, kept by the browser in an HttpOnly cookie between options and verify. */
export interface ChallengeClaims {
  typ: "challenge";
  challenge: string;
  purpose: "register" | "login";
  /** The member registering (absent for a sign-in, where nobody is known yet). */
  sub?: string;
  exp: number;
}

export interface InviteClaims {
  typ: "invite";
  room: string;
  role: Exclude<Role, "owner">;
  /**
   * The invite's row in the room (room/invites.ts), which decides at
   * redemption whether the link still works. Tokens made before invites had
   * ids lack it and are refused ("ask for a new link").
   */
  iid?: string;
  exp: number;
}

/** An OpenID Connect sign-in in progress, kept by the browser in an HttpOnly cookie between start and callback. */
export interface OidcFlowClaims {
  typ: "oidc";
  state: string;
  nonce: string;
  /** PKCE code verifier: only this browser can redeem the code the provider sends back. */
  verifier: string;
  /** Where the browser goes afterwards: the landing page or settings. */
  then: "home" | "settings";
  exp: number;
}

/**
 * A download link for one file, minted after the room said the member may
 * read it (http/filesApi.ts). Short-lived; the room is asked again when it
 * is used, so a member removed meanwhile is refused all the same.
 */
export interface FileClaims {
  typ: "file";
  sub: string;
  room: string;
  fid: string;
  exp: number;
}

type Claims = FileClaims | SessionClaims | InviteClaims | TicketClaims | ChallengeClaims | OidcFlowClaims;

export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
/** A session older than this is re-issued (sliding expiry) when used. */
export const SESSION_RENEW_AFTER_MS = 24 * 3600 * 1000;
export const TICKET_TTL_MS = 60 * 1000;
export const INVITE_TTL_MS = 14 * 24 * 3600 * 1000;

const encoder = new TextEncoder();
const keyCache = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    keyCache.set(secret, key);
  }
  return key;
}

function toBase64Url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

export async function signToken(secret: string, claims: Claims): Promise<string> {
  const body = toBase64Url(encoder.encode(JSON.stringify(claims)));
  const sig = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(body));
  return `${body}.${toBase64Url(new Uint8Array(sig))}`;
}

export type VerifyResult<T> = { ok: true; claims: T } | { ok: false; reason: string };

async function verify<T extends Claims>(
  secret: string,
  token: string | null | undefined,
  typ: T["typ"],
  now: number,
): Promise<VerifyResult<T>> {
  if (!token) return { ok: false, reason: `no ${typ} token` };
  const [body, sig, extra] = token.split(".");
  const sigBytes = sig ? fromBase64Url(sig) : null;
  if (!body || !sigBytes || extra !== undefined) return { ok: false, reason: `malformed ${typ} token` };
  // crypto.subtle.verify compares in constant time.
  const valid = await crypto.subtle.verify("HMAC", await hmacKey(secret), sigBytes, encoder.encode(body));
  if (!valid) return { ok: false, reason: `${typ} token signature is not valid` };
  let claims: T;
  try {
    claims = JSON.parse(new TextDecoder().decode(fromBase64Url(body)!)) as T;
  } catch {
    return { ok: false, reason: `malformed ${typ} token` };
  }
  if (claims.typ !== typ) return { ok: false, reason: `not a ${typ} token` };
  if (typeof claims.exp !== "number" || claims.exp <= now) return { ok: false, reason: `${typ} token has expired` };
  return { ok: true, claims };
}

export function verifySession(secret: string, token: string | null | undefined, now = Date.now()) {
  return verify<SessionClaims>(secret, token, "session", now);
}

export function verifyTicket(secret: string, token: string | null | undefined, now = Date.now()) {
  return verify<TicketClaims>(secret, token, "ticket", now);
}

export function verifyChallenge(secret: string, token: string | null | undefined, now = Date.now()) {
  return verify<ChallengeClaims>(secret, token, "challenge", now);
}

export function verifyOidcFlow(secret: string, token: string | null | undefined, now = Date.now()) {
  return verify<OidcFlowClaims>(secret, token, "oidc", now);
}

export function verifyInvite(secret: string, token: string | null | undefined, now = Date.now()) {
  return verify<InviteClaims>(secret, token, "invite", now);
}

export function verifyFileLink(secret: string, token: string | null | undefined, now = Date.now()) {
  return verify<FileClaims>(secret, token, "file", now);
}
