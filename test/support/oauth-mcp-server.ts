/**
 * A local OAuth-protected MCP server for tests, built with the MCP SDK's
 * auth helpers: `mcpAuthRouter` (metadata, dynamic client registration,
 * authorize, token), `requireBearerAuth` on /mcp, and a stateless
 * streamable-HTTP MCP server with one tool, `whoami`. The "consent page"
 * approves at once and redirects with a code; the test follows that
 * redirect to the room's callback like a browser popup would.
 *
 * Every token it issues is recorded, so a test can scan frames for them.
 *
 * It has accounts: the consent page signs in as `?account=<name>` (added to
 * the authorization URL by the test, as a person would pick an account;
 * default "ann"), every token carries that subject, and `whoami` says which
 * subject each call came with — also recorded in `calls`.
 */
import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { mcpAuthRouter, getOAuthProtectedResourceMetadataUrl } from "@modelcontextprotocol/sdk/server/auth/router.js";
import { requireBearerAuth } from "@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js";
import type { AuthorizationParams, OAuthServerProvider } from "@modelcontextprotocol/sdk/server/auth/provider.js";
import type { OAuthRegisteredClientsStore } from "@modelcontextprotocol/sdk/server/auth/clients.js";
import type { OAuthClientInformationFull, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import express from "express";
import { z } from "zod";
import { freePort } from "./dev-server";

export interface OAuthMcpServer {
  url: string;
  port: number;
  /** Every access token, refresh token and client secret handed out. */
  secrets: string[];
  /** POSTs to a path here are answered with a redirect (a server sending its clients elsewhere). */
  redirects: Map<string, { status: number; location: string }>;
  /** Every tool call, with the subject of the token it carried. */
  calls: Array<{ tool: string; subject: string }>;
  stop(): Promise<void>;
}

class MemoryProvider implements OAuthServerProvider {
  readonly clients = new Map<string, OAuthClientInformationFull>();
  readonly codes = new Map<string, { client: OAuthClientInformationFull; params: AuthorizationParams; subject: string }>();
  readonly tokens = new Map<string, AuthInfo>();

  constructor(
    private readonly secrets: string[],
    private readonly resource: URL,
  ) {}

  get clientsStore(): OAuthRegisteredClientsStore {
    return {
      getClient: (id) => this.clients.get(id),
      registerClient: (client) => {
        const full = { ...client, client_id: `client-${randomUUID()}`, client_id_issued_at: Math.floor(Date.now() / 1000) } as OAuthClientInformationFull;
        if (full.client_secret) this.secrets.push(full.client_secret);
        this.clients.set(full.client_id, full);
        return full;
      },
    };
  }

  async authorize(client: OAuthClientInformationFull, params: AuthorizationParams, res: express.Response): Promise<void> {
    const code = randomUUID();
    this.codes.set(code, { client, params, subject: String(res.locals.account ?? "ann") });
    const target = new URL(params.redirectUri);
    target.searchParams.set("code", code);
    if (params.state !== undefined) target.searchParams.set("state", params.state);
    res.redirect(target.href);
  }

  async challengeForAuthorizationCode(_client: OAuthClientInformationFull, code: string): Promise<string> {
    const entry = this.codes.get(code);
    if (!entry) throw new Error("unknown authorization code");
    return entry.params.codeChallenge;
  }

  async exchangeAuthorizationCode(client: OAuthClientInformationFull, code: string): Promise<OAuthTokens> {
    const entry = this.codes.get(code);
    if (!entry || entry.client.client_id !== client.client_id) throw new Error("invalid authorization code");
    this.codes.delete(code);
    return this.issue(client.client_id, entry.subject);
  }

  async exchangeRefreshToken(client: OAuthClientInformationFull, refreshToken: string): Promise<OAuthTokens> {
    return this.issue(client.client_id, this.refreshSubjects.get(refreshToken) ?? "ann");
  }

  private readonly refreshSubjects = new Map<string, string>();

  async verifyAccessToken(token: string): Promise<AuthInfo> {
    const info = this.tokens.get(token);
    if (!info || (info.expiresAt ?? 0) < Date.now() / 1000) throw new Error("invalid or expired token");
    return info;
  }

  private issue(clientId: string, subject: string): OAuthTokens {
    const access = `at-${randomUUID()}`;
    const refresh = `rt-${randomUUID()}`;
    this.secrets.push(access, refresh);
    this.refreshSubjects.set(refresh, subject);
    this.tokens.set(access, {
      token: access, clientId, scopes: ["mcp"], expiresAt: Math.floor(Date.now() / 1000) + 3600, resource: this.resource, extra: { subject },
    });
    return { access_token: access, token_type: "bearer", expires_in: 3600, refresh_token: refresh, scope: "mcp" };
  }
}

export async function startOAuthMcpServer(): Promise<OAuthMcpServer> {
  const port = await freePort();
  const base = new URL(`http://127.0.0.1:${port}`);
  const mcpUrl = new URL("/mcp", base);
  const secrets: string[] = [];
  const provider = new MemoryProvider(secrets, mcpUrl);

  const redirects = new Map<string, { status: number; location: string }>();
  const calls: OAuthMcpServer["calls"] = [];
  const app = express();
  // The account the person signs in with on the consent page.
  app.use("/authorize", (req, res, next) => {
    const account = typeof req.query.account === "string" ? req.query.account : typeof req.body?.account === "string" ? req.body.account : undefined;
    if (account) res.locals.account = account;
    next();
  });
  app.use((req, res, next) => {
    const to = req.method === "POST" ? redirects.get(req.path) : undefined;
    if (to) res.redirect(to.status, to.location);
    else next();
  });
  app.use(express.json());
  app.use(mcpAuthRouter({ provider, issuerUrl: base, resourceServerUrl: mcpUrl, scopesSupported: ["mcp"] }));
  const auth = requireBearerAuth({ verifier: provider, resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl) });

  app.post("/mcp", auth, async (req, res) => {
    // Stateless: a fresh server and transport per request.
    const server = new McpServer({ name: "oauth-test", version: "1.0.0" });
    const subjectOf = (extra: { authInfo?: AuthInfo }) => String(extra.authInfo?.extra?.subject ?? "nobody");
    server.registerTool(
      "whoami",
      { description: "Says which OAuth client and account are calling", inputSchema: {}, annotations: { readOnlyHint: true } },
      async (_args, extra) => {
        calls.push({ tool: "whoami", subject: subjectOf(extra) });
        return { content: [{ type: "text", text: `client ${extra.authInfo?.clientId ?? "anonymous"} subject ${subjectOf(extra)}` }] };
      },
    );
    server.registerTool(
      "plate",
      { description: "What is on the caller's plate", inputSchema: {}, annotations: { readOnlyHint: true } },
      async (_args, extra) => {
        calls.push({ tool: "plate", subject: subjectOf(extra) });
        return { content: [{ type: "text", text: `plate of ${subjectOf(extra)}: review PR 7` }] };
      },
    );
    server.registerTool(
      "shout",
      { description: "Upper-cases a word", inputSchema: { word: z.string() }, annotations: { readOnlyHint: true } },
      async ({ word }) => ({ content: [{ type: "text", text: word.toUpperCase() }] }),
    );
    // A prompt whose argument the server completes, filled in for the caller's account.
    server.registerPrompt(
      "agenda",
      {
        description: "The caller's agenda on a topic",
        argsSchema: { topic: completable(z.string(), (value) => ["reviews", "releases", "retro"].filter((t) => t.startsWith(value))) },
      },
      ({ topic }, extra) => ({ messages: [{ role: "user", content: { type: "text", text: `List ${subjectOf(extra)}'s open ${topic}.` } }] }),
    );
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });

  const httpServer: Server = await new Promise((resolve) => {
    const s = app.listen(port, "127.0.0.1", () => resolve(s));
  });
  return {
    url: mcpUrl.href,
    port,
    secrets,
    redirects,
    calls,
    stop: () => new Promise<void>((r) => httpServer.close(() => r())),
  };
}
