/**
 * Sign-in with the configured OpenID Connect provider (auth/oidc.ts):
 *
 * - `GET /api/oidc`: `{ provider: { name, issuer } | null }`, for the
 *   client's "Sign in with …" and "Link …" buttons.
 * - `GET /api/oidc/start[?then=settings]`: a top-level navigation; sets the
 *   flow cookie (state, nonce, PKCE verifier) and redirects to the provider.
 * - `GET /api/oidc/callback?code&state`: checks the flow cookie and the
 *   provider's answer, links or finds the member, sets the session cookie
 *   and redirects to a clean URL (the code and state never stay in the
 *   address bar or history; failures redirect with a fixed word only).
 */
import type { OidcProviderResponse } from "../../shared/api";
import { memberForIdentity } from "../accounts/identity";
import { finishFlow, oidcConfig, startFlow, type OidcConfig } from "../auth/oidc";
import { checkSession, issueSession, setSessionCookie } from "../auth/sessionCookie";
import { cookieHeader, readCookie } from "../auth/cookies";
import { signToken, verifyOidcFlow } from "../auth/tokens";
import { ConfigError } from "../config";
import { apiError, json } from "./respond";

/** The Worker's bindings (server/env.ts), by their global name: env.ts names every class, so no module imports it. */
type Env = Cloudflare.Env;

const FLOW_COOKIE = "hearth_oidc";
const FLOW_TTL_MS = 10 * 60_000;

export async function handleOidcApi(request: Request, env: Env, secret: string, path: string): Promise<Response | null> {
  if (path !== "/api/oidc" && !path.startsWith("/api/oidc/")) return null;
  if (request.method !== "GET") return apiError(405, "method_not_allowed", "Use GET.");
  let config: OidcConfig | null;
  try {
    config = oidcConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return apiError(500, "misconfigured", err.message);
  }
  if (path === "/api/oidc") {
    return json({ provider: config ? { name: config.name, issuer: config.issuer.href } : null } satisfies OidcProviderResponse);
  }
  if (!config) return apiError(404, "not_found", "No OpenID Connect provider is configured.");
  const url = new URL(request.url);
  if (path === "/api/oidc/start") return start(config, secret, url);
  if (path === "/api/oidc/callback") return callback(request, env, config, secret, url);
  return apiError(404, "not_found", `No API at ${path}.`);
}

async function start(config: OidcConfig, secret: string, url: URL): Promise<Response> {
  let flow;
  try {
    flow = await startFlow(config, `${url.origin}/api/oidc/callback`);
  } catch (err) {
    // Discovery failed (provider down, refused by the egress guard …). The
    // message names the provider only; the log gets the cause (no secrets:
    // discovery sends none).
    console.warn("oidc: discovery failed", err instanceof Error ? err.message : err);
    return apiError(502, "provider_unavailable", `${config.name} cannot be reached right now; try again later.`);
  }
  const then = url.searchParams.get("then") === "settings" ? "settings" : "home";
  const token = await signToken(secret, { typ: "oidc", state: flow.state, nonce: flow.nonce, verifier: flow.verifier, then, exp: Date.now() + FLOW_TTL_MS });
  const response = new Response(null, { status: 302, headers: { Location: flow.authorizationUrl.href, "Cache-Control": "no-store" } });
  // Lax, not Strict: the callback is a top-level navigation from the provider's site.
  response.headers.append("Set-Cookie", flowCookie(url, token, FLOW_TTL_MS));
  return response;
}

async function callback(request: Request, env: Env, config: OidcConfig, secret: string, url: URL): Promise<Response> {
  const flow = await verifyOidcFlow(secret, readCookie(request, FLOW_COOKIE));
  if (!flow.ok) return failed(url, "home", `no sign-in in progress (${flow.reason})`);
  const then = flow.claims.then;
  if (url.searchParams.has("error")) return failed(url, then, "the provider refused or the person cancelled");
  const finished = await finishFlow(config, url, flow.claims);
  if (!finished.ok) return failed(url, then, finished.reason);
  const session = await checkSession(secret, request);
  const current = session.ok ? { id: session.claims.sub, name: session.claims.name } : null;
  const member = await memberForIdentity(env, { issuer: finished.issuer, subject: finished.subject, provider: config.name, suggestedName: finished.suggestedName }, current);
  const { token } = await issueSession(secret, { id: member.id, name: member.name });
  const response = redirect(url, then === "settings" ? "/settings" : "/");
  response.headers.append("Set-Cookie", setSessionCookie(url, token));
  return response;
}

/** Back to a clean page; the reason goes to the log (it names a check, never a token or code). */
function failed(url: URL, then: "home" | "settings", reason: string): Response {
  console.warn(`oidc: sign-in refused: ${reason}`);
  return redirect(url, `${then === "settings" ? "/settings" : "/"}?signin=failed`);
}

function redirect(url: URL, location: string): Response {
  const response = new Response(null, { status: 302, headers: { Location: location, "Cache-Control": "no-store" } });
  // Used once: whatever happened, this flow is over.
  response.headers.append("Set-Cookie", flowCookie(url, "", 0));
  return response;
}

function flowCookie(url: URL, value: string, maxAgeMs: number): string {
  return cookieHeader(url, FLOW_COOKIE, value, { path: "/api/oidc/", maxAgeMs, sameSite: "Lax" });
}

