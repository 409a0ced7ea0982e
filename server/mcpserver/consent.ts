/**
 * The consent page of Hearth's MCP endpoint (`/authorize`): a signed-in
 * member decides whether an MCP client may act for them, in which rooms,
 * with which scopes. The provider validated the request (client, redirect
 * URI, PKCE) before `parseAuthRequest` returns it.
 *
 * Why it cannot be forged or framed:
 * - `beginConsent` keeps the authorization request server-side and returns a
 *   single-use handle bound to this browser by a `__Host-` cookie, with
 *   headers that forbid framing; the form carries only the handle.
 * - The form also carries `csrf`, an HMAC of (handle, member id) under the
 *   signing key, checked against the session on POST: the member who
 *   approves is the member who saw the page.
 * - The POST must come from this origin (origin.ts), like every API POST.
 * - Everything a client chose (its name, its redirect host) is escaped.
 */
import { AuthorizationError, CimdFetchError, type AuthRequest, type ConsentDescription } from "@cloudflare/workers-oauth-provider";
import type { AccountRoom } from "../../shared/api";
import { signingSecret } from "../auth/LocalSecret";
import { checkSession } from "../auth/sessionCookie";
import { originAllowed } from "../http/origin";
import { AGENT_SCOPES, GRANT_ROOMS_MAX, SCOPE_TEXT, type AgentScope, type GrantProps } from "./grant";

type Env = Cloudflare.Env;

export async function authorizePage(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname !== "/authorize") return page(404, "Not found", "<p>There is nothing here.</p>");
  try {
    if (request.method === "GET") return await show(request, env);
    if (request.method === "POST") return await decide(request, env);
    return page(405, "Not allowed", "<p>Use the page your app opened.</p>");
  } catch (err) {
    if (err instanceof AuthorizationError && err.redirectTo) return Response.redirect(err.redirectTo, 302);
    if (err instanceof AuthorizationError || err instanceof CimdFetchError) {
      const why = err instanceof AuthorizationError ? err.description : "This app could not be verified.";
      return page(400, "Cannot authorize", `<p>${escape(why)}</p><p>Start connecting again from your app.</p>`);
    }
    throw err;
  }
}

async function show(request: Request, env: Env): Promise<Response> {
  const oauth = env.OAUTH_PROVIDER;
  const authRequest = await oauth.parseAuthRequest(request);
  const session = await checkSession(await signingSecret(env), request);
  if (!session.ok) {
    // Nothing is stored for a visitor who is not signed in: they sign in and come back to the same URL.
    const back = new URL(request.url);
    return page(
      401,
      "Sign in to Hearth",
      `<h1>Sign in to Hearth first</h1><p>An app wants to connect to your Hearth account. Sign in (or pick a name) on
      <a href="/" target="_blank" rel="noopener">Hearth's start page</a> in this browser, then
      <a href="${escape(back.pathname + back.search)}">continue here</a>.</p>`,
    );
  }
  const details = await oauth.describeConsent(authRequest);
  const rooms = await env.Account.getByName(session.claims.sub).rooms();
  const consent = await oauth.beginConsent(authRequest);
  const csrf = await consentMac(await signingSecret(env), consent.handle, session.claims.sub);
  consent.headers.set("Content-Type", "text/html; charset=utf-8");
  consent.headers.set("Cache-Control", "no-store");
  // No script at all. No `form-action`: Chromium applies it to the redirect that follows the POST (to the client's redirect URI).
  consent.headers.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  return new Response(consentHtml(details, authRequest, session.claims.name, rooms, consent.handle, csrf), { headers: consent.headers });
}

async function decide(request: Request, env: Env): Promise<Response> {
  const oauth = env.OAUTH_PROVIDER;
  // A cross-site form post never approves anything (the session cookie is SameSite=Lax, too).
  if (!originAllowed(request, undefined) || request.headers.get("Origin") === null) {
    return page(403, "Refused", "<p>This form must be sent from Hearth's own page.</p>");
  }
  const secret = await signingSecret(env);
  const session = await checkSession(secret, request);
  if (!session.ok) return page(401, "Signed out", "<p>You were signed out; start connecting again from your app.</p>");
  const form = await request.formData();
  const handle = String(form.get("handle") ?? "");
  const csrf = String(form.get("csrf") ?? "");
  if (!handle || !(await sameMac(csrf, await consentMac(secret, handle, session.claims.sub)))) {
    return page(403, "Refused", "<p>This page was opened by someone else; start connecting again from your app.</p>");
  }
  if (form.get("decision") !== "approve") {
    const denied = await oauth.denyConsent(request, handle);
    return new Response(null, { status: 302, headers: denied.headers });
  }
  const scopes = ["read", ...form.getAll("scope").map(String).filter((s): s is AgentScope => (AGENT_SCOPES as readonly string[]).includes(s) && s !== "read")];
  const mine = new Set((await env.Account.getByName(session.claims.sub).rooms()).map((r) => r.room));
  let rooms: GrantProps["rooms"] = "all";
  if (form.get("rooms") !== "all") {
    const chosen = [...new Set(form.getAll("room").map(String))];
    // Only rooms the member belongs to; the room checks membership again on every call.
    if (chosen.length === 0 || chosen.length > GRANT_ROOMS_MAX || chosen.some((r) => !mine.has(r))) {
      return page(400, "Choose rooms", "<p>Choose at least one of your rooms, or all of them. Go back and try again.</p>");
    }
    rooms = chosen;
  }
  const approved = await oauth.approveConsent(request, handle, { scope: scopes });
  const details = await oauth.describeConsent(approved.request);
  const client = details.clientName.slice(0, 100);
  const icon = Boolean(details.logoUri);
  const props: GrantProps = { memberId: session.claims.sub, client, rooms, ...(icon ? { icon } : {}) };
  const { redirectTo } = await oauth.completeAuthorization({
    request: approved.request,
    userId: session.claims.sub,
    // Shown in the member's settings (the list of connected agents).
    metadata: { client, redirectHost: details.redirectHost, rooms, icon },
    scope: scopes,
    props,
  });
  approved.headers.set("Location", redirectTo);
  return new Response(null, { status: 302, headers: approved.headers });
}

function consentHtml(details: ConsentDescription, authRequest: AuthRequest, memberName: string, rooms: AccountRoom[], handle: string, csrf: string): string {
  const name = escape(details.clientName);
  const requested = new Set(authRequest.scope);
  const scopes = AGENT_SCOPES.map((scope) => {
    const always = scope === "read";
    const checked = always || requested.has(scope) ? " checked" : "";
    return `<label><input type="checkbox" name="scope" value="${scope}"${checked}${always ? " disabled" : ""}> <b>${scope}</b> — ${escape(SCOPE_TEXT[scope])}</label>`;
  }).join("");
  const roomList = rooms.length
    ? rooms
        .slice(0, GRANT_ROOMS_MAX)
        .map((r) => `<label><input type="checkbox" name="room" value="${escape(r.room)}"> ${escape(r.room)} <span class="muted">(${escape(r.role)})</span></label>`)
        .join("")
    : `<p class="muted">You are not in any room yet.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Connect ${name} · Hearth</title><style>${STYLE}</style></head>
<body><main>
<h1>Allow <span data-testid="client-name">${name}</span> to act for you?</h1>
<p>Signed in as <b>${escape(memberName)}</b>. ${details.clientDomain ? `Published by <b data-testid="client-domain">${escape(details.clientDomain)}</b>.` : "This app registered itself: its name is not verified."}
Access will be sent to <b data-testid="redirect-host">${escape(details.redirectHost)}</b>.</p>
${details.redirectIsLoopback ? `<p class="warn"><b>This sends access to an app on your computer.</b> Continue only if you just started connecting from it.</p>` : ""}
<p>It will act with <em>your</em> role in each room (a viewer's access can read but never post), and what it posts is shown as yours, “via ${name}”.</p>
<form method="post" action="/authorize">
<input type="hidden" name="handle" value="${escape(handle)}"><input type="hidden" name="csrf" value="${escape(csrf)}">
<fieldset><legend>Rooms</legend>
<label><input type="radio" name="rooms" value="all" checked> All of my rooms, now and later</label>
<label><input type="radio" name="rooms" value="chosen"> Only these:</label>
<div class="rooms">${roomList}</div></fieldset>
<fieldset><legend>What it may do</legend>${scopes}</fieldset>
<p><button name="decision" value="approve">Allow</button> <button name="decision" value="deny">Deny</button></p>
<p class="muted">You can disconnect it at any time in Settings → Connected apps.</p>
</form></main></body></html>`;
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f7f5f2;color:#1d1b19}main{max-width:36rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:12px}
label{display:block;margin:.3rem 0}fieldset{border:1px solid #ddd;border-radius:8px;margin:1rem 0}.rooms{margin-left:1.5rem}.muted{color:#5f5a55}.warn{background:#fff4e0;padding:.5rem;border-radius:6px}
button{font:inherit;padding:.4rem 1rem;margin-right:.5rem}@media (prefers-color-scheme:dark){body{background:#1b1a19;color:#eee}main{background:#262422}.muted{color:#b5aea7}.warn{background:#4a3a1c}}`;

function page(status: number, title: string, body: string): Response {
  return new Response(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)} · Hearth</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`, {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      "X-Frame-Options": "DENY",
    },
  });
}

function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The form's CSRF value: binds the provider's handle to the member whose session showed the page. */
async function consentMac(secret: string, handle: string, memberId: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`mcp-consent\n${handle}\n${memberId}`));
  return btoa(String.fromCharCode(...new Uint8Array(mac))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Compares two MACs in constant time (timingSafeEqual wants equal lengths). */
async function sameMac(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const x = enc.encode(a);
  const y = enc.encode(b);
  return x.byteLength === y.byteLength && crypto.subtle.timingSafeEqual(x, y);
}
