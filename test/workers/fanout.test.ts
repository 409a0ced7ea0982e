/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * The room's fan-out batching (server/room/fanout.ts) in the real room:
 * a burst is coalesced into `batch` frames without losing, duplicating or
 * reordering anything, replies stay after the broadcasts sent before them,
 * and a quiet room sends every frame as itself.
 */
import { describe, expect, it } from "vitest";
import { connect, msgId, roomName, session, type TestMember } from "./client";

/** Waits for the room to stay quiet longer than a batching window (not a timing assertion: it only makes the room quiet). */
const quietly = () => new Promise((r) => setTimeout(r, 30));

// The first test of a file also pays for workerd loading the Worker (~15 s on a busy machine).
describe("fan-out batching", { timeout: 60_000 }, () => {
  it("a burst from four members reaches everyone once, in one room order, with replies after their own broadcast", async () => {
    const room = roomName("burst");
    const members: TestMember[] = [];
    for (const name of ["olive", "bob", "carol", "dave"]) {
      const m = await connect(room, (await session(name)).token);
      await m.next("welcome");
      members.push(m);
    }
    await members[0]!.next("members", (f) => f.members.length === 4);
    const perSender = 15; // within the per-socket burst allowance (20)
    const ids = members.map(() => Array.from({ length: perSender }, () => msgId()));
    // Everyone sends everything at once: the room gets 60 frames back to back.
    members.forEach((m, s) => ids[s]!.forEach((id, k) => m.send({ type: "send", id, text: `s${s} k${k}` })));

    const all = ids.flat();
    const isBurst = (f: { message: { id: string } }) => all.includes(f.message.id);
    for (const m of members) await m.next("message", isBurst, { count: all.length });
    for (const m of members) await m.next("ack", (f) => ids.flat().includes(f.id), { count: perSender });

    const orders = members.map((m) => m.all("message").filter(isBurst));
    const first = orders[0]!.map((f) => f.message.id);
    for (const order of orders) {
      // No loss, no duplicate, and everyone saw the same order: ascending seq, the room's.
      expect(new Set(order.map((f) => f.message.id)).size).toBe(all.length);
      expect(order.map((f) => f.message.id)).toEqual(first);
      const seqs = order.map((f) => f.message.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    // Each sender's messages in the order it sent them.
    ids.forEach((mine) => expect(first.filter((id) => mine.includes(id))).toEqual(mine));
    // A reply never overtakes the broadcast it answers: each ack after its own message, one ack each.
    members.forEach((m, s) => {
      const frames = m.frames;
      for (const id of ids[s]!) {
        const shown = frames.findIndex((f) => f.type === "message" && f.message.id === id);
        const acked = frames.findIndex((f) => f.type === "ack" && f.id === id);
        expect(acked).toBeGreaterThan(shown);
        expect(frames.filter((f) => f.type === "ack" && f.id === id)).toHaveLength(1);
      }
    });
    // And the burst was in fact batched.
    expect(members.reduce((n, m) => n + m.batches, 0)).toBeGreaterThan(0);
  });

  it("a quiet room sends single frames: a message and its ack each as itself", async () => {
    const room = roomName("quiet");
    const o = await connect(room, (await session("olive")).token);
    await o.next("welcome");
    const b = await connect(room, (await session("bob")).token);
    await b.next("welcome");
    await o.next("members", (f) => f.members.length === 2);
    await quietly();
    const before = { o: o.batches, b: b.batches };
    for (let i = 0; i < 4; i++) {
      const id = msgId();
      o.send({ type: "send", id, text: `quiet ${i}` });
      await o.next("ack", (f) => f.id === id);
      await b.next("message", (f) => f.message.id === id);
      await quietly();
    }
    expect({ o: o.batches, b: b.batches }).toEqual(before);
    const texts = b.all("message").map((f) => f.message.text);
    expect(texts.slice(-4)).toEqual(["quiet 0", "quiet 1", "quiet 2", "quiet 3"]);
  });

  it("a member joining during a burst gets its state once, and only what was sent after it joined", async () => {
    const room = roomName("join");
    const o = await connect(room, (await session("olive")).token);
    await o.next("welcome");
    const ids = Array.from({ length: 15 }, () => msgId());
    ids.forEach((id, k) => o.send({ type: "send", id, text: `j${k}` }));
    const b = await connect(room, (await session("bob")).token);
    await o.next("message", (f) => f.message.id === ids.at(-1), { count: 1 });
    await o.next("ack", (f) => f.id === ids.at(-1));
    const later = msgId();
    o.send({ type: "send", id: later, text: "after" });
    await b.next("message", (f) => f.message.id === later);
    // Each burst message once: in the join's snapshot or as a frame after it, never both.
    const snapshot = b.frames.find((f) => f.type === "snapshot" || f.type === "catchup");
    expect(snapshot).toBeDefined();
    const welcomeAt = b.frames.findIndex((f) => f.type === "welcome");
    expect(b.frames.slice(0, welcomeAt).some((f) => f.type === "message")).toBe(false);
    const inSnapshot = snapshot!.type === "snapshot" ? snapshot!.messages.map((m) => m.id) : [];
    const asFrames = b.all("message").map((f) => f.message.id);
    for (const id of ids) expect(Number(inSnapshot.includes(id)) + asFrames.filter((x) => x === id).length).toBeLessThanOrEqual(1);
    expect(asFrames.filter((x) => x === later)).toHaveLength(1);
  });
});
