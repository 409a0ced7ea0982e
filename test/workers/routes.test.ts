/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * The Worker's front door, tried as an attacker would: every URL shape under
 * /agents/ and /parties/ that is not a member's room socket, the lobby socket
 * or a signed OAuth callback must be refused without waking (and so creating)
 * any Durable Object, and no header or query parameter may steer the SDKs
 * inside a room.
 */
import { listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { connect, msgId, ORIGIN, roomName, session, SESSION_COOKIE, TestMember } from "./client";

/** Names of every ChatRoom / Lobby / LocalSecret object that exists now. */
async function objectIds(ns: DurableObjectNamespace): Promise<string[]> {
  return (await listDurableObjectIds(ns)).map((id) => id.toString());
}

async function upgrade(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(`${ORIGIN}${path}`, { headers: { Upgrade: "websocket", Origin: ORIGIN, ...headers } });
}

/** Opens a socket if the Worker answers with one and returns the frames it got in `ms`. */
async function framesOf(res: Response, ms = 300): Promise<unknown[]> {
  if (!res.webSocket) return [];
  const ws = res.webSocket;
  ws.accept();
  const frames: unknown[] = [];
  ws.addEventListener("message", (e) => frames.push(JSON.parse(e.data as string)));
  await new Promise((r) => setTimeout(r, ms));
  return frames;
}

describe("routes under /agents/ and /parties/", () => {
  it("refuses sub-agent routes: no nested room, no SDK frame, nothing in the lobby", async () => {
    const room = roomName("host");
    const { token } = await session("mallory");
    const host = await connect(room, token);
    await host.next("welcome");
    const before = await objectIds(env.ChatRoom);

    for (const tail of ["/sub/chat-room/Not_A_Valid_Name", "/sub/chat-room/x", "/sub/lobby/main"]) {
      const res = await upgrade(`/agents/chat-room/${room}${tail}`, { Cookie: `${SESSION_COOKIE}=${token}` });
      const frames = await framesOf(res);
      expect(frames.some((f) => (f as { type?: string }).type?.startsWith("cf_agent"))).toBe(false);
      expect(frames.some((f) => (f as { type?: string }).type === "welcome")).toBe(false);
      if (res.status !== 101) expect(res.status).toBe(404);
    }
    // Also plain HTTP to a sub route.
    const http = await exports.default.fetch(`${ORIGIN}/agents/chat-room/${room}/sub/chat-room/x`);
    expect(http.status).toBe(404);
    expect(await objectIds(env.ChatRoom)).toEqual(before);
    host.close();
  });

  it("answers 404 for other namespaces and shapes without creating any object", async () => {
    const before = {
      rooms: await objectIds(env.ChatRoom),
      lobbies: await objectIds(env.Lobby),
      secrets: await objectIds(env.LocalSecret),
    };
    const fresh = roomName("ghost");
    const paths = [
      "/agents/lobby/x/callback",
      "/agents/lobby/main",
      `/agents/chat-room/${fresh}/callback`,
      `/agents/chat-room/${fresh}/callback?state=abc.def&code=x`,
      `/agents/chat-room/${fresh}/oauth/${"A".repeat(43)}/callback?state=abc.def&code=x`,
      "/agents/local-secret/signing-key/callback",
      "/agents/local-secret/signing-key",
      `/agents/chat-room/${fresh}`,
      `/agents/chat-room/${fresh}/anything`,
      "/agents/chat-room/Bad%20Name",
      "/parties/chat-room/main",
      "/parties/local-secret/signing-key",
    ];
    for (const path of paths) {
      const res = await exports.default.fetch(`${ORIGIN}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toMatch(/json/);
      const body = await res.text();
      expect(body, path).not.toMatch(/at \w+ \(|\.ts:\d+|<html/i);
    }
    // WebSocket upgrades to the same places get an answer (not a hang), and no room socket.
    for (const path of paths.filter((p) => !p.startsWith(`/agents/chat-room/${fresh}`) || p.endsWith("/callback"))) {
      const res = await upgrade(path);
      const frames = await framesOf(res, 100);
      expect(frames.some((f) => (f as { type?: string }).type === "welcome"), path).toBe(false);
    }
    expect(await objectIds(env.ChatRoom)).toEqual(before.rooms);
    expect(await objectIds(env.LocalSecret)).toEqual(before.secrets);
    expect((await objectIds(env.Lobby)).length).toBeLessThanOrEqual(Math.max(1, before.lobbies.length));
  });

  it("gives no way into a room through /parties/, even with a forged identity header", async () => {
    const room = roomName("side");
    const res = await upgrade(`/parties/chat-room/${room}`, {
      "x-hearth-identity": JSON.stringify({ id: "m_forged", name: "root" }),
    });
    const frames = await framesOf(res);
    expect(frames.some((f) => (f as { type?: string }).type === "welcome")).toBe(false);
    expect(await objectIds(env.ChatRoom)).not.toContain(env.ChatRoom.idFromName(room).toString());
  });

  it("strips SDK control headers: a member cannot be invisible to presence and still read the room", async () => {
    const room = roomName("seen");
    const alice = await connect(room, (await session("alice")).token);
    await alice.next("welcome");
    const { token } = await session("mallory");
    const res = await upgrade(`/agents/chat-room/${room}`, {
      Cookie: `${SESSION_COOKIE}=${token}`,
      "x-cf-agents-subagent-url": "https://x.invalid/",
      "x-agents-lifecycle-props": "e30",
      "x-partykit-room": "other",
    });
    expect(res.status).toBe(101);
    res.webSocket!.accept();
    const mallory = new TestMember(res.webSocket!);
    // Either she is a normal, visible member, or she gets nothing at all.
    const welcome = await mallory.next("welcome").catch(() => null);
    const text = `secret plan ${msgId()}`;
    alice.send({ type: "send", id: msgId(), text });
    await alice.next("message", (f) => f.message.text === text);
    await alice.settle();
    if (welcome) {
      await alice.next("presence", (f) => f.members.some((m) => m.name === "mallory"));
    } else {
      expect(mallory.frames.some((f) => f.type === "message" || f.type === "draft")).toBe(false);
    }
    mallory.close();
    alice.close();
  });

  it("refuses the SDK's alternative transports, however the parameter is spelled", async () => {
    const room = roomName("transport");
    const { token } = await session("mallory");
    for (const query of ["__agents_transport=capnweb", "%5F%5Fagents_transport=capnweb", "_%5fagents_transport=capnweb", "a=1&__agents_transport=capnweb"]) {
      const res = await upgrade(`/agents/chat-room/${room}?${query}`, { Cookie: `${SESSION_COOKIE}=${token}` });
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("bad_request");
    }
  });

  it("assigns connection ids itself: a client-chosen _pk cannot collide or break the socket", async () => {
    const room = roomName("pk");
    const alice = await connect(room, (await session("alice")).token);
    await alice.next("welcome");
    const { token } = await session("bob");
    // Sockets with one chosen id, and one id longer than the runtime's tag limit.
    const bobs: TestMember[] = [];
    // The last spells the parameter percent-encoded, as partyserver's URL parser decodes it.
    for (const param of ["_pk=same", "_pk=same", `_pk=${"x".repeat(300)}`, "%5Fpk=same"]) {
      const res = await upgrade(`/agents/chat-room/${room}?${param}`, { Cookie: `${SESSION_COOKIE}=${token}` });
      expect(res.status).toBe(101);
      res.webSocket!.accept();
      const bob = new TestMember(res.webSocket!);
      await bob.next("welcome");
      bobs.push(bob);
    }
    // Closing one of them leaves bob present (the others are still open).
    bobs[0]!.close();
    const text = `after ${msgId()}`;
    alice.send({ type: "send", id: msgId(), text });
    for (const bob of bobs.slice(1)) await bob.next("message", (f) => f.message.text === text);
    await new Promise((r) => setTimeout(r, 250));
    const stub = env.ChatRoom.get(env.ChatRoom.idFromName(room));
    const sockets = await runInDurableObject(stub, (_i, state) => state.getWebSockets().map((ws) => state.getTags(ws)[0]));
    expect(new Set(sockets).size).toBe(sockets.length);
    expect(alice.all("presence").at(-1)!.members.some((m) => m.name === "bob")).toBe(true);
    for (const b of bobs) b.close();
    alice.close();
  });
});
