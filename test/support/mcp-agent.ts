/**
 * An outside agent connecting to Hearth's MCP endpoint, for process tests:
 * the MCP SDK's own Client and StreamableHTTPClientTransport with an
 * in-memory OAuthClientProvider (discovery, dynamic registration and PKCE
 * are the SDK's), and a member's browser on the consent page played by
 * fetch with their session cookie (GET the page, POST the form, follow the
 * redirect to the client's redirect URI to read the code).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError, type OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import { SESSION_COOKIE } from "./room-client";

/** Nothing listens here: the test reads the code from the consent page's redirect instead. */
export const REDIRECT_URL = "http://127.0.0.1:59999/callback";

/** How a test client presents itself beyond its name: an icon, or a Client ID Metadata Document instead of registering. */
export interface ClientExtras {
  logoUri?: string;
  /** An https URL whose JSON is the client's metadata; the SDK uses it as the client_id when the server supports it. */
  metadataUrl?: string;
}

export class MemoryOAuthClient implements OAuthClientProvider {
  info: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = "";
  /** Where the SDK sent the member to authorize (set when a connect needed authorization). */
  authorizationUrl: URL | null = null;

  /** `logoUri`: the icon the client registers with (RFC 7591 `logo_uri`); `clientMetadataUrl`: its metadata document. */
  constructor(
    readonly clientName: string,
    readonly logoUri?: string,
    readonly clientMetadataUrl?: string,
  ) {}

  get redirectUrl(): string {
    return REDIRECT_URL;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.clientName,
      redirect_uris: [REDIRECT_URL],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
      ...(this.logoUri ? { logo_uri: this.logoUri } : {}),
    };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}

export interface ConsentChoice {
  /** "all", or these room names. */
  rooms: "all" | string[];
  /** Beyond "read", which is always granted. */
  scopes: Array<"post" | "remind" | "scripts">;
  decision?: "approve" | "deny";
}

/** The consent page as a member's browser gets it: its HTML, the form's fields and the cookies it set. */
export async function openConsent(authorizationUrl: URL, sessionToken: string) {
  const res = await fetch(authorizationUrl, { headers: { Cookie: `${SESSION_COOKIE}=${sessionToken}` }, redirect: "manual" });
  const html = await res.text();
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? "";
  const cookies = res.headers.getSetCookie().map((c) => c.split(";")[0]!);
  return { status: res.status, headers: res.headers, html, handle: field("handle"), csrf: field("csrf"), cookies };
}

/** Submits the consent form; resolves with the response (a 302 to the client on success). */
export async function submitConsent(
  origin: string,
  page: { handle: string; csrf: string; cookies: string[] },
  sessionToken: string,
  choice: ConsentChoice,
  headers: Record<string, string> = { Origin: origin },
): Promise<Response> {
  const form = new URLSearchParams({ handle: page.handle, csrf: page.csrf, decision: choice.decision ?? "approve", rooms: choice.rooms === "all" ? "all" : "chosen" });
  for (const scope of choice.scopes) form.append("scope", scope);
  if (choice.rooms !== "all") for (const room of choice.rooms) form.append("room", room);
  return fetch(`${origin}/authorize`, {
    method: "POST",
    body: form,
    redirect: "manual",
    headers: { ...headers, "Content-Type": "application/x-www-form-urlencoded", Cookie: [`${SESSION_COOKIE}=${sessionToken}`, ...page.cookies].join("; ") },
  });
}

export interface ConnectedAgent {
  client: Client;
  oauth: MemoryOAuthClient;
  /** Calls a tool; `text` is its first content item, `error` its isError flag. */
  call(name: string, args: Record<string, unknown>): Promise<{ error: boolean; text: string; json: unknown }>;
  close(): Promise<void>;
}

/**
 * The whole flow: connect (401 → discovery → registration → authorization
 * URL), the member approves on the consent page, the code is exchanged
 * (PKCE), and a second connect succeeds with the token.
 */
export async function connectAgent(origin: string, clientName: string, sessionToken: string, choice: ConsentChoice, extras: ClientExtras = {}): Promise<ConnectedAgent> {
  const oauth = new MemoryOAuthClient(clientName, extras.logoUri, extras.metadataUrl);
  const endpoint = new URL(`${origin}/mcp`);
  const first = new StreamableHTTPClientTransport(endpoint, { authProvider: oauth });
  await new Client({ name: clientName, version: "1.0.0" }).connect(first).then(
    () => {
      throw new Error("connected without authorization");
    },
    (err: unknown) => {
      if (!(err instanceof UnauthorizedError)) throw err;
    },
  );
  if (!oauth.authorizationUrl) throw new Error("the SDK never asked for authorization");
  const page = await openConsent(oauth.authorizationUrl, sessionToken);
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}: ${page.html.slice(0, 300)}`);
  const decided = await submitConsent(origin, page, sessionToken, choice);
  const location = decided.headers.get("Location");
  if (decided.status !== 302 || !location) throw new Error(`consent answered ${decided.status}: ${(await decided.text()).slice(0, 300)}`);
  const code = new URL(location).searchParams.get("code");
  if (!code) throw new Error(`no code in the redirect: ${location}`);
  await first.finishAuth(code);
  await first.close();
  return open(endpoint, clientName, oauth);
}

/** A client session on tokens the provider holds already. */
export async function open(endpoint: URL, clientName: string, oauth: MemoryOAuthClient): Promise<ConnectedAgent> {
  const client = new Client({ name: clientName, version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(endpoint, { authProvider: oauth }));
  return {
    client,
    oauth,
    async call(name, args) {
      const result = await client.callTool({ name, arguments: args });
      const content = result.content as Array<{ type: string; text?: string }>;
      const text = content[0]?.text ?? "";
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        /* an error's plain text */
      }
      return { error: result.isError === true, text, json };
    },
    close: () => client.close(),
  };
}
