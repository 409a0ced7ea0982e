/**
 * Client ID Metadata Documents, against real `wrangler dev`: an MCP client
 * that goes by the https URL of its metadata instead of registering. The
 * document is served over real TLS on 127.0.0.1 (a certificate made for
 * this run, trusted by workerd through NODE_EXTRA_CA_CERTS); the OAuth
 * provider fetches it, the consent page names its domain as the publisher,
 * and the agent then acts as the member with its own name and icon. A
 * document that names another client id is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startDevServer, type DevServer } from "../support/dev-server";
import { createSession, NodeMember, SESSION_COOKIE } from "../support/node-member";
import { connectAgent, MemoryOAuthClient, openConsent, REDIRECT_URL, type ConnectedAgent } from "../support/mcp-agent";
import { PNG } from "../support/icon-server";

let server: DevServer;
let tls: Server;
let origin: string;
let alice: { token: string; id: string };
let aliceInRoom: NodeMember;
let agent: ConnectedAgent | undefined;
const fetched: string[] = [];
const ROOM = "cimd";

function metadata(clientId: string) {
  return {
    client_id: clientId,
    client_name: "Metadata App",
    redirect_uris: [REDIRECT_URL],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
    logo_uri: `${origin}/logo.png`,
  };
}

beforeAll(async () => {
  // A certificate for 127.0.0.1, made now: nothing secret is committed.
  const dir = mkdtempSync(join(tmpdir(), "hearth-cimd-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  tls = createServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }, (req, res) => {
    fetched.push(req.url ?? "");
    if (req.url === "/client.json") return res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(metadata(`${origin}/client.json`)));
    // A document that claims to be another client.
    if (req.url === "/impostor.json") return res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(metadata(`${origin}/client.json`)));
    if (req.url === "/logo.png") return res.writeHead(200, { "Content-Type": "image/png" }).end(PNG);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => tls.listen(0, "127.0.0.1", resolve));
  origin = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  server = await startDevServer({ env: { NODE_EXTRA_CA_CERTS: join(dir, "cert.pem") }, vars: { MCP_ALLOW_HOSTS: new URL(origin).host } });
  alice = await createSession(server.url, "alice");
  aliceInRoom = await NodeMember.connect(server.url, ROOM, alice.token);
  await aliceInRoom.next("snapshot");
}, 90_000);

afterAll(async () => {
  await agent?.close().catch(() => {});
  aliceInRoom?.close();
  await server?.stop();
  await new Promise((resolve) => tls?.close(resolve));
});

describe("Client ID Metadata Documents", () => {
  it("lets a client go by its metadata URL: the consent page names its domain, and it acts with that name and icon", async () => {
    const meta = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as { client_id_metadata_document_supported?: boolean };
    expect(meta.client_id_metadata_document_supported).toBe(true);

    const clientId = `${origin}/client.json`;
    agent = await connectAgent(server.url, "ignored: the document names it", alice.token, { rooms: [ROOM], scopes: ["post"] }, { metadataUrl: clientId });
    // It never registered: its client id is the URL, and the provider read the document.
    expect(agent.oauth.info!.client_id).toBe(clientId);
    expect(fetched).toContain("/client.json");

    const posted = await agent.call("post_message", { room: ROOM, text: "from a metadata-document client" });
    expect(posted.error, posted.text).toBe(false);
    const frame = await aliceInRoom.next("message", (f) => f.message.text === "from a metadata-document client");
    expect(frame.message).toMatchObject({ via: "Metadata App", viaApp: clientId });
    const icon = await fetch(`${server.url}/api/agent-icon/${encodeURIComponent(clientId)}`, { headers: { cookie: `${SESSION_COOKIE}=${alice.token}` } });
    expect(icon.status).toBe(200);
    expect(Buffer.from(await icon.arrayBuffer()).equals(PNG)).toBe(true);
  });

  it("shows the document's domain on the consent page as its publisher", async () => {
    const oauth = new MemoryOAuthClient("unused", undefined, `${origin}/client.json`);
    await new Client({ name: "probe", version: "1" }).connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { authProvider: oauth })).catch(() => {});
    const page = await openConsent(oauth.authorizationUrl!, alice.token);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/data-testid="client-name">Metadata App</);
    expect(page.html).toMatch(/Published by <b data-testid="client-domain">127\.0\.0\.1</);
    expect(page.html).not.toMatch(/its name is not verified/);
  });

  it("refuses a document that names another client id", async () => {
    const oauth = new MemoryOAuthClient("Impostor", undefined, `${origin}/impostor.json`);
    await new Client({ name: "impostor", version: "1" }).connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { authProvider: oauth })).catch(() => {});
    expect(oauth.authorizationUrl).not.toBeNull();
    const page = await openConsent(oauth.authorizationUrl!, alice.token);
    expect(page.status).not.toBe(200);
    expect(page.html).not.toMatch(/name="handle"/);
  });
});
