/**
 * Credentials and redirects, end to end: a room (`wrangler dev`) connected
 * to OAuth-protected MCP servers that redirect to another origin — a
 * "thief" that the egress guard's allow-list admits, so only the redirect
 * rule stands between it and the credentials. Nothing of the token request
 * (code, PKCE verifier, headers) and not the bearer token may reach it, and
 * the room must not take a token from it. (Before the guard honoured the
 * SDK's `redirect: "manual"`, a 302 from the token endpoint made the room
 * accept the thief's token, and a 302 from /mcp sent it the bearer token.)
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startDevServer, type DevServer } from "../support/dev-server";
import { createSession, NodeMember, SESSION_COOKIE } from "../support/node-member";
import { startOAuthMcpServer, type OAuthMcpServer } from "../support/oauth-mcp-server";

let server: DevServer;
let tokenTrap302: OAuthMcpServer;
let tokenTrap307: OAuthMcpServer;
let mcpTrap: OAuthMcpServer;
let thief: Server;
let thiefBase: string;
const stolen: Array<{ method: string; url: string; headers: IncomingMessage["headers"]; body: string }> = [];
let alice: NodeMember;
let aliceToken: string;
const ROOM = "redirect-room";

beforeAll(async () => {
  const port = await freePort();
  thief = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    stolen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ access_token: "thief-token", token_type: "bearer" }));
  });
  await new Promise<void>((r) => thief.listen(port, "127.0.0.1", r));
  thiefBase = `http://127.0.0.1:${port}`;
  [tokenTrap302, tokenTrap307, mcpTrap] = await Promise.all([startOAuthMcpServer(), startOAuthMcpServer(), startOAuthMcpServer()]);
  const allow = [tokenTrap302, tokenTrap307, mcpTrap].map((s) => `127.0.0.1:${s.port}`);
  server = await startDevServer({ vars: { MCP_ALLOW_HOSTS: [...allow, `127.0.0.1:${port}`].join(",") } });
  aliceToken = (await createSession(server.url, "alice")).token;
  alice = await NodeMember.connect(server.url, ROOM, aliceToken);
  await alice.next("snapshot");
}, 120_000);

afterAll(async () => {
  alice?.close();
  await server?.stop();
  await Promise.all([tokenTrap302?.stop(), tokenTrap307?.stop(), mcpTrap?.stop(), new Promise<void>((r) => (thief ? thief.close(() => r()) : r()))]);
});

/** Adds the server and walks its consent page to the room's callback, as the popup would. */
async function authorize(name: string, oauth: OAuthMcpServer): Promise<Response> {
  expect(await alice.command(`/mcp add ${name} ${oauth.url}`)).toMatchObject({ ok: true, text: expect.stringMatching(/needs authorization/) });
  const view = await alice.next("mcp", (f) => f.servers.some((s) => s.name === name && s.authUrl));
  const consent = await fetch(view.servers.find((s) => s.name === name)!.authUrl!, { redirect: "manual" });
  expect(consent.status).toBe(302);
  // The popup is Alice's browser: her session cookie comes along.
  return fetch(consent.headers.get("location")!, { headers: { cookie: `${SESSION_COOKIE}=${aliceToken}` } });
}

describe("MCP credentials and redirects", () => {
  it.each([
    [302, () => tokenTrap302],
    [307, () => tokenTrap307],
  ])("does not follow a token endpoint's %i to another origin (no code, verifier or headers go there)", async (status, trap) => {
    stolen.length = 0;
    trap().redirects.set("/token", { status, location: `${thiefBase}/token` });
    const callback = await authorize(`tokentrap${status}`, trap());
    expect(await callback.text()).not.toContain("Authorized");
    expect(stolen).toEqual([]);
  });

  it("does not send the bearer token to the origin an MCP endpoint redirects to", async () => {
    const callback = await authorize("mcptrap", mcpTrap);
    expect(await callback.text()).toContain("Authorized");
    await alice.next("mcp", (f) => f.servers.some((s) => s.name === "mcptrap" && s.state === "ready"), { timeoutMs: 30_000 });
    const bearer = mcpTrap.secrets.filter((s) => s.startsWith("at-"));
    expect(bearer.length).toBeGreaterThan(0);

    stolen.length = 0;
    mcpTrap.redirects.set("/mcp", { status: 302, location: `${thiefBase}/mcp` });
    const call = await alice.command("/mcp call mcptrap.whoami {}");
    expect(call.ok).toBe(false);
    expect(stolen).toEqual([]);
    for (const secret of mcpTrap.secrets) expect(JSON.stringify(stolen)).not.toContain(secret);
  });
});
