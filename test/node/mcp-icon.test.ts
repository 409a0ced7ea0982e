/**
 * An outside agent's icon, against real `wrangler dev` and a real icon
 * host: the client registers a `logo_uri`; its posts and its presence
 * carry its client id, and members get the icon from Hearth's own origin —
 * only a raster image, checked by its bytes, never script — while the
 * icon's host hears from Hearth's Worker alone, without anyone's cookie.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server";
import { createSession, NodeMember, SESSION_COOKIE } from "../support/node-member";
import { connectAgent, type ConnectedAgent } from "../support/mcp-agent";
import { sessionHeaders } from "../support/room-client";
import { PNG, startIconServer, type IconServer } from "../support/icon-server";

let server: DevServer;
let icons: IconServer;
let alice: { token: string; id: string };
let bob: { token: string; id: string };
let bobInRoom: NodeMember;
const agents: ConnectedAgent[] = [];
const ROOM = "icons";

async function agentWithLogo(name: string, logo: string): Promise<ConnectedAgent> {
  const agent = await connectAgent(server.url, name, alice.token, { rooms: [ROOM], scopes: ["post"] }, { logoUri: logo });
  agents.push(agent);
  return agent;
}

const iconOf = (app: string, token: string | null = bob.token) =>
  fetch(`${server.url}/api/agent-icon/${app}`, { headers: token ? { cookie: `${SESSION_COOKIE}=${token}` } : {} });

beforeAll(async () => {
  icons = await startIconServer();
  server = await startDevServer({ vars: { MCP_ALLOW_HOSTS: icons.host } });
  alice = await createSession(server.url, "alice");
  bob = await createSession(server.url, "bob");
  const aliceInRoom = await NodeMember.connect(server.url, ROOM, alice.token);
  await aliceInRoom.next("snapshot");
  aliceInRoom.close();
  bobInRoom = await NodeMember.connect(server.url, ROOM, bob.token);
  await bobInRoom.next("snapshot");
}, 90_000);

afterAll(async () => {
  for (const a of agents) await a.close().catch(() => {});
  bobInRoom?.close();
  await server?.stop();
  await icons?.close();
});

describe("an outside agent's icon", () => {
  it("marks the agent's post and presence with its app, and serves its icon from Hearth's origin", async () => {
    const agent = await agentWithLogo("Logo App", `${icons.url}/logo.png`);
    const app = agent.oauth.info!.client_id;
    const posted = await agent.call("post_message", { room: ROOM, text: "with my icon" });
    expect(posted.error, posted.text).toBe(false);
    const frame = await bobInRoom.next("message", (f) => f.message.text === "with my icon");
    expect(frame.message).toMatchObject({ via: "Logo App", viaApp: app });
    const presence = await bobInRoom.next("presence", (f) => f.members.some((m) => m.agents?.some((a) => a.app === app)));
    expect(presence.members.find((m) => m.id === alice.id)?.agents).toEqual([{ name: "Logo App", app, icon: true }]);

    const icon = await iconOf(app);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toBe("image/png");
    expect(icon.headers.get("x-content-type-options")).toBe("nosniff");
    expect(icon.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(Buffer.from(await icon.arrayBuffer()).equals(PNG)).toBe(true);
    // The icon's host was asked by the Worker, with nobody's cookie or token.
    const asked = icons.requests.filter((r) => r.path === "/logo.png");
    expect(asked.length).toBeGreaterThan(0);
    for (const r of asked) {
      expect(r.headers.cookie).toBeUndefined();
      expect(r.headers.authorization).toBeUndefined();
    }
    // Settings → Connected apps names the app too.
    const list = await fetch(`${server.url}/api/account/agents`, { method: "POST", headers: sessionHeaders(server.url, alice.token) });
    const { agents: apps } = (await list.json()) as { agents: Array<{ client: string; app: string; icon: boolean }> };
    expect(apps.find((a) => a.client === "Logo App")).toMatchObject({ app, icon: true });
  });

  it("needs a session, like the rest of the API", async () => {
    const app = agents[0]!.oauth.info!.client_id;
    expect((await iconOf(app, null)).status).toBe(401);
  });

  it("serves no icon whose bytes are not a raster image, none too large, none from a host the guard refuses", async () => {
    const evil = await agentWithLogo("Evil App", `${icons.url}/evil.png`);
    const huge = await agentWithLogo("Huge App", `${icons.url}/huge.png`);
    const inside = await agentWithLogo("Inside App", "http://127.0.0.1:9/logo.png");
    for (const agent of [evil, huge, inside]) {
      const answer = await iconOf(agent.oauth.info!.client_id);
      expect(answer.status).toBe(404);
      expect(answer.headers.get("content-type")).toMatch(/^text\/plain/);
      expect(await answer.text()).not.toContain("<svg");
    }
    // An app that registered no icon: its posts name no app to load an icon for; its id answers 404 anyway.
    const plain = await agentWithLogo("Plain App", "");
    const posted = await plain.call("post_message", { room: ROOM, text: "no icon here" });
    expect(posted.error, posted.text).toBe(false);
    const frame = await bobInRoom.next("message", (f) => f.message.text === "no icon here");
    expect(frame.message.via).toBe("Plain App");
    expect(frame.message.viaApp).toBeUndefined();
    expect((await iconOf(plain.oauth.info!.client_id)).status).toBe(404);
    // An id nobody registered.
    expect((await iconOf("no-such-client")).status).toBe(404);
    // Ids are looked up as ids, nothing more: a path in one is just an unknown client; a slash is not an icon route.
    expect((await iconOf("..%2F..%2Fetc")).status).toBe(404);
    expect((await iconOf("a/b")).status).toBe(405);
  });
});
