/**
 * Cloudflare Access in front of Hearth: who Access says the visitor is.
 *
 * Access adds a signed JWT to every request it lets through
 * (`Cf-Access-Jwt-Assertion`). The header alone proves nothing — anyone
 * can send it to a Worker that is reachable without Access — so the JWT is
 * verified against the team's published keys (`<team>/cdn-cgi/access/certs`),
 * its issuer must be the team domain and its audience this application's
 * AUD tag, and it must not be expired. Only then is its subject used, as
 * the identity (team domain, sub) → member (accounts/identity.ts).
 *
 * The keys are fetched through the egress guard (https, public hosts;
 * IDENTITY_ALLOW_HOSTS the only exception, for tests) and cached by jose.
 */
import { createRemoteJWKSet, customFetch, jwtVerify } from "jose";
import type { OutsideIdentity } from "../accounts/identity";
import { ConfigError } from "../config";
import { EgressError, guardedFetch, parseAllowHosts } from "../egress";

/** The Worker's bindings (server/env.ts), by their global name: env.ts names every class, so no module imports it. */
type Env = Cloudflare.Env;

export const ACCESS_HEADER = "Cf-Access-Jwt-Assertion";

export interface AccessConfig {
  team: string;
  aud: string;
}

/** Access settings, or null when Hearth is not configured for Access. */
export function accessConfig(env: Env): AccessConfig | null {
  const team = env.ACCESS_TEAM_DOMAIN?.trim();
  const aud = env.ACCESS_AUD?.trim();
  if (!team && !aud) return null;
  if (!team || !aud) throw new ConfigError("The server is misconfigured: ACCESS_TEAM_DOMAIN and ACCESS_AUD go together (set both or neither).");
  let url: URL;
  try {
    url = new URL(team);
  } catch {
    throw new ConfigError("The server is misconfigured: ACCESS_TEAM_DOMAIN must be a URL like https://myteam.cloudflareaccess.com.");
  }
  // The issuer claim is the bare origin: no path, no trailing slash.
  return { team: url.origin, aud };
}

// One key set per team and allow list, kept across requests in this isolate
// (jose refetches on an unknown key id, at most every 30 s).
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySet(team: string, allowHosts: string | undefined) {
  const key = `${team} ${allowHosts ?? ""}`;
  let set = keySets.get(key);
  if (!set) {
    const fetchGuarded = guardedFetch(parseAllowHosts(allowHosts));
    set = createRemoteJWKSet(new URL(`${team}/cdn-cgi/access/certs`), {
      [customFetch]: (url, options) => fetchGuarded(url, options as RequestInit),
    });
    keySets.set(key, set);
  }
  return set;
}

export type AccessCheck = { ok: true; identity: OutsideIdentity } | { ok: false; reason: string } | null;

/**
 * The Access identity of the request: null when Access is not configured or
 * the request carries no Access JWT; `ok: false` (with a reason safe to log,
 * never the token) when the JWT does not verify.
 */
export async function accessIdentity(request: Request, env: Env): Promise<AccessCheck> {
  const config = accessConfig(env);
  if (!config) return null;
  const token = request.headers.get(ACCESS_HEADER);
  if (!token) return null;
  try {
    const { payload } = await jwtVerify(token, keySet(config.team, env.IDENTITY_ALLOW_HOSTS), {
      issuer: config.team,
      audience: config.aud,
      // Access signs with RS256; no other algorithm is accepted (no "none", no HMAC confusion).
      algorithms: ["RS256"],
      requiredClaims: ["sub", "exp"],
      clockTolerance: 30,
    });
    // Service tokens carry an empty sub: they are machines, not members.
    if (typeof payload.sub !== "string" || !payload.sub) return { ok: false, reason: "the Access token names no person" };
    const email = typeof payload.email === "string" ? payload.email : undefined;
    return { ok: true, identity: { issuer: config.team, subject: payload.sub, provider: "Cloudflare Access", suggestedName: email } };
  } catch (err) {
    if (err instanceof EgressError) return { ok: false, reason: `the Access keys could not be fetched (${err.rule})` };
    // jose's error codes name the failed check (ERR_JWT_EXPIRED, ERR_JWS_SIGNATURE_VERIFICATION_FAILED …), not the token.
    const code = err && typeof err === "object" && "code" in err ? String((err as { code: unknown }).code) : "invalid";
    return { ok: false, reason: `the Access token was refused (${code})` };
  }
}
