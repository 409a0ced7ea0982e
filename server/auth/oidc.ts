/**
 * Sign-in with an OpenID Connect provider (Google, Okta, Keycloak,
 * Cloudflare Access as an IdP …), with `openid-client` (fetch + WebCrypto,
 * so it runs in the Worker).
 *
 * Authorization code flow with PKCE, state and nonce; the three live only
 * in a short-lived signed HttpOnly cookie (tokens.ts `OidcFlowClaims`), so
 * the callback works on whichever isolate it lands and only the browser
 * that started the flow can finish it. The ID token's issuer, audience,
 * nonce and signature are checked by openid-client; its (iss, sub) is the
 * identity (accounts/identity.ts). The provider's tokens are used for that
 * and dropped: never stored, logged, or sent to the browser.
 *
 * Every request to the provider (discovery, keys, token endpoint) goes
 * through the egress guard; IDENTITY_ALLOW_HOSTS is the only exception,
 * and the only case in which plain http is accepted (a local test provider).
 */
import * as client from "openid-client";
import { ConfigError } from "../config";
import { checkEgress, guardedFetch, parseAllowHosts } from "../egress";

/** The Worker's bindings (server/env.ts), by their global name: env.ts names every class, so no module imports it. */
type Env = Cloudflare.Env;

export interface OidcConfig {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  /** The button's label. */
  name: string;
  allowHosts: string[];
}

/** OIDC settings, or null when no provider is configured. */
export function oidcConfig(env: Env): OidcConfig | null {
  const issuer = env.OIDC_ISSUER?.trim();
  const clientId = env.OIDC_CLIENT_ID?.trim();
  const clientSecret = env.OIDC_CLIENT_SECRET?.trim();
  if (!issuer && !clientId && !clientSecret) return null;
  // Never the secret's value in the message.
  if (!issuer || !clientId || !clientSecret) {
    throw new ConfigError("The server is misconfigured: OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together (set all three or none).");
  }
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ConfigError("The server is misconfigured: OIDC_ISSUER must be the provider's issuer URL, e.g. https://accounts.google.com.");
  }
  const allowHosts = parseAllowHosts(env.IDENTITY_ALLOW_HOSTS);
  const egress = checkEgress(url.href, allowHosts);
  if (!egress.ok) throw new ConfigError(`The server is misconfigured: OIDC_ISSUER is ${egress.message}.`);
  return { issuer: url, clientId, clientSecret, name: env.OIDC_NAME?.trim() || url.hostname, allowHosts };
}

// Discovery results per issuer and client, kept for the isolate's life
// (a failed discovery is not kept, so a provider that was down is retried).
const configs = new Map<string, Promise<client.Configuration>>();

export function providerConfiguration(config: OidcConfig): Promise<client.Configuration> {
  const key = `${config.issuer.href} ${config.clientId} ${config.allowHosts.join(",")}`;
  let found = configs.get(key);
  if (!found) {
    const fetchGuarded = guardedFetch(config.allowHosts);
    found = client
      .discovery(config.issuer, config.clientId, config.clientSecret, client.ClientSecretPost(config.clientSecret), {
        [client.customFetch]: (url, options) => fetchGuarded(url, options as RequestInit),
        // Plain http only for an issuer the operator allowed as local (tests, development).
        execute: config.issuer.protocol === "http:" ? [client.allowInsecureRequests] : [],
      })
      .catch((err: unknown) => {
        configs.delete(key);
        throw err;
      });
    configs.set(key, found);
  }
  return found;
}

export interface StartedFlow {
  authorizationUrl: URL;
  state: string;
  nonce: string;
  verifier: string;
}

export async function startFlow(config: OidcConfig, redirectUri: string): Promise<StartedFlow> {
  const configuration = await providerConfiguration(config);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authorizationUrl = client.buildAuthorizationUrl(configuration, {
    redirect_uri: redirectUri,
    scope: "openid email profile",
    response_type: "code",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  return { authorizationUrl, state, nonce, verifier };
}

export type FinishedFlow = { ok: true; issuer: string; subject: string; suggestedName?: string } | { ok: false; reason: string };

/**
 * Redeems the code in `callbackUrl` (with the verifier) and checks the ID
 * token. The reason on failure names the check (an error code), never a
 * token or code.
 */
export async function finishFlow(
  config: OidcConfig,
  callbackUrl: URL,
  flow: { state: string; nonce: string; verifier: string },
): Promise<FinishedFlow> {
  try {
    const configuration = await providerConfiguration(config);
    const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims?.sub) return { ok: false, reason: "the provider named no person" };
    let suggested = nameFrom(claims);
    if (!suggested) {
      // Many providers put profile claims only in UserInfo, not the ID token.
      // Only for a starting name: a failure here signs in all the same.
      suggested = await client
        .fetchUserInfo(configuration, tokens.access_token, claims.sub)
        .then((info) => nameFrom(info))
        .catch(() => undefined);
    }
    return { ok: true, issuer: claims.iss, subject: claims.sub, suggestedName: suggested };
  } catch (err) {
    const code = err && typeof err === "object" && "code" in err ? String((err as { code: unknown }).code) : "";
    const oauthError = err && typeof err === "object" && "error" in err ? String((err as { error: unknown }).error) : "";
    return { ok: false, reason: `the provider's answer was refused (${[code, oauthError].filter(Boolean).join(", ") || "invalid"})` };
  }
}

function nameFrom(claims: Record<string, unknown>): string | undefined {
  return [claims.preferred_username, claims.given_name, claims.name, claims.email].find((v): v is string => typeof v === "string" && v.trim() !== "");
}
