/**
 * An outside agent following a room live, against real `wrangler dev`: the
 * MCP SDK's v2 client (protocol 2026-07-28) opens `subscriptions/listen` on
 * a room's resources with a token a member granted on the consent page;
 * what members post reaches it as `notifications/resources/updated`, and
 * it reads the change back through the checked resource. The stream stays
 * inside the grant and ends when the member is removed from the room.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, StreamableHTTPClientTransport, type McpSubscription } from "@modelcontextprotocol/client";
import { startDevServer, type DevServer } from "../support/dev-server";
import { createSession, NodeMember } from "../support/node-member";
import { connectAgent, type ConnectedAgent } from "../support/mcp-agent";
import { sessionHeaders } from "../support/room-client";

let server: DevServer;
let alice: { token: string; id: string };
let bobInA: NodeMember;
let aliceInA: NodeMember;
let legacy: ConnectedAgent;
let follower: Client;
const ROOM_A = "follow-a";
const ROOM_B = "follow-b";
const updates: string[] = [];

/** A 2026-07-28 client on the access token the consent page gave Alice's agent. */
async function modernClient(token: string): Promise<Client> {
  const client = new Client({ name: "Follower", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
  client.setNotificationHandler("notifications/resources/updated", (n) => {
    updates.push(n.params.uri);
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

async function updated(uri: string, from: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!updates.slice(from).includes(uri)) {
    if (Date.now() > deadline) throw new Error(`no update for ${uri}; got ${JSON.stringify(updates.slice(from))}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  server = await startDevServer({});
  const bob = await createSession(server.url, "bob");
  alice = await createSession(server.url, "alice");
  // Bob made the room (its owner); Alice is a member, and belongs to room B as well.
  bobInA = await NodeMember.connect(server.url, ROOM_A, bob.token);
  await bobInA.next("snapshot");
  aliceInA = await NodeMember.connect(server.url, ROOM_A, alice.token);
  await aliceInA.next("snapshot");
  const aliceInB = await NodeMember.connect(server.url, ROOM_B, alice.token);
  await aliceInB.next("snapshot");
  aliceInB.close();
  legacy = await connectAgent(server.url, "Follower", alice.token, { rooms: [ROOM_A], scopes: [] });
  follower = await modernClient(legacy.oauth.tokens()!.access_token);
}, 90_000);

afterAll(async () => {
  await follower?.close().catch(() => {});
  await legacy?.close().catch(() => {});
  bobInA?.close();
  aliceInA?.close();
  await server?.stop();
});

describe("following a room over MCP", () => {
  it("announces a new message and a thread reply, which read back through the resources", async () => {
    expect(follower.getServerCapabilities()?.resources?.subscribe).toBe(true);
    const sub = await follower.listen({ resourceSubscriptions: [`hearth://rooms/${ROOM_A}`] });
    expect(sub.honoredFilter.resourceSubscriptions).toEqual([`hearth://rooms/${ROOM_A}`]);

    // While it listens, the agent is in the room's presence beside Alice.
    const presence = await bobInA.next("presence", (f) => f.members.some((m) => m.agents?.some((a) => a.name === "Follower")));
    expect(presence.members.find((m) => m.agents?.some((a) => a.name === "Follower"))?.name).toBe("alice");

    const from = updates.length;
    bobInA.send({ type: "send", id: "follow-live-1", text: "posted while an agent listens" });
    const ack = await bobInA.next("ack", (f) => f.id === "follow-live-1");
    await updated(`hearth://rooms/${ROOM_A}`, from);
    const read = await follower.readResource({ uri: `hearth://rooms/${ROOM_A}` }, { cacheMode: "bypass" });
    const page = JSON.parse((read.contents[0] as { text: string }).text) as { messages: Array<{ seq: number; text: string }> };
    expect(page.messages.at(-1)).toMatchObject({ seq: ack.seq, text: "posted while an agent listens" });

    // A thread: following it names the thread; a reply announces both the thread and the room (its reply count).
    const thread = await follower.listen({ resourceSubscriptions: [`hearth://rooms/${ROOM_A}/threads/${ack.seq}`] });
    const beforeReply = updates.length;
    bobInA.send({ type: "send", id: "follow-live-2", text: "a reply", threadOf: ack.seq });
    await bobInA.next("ack", (f) => f.id === "follow-live-2");
    await updated(`hearth://rooms/${ROOM_A}/threads/${ack.seq}`, beforeReply);
    await updated(`hearth://rooms/${ROOM_A}`, beforeReply);
    // Two subscriptions, one for each: nothing is announced twice.
    expect(updates.slice(beforeReply).filter((u) => u === `hearth://rooms/${ROOM_A}`)).toHaveLength(1);
    await thread.close();
    await sub.close();
  });

  it("follows only rooms the grant covers, one room per subscription", async () => {
    await expect(follower.listen({ resourceSubscriptions: [`hearth://rooms/${ROOM_B}`] })).rejects.toThrow(/not granted the room follow-b/);
    await expect(follower.listen({ resourceSubscriptions: [`hearth://rooms/${ROOM_A}`, `hearth://rooms/${ROOM_B}`] })).rejects.toThrow(/one room/);
    await expect(follower.listen({ resourceSubscriptions: ["file:///etc/passwd"] })).rejects.toThrow(/one room/);
    // The room itself still answers: the refusals changed nothing.
    const sub = await follower.listen({ resourceSubscriptions: [`hearth://rooms/${ROOM_A}`] });
    await sub.close();
  });

  it("holds at most four open subscriptions per member in a room: a fifth ends the oldest", async () => {
    const open: McpSubscription[] = [];
    for (let i = 0; i < 4; i++) open.push(await follower.listen({ resourceSubscriptions: [`hearth://rooms/${ROOM_A}`] }));
    const fifth = await follower.listen({ resourceSubscriptions: [`hearth://rooms/${ROOM_A}`] });
    const oldest = await Promise.race([open[0]!.closed, new Promise((r) => setTimeout(() => r("still open"), 10_000))]);
    expect(oldest).toBe("remote");
    // The four newest still hear the room.
    const from = updates.length;
    bobInA.send({ type: "send", id: "follow-cap", text: "for the four newest" });
    await bobInA.next("ack", (f) => f.id === "follow-cap");
    await updated(`hearth://rooms/${ROOM_A}`, from);
    await Promise.all([...open, fifth].map((s) => s.close()));
  });

  it("ends an app's stream at once when the member revokes its grant in Settings", async () => {
    const app = await connectAgent(server.url, "Revoked App", alice.token, { rooms: [ROOM_A], scopes: [] });
    const client = await modernClient(app.oauth.tokens()!.access_token);
    const sub = await client.listen({ resourceSubscriptions: [`hearth://rooms/${ROOM_A}`] });
    const list = await fetch(`${server.url}/api/account/agents`, { method: "POST", headers: sessionHeaders(server.url, alice.token) });
    const { agents } = (await list.json()) as { agents: Array<{ id: string; client: string }> };
    const grant = agents.find((a) => a.client === "Revoked App")!;
    const revoked = await fetch(`${server.url}/api/account/agents/revoke`, { method: "POST", headers: sessionHeaders(server.url, alice.token), body: JSON.stringify({ id: grant.id }) });
    expect(revoked.status).toBe(200);
    const closed = await Promise.race([sub.closed, new Promise((r) => setTimeout(() => r("still open"), 10_000))]);
    expect(closed).toBe("remote");
    // The other app's grant is untouched.
    const other = await follower.listen({ resourceSubscriptions: [`hearth://rooms/${ROOM_A}`] });
    await other.close();
    await client.close().catch(() => {});
    await app.close().catch(() => {});
  });

  it("tells a 2025-era client nothing it cannot follow", async () => {
    expect(legacy.client.getServerCapabilities()?.resources?.subscribe).toBeFalsy();
  });

  it("ends the stream when the member is removed from the room, and refuses to open another", async () => {
    const sub: McpSubscription = await follower.listen({ resourceSubscriptions: [`hearth://rooms/${ROOM_A}`] });
    bobInA.send({ type: "member_action", id: "remove-alice", action: "remove", member: alice.id });
    await bobInA.next("command_result", (f) => f.id === "remove-alice");
    const closed = await Promise.race([sub.closed, new Promise((r) => setTimeout(() => r("still open"), 10_000))]);
    expect(closed).toBe("remote");
    const from = updates.length;
    bobInA.send({ type: "send", id: "follow-after-removal", text: "not for Alice's agent" });
    await bobInA.next("ack", (f) => f.id === "follow-after-removal");
    await new Promise((r) => setTimeout(r, 300));
    expect(updates.slice(from)).toEqual([]);
    await expect(follower.listen({ resourceSubscriptions: [`hearth://rooms/${ROOM_A}`] })).rejects.toThrow(/not a member/);
  });
});
