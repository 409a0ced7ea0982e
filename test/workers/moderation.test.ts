/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * Pins and moderation basics (issue 17, parts 3 and 7): owners pin, members
 * only when the room allows it; owners remove anyone's message and the
 * tombstone says who; slow mode holds members (not owners) to an interval,
 * across an eviction.
 */
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { getAgentByName } from "agents";
import { beforeAll, describe, expect, it } from "vitest";
import { connect, msgId, oliveAndBob, session, type TestMember } from "./client";

beforeAll(async () => {
  await session("warm-up");
}, 60_000);

async function post(from: TestMember, to: TestMember, text: string) {
  from.send({ type: "send", id: msgId(), text });
  return (await to.next("message", (f) => f.message.text === text)).message;
}

async function settings(m: TestMember, change: Record<string, unknown>) {
  const id = msgId();
  m.send({ type: "room_settings", id, ...change });
  return m.next("command_result", (f) => f.id === id);
}

describe("pins", () => {
  it("an owner pins and unpins; every member's pinned list follows, and a new socket gets it on join", async () => {
    const { room, olive, bob, o, b } = await oliveAndBob("pin");
    const first = await post(b, o, "the plan: ship friday");
    const second = await post(o, b, "venue: the red room");
    expect((await b.next("pins")).items).toEqual([]);

    o.send({ type: "pin", seq: first.seq, on: true });
    const pinned = await b.next("message_updated", (f) => f.message.seq === first.seq);
    expect(pinned.message.pinned).toMatchObject({ by: { id: olive.id, name: "olive" } });
    o.send({ type: "pin", seq: second.seq, on: true });
    const list = await b.next("pins", (f) => f.items.length === 2);
    expect(list.items.map((p) => [p.seq, p.excerpt, p.author.name, p.pinnedBy.name])).toEqual([
      [second.seq, "venue: the red room", "olive", "olive"],
      [first.seq, "the plan: ship friday", "bob", "olive"],
    ]);

    await evictDurableObject(await getAgentByName(env.ChatRoom, room), { webSockets: "close" });
    const o2 = await connect(room, olive.token);
    expect((await o2.next("pins")).items.map((p) => p.seq)).toEqual([second.seq, first.seq]);
    o2.send({ type: "pin", seq: second.seq, on: false });
    const b2 = await connect(room, bob.token);
    await b2.next("pins");
    expect((await b2.next("pins", (f) => f.items.length === 1, { count: 1 })).items[0]!.seq).toBe(first.seq);
  });

  it("a member pins only when the room lets members pin; a viewer never", async () => {
    const { o, b, bob } = await oliveAndBob("pin-member");
    const note = await post(b, o, "pin me");
    b.send({ type: "pin", seq: note.seq, on: true });
    expect(await b.next("error", (f) => f.ref === note.seq)).toMatchObject({ code: "forbidden" });

    expect(await settings(o, { membersMayPin: true })).toMatchObject({ ok: true });
    expect((await b.next("room", (f) => f.room.membersMayPin === true)).room.membersMayPin).toBe(true);
    b.send({ type: "pin", seq: note.seq, on: true });
    expect((await o.next("pins", (f) => f.items.length === 1)).items[0]).toMatchObject({ seq: note.seq, pinnedBy: { name: "bob" } });

    const id = msgId();
    o.send({ type: "member_action", id, action: "set_role", member: bob.id, role: "viewer" });
    await o.next("command_result", (f) => f.id === id);
    b.send({ type: "pin", seq: note.seq, on: false });
    expect(await b.next("error", (f) => f.ref === note.seq && f.code !== "forbidden")).toMatchObject({ code: "read_only" });
  });

  it("a deleted pinned message leaves the pinned list", async () => {
    const { o, b } = await oliveAndBob("pin-delete");
    const note = await post(b, o, "soon gone");
    o.send({ type: "pin", seq: note.seq, on: true });
    await b.next("pins", (f) => f.items.length === 1);
    b.send({ type: "delete", seq: note.seq });
    expect((await o.next("pins", (f) => f.items.length === 0)).items).toEqual([]);
  });
});

describe("owners remove messages", () => {
  it("an owner deletes another member's message: the tombstone names the owner", async () => {
    const { o, b, olive } = await oliveAndBob("mod");
    const spam = await post(b, o, "buy cheap watches");
    o.send({ type: "delete", seq: spam.seq });
    const gone = await b.next("message_updated", (f) => f.message.seq === spam.seq);
    expect(gone.message).toMatchObject({ deleted: true, text: "", removedBy: { id: olive.id, name: "olive" } });
    // It is in the owners' audit.
    expect((await o.command("/audit")).text).toContain("remove_message bob (message");
  });

  it("a member cannot delete another's message; deleting their own names nobody", async () => {
    const { o, b } = await oliveAndBob("mod-member");
    const owners = await post(o, b, "owner's words");
    b.send({ type: "delete", seq: owners.seq });
    expect(await b.next("error", (f) => f.ref === owners.seq)).toMatchObject({ code: "not_author" });
    const mine = await post(b, o, "my own words");
    b.send({ type: "delete", seq: mine.seq });
    const gone = await o.next("message_updated", (f) => f.message.seq === mine.seq);
    expect(gone.message.deleted).toBe(true);
    expect(gone.message.removedBy).toBeUndefined();
  });
});

describe("slow mode", () => {
  it("refuses a member sending too fast with when they may send again; owners are exempt; it survives an eviction", async () => {
    const { room, bob, o, b } = await oliveAndBob("slow");
    expect(await o.command("/slowmode 30s")).toMatchObject({ ok: true });
    expect((await b.next("room", (f) => f.room.slowModeSeconds === 30)).room.slowModeSeconds).toBe(30);

    const before = Date.now();
    await post(b, o, "first");
    const id = msgId();
    b.send({ type: "send", id, text: "second" });
    const refused = await b.next("error", (f) => f.ref === id);
    expect(refused.code).toBe("slow_mode");
    expect(refused.retryAt).toBeGreaterThanOrEqual(before + 30_000);
    expect(refused.retryAt).toBeLessThanOrEqual(Date.now() + 30_000);
    expect(refused.message).toMatch(/send again in \d+ s/);

    // Owners are not held.
    await post(o, b, "owner one");
    await post(o, b, "owner two");

    await evictDurableObject(await getAgentByName(env.ChatRoom, room), { webSockets: "close" });
    const b2 = await connect(room, bob.token);
    expect((await b2.next("welcome")).room.slowModeSeconds).toBe(30);
    const again = msgId();
    b2.send({ type: "send", id: again, text: "after the restart" });
    expect(await b2.next("error", (f) => f.ref === again)).toMatchObject({ code: "slow_mode" });
  });

  it("is an owners' setting; off lets members send freely again", async () => {
    const { o, b } = await oliveAndBob("slow-off");
    expect(await b.command("/slowmode 10s")).toMatchObject({ ok: false });
    expect(await b.command("/slowmode")).toMatchObject({ ok: true, text: "Slow mode is off." });
    expect(await settings(o, { slowModeSeconds: 60 })).toMatchObject({ ok: true });
    await post(b, o, "one");
    expect(await o.command("/slowmode off")).toMatchObject({ ok: true });
    await b.next("room", (f) => f.room.slowModeSeconds === undefined);
    await post(b, o, "two");
  });
});
