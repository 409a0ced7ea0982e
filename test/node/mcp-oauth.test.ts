/**
 * The whole OAuth flow of an MCP server in a room, against a real OAuth
 * server built with the MCP SDK's auth helpers: add → needs authorization
 * (consent URL only for the member who added it) → the server restarts
 * (`wrangler dev` killed and started again) → the consent redirect reaches
 * the room's callback → ready → tools work, also after another restart.
 * Every frame both members received is scanned for the tokens issued.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server";
import { createSession, NodeMember, SESSION_COOKIE } from "../support/node-member";
import { startOAuthMcpServer, type OAuthMcpServer } from "../support/oauth-mcp-server";

let server: DevServer;
let oauth: OAuthMcpServer;
const frames: string[] = [];
const ROOM = "oauth-room";

async function connect(name: string, token: string) {
  const m = await NodeMember.connect(server.url, ROOM, token);
  m.ws.on("message", (d) => frames.push(d.toString()));
  await m.next("snapshot");
  return m;
}

beforeAll(async () => {
  oauth = await startOAuthMcpServer();
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await oauth?.stop();
});

const vars = () => ({ MCP_ALLOW_HOSTS: `127.0.0.1:${oauth.port}` });

describe("MCP OAuth", () => {
  it("authorizes through the callback across a restart, and no token ever reaches a member", async () => {
    server = await startDevServer({ vars: vars() });
    const { persistDir, port } = server;
    const aliceSession = await createSession(server.url, "alice");
    const bobSession = await createSession(server.url, "bob");
    let alice = await connect("alice", aliceSession.token);
    let bob = await connect("bob", bobSession.token);

    const added = await alice.command(`/mcp add secure ${oauth.url}`);
    expect(added).toMatchObject({ ok: true, text: expect.stringMatching(/needs authorization/) });
    const forAlice = await alice.next("mcp", (f) => f.servers.some((s) => s.state === "authenticating" && s.authUrl));
    const authUrl = forAlice.servers[0]!.authUrl!;
    expect(new URL(authUrl).origin).toBe(`http://127.0.0.1:${oauth.port}`);
    const forBob = await bob.next("mcp", (f) => f.servers.some((s) => s.state === "authenticating"));
    expect(forBob.servers[0]!.authUrl).toBeNull();

    // The room's process dies while the member is on the consent page.
    alice.close();
    bob.close();
    await server.kill();
    server = await startDevServer({ persistDir, port, vars: vars() });

    // The consent page redirects the popup to the room's callback.
    const consent = await fetch(authUrl, { redirect: "manual" });
    expect(consent.status).toBe(302);
    const callback = consent.headers.get("location")!;
    // The room's callback path carries the Worker's mark for this room.
    const callbackPath = new URL(callback).pathname;
    expect(callbackPath).toMatch(new RegExp(`^/agents/chat-room/${ROOM}/oauth/[A-Za-z0-9_-]{43}/callback$`));
    // Only the member who started the flow completes it: the popup carries
    // their session cookie. Bob finishing Alice's link (or nobody signed in)
    // would make the room act with his account under her name.
    for (const cookie of [undefined, `${SESSION_COOKIE}=${bobSession.token}`]) {
      const foreign = await fetch(callback, { headers: cookie ? { cookie } : {} });
      expect(foreign.status).toBe(400);
      expect(await foreign.text()).toContain("as the member who started this authorization");
    }
    const done = await fetch(callback, { headers: { cookie: `${SESSION_COOKIE}=${aliceSession.token}` } });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("Authorized");

    alice = await connect("alice", aliceSession.token);
    bob = await connect("bob", bobSession.token);
    await bob.next("mcp", (f) => f.servers.some((s) => s.name === "secure" && s.state === "ready"), { timeoutMs: 30_000 });
    // alice's connection, so alice calls (others need her approval); bob sees the card.
    const who = await alice.command("/mcp call secure.whoami {}");
    expect(who.ok).toBe(true);
    const card = await bob.next("message", (f) => f.message.kind === "tool");
    expect(JSON.stringify(card.message.parts[0]!.output)).toMatch(/client client-/);

    // Authorization survives another restart.
    alice.close();
    bob.close();
    await server.stop();
    server = await startDevServer({ persistDir, port, vars: vars() });
    alice = await connect("alice", aliceSession.token);
    await alice.next("mcp", (f) => f.servers.some((s) => s.name === "secure" && s.state === "ready"), { timeoutMs: 30_000 });
    expect((await alice.command('/mcp call secure.shout {"word":"hello"}')).ok).toBe(true);

    // The callback is not an open door: a forged state is refused.
    const forged = await fetch(`${server.url}/agents/chat-room/${ROOM}/callback?code=x&state=forged`);
    expect(forged.status).toBe(404);
    // Nor is the marked path with a made-up state. (A replay of the used
    // state only shows "Authorized" again: the SDK treats it as a reloaded
    // popup of a server that is already authorized and changes nothing.)
    const madeUp = await fetch(`${server.url}${callbackPath}?code=x&state=abc.def`);
    expect(madeUp.status).toBe(404);
    // The mark is for this room only.
    const elsewhere = await fetch(`${server.url}${callbackPath.replace(ROOM, "other-room")}?code=x&state=abc.def`);
    expect(elsewhere.status).toBe(404);

    expect(oauth.secrets.length).toBeGreaterThanOrEqual(2);
    for (const secret of oauth.secrets) {
      expect(frames.some((f) => f.includes(secret))).toBe(false);
    }
    alice.close();
  });
});
