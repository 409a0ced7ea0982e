/**
 * Hearth as the OAuth 2.1 authorization server of its own MCP endpoint,
 * with `@cloudflare/workers-oauth-provider`: RFC 9728 / 8414 metadata,
 * dynamic client registration, PKCE, the token endpoint (short-lived access
 * tokens, refresh tokens), bearer validation on `/mcp`. The consent page
 * (`/authorize`) is ours (consent.ts); the tools are tools.ts.
 *
 * Tokens are bound to one resource URL. Deployed, `MCP_RESOURCE` names it
 * (the URL people paste); unset, it is this request's origin + `/mcp`, which
 * is what `wrangler dev` on any port needs. The provider is cheap to build;
 * one per resource is kept per isolate.
 */
import { getOAuthApi, OAuthProvider, type OAuthHelpers, type OAuthProviderOptions } from "@cloudflare/workers-oauth-provider";
import { ACCESS_TOKEN_TTL_S, AGENT_SCOPES } from "./grant";
import { authorizePage } from "./consent";
import { mcpApi } from "./tools";

export const MCP_PATH = "/mcp";
export const AUTHORIZE_PATH = "/authorize";
const TOKEN_PATH = "/oauth/token";
const REGISTER_PATH = "/oauth/register";

/** A grant not refreshed for 30 days expires. */
const REFRESH_IDLE_TTL_S = 30 * 24 * 3600;

/** The paths the provider (or the consent page behind it) answers. */
export function isOAuthPath(path: string): boolean {
  return (
    path === MCP_PATH ||
    path.startsWith(`${MCP_PATH}/`) ||
    path === AUTHORIZE_PATH ||
    path === TOKEN_PATH ||
    path === REGISTER_PATH ||
    path.startsWith("/.well-known/oauth-")
  );
}

/** The one URL a member pastes into their MCP client. */
export function mcpResource(request: Request, env: Cloudflare.Env): string {
  return env.MCP_RESOURCE || `${new URL(request.url).origin}${MCP_PATH}`;
}

function options(resource: string): OAuthProviderOptions<Cloudflare.Env> {
  return {
    apiRoute: MCP_PATH,
    apiHandler: mcpApi,
    defaultHandler: { fetch: (request: Request, env: Cloudflare.Env) => authorizePage(request, env) },
    authorizeEndpoint: AUTHORIZE_PATH,
    tokenEndpoint: TOKEN_PATH,
    clientRegistrationEndpoint: REGISTER_PATH,
    accessTokenTTL: ACCESS_TOKEN_TTL_S,
    refreshTokenTTL: REFRESH_IDLE_TTL_S,
    refreshTokenIdleTTL: REFRESH_IDLE_TTL_S,
    scopesSupported: [...AGENT_SCOPES],
    // A client may name itself by an https URL of its metadata instead of
    // registering; the consent page then shows that URL's domain as the
    // publisher. The provider fetches it under global_fetch_strictly_public.
    clientIdMetadataDocumentEnabled: true,
    // Any access needs "read"; the consent page offers "post" and "remind" too.
    requiredScopes: ["read"],
    resourceMetadata: { resource, authorization_servers: [new URL(resource).origin], resource_name: "Hearth" },
  };
}

const providers = new Map<string, OAuthProvider<Cloudflare.Env>>();
/** Resources kept per isolate (a Host header cannot grow the map without bound). */
const PROVIDERS_KEPT = 8;

function providerFor(resource: string): OAuthProvider<Cloudflare.Env> {
  let provider = providers.get(resource);
  if (!provider) {
    provider = new OAuthProvider(options(resource));
    if (providers.size >= PROVIDERS_KEPT) providers.clear();
    providers.set(resource, provider);
  }
  return provider;
}

export function handleOAuth(request: Request, env: Cloudflare.Env, ctx: ExecutionContext): Promise<Response> {
  return providerFor(mcpResource(request, env)).fetch(request, env, ctx);
}

/** The provider's helpers outside its own routes (the settings API lists and revokes grants with them). */
export function oauthHelpers(request: Request, env: Cloudflare.Env): OAuthHelpers {
  return getOAuthApi(options(mcpResource(request, env)), env);
}
