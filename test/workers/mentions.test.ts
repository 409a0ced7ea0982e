/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * Mentions of people and read state (issue 17, parts 4 and 5): a mention
 * is a member id, so it survives a rename; a plain `@name` resolves to the
 * one member with that name; read markers are per member, shared by all
 * their sockets, and only move forward.
 */
import { env, exports } from "cloudflare:workers";
import { getAgentByName } from "agents";
import { beforeAll, describe, expect, it } from "vitest";
import { buildContext } from "../../server/assistant/context";
import { api, connect, msgId, oliveAndBob, ORIGIN, session, type TestMember } from "./client";

beforeAll(async () => {
  await session("warm-up");
}, 60_000);

async function post(from: TestMember, to: TestMember, text: string) {
  const id = msgId();
  from.send({ type: "send", id, text });
  return (await to.next("message", (f) => f.message.id === id)).message;
}

describe("mentions of people", () => {
  it("stores a mention as the member's id, which a rename does not break", async () => {
    const { room, bob, o, b } = await oliveAndBob("mention");
    const message = await post(o, b, `lunch, <@${bob.id}>?`);
    expect(message.mentions).toEqual([bob.id]);
    expect(message.text).toBe(`lunch, <@${bob.id}>?`);

    b.send({ type: "set_name", name: "Robert" });
    await o.next("presence", (f) => f.members.some((m) => m.name === "Robert"));
    // Everyone's members view (what `@` completes from) follows the rename too.
    await o.next("members", (f) => f.members.some((m) => m.id === bob.id && m.name === "Robert"));
    // After the rename the mention still counts for bob (he has not read it yet).
    const stub = await getAgentByName(env.ChatRoom, room);
    expect(await stub.unreadFor(bob.id)).toEqual({ unread: 1, mentions: 1 });
    // The assistant reads the member's current name in place of the token.
    const { messages } = buildContext({
      assistantName: "assistant",
      roomName: room,
      now: Date.now(),
      online: [],
      recent: [message],
      triggers: [],
      contextTokens: 10_000,
      nameOf: (id) => (id === bob.id ? "Robert" : null),
    });
    expect(JSON.stringify(messages)).toContain("lunch, @Robert?");
    expect(JSON.stringify(messages)).not.toContain(bob.id);
  });

  it("resolves a plain @name to the one member called that, and leaves everything else as text", async () => {
    const { olive, bob, o, b } = await oliveAndBob("mention");
    const message = await post(o, b, "@bob and @BOB, not @nobody, not @room, not me@bob.example, not <@someone-else>");
    expect(message.mentions).toEqual([bob.id]);
    expect(message.text).toBe(`<@${bob.id}> and <@${bob.id}>, not @nobody, not @room, not me@bob.example, not <@someone-else>`);
    // Mentioning yourself is allowed (and counts nothing for you: your own message is read).
    const self = await post(b, o, "note to <@" + bob.id + "> and @olive");
    expect(self.mentions).toEqual([bob.id, olive.id]);
  });

  it("re-resolves mentions on edit, and a deleted message mentions nobody", async () => {
    const { room, bob, o, b } = await oliveAndBob("mention");
    b.close();
    const message = await post(o, o, `<@${bob.id}> ping`);
    const stub = await getAgentByName(env.ChatRoom, room);
    expect(await stub.unreadFor(bob.id)).toEqual({ unread: 1, mentions: 1 });

    o.send({ type: "edit", seq: message.seq, text: "ping, anyone" });
    const edited = await o.next("message_updated", (f) => f.message.seq === message.seq);
    expect(edited.message.mentions).toBeUndefined();
    expect(await stub.unreadFor(bob.id)).toEqual({ unread: 1, mentions: 0 });

    o.send({ type: "edit", seq: message.seq, text: "ping @bob" });
    await o.next("message_updated", (f) => f.message.seq === message.seq, { count: 2 });
    expect(await stub.unreadFor(bob.id)).toEqual({ unread: 1, mentions: 1 });

    o.send({ type: "delete", seq: message.seq });
    const gone = await o.next("message_updated", (f) => f.message.seq === message.seq && f.message.deleted);
    expect(gone.message.mentions).toBeUndefined();
    expect(await stub.unreadFor(bob.id)).toEqual({ unread: 0, mentions: 0 });
  });
});

describe("read state", () => {
  it("keeps one marker per member across their sockets, moving only forward", async () => {
    const { room, bob, o, b } = await oliveAndBob("read");
    // A first visit starts at the newest message: nothing unread.
    expect((await b.next("read_state")).unread).toBe(0);
    b.close();

    await post(o, o, "one");
    await post(o, o, `two for <@${bob.id}>`);
    const three = await post(o, o, "three");

    // Two devices of bob's: each learns the same counts on join.
    const phone = await connect(room, bob.token, { create: false });
    const laptop = await connect(room, bob.token, { create: false });
    for (const device of [phone, laptop]) {
      expect(await device.next("read_state")).toMatchObject({ unread: 3, mentions: 1, upTo: three.seq });
    }
    const marker = (await phone.next("read_state")).seq;

    // Reading on the phone clears the laptop too.
    phone.send({ type: "read", seq: three.seq });
    for (const device of [phone, laptop]) {
      expect(await device.next("read_state", () => true, { count: 2 })).toMatchObject({ seq: three.seq, unread: 0, mentions: 0 });
    }
    // An older marker (a stale tab) changes nothing and tells nobody.
    laptop.send({ type: "read", seq: marker });
    // A seq past the newest message is capped: what arrives next is still unread.
    laptop.send({ type: "read", seq: three.seq + 1000 });
    await laptop.settle();
    expect(laptop.all("read_state")).toHaveLength(2);
    await post(o, laptop, "four");
    const stub = await getAgentByName(env.ChatRoom, room);
    expect(await stub.unreadFor(bob.id)).toEqual({ unread: 1, mentions: 0 });
  });

  it("forgets a removed member's marker, socket or not: coming back starts at the newest message", async () => {
    const { room, bob, o, b } = await oliveAndBob("read");
    await b.next("read_state");
    b.close();
    await post(o, o, "while bob was away");
    const id = msgId();
    o.send({ type: "member_action", id, action: "remove", member: bob.id });
    await o.next("command_result", (f) => f.id === id);
    await post(o, o, "after he was removed");
    const back = await connect(room, bob.token, { create: false });
    expect(await back.next("read_state")).toMatchObject({ unread: 0, mentions: 0 });
  });

  it("does not count the member's own messages, and refuses a malformed marker", async () => {
    const { room, bob, o, b } = await oliveAndBob("read");
    await post(b, o, "mine");
    await post(b, o, "also mine");
    const stub = await getAgentByName(env.ChatRoom, room);
    expect(await stub.unreadFor(bob.id)).toEqual({ unread: 0, mentions: 0 });
    expect(await stub.unreadFor("nobody")).toBeNull();

    b.send({ type: "read", seq: "latest" });
    const refused = await b.next("error");
    expect(refused.code).toBe("invalid_frame");
    expect(b.all("read_state")).toHaveLength(1);
    void o;
  });
});

describe("the landing page's unread counts", () => {
  it("answers each signed-in member with their own counts, and nobody else", async () => {
    const { room, olive, bob, o, b } = await oliveAndBob("landing");
    b.close();
    await post(o, o, `for <@${bob.id}>`);
    await post(o, o, "and the room");

    const mine = async (token: string) => {
      const res = await api("/api/account/unread", token, {});
      expect(res.status).toBe(200);
      return ((await res.json()) as { rooms: Array<{ room: string; unread: number; mentions: number }> }).rooms.find((r) => r.room === room);
    };
    // Bob's rooms are his account's; each room counts from his own marker.
    await expect.poll(() => mine(bob.token)).toEqual({ room, unread: 2, mentions: 1 });
    // Olive asks with her session: her counts (her own messages are read), never bob's.
    expect(await mine(olive.token)).toEqual({ room, unread: 0, mentions: 0 });

    const anonymous = await exports.default.fetch(`${ORIGIN}/api/account/unread`, {
      method: "POST",
      headers: { Origin: ORIGIN, "Content-Type": "application/json" },
      body: "{}",
    });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain(room);
  });
});
