/// <reference types="@cloudflare/vitest-plugin/types" />
import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { getAgentByName } from "agents";
import { describe, expect, it } from "vitest";
import { CloseCode } from "../../shared/protocol";
import { api, connect, InviteRefused, msgId, ORIGIN, roomName, session, SESSION_COOKIE, TestMember, UpgradeRefused } from "./client";

async function memberRows(room: string) {
  const stub = await getAgentByName(env.ChatRoom, room);
  return runInDurableObject(stub, (instance, state) => {
    void instance.members; // creates the table in a room nobody entered
    return state.storage.sql
      .exec<{ name: string; role: string }>("SELECT name, role FROM members ORDER BY joined_at, name")
      .toArray();
  });
}

async function createPrivateRoom(ownerToken: string): Promise<string> {
  const res = await api("/api/rooms", ownerToken, { visibility: "private" });
  expect(res.status).toBe(201);
  return ((await res.json()) as { room: string }).room;
}

async function invite(room: string, token: string, role: "member" | "viewer"): Promise<Response> {
  return api(`/api/rooms/${room}/invites`, token, { role });
}

async function inviteToken(room: string, ownerToken: string, role: "member" | "viewer"): Promise<string> {
  const res = await invite(room, ownerToken, role);
  expect(res.status).toBe(201);
  const { path } = (await res.json()) as { path: string };
  return decodeURIComponent(path.split("#invite=")[1]!);
}

describe("identity and access", () => {
  it("refuses a socket without a valid session token, with a reason, before the room sees it", async () => {
    const room = roomName();
    const none = await connect(room, null);
    expect(await none.next("error")).toMatchObject({ code: "unauthorized" });
    expect((await none.closedWith()).code).toBe(CloseCode.unauthorized);

    const { token } = await session("alice");
    // Flip a character inside the signature (the last one may only hold padding bits).
    const at = token.length - 10;
    const forged = token.slice(0, at) + (token[at] === "A" ? "B" : "A") + token.slice(at + 1);
    const bad = await connect(room, forged);
    expect((await bad.next("error")).message).toMatch(/signature/);
    expect((await bad.closedWith()).code).toBe(CloseCode.unauthorized);
    expect(await memberRows(room)).toEqual([]);
  });

  it("refuses a socket from a foreign Origin", async () => {
    const { token } = await session("alice");
    const err = await connect(roomName(), token, { origin: "https://evil.example" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpgradeRefused);
    expect((err as UpgradeRefused).status).toBe(403);
  });

  it("ignores an identity header a client forges", async () => {
    // A valid session for mallory, plus a header claiming to be someone else
    // with an owner's invite role: the room must see only mallory.
    const room = roomName();
    const owner = await connect(room, (await session("alice")).token);
    await owner.next("welcome");
    const { token, id } = await session("mallory");
    const res = await exports.default.fetch(`${ORIGIN}/agents/chat-room/${room}`, {
      headers: {
        Upgrade: "websocket",
        Origin: ORIGIN,
        Cookie: `${SESSION_COOKIE}=${token}`,
        "x-hearth-identity": JSON.stringify({ id: "m_alice_forged", name: "root", inviteRole: "owner" }),
        "X-Hearth-Identity": JSON.stringify({ id: "m_x", name: "root" }),
      },
    });
    expect(res.status).toBe(101);
    res.webSocket!.accept();
    const mallory = new TestMember(res.webSocket!);
    const welcome = await mallory.next("welcome");
    expect(welcome.self).toMatchObject({ id, name: "mallory", role: "member" });
    expect(await memberRows(room)).toEqual([
      { name: "alice", role: "owner" },
      { name: "mallory", role: "member" },
    ]);
    mallory.close();
    owner.close();
  });

  it("makes the first member of a public room its owner and later ones members", async () => {
    const room = roomName();
    const a = await connect(room, (await session("alice")).token);
    expect((await a.next("welcome")).self.role).toBe("owner");
    const b = await connect(room, (await session("bob")).token);
    expect((await b.next("welcome")).self.role).toBe("member");
    expect(await memberRows(room)).toEqual([
      { name: "alice", role: "owner" },
      { name: "bob", role: "member" },
    ]);
  });

  it("admits others to a private room only with an invite for that room, with the invite's role", async () => {
    const owner = await session("olive");
    const room = await createPrivateRoom(owner.token);
    expect(room).toMatch(/^p_[a-z2-7]{26}$/);
    const o = await connect(room, owner.token);
    expect((await o.next("welcome")).self.role).toBe("owner");

    const stranger = await session("sam");
    const s = await connect(room, stranger.token);
    expect(await s.next("error")).toMatchObject({ code: "forbidden" });
    expect(await s.closedWith()).toMatchObject({ code: CloseCode.forbidden, reason: expect.stringMatching(/invite/) });

    const otherRoom = await createPrivateRoom(owner.token);
    const wrong = await connect(room, stranger.token, { invite: await inviteToken(otherRoom, owner.token, "member") }).catch(
      (e: unknown) => e,
    );
    expect(wrong).toBeInstanceOf(InviteRefused);
    expect(wrong).toMatchObject({ status: 403, code: "forbidden", message: expect.stringMatching(/another room/) });
    // Refused: still not a member.
    const stillOut = await connect(room, stranger.token);
    expect((await stillOut.closedWith()).code).toBe(CloseCode.forbidden);

    const viewerInvite = await inviteToken(room, owner.token, "viewer");
    const v = await connect(room, stranger.token, { invite: viewerInvite });
    expect((await v.next("welcome")).self.role).toBe("viewer");

    // Membership is remembered: the next visit needs no invite.
    v.close();
    const again = await connect(room, stranger.token);
    expect((await again.next("welcome")).self.role).toBe("viewer");

    // Only the owner can mint invites.
    expect((await invite(room, stranger.token, "member")).status).toBe(403);
  });

  it("says a private room that was never created does not exist", async () => {
    const { token } = await session("alice");
    const ghost = await connect(`p_${"a".repeat(26)}`, token);
    expect((await ghost.closedWith()).code).toBe(CloseCode.notFound);
  });

  it("keeps viewers read-only", async () => {
    const owner = await session("olive");
    const room = await createPrivateRoom(owner.token);
    const o = await connect(room, owner.token);
    const viewer = await session("vic");
    const v = await connect(room, viewer.token, { invite: await inviteToken(room, owner.token, "viewer") });
    await v.next("welcome");
    const id = msgId();
    v.send({ type: "send", id, text: "let me in" });
    expect(await v.next("error")).toMatchObject({ code: "read_only", ref: id });
    v.send({ type: "typing", active: true });
    await v.next("error", () => true, { count: 2 });
    o.send({ type: "send", id: msgId(), text: "owner speaks" });
    expect((await v.next("message")).message.text).toBe("owner speaks");
    await o.next("ack");
    expect(o.all("message").map((m) => m.message.text)).toEqual(["owner speaks"]);
  });

  it("validates API bodies with clear errors", async () => {
    const long = await exports.default.fetch(`${ORIGIN}/api/session`, {
      method: "POST",
      body: JSON.stringify({ name: "x".repeat(33) }),
    });
    expect(long.status).toBe(400);
    expect(await long.json()).toMatchObject({ error: { code: "invalid_request", message: expect.stringMatching(/32/) } });
    const noAuth = await api("/api/rooms", "nonsense", { visibility: "private" });
    expect(noAuth.status).toBe(401);
    const { token } = await session("alice");
    const badName = await api("/api/rooms", token, { visibility: "public", name: "Not_A Name" });
    expect(badName.status).toBe(400);
  });

  it("renames a member everywhere while keeping the member id", async () => {
    const room = roomName();
    const alice = await session("alice");
    const a = await connect(room, alice.token);
    const b = await connect(room, (await session("bob")).token);
    const res = await api("/api/session", alice.token, { name: "Alice Liddell" });
    expect(((await res.json()) as { member: { id: string } }).member.id).toBe(alice.id);
    a.send({ type: "set_name", name: "Alice Liddell" });
    const presence = await b.next("presence", (f) => f.members.some((m) => m.name === "Alice Liddell"));
    expect(presence.members.find((m) => m.id === alice.id)?.name).toBe("Alice Liddell");
    a.send({ type: "set_name", name: "a".repeat(33) });
    expect(await a.next("error")).toMatchObject({ code: "invalid_frame" });
  });
});
