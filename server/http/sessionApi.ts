/**
 * Sessions: who this browser is.
 *
 * - `POST /api/session {name}`: a first visit makes a guest (a new member
 *   id); with a valid session cookie it renames the same member, so
 *   authorship and roles follow the person.
 * - `GET /api/me`: who the cookie says; renews it (sliding expiry), so a
 *   session in use never expires.
 * - `POST /api/session/exchange {token}`: the one-time move of a token that
 *   an older client kept in localStorage into the cookie (same member id).
 * - `POST /api/logout`: forgets the cookie.
 * - Behind Cloudflare Access (ACCESS_TEAM_DOMAIN + ACCESS_AUD), `GET /api/me`
 *   with a verified Access JWT signs the browser in as the member that
 *   Access identity is linked to (auth/access.ts, accounts/identity.ts).
 *
 * The token itself is never in a response body: only in Set-Cookie.
 */
import { ExchangeRequest, SessionRequest, type MeResponse, type OkResponse, type SessionResponse } from "../../shared/api";
import { clearSessionCookie, checkSession, issueSession, setSessionCookie } from "../auth/sessionCookie";
import { randomBase32 } from "../ids";
import { verifySession } from "../auth/tokens";
import { memberForIdentity } from "../accounts/identity";
import { accessIdentity } from "../auth/access";
import { ConfigError } from "../config";
import { parseBody } from "./body";
import { apiError, json } from "./respond";

/** The Worker's bindings (server/env.ts), by their global name: env.ts names every class, so no module imports it. */
type Env = Cloudflare.Env;

export async function handleSessionApi(request: Request, env: Env, secret: string, path: string): Promise<Response | null> {
  const url = new URL(request.url);
  const method = request.method;
  if (path === "/api/me" && method === "GET") {
    const session = await checkSession(secret, request);
    const access = await accessOrMisconfigured(request, env);
    if (access instanceof Response) return access;
    if (access?.ok) {
      // Behind Cloudflare Access, Access says who this is: a guest session
      // is linked in place the first time; a session of another member
      // gives way to the member the Access identity is linked to.
      const current = session.ok ? { id: session.claims.sub, name: session.claims.name } : null;
      const member = await memberForIdentity(env, access.identity, current);
      if (member.id !== current?.id) return signedIn(env, secret, url, member);
    } else if (access) {
      // Never the token, only which check failed.
      console.warn(`/api/me: ${access.reason}`);
    }
    if (!session.ok) return json({ member: null, reason: access && !access.ok ? access.reason : session.reason } satisfies MeResponse);
    const response = json(sessionBody(session.claims));
    if (session.renewed) response.headers.append("Set-Cookie", session.renewed);
    return response;
  }
  if (path === "/api/session" && method === "POST") {
    const body = await parseBody(request, SessionRequest);
    if (!body.ok) return body.response;
    const current = await checkSession(secret, request);
    // Renaming keeps the member id; an invalid or expired cookie starts a new guest.
    const id = current.ok ? current.claims.sub : `m_${randomBase32(20)}`;
    return signedIn(env, secret, url, { id, name: body.data.name });
  }
  if (path === "/api/session/exchange" && method === "POST") {
    const body = await parseBody(request, ExchangeRequest);
    if (!body.ok) return body.response;
    const legacy = await verifySession(secret, body.data.token);
    if (!legacy.ok) return apiError(401, "unauthorized", `That session cannot be moved: ${legacy.reason}.`);
    return signedIn(env, secret, url, { id: legacy.claims.sub, name: legacy.claims.name });
  }
  if (path === "/api/logout" && method === "POST") {
    const response = json({ ok: true } satisfies OkResponse);
    response.headers.append("Set-Cookie", clearSessionCookie(url));
    return response;
  }
  return null;
}

async function accessOrMisconfigured(request: Request, env: Env) {
  try {
    return await accessIdentity(request, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return apiError(500, "misconfigured", err.message);
  }
}

async function signedIn(env: Env, secret: string, url: URL, member: { id: string; name: string }): Promise<Response> {
  const { token, claims } = await issueSession(secret, member);
  // The account keeps the latest name, for signing in with a passkey or a
  // linked device later.
  await env.Account.getByName(member.id).setName(member.name);
  const response = json(sessionBody(claims));
  response.headers.append("Set-Cookie", setSessionCookie(url, token));
  return response;
}

function sessionBody(claims: { sub: string; name: string; exp: number }): SessionResponse {
  return { member: { id: claims.sub, name: claims.name }, expiresAt: claims.exp };
}
