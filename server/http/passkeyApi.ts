/**
 * Passkeys (WebAuthn) and device links: how a guest becomes an account that
 * survives devices and time, without changing who they are.
 *
 * - register: a signed-in member adds a passkey; its user handle is the
 *   member id, so the same member signs in with it anywhere.
 * - login: a discoverable-credential ceremony (no name typed); the
 *   authenticator returns the user handle, the member's Account object
 *   verifies the signature, and the browser gets that member's session.
 * - devices: a signed-in member shows a one-time code; another device that
 *   enters it within minutes becomes the same member.
 *
 * Challenges travel in a short-lived HttpOnly cookie signed by the Worker
 * and are used once (the Account object remembers them).
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import {
  DeviceRedeemRequest,
  PasskeyLoginRequest,
  PasskeyRegisterRequest,
  PasskeyRemoveRequest,
  type AccountResponse,
  type DeviceCodeResponse,
  type OkResponse,
  type PasskeyRegisterResponse,
  type SessionResponse,
} from "../../shared/api";
import type { Ceremony } from "../accounts/Account";
import { checkSession, issueSession, setSessionCookie } from "../auth/sessionCookie";
import { signToken, verifyChallenge, type SessionClaims } from "../auth/tokens";
import { parseBody } from "./body";
import { cookieHeader, readCookie } from "../auth/cookies";
import { apiError, json } from "./respond";

/** The Worker's bindings (server/env.ts), by their global name: env.ts names every class, so no module imports it. */
type Env = Cloudflare.Env;

const CHALLENGE_COOKIE = "hearth_webauthn";
const CHALLENGE_TTL_MS = 5 * 60_000;
const MEMBER_ID = /^m_[a-z2-7]{20}$/;

export async function handlePasskeyApi(request: Request, env: Env, secret: string, path: string): Promise<Response | null> {
  const method = request.method;
  if (method === "POST" && path === "/api/passkeys/login/options") return loginOptions(request, secret);
  if (method === "POST" && path === "/api/passkeys/login/verify") return loginVerify(request, env, secret);
  if (method === "POST" && path === "/api/devices/redeem") return redeemDeviceCode(request, env, secret);

  const signedIn = ["/api/account", "/api/passkeys/register/options", "/api/passkeys/register/verify", "/api/passkeys/remove", "/api/devices/code"];
  if (!signedIn.includes(path)) return null;
  const session = await checkSession(secret, request);
  if (!session.ok) return apiError(401, "unauthorized", `Sign in again: ${session.reason}.`);
  const caller = session.claims;
  const response = await routeSignedIn(request, env, secret, caller, path);
  if (session.renewed) response.headers.append("Set-Cookie", session.renewed);
  return response;
}

async function routeSignedIn(request: Request, env: Env, secret: string, caller: SessionClaims, path: string): Promise<Response> {
  const account = env.Account.getByName(caller.sub);
  if (path === "/api/account" && request.method === "GET") {
    const [passkeys, identities, rooms] = await Promise.all([account.passkeys(), account.identities(), account.rooms()]);
    return json({ member: { id: caller.sub, name: caller.name }, passkeys, identities, rooms } satisfies AccountResponse);
  }
  if (request.method !== "POST") return apiError(405, "method_not_allowed", "Use POST.");
  if (path === "/api/passkeys/register/options") {
    const url = new URL(request.url);
    const options = await generateRegistrationOptions({
      rpName: "Hearth",
      rpID: url.hostname,
      userID: new Uint8Array(new TextEncoder().encode(caller.sub)),
      userName: caller.name,
      userDisplayName: caller.name,
      attestationType: "none",
      excludeCredentials: await account.credentialIds(),
      // Discoverable, so signing in on another device needs no typed name.
      authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
    });
    // PasskeyOptionsResponse: the options are @simplewebauthn's own JSON type, which
    // has no index signature for the schema's record to be checked against.
    return withChallenge(json({ options }), secret, url, options.challenge, "register", caller.sub);
  }
  if (path === "/api/passkeys/register/verify") {
    const body = await parseBody(request, PasskeyRegisterRequest);
    if (!body.ok) return body.response;
    const ceremony = await readCeremony(request, secret, "register", caller.sub);
    if (!ceremony.ok) return apiError(400, "bad_challenge", ceremony.reason);
    await account.setName(caller.name);
    const added = await account.addPasskey(
      body.data.response as unknown as RegistrationResponseJSON,
      ceremony.ceremony,
      body.data.label ?? defaultLabel(request),
      Date.now(),
    );
    if (!added.ok) return clearChallenge(apiError(400, "passkey_refused", `The passkey was not added: ${added.reason}.`), request);
    return clearChallenge(json({ passkey: added.passkey } satisfies PasskeyRegisterResponse, 201), request);
  }
  if (path === "/api/passkeys/remove") {
    const body = await parseBody(request, PasskeyRemoveRequest);
    if (!body.ok) return body.response;
    if (!(await account.removePasskey(body.data.id))) return apiError(404, "not_found", "No such passkey on this account.");
    return json({ ok: true } satisfies OkResponse);
  }
  if (path === "/api/devices/code") {
    const code = await env.DeviceCodes.getByName("codes").issue(caller.sub, Date.now());
    return json(code satisfies DeviceCodeResponse, 201);
  }
  return apiError(404, "not_found", `No API at ${path}.`);
}

async function loginOptions(request: Request, secret: string): Promise<Response> {
  const url = new URL(request.url);
  const options = await generateAuthenticationOptions({ rpID: url.hostname, userVerification: "preferred" });
  return withChallenge(json({ options }), secret, url, options.challenge, "login");
}

async function loginVerify(request: Request, env: Env, secret: string): Promise<Response> {
  const body = await parseBody(request, PasskeyLoginRequest);
  if (!body.ok) return body.response;
  const response = body.data.response as unknown as AuthenticationResponseJSON;
  const ceremony = await readCeremony(request, secret, "login");
  if (!ceremony.ok) return apiError(400, "bad_challenge", ceremony.reason);
  // The user handle is the member id the passkey was made for.
  const memberId = decodeUserHandle(response.response?.userHandle);
  if (!memberId || typeof response.id !== "string") {
    return clearChallenge(apiError(400, "passkey_refused", "This passkey does not belong to a Hearth member."), request);
  }
  const result = await env.Account.getByName(memberId).verifySignIn(response, ceremony.ceremony, Date.now());
  if (!result.ok) return clearChallenge(apiError(401, "passkey_refused", `Sign-in failed: ${result.reason}.`), request);
  return clearChallenge(await sessionFor(secret, request, { id: memberId, name: result.name ?? "guest" }), request);
}

async function redeemDeviceCode(request: Request, env: Env, secret: string): Promise<Response> {
  const body = await parseBody(request, DeviceRedeemRequest);
  if (!body.ok) return body.response;
  const redeemed = await env.DeviceCodes.getByName("codes").redeem(body.data.code, Date.now());
  if (!redeemed.ok) return apiError(401, "bad_code", redeemed.reason);
  const name = (await env.Account.getByName(redeemed.memberId).displayName()) ?? "guest";
  return sessionFor(secret, request, { id: redeemed.memberId, name });
}

async function sessionFor(secret: string, request: Request, member: { id: string; name: string }): Promise<Response> {
  const { token, claims } = await issueSession(secret, member);
  const response = json({ member, expiresAt: claims.exp } satisfies SessionResponse);
  response.headers.append("Set-Cookie", setSessionCookie(new URL(request.url), token));
  return response;
}

async function withChallenge(
  response: Response,
  secret: string,
  url: URL,
  challenge: string,
  purpose: "register" | "login",
  sub?: string,
): Promise<Response> {
  const token = await signToken(secret, { typ: "challenge", challenge, purpose, sub, exp: Date.now() + CHALLENGE_TTL_MS });
  response.headers.append("Set-Cookie", challengeCookie(url, token, CHALLENGE_TTL_MS));
  return response;
}

function clearChallenge(response: Response, request: Request): Response {
  response.headers.append("Set-Cookie", challengeCookie(new URL(request.url), "", 0));
  return response;
}

function challengeCookie(url: URL, value: string, maxAgeMs: number): string {
  return cookieHeader(url, CHALLENGE_COOKIE, value, { path: "/api/", maxAgeMs, sameSite: "Strict" });
}

async function readCeremony(
  request: Request,
  secret: string,
  purpose: "register" | "login",
  sub?: string,
): Promise<{ ok: true; ceremony: Ceremony } | { ok: false; reason: string }> {
  const claims = await verifyChallenge(secret, readCookie(request, CHALLENGE_COOKIE));
  if (!claims.ok) return { ok: false, reason: `Start again: ${claims.reason}.` };
  if (claims.claims.purpose !== purpose || claims.claims.sub !== sub) return { ok: false, reason: "Start again: that request was for something else." };
  const url = new URL(request.url);
  // The ceremony must have happened on this very origin (phishing resistance).
  return { ok: true, ceremony: { challenge: claims.claims.challenge, origin: url.origin, rpID: url.hostname } };
}

function decodeUserHandle(handle: string | undefined): string | null {
  if (!handle || !/^[A-Za-z0-9_-]{1,64}$/.test(handle)) return null;
  try {
    const id = new TextDecoder().decode(Uint8Array.from(atob(handle.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)));
    return MEMBER_ID.test(id) ? id : null;
  } catch {
    return null;
  }
}

/** "Chrome on Linux"-style default name for a new passkey, from the User-Agent. */
function defaultLabel(request: Request): string {
  const ua = request.headers.get("User-Agent") ?? "";
  const browser = /Firefox\//.test(ua) ? "Firefox" : /Edg\//.test(ua) ? "Edge" : /Chrom(e|ium)\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "A browser";
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Mac OS X/.test(ua) ? "macOS" : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : "";
  return os ? `${browser} on ${os}` : browser;
}
