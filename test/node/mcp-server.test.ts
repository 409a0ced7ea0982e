/**
 * Hearth as an MCP server, against real `wrangler dev`: the MCP SDK's
 * client does the whole OAuth flow (discovery, dynamic registration, PKCE,
 * the consent page as a signed-in member, token exchange), then acts in a
 * room as that member — live for the room's other members, marked "via" the
 * client, within the member's rights, until the grant is revoked.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startDevServer, type DevServer } from "../support/dev-server";
import { createSession, NodeMember, SESSION_COOKIE } from "../support/node-member";
import { sessionHeaders } from "../support/room-client";
import { connectAgent, openConsent, submitConsent, MemoryOAuthClient, type ConnectedAgent } from "../support/mcp-agent";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";

let server: DevServer;
let alice: { token: string; id: string };
let carol: { token: string; id: string };
let aliceInA: NodeMember;
let bobInA: NodeMember;
let agent: ConnectedAgent;
const ROOM_A = "agents-a";
const ROOM_B = "agents-b";
const CLIENT = "Test Agent";

beforeAll(async () => {
  // A burst of 12 and a slow refill, so that the rate-limit case needs few calls.
  // MCP_ALLOW_HOSTS: a room of this Hearth may connect to this Hearth's own endpoint (the dogfood case).
  const port = await freePort();
  server = await startDevServer({ port, vars: { RATE_LIMIT_BURST: "12", RATE_LIMIT_PER_SECOND: "0.1", MCP_ALLOW_HOSTS: `127.0.0.1:${port}` } });
  alice = await createSession(server.url, "alice");
  const bob = await createSession(server.url, "bob");
  carol = await createSession(server.url, "carol");
  aliceInA = await NodeMember.connect(server.url, ROOM_A, alice.token);
  await aliceInA.next("snapshot");
  const aliceInB = await NodeMember.connect(server.url, ROOM_B, alice.token);
  await aliceInB.next("snapshot");
  aliceInB.close();
  bobInA = await NodeMember.connect(server.url, ROOM_A, bob.token);
  await bobInA.next("snapshot");
  const carolInA = await NodeMember.connect(server.url, ROOM_A, carol.token);
  await carolInA.next("snapshot");
  carolInA.close();
  // Carol reads room A but may not post there.
  aliceInA.send({ type: "member_action", id: "make-viewer", action: "set_role", member: carol.id, role: "viewer" });
  await aliceInA.next("command_result", (f) => f.id === "make-viewer");
}, 90_000);

afterAll(async () => {
  await agent?.close().catch(() => {});
  aliceInA?.close();
  bobInA?.close();
  await server?.stop();
});

describe("Hearth's MCP endpoint", () => {
  it("authorizes an MCP client for one room; its post reaches the room live as the member, via the client, and reads back", async () => {
    agent = await connectAgent(server.url, CLIENT, alice.token, { rooms: [ROOM_A], scopes: ["post"] });
    const { tools } = await agent.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        "cancel_reminder", "create_reminder", "list_members", "list_reminders", "list_rooms", "list_scripts",
        "post_message", "react", "read_messages", "run_script", "search_messages",
      ].sort(),
    );

    const rooms = await agent.call("list_rooms", {});
    expect(rooms.error).toBe(false);
    expect(rooms.json).toEqual({ rooms: [expect.objectContaining({ room: ROOM_A, role: "owner" })] });

    const posted = await agent.call("post_message", { room: ROOM_A, text: "hello from my agent" });
    expect(posted.error, posted.text).toBe(false);
    const live = await bobInA.next("message", (f) => f.message.text === "hello from my agent");
    expect(live.message).toMatchObject({ author: { id: alice.id, name: "alice" }, via: CLIENT, kind: "user" });

    const read = await agent.call("read_messages", { room: ROOM_A });
    const messages = (read.json as { messages: Array<{ text: string; via?: string; author: string }> }).messages;
    expect(messages.at(-1)).toMatchObject({ text: "hello from my agent", via: CLIENT, author: "alice" });

    // A thread reply goes through the same path.
    const parent = (posted.json as { message: { seq: number } }).message.seq;
    const reply = await agent.call("post_message", { room: ROOM_A, text: "in the thread", thread: parent });
    expect(reply.error, reply.text).toBe(false);
    const thread = await agent.call("read_messages", { room: ROOM_A, thread: parent });
    expect((thread.json as { messages: Array<{ text: string }> }).messages.map((m) => m.text)).toEqual(["in the thread"]);
  });

  it("a token granted for room A cannot read or post room B", async () => {
    const read = await agent.call("read_messages", { room: ROOM_B });
    expect(read).toMatchObject({ error: true, text: expect.stringContaining(`not granted the room ${ROOM_B}`) });
    const post = await agent.call("post_message", { room: ROOM_B, text: "should not land" });
    expect(post.error).toBe(true);
    // Alice owns room B, so only the grant stood in the way: nothing was stored there.
    const b = await NodeMember.connect(server.url, ROOM_B, alice.token);
    const snapshot = await b.next("snapshot");
    expect(snapshot.messages.map((m) => m.text)).not.toContain("should not land");
    b.close();
  });

  it("answers bad input with a clear tool error", async () => {
    const badName = await agent.call("read_messages", { room: "Not A Room!" });
    expect(badName).toMatchObject({ error: true, text: expect.stringContaining("is not a room name") });
    const malformed = await agent.call("read_messages", { room: ROOM_A, limit: "lots" });
    expect(malformed.error).toBe(true);
    expect(malformed.text).toMatch(/limit/);
    const empty = await agent.call("post_message", { room: ROOM_A, text: "   " });
    expect(empty).toMatchObject({ error: true, text: expect.stringContaining("cannot be empty") });
    // Scopes the member did not grant are refused in the room.
    const remind = await agent.call("create_reminder", { room: ROOM_A, who: "me", what: "stretch", when: "in 10 minutes" });
    expect(remind).toMatchObject({ error: true, text: expect.stringContaining('"remind" scope') });
  });

  it("a viewer's grant reads but never posts; an unknown room is not found", async () => {
    const viewer = await connectAgent(server.url, "Viewer Agent", carol.token, { rooms: "all", scopes: ["post", "remind"] });
    try {
      const read = await viewer.call("read_messages", { room: ROOM_A });
      expect(read.error, read.text).toBe(false);
      const post = await viewer.call("post_message", { room: ROOM_A, text: "a viewer posting" });
      expect(post).toMatchObject({ error: true, text: expect.stringContaining("read_only: Viewers can read but not post") });
      const react = await viewer.call("react", { room: ROOM_A, seq: 1, emoji: "👍" });
      expect(react).toMatchObject({ error: true, text: expect.stringContaining("read_only") });
      const unknown = await viewer.call("read_messages", { room: "no-such-room-here" });
      expect(unknown).toMatchObject({ error: true, text: expect.stringContaining("not_found") });
      // Carol is not in room B: "all of my rooms" does not reach it.
      const notMine = await viewer.call("read_messages", { room: ROOM_B });
      expect(notMine).toMatchObject({ error: true, text: expect.stringContaining("not_found") });
    } finally {
      await viewer.close();
    }
  });

  it("the consent form is refused without the page's CSRF value, from another origin, or for another member", async () => {
    const oauth = new MemoryOAuthClient("Forger");
    await new Client({ name: "forger", version: "1" }).connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { authProvider: oauth })).catch(() => {});
    const page = await openConsent(oauth.authorizationUrl!, alice.token);
    expect(page.status).toBe(200);
    expect(page.html).toContain("Forger");
    expect(page.headers.get("X-Frame-Options") ?? page.headers.get("Content-Security-Policy")).toBeTruthy();
    const choice = { rooms: "all" as const, scopes: [] };
    const noCsrf = await submitConsent(server.url, { ...page, csrf: "" }, alice.token, choice);
    expect(noCsrf.status).toBe(403);
    const crossSite = await submitConsent(server.url, page, alice.token, choice, { Origin: "https://evil.example" });
    expect(crossSite.status).toBe(403);
    // Carol's session with Alice's page: the CSRF value is bound to the member who saw it.
    const otherMember = await submitConsent(server.url, page, carol.token, choice);
    expect(otherMember.status).toBe(403);
    // A room the member does not belong to cannot be granted.
    const notHers = await openConsent(oauth.authorizationUrl!, carol.token);
    const refused = await submitConsent(server.url, notHers, carol.token, { rooms: [ROOM_B], scopes: [] });
    expect(refused.status).toBe(400);
  });

  it("offers the granted rooms as resources and a prompt to summarise since the last visit", async () => {
    const { resources } = await agent.client.listResources();
    expect(resources.map((r) => r.uri)).toEqual([`hearth://rooms/${ROOM_A}`]);
    const read = await agent.client.readResource({ uri: `hearth://rooms/${ROOM_A}` });
    expect((read.contents[0] as { text: string }).text).toContain("hello from my agent");
    const other = await agent.client.readResource({ uri: `hearth://rooms/${ROOM_B}` });
    expect((other.contents[0] as { text: string }).text).toContain("not granted");
    const prompt = await agent.client.getPrompt({ name: "summarise_since_last_visit", arguments: { room: ROOM_A } });
    const text = (prompt.messages[0]!.content as { text: string }).text;
    expect(text).toContain("Summarise");
    expect(text).toContain("hello from my agent");
  });

  it("a Hearth room connects to Hearth's own endpoint with /mcp add, through the same consent page", async () => {
    const home = await NodeMember.connect(server.url, "agents-home", alice.token);
    await home.next("snapshot");
    try {
      const added = await home.command(`/mcp add hearth ${server.url}/mcp`);
      expect(added).toMatchObject({ ok: true, text: expect.stringMatching(/needs authorization/) });
      const pending = await home.next("mcp", (f) => f.servers.some((s) => s.name === "hearth" && s.authUrl));
      const authUrl = new URL(pending.servers.find((s) => s.name === "hearth")!.authUrl!);
      expect(authUrl.origin + authUrl.pathname).toBe(`${server.url}/authorize`);
      const page = await openConsent(authUrl, alice.token);
      expect(page.status).toBe(200);
      const decided = await submitConsent(server.url, page, alice.token, { rooms: [ROOM_A], scopes: ["post"] });
      expect(decided.status).toBe(302);
      const callback = decided.headers.get("Location")!;
      expect(new URL(callback).pathname).toMatch(/^\/agents\/chat-room\/agents-home\/oauth\/[A-Za-z0-9_-]+\/callback$/);
      // The popup is Alice's browser: only her session completes the room's flow (mcp/callbackGuard.ts).
      expect((await fetch(callback, { headers: { cookie: `${SESSION_COOKIE}=${alice.token}` } })).status).toBe(200);
      await home.next("mcp", (f) => f.servers.some((s) => s.name === "hearth" && s.state === "ready"), { timeoutMs: 30_000 });
      const rooms = await home.command("/mcp call hearth.list_rooms {}");
      expect(rooms.ok, rooms.text).toBe(true);
      const posted = await home.command(`/mcp call hearth.post_message ${JSON.stringify({ room: ROOM_A, text: "from the home room" })}`);
      expect(posted.ok, posted.text).toBe(true);
      const live = await bobInA.next("message", (f) => f.message.text === "from the home room");
      expect(live.message.author.id).toBe(alice.id);
      // The agents SDK registers the room by its name: the post says "via agents-home".
      expect(live.message.via).toBe("agents-home");
    } finally {
      home.close();
    }
  });

  it("the member's rate limit applies to their agent", async () => {
    let limited: { error: boolean; text: string } | null = null;
    for (let i = 0; i < 30 && !limited; i++) {
      const r = await agent.call("read_messages", { room: ROOM_A, limit: 1 });
      if (r.error) limited = r;
    }
    expect(limited).toMatchObject({ error: true, text: expect.stringContaining("rate_limited") });
  });

  it("lists the grant in the member's settings; revoking it stops the next call", async () => {
    const list = await fetch(`${server.url}/api/account/agents`, { method: "POST", headers: sessionHeaders(server.url, alice.token) });
    expect(list.status).toBe(200);
    const { agents, mcpUrl } = (await list.json()) as { agents: Array<{ id: string; client: string; rooms: unknown; scopes: string[] }>; mcpUrl: string };
    expect(mcpUrl).toBe(`${server.url}/mcp`);
    const mine = agents.find((a) => a.client === CLIENT)!;
    expect(mine).toMatchObject({ rooms: [ROOM_A], scopes: expect.arrayContaining(["read", "post"]) });
    // Carol cannot revoke Alice's grant.
    const foreign = await fetch(`${server.url}/api/account/agents/revoke`, { method: "POST", headers: sessionHeaders(server.url, carol.token), body: JSON.stringify({ id: mine.id }) });
    expect(foreign.status).toBe(404);

    const token = agent.oauth.tokens()!.access_token;
    const revoked = await fetch(`${server.url}/api/account/agents/revoke`, { method: "POST", headers: sessionHeaders(server.url, alice.token), body: JSON.stringify({ id: mine.id }) });
    expect(revoked.status).toBe(200);
    const after = await fetch(`${server.url}/mcp`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(after.status).toBe(401);
    const refresh = await fetch(`${server.url}/oauth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: agent.oauth.tokens()!.refresh_token!, client_id: agent.oauth.info!.client_id }),
    });
    expect(refresh.status).toBe(400);
    // No token ever reached the server's log.
    expect(server.output()).not.toContain(token);
  });
});
