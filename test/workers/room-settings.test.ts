/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * Rooms are created, not claimed (issue 14, item 4): a name nobody created
 * is no room; creating one is an explicit act that makes its creator the
 * owner; owners switch a room between public and private and decide whether
 * members may invite. Everything goes through the Worker's fetch and real
 * sockets, as a browser would.
 */
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { LobbyFrame } from "../../shared/lobby";
import { CloseCode } from "../../shared/protocol";
import { api, connect, msgId, ORIGIN, roomName, session, type TestMember } from "./client";

beforeAll(async () => {
  await session("warm-up");
}, 60_000);

async function createPublic(name: string, token: string) {
  return api("/api/rooms", token, { visibility: "public", name });
}

/** Sends a room_settings frame and waits for its result or error. */
async function settings(m: TestMember, change: { visibility?: string; membersMayInvite?: boolean }) {
  const id = msgId();
  m.send({ type: "room_settings", id, ...change });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const done = m.frames.find((f) => (f.type === "command_result" && f.id === id) || (f.type === "error" && f.ref === id));
    if (done) return done;
    if (Date.now() > deadline) throw new Error(`no answer to room_settings; got ${JSON.stringify(m.frames.map((f) => f.type))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function lobbyRooms(): Promise<string[]> {
  const res = await exports.default.fetch(`${ORIGIN}/parties/lobby/main`, { headers: { Upgrade: "websocket", Origin: ORIGIN } });
  const ws = res.webSocket!;
  ws.accept();
  const frame = await new Promise<LobbyFrame>((resolve) =>
    ws.addEventListener("message", (e) => resolve(LobbyFrame.parse(JSON.parse(e.data as string))), { once: true }),
  );
  ws.close();
  return frame.rooms.map((r) => r.name);
}

/** A new public room that alice created and bob joined, both connected and welcomed. */
async function aliceAndBobIn(prefix: string) {
  const room = roomName(prefix);
  const alice = await session("alice");
  const bob = await session("bob");
  const a = await connect(room, alice.token);
  await a.next("welcome");
  const b = await connect(room, bob.token);
  await b.next("welcome");
  return { room, alice, bob, a, b };
}

async function eventually(check: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("public rooms are created, not claimed", () => {
  it("answers a name nobody created with 'no such room', and creates nothing", async () => {
    const room = roomName("nobody");
    const visitor = await session("visitor");
    for (let attempt = 0; attempt < 2; attempt++) {
      const m = await connect(room, visitor.token, { create: false });
      expect(await m.next("error")).toMatchObject({ code: "not_found", message: `No room is called “${room}” yet.` });
      expect((await m.closedWith()).code).toBe(CloseCode.notFound);
    }
    expect(await lobbyRooms()).not.toContain(room);
    // The name is still free: whoever creates it owns it.
    const creator = await session("creator");
    expect((await createPublic(room, creator.token)).status).toBe(201);
    const c = await connect(room, creator.token);
    expect((await c.next("welcome")).self).toMatchObject({ id: creator.id, role: "owner" });
    c.close();
  });

  it("makes the creator the owner; asking for a taken name grants nothing and the asker joins as a member", async () => {
    const room = roomName("made");
    const alice = await session("alice");
    const bob = await session("bob");
    const made = await createPublic(room, alice.token);
    expect(made.status).toBe(201);
    expect(await made.json()).toEqual({ room, visibility: "public", path: `/r/${room}` });
    const taken = await createPublic(room, bob.token);
    expect(taken.status).toBe(409);
    expect(((await taken.json()) as { error: { code: string } }).error.code).toBe("room_exists");
    const b = await connect(room, bob.token, { create: false });
    const welcome = await b.next("welcome");
    expect(welcome.self).toMatchObject({ id: bob.id, role: "member" });
    expect(welcome.room).toEqual({ name: room, visibility: "public", membersMayInvite: false });
    // Listed in the lobby from its creation.
    expect(await lobbyRooms()).toContain(room);
    b.close();
  });

  it("refuses a public room whose name breaks the rules", async () => {
    const alice = await session("alice");
    const res = await createPublic("Not_A_Name", alice.token);
    expect(res.status).toBe(400);
  });
});

describe("owners set the room up", () => {
  it("makes a public room private: members stay, newcomers need an invite, the lobby drops it; and back", async () => {
    const { room, bob, a, b } = await aliceAndBobIn("switch");
    await eventually(async () => (await lobbyRooms()).includes(room), "listed");

    expect(await settings(a, { visibility: "private" })).toMatchObject({ type: "command_result", ok: true });
    // Every member learns of it, and a system message says who did it.
    expect((await b.next("room")).room).toEqual({ name: room, visibility: "private", membersMayInvite: false });
    expect((await b.next("message", (f) => f.message.kind === "system")).message.text).toMatch(/alice made the room private/);
    expect(b.closed).toBeNull();
    await eventually(async () => !(await lobbyRooms()).includes(room), "dropped from the lobby");
    const carol = await session("carol");
    const c = await connect(room, carol.token, { create: false });
    expect(await c.next("error")).toMatchObject({ code: "forbidden", message: expect.stringMatching(/private: ask its owner for an invite/) });
    expect((await c.closedWith()).code).toBe(CloseCode.forbidden);
    // Bob belongs: he comes back in.
    b.close();
    const b2 = await connect(room, bob.token);
    expect((await b2.next("welcome")).self.role).toBe("member");

    expect(await settings(a, { visibility: "public" })).toMatchObject({ ok: true });
    await eventually(async () => (await lobbyRooms()).includes(room), "listed again");
    const c2 = await connect(room, carol.token, { create: false });
    expect((await c2.next("welcome")).self).toMatchObject({ id: carol.id, role: "member" });
    const audit = await a.command("/audit");
    expect(audit.text).toMatch(/alice set_visibility \(public → private\)/);
    expect(audit.text).toMatch(/alice set_visibility \(private → public\)/);
    for (const m of [a, b2, c2]) m.close();
  });

  it("makes a private room public: anyone signed in joins it from its URL", async () => {
    const alice = await session("alice");
    const res = await api("/api/rooms", alice.token, { visibility: "private" });
    const room = ((await res.json()) as { room: string }).room;
    const a = await connect(room, alice.token);
    await a.next("welcome");
    const dave = await session("dave");
    const refused = await connect(room, dave.token);
    expect(await refused.next("error")).toMatchObject({ code: "forbidden" });
    expect(await a.command("/room public")).toMatchObject({ ok: true });
    const d = await connect(room, dave.token);
    expect((await d.next("welcome")).self.role).toBe("member");
    await eventually(async () => (await lobbyRooms()).includes(room), "listed");
    a.close();
    d.close();
  });

  it("lets only owners change settings, and says so without changing anything", async () => {
    const { a, b } = await aliceAndBobIn("only-owners");
    expect(await settings(b, { visibility: "private" })).toMatchObject({ type: "error", code: "forbidden" });
    expect(await settings(b, { membersMayInvite: true })).toMatchObject({ type: "error", code: "forbidden" });
    expect(await b.command("/room private")).toMatchObject({ ok: false, text: expect.stringMatching(/Only the room's owners/) });
    // Nothing changed: the room still says public, and no `room` frame went out.
    expect(await b.command("/room")).toMatchObject({ ok: true, text: "This room is public; only owners can create invite links." });
    expect(a.all("room")).toHaveLength(0);
    // A change to what is already set is refused, not announced.
    expect(await settings(a, { visibility: "public" })).toMatchObject({ type: "error", code: "invalid_frame" });
    // A malformed setting is refused by the protocol.
    b.send({ type: "room_settings", id: "x", visibility: "secret" });
    expect(await b.next("error", (f) => f.code === "invalid_frame" && f.ref !== undefined)).toBeTruthy();
    a.close();
    b.close();
  });

  it("lets members create invite links only when the owners allow it, never above member", async () => {
    const alice = await session("alice");
    const res = await api("/api/rooms", alice.token, { visibility: "private" });
    const room = ((await res.json()) as { room: string }).room;
    const a = await connect(room, alice.token);
    await a.next("welcome");
    const ownerInvite = await api(`/api/rooms/${room}/invites`, alice.token, { role: "member" });
    const bob = await session("bob");
    const b = await connect(room, bob.token, { invite: decodeURIComponent(((await ownerInvite.json()) as { path: string }).path.split("#invite=")[1]!) });
    await b.next("welcome");

    const before = await api(`/api/rooms/${room}/invites`, bob.token, { role: "member" });
    expect(before.status).toBe(403);
    expect(await settings(a, { membersMayInvite: true })).toMatchObject({ ok: true });
    expect((await b.next("room")).room.membersMayInvite).toBe(true);
    const made = await api(`/api/rooms/${room}/invites`, bob.token, { role: "member" });
    expect(made.status).toBe(201);
    const link = (await made.json()) as { path: string; id: string };
    // The owners see who made it.
    const list = await a.next("invites", (f) => f.items.some((i) => i.id === link.id));
    expect(list.items.find((i) => i.id === link.id)!.createdBy.name).toBe("bob");
    // It works for a newcomer.
    const erin = await session("erin");
    const e = await connect(room, erin.token, { invite: decodeURIComponent(link.path.split("#invite=")[1]!) });
    expect((await e.next("welcome")).self.role).toBe("member");
    // An owner's invite is not something anyone can ask for.
    expect((await api(`/api/rooms/${room}/invites`, bob.token, { role: "owner" })).status).toBe(400);
    // Viewers never invite.
    expect(await a.command("/role @erin viewer")).toMatchObject({ ok: true });
    expect((await api(`/api/rooms/${room}/invites`, erin.token, { role: "viewer" })).status).toBe(403);
    // Switched off again: members are refused once more.
    expect(await a.command("/room invites owners")).toMatchObject({ ok: true });
    expect((await api(`/api/rooms/${room}/invites`, bob.token, { role: "member" })).status).toBe(403);
    for (const m of [a, b, e]) m.close();
  });
});
