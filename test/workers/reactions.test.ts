/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * Emoji reactions (issue 17, part 2): live for every member, idempotent,
 * carried by catch-up after a reconnect, refused to viewers and for
 * anything but one emoji; 👍/👎 on the assistant's answers are feedback
 * only owners read.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { getAgentByName } from "agents";
import { beforeAll, describe, expect, it } from "vitest";
import { LIMITS } from "../../shared/limits";
import { connect, msgId, roomName, session, type TestMember } from "./client";

beforeAll(async () => {
  await session("warm-up");
}, 60_000);

/** olive owns a new room; bob is a member; olive posted one message. */
async function oliveBobAndAMessage() {
  const room = roomName("react");
  const olive = await session("olive");
  const bob = await session("bob");
  const o = await connect(room, olive.token);
  await o.next("welcome");
  const b = await connect(room, bob.token);
  await b.next("welcome");
  await o.next("members", (f) => f.members.length === 2);
  o.send({ type: "send", id: msgId(), text: "lunch?" });
  const posted = (await b.next("message")).message;
  return { room, olive, bob, o, b, posted };
}

function reactionsAt(m: TestMember, seq: number) {
  return m.all("message_updated").filter((f) => f.message.seq === seq).at(-1)?.message.reactions;
}

async function setRole(owner: TestMember, member: string, role: string) {
  const id = msgId();
  owner.send({ type: "member_action", id, action: "set_role", member, role });
  return owner.next("command_result", (f) => f.id === id);
}

describe("reactions", () => {
  it("shows a reaction live to another member, with its count and who reacted", async () => {
    const { o, b, bob, olive, posted } = await oliveBobAndAMessage();
    b.send({ type: "react", seq: posted.seq, emoji: "👍", on: true });
    const seen = await o.next("message_updated", (f) => f.message.seq === posted.seq);
    expect(seen.message.reactions).toEqual([{ emoji: "👍", count: 1, by: [{ id: bob.id, name: "bob" }] }]);
    expect(seen.message.rev).toBeGreaterThan(posted.rev);

    o.send({ type: "react", seq: posted.seq, emoji: "👍", on: true });
    o.send({ type: "react", seq: posted.seq, emoji: "🎉", on: true });
    await b.next("message_updated", (f) => f.message.seq === posted.seq, { count: 3 });
    expect(reactionsAt(b, posted.seq)).toEqual([
      { emoji: "👍", count: 2, by: [{ id: bob.id, name: "bob" }, { id: olive.id, name: "olive" }] },
      { emoji: "🎉", count: 1, by: [{ id: olive.id, name: "olive" }] },
    ]);
  });

  it("is idempotent: adding twice counts once, removing what is not there changes nothing", async () => {
    const { o, b, posted } = await oliveBobAndAMessage();
    b.send({ type: "react", seq: posted.seq, emoji: "❤️", on: true });
    b.send({ type: "react", seq: posted.seq, emoji: "❤️", on: true });
    b.send({ type: "react", seq: posted.seq, emoji: "😂", on: false });
    await b.settle();
    await o.settle();
    const updates = o.all("message_updated").filter((f) => f.message.seq === posted.seq);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.message.reactions).toMatchObject([{ emoji: "❤️", count: 1 }]);
    expect(b.all("error")).toEqual([]);
  });

  it("removes a reaction; the last one gone leaves the message without reactions", async () => {
    const { o, b, bob, posted } = await oliveBobAndAMessage();
    b.send({ type: "react", seq: posted.seq, emoji: "👀", on: true });
    o.send({ type: "react", seq: posted.seq, emoji: "👀", on: true });
    await b.next("message_updated", (f) => f.message.seq === posted.seq, { count: 2 });
    o.send({ type: "react", seq: posted.seq, emoji: "👀", on: false });
    const after = await b.next("message_updated", (f) => f.message.seq === posted.seq, { count: 3 });
    expect(after.message.reactions).toEqual([{ emoji: "👀", count: 1, by: [{ id: bob.id, name: "bob" }] }]);
    b.send({ type: "react", seq: posted.seq, emoji: "👀", on: false });
    const gone = await o.next("message_updated", (f) => f.message.seq === posted.seq, { count: 4 });
    expect(gone.message.reactions).toBeUndefined();
  });

  it("reaction changes made while a member was away come back in their catch-up by rev", async () => {
    const { room, o, b, bob, olive, posted } = await oliveBobAndAMessage();
    const since = (await b.next("snapshot")).rev;
    const atJoin = Math.max(since, posted.rev);
    b.close();
    o.send({ type: "react", seq: posted.seq, emoji: "🎉", on: true });
    o.send({ type: "react", seq: posted.seq, emoji: "👍", on: true });
    o.send({ type: "react", seq: posted.seq, emoji: "🎉", on: false });
    await o.next("message_updated", (f) => f.message.seq === posted.seq, { count: 3 });

    // The room forgets everything in memory (and its sockets) before bob is back.
    await evictDurableObject(await getAgentByName(env.ChatRoom, room), { webSockets: "close" });
    const back = await connect(room, bob.token, { since: atJoin });
    const catchup = await back.next("catchup");
    const row = catchup.messages.find((m) => m.seq === posted.seq);
    expect(row?.reactions).toEqual([{ emoji: "👍", count: 1, by: [{ id: olive.id, name: "olive" }] }]);
    expect(catchup.rev).toBeGreaterThan(atJoin);
  });

  it("refuses viewers", async () => {
    const { o, b, bob, posted } = await oliveBobAndAMessage();
    await setRole(o, bob.id, "viewer");
    b.send({ type: "react", seq: posted.seq, emoji: "👍", on: true });
    expect(await b.next("error", (f) => f.ref === posted.seq)).toMatchObject({ code: "read_only" });
    await o.settle();
    expect(o.all("message_updated").filter((f) => f.message.seq === posted.seq)).toEqual([]);
  });

  it("refuses anything but one emoji, and more than the cap of different emoji, changing nothing", async () => {
    const { room, o, b, posted } = await oliveBobAndAMessage();
    for (const emoji of ["hi", "👍👍", "", "a👍", "\u202e👍", "👍 ", "x".repeat(40)]) {
      b.send({ type: "react", seq: posted.seq, emoji, on: true });
      expect((await b.next("error", () => true, { count: b.all("error").length + 1 })).code).toBe("invalid_frame");
    }
    // One grapheme of several code points is one emoji: a flag, a ZWJ family, a skin tone.
    for (const emoji of ["🇫🇷", "👨‍👩‍👧", "👍🏽"]) b.send({ type: "react", seq: posted.seq, emoji, on: true });
    await o.next("message_updated", (f) => f.message.seq === posted.seq, { count: 3 });

    const many = ["😀", "😁", "😂", "🤣", "😃", "😄", "😅", "😆", "😉", "😊", "😋", "😎", "😍"];
    const stub = await getAgentByName(env.ChatRoom, room);
    // Straight into the room (a socket may send only a burst of frames).
    await runInDurableObject(stub, (instance) => {
      for (const emoji of many.slice(0, LIMITS.reactionsPerMessage - 3)) instance.reactions.react({ id: "m_seed", name: "seed" }, posted.seq, emoji, true, Date.now());
    });
    b.send({ type: "react", seq: posted.seq, emoji: "🐙", on: true });
    expect(await b.next("error", (f) => f.code === "too_many")).toMatchObject({ ref: posted.seq });
    const stored = await runInDurableObject(stub, (instance) => instance.log.bySeq(posted.seq));
    expect(stored?.reactions).toHaveLength(LIMITS.reactionsPerMessage);
    expect(stored?.reactions?.map((r) => r.emoji)).not.toContain("🐙");
    // An emoji already there still counts another member.
    o.send({ type: "react", seq: posted.seq, emoji: "🇫🇷", on: true });
    const more = await b.next("message_updated", (f) => f.message.reactions?.[0]?.count === 2);
    expect(more.message.reactions?.[0]).toMatchObject({ emoji: "🇫🇷", count: 2 });
  });

  it("refuses a deleted or unknown message", async () => {
    const { o, b, posted } = await oliveBobAndAMessage();
    b.send({ type: "react", seq: 9999, emoji: "👍", on: true });
    expect(await b.next("error", (f) => f.ref === 9999)).toMatchObject({ code: "not_found" });
    o.send({ type: "delete", seq: posted.seq });
    await b.next("message_updated", (f) => f.message.deleted);
    b.send({ type: "react", seq: posted.seq, emoji: "👍", on: true });
    expect(await b.next("error", (f) => f.ref === posted.seq)).toMatchObject({ code: "not_found" });
  });
});

describe("assistant feedback", () => {
  it("counts 👍/👎 on the assistant's answers for owners, and only owners", async () => {
    const { room, o, b } = await oliveBobAndAMessage();
    const stub = await getAgentByName(env.ChatRoom, room);
    const answer = await runInDurableObject(stub, (instance) => {
      const stored = instance.log.insert({
        id: "answer-1-xxxx",
        kind: "assistant",
        author: { id: "assistant", name: "assistant" },
        text: "The capital of France is Paris.",
        now: Date.now(),
        status: "done",
      });
      return stored.status === "stored" ? stored.message : null;
    });
    expect(answer).not.toBeNull();
    b.send({ type: "react", seq: answer!.seq, emoji: "👍", on: true });
    o.send({ type: "react", seq: answer!.seq, emoji: "👎", on: true });
    o.send({ type: "react", seq: answer!.seq, emoji: "🎉", on: true });
    await b.next("message_updated", (f) => f.message.seq === answer!.seq, { count: 3 });

    const forOwner = await o.command("/feedback");
    expect(forOwner.ok).toBe(true);
    expect(forOwner.text).toContain(`#${answer!.seq} 👍 1 · 👎 1 — The capital of France is Paris.`);
    const forMember = await b.command("/feedback");
    expect(forMember).toMatchObject({ ok: false });
    expect(forMember.text).not.toContain("Paris");
  });
});
