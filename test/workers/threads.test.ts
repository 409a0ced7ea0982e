/// <reference types="@cloudflare/vitest-plugin/types" />
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { getAgentByName } from "agents";
import { afterEach, describe, expect, it } from "vitest";
import { api, connect, msgId, roomName, session, type TestMember } from "./client";
import { scriptedModel, textParts, userTexts, type Script } from "./mockModel";
import { setModelOverride } from "./testModel";

afterEach(() => setModelOverride(null));

function useModel(scripts: Script[]) {
  const model = scriptedModel(scripts);
  setModelOverride(() => model);
  return model;
}

/** Sends a message and waits for its ack: its seq and rev. */
async function post(m: TestMember, text: string, extra: Record<string, unknown> = {}) {
  const id = msgId();
  m.send({ type: "send", id, text, ...extra });
  return m.next("ack", (f) => f.id === id);
}

async function storedCount(room: string): Promise<number> {
  const stub = await getAgentByName(env.ChatRoom, room);
  return runInDurableObject(stub, (_i, state) => state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM messages").one().n);
}

async function pair() {
  const room = roomName("thread");
  const alice = await session("alice");
  const bob = await session("bob");
  const a = await connect(room, alice.token);
  const b = await connect(room, bob.token);
  await a.next("snapshot");
  await b.next("snapshot");
  return { room, alice, bob, a, b };
}

describe("threads", () => {
  it("shows a thread reply live to other members and updates the parent's summary", async () => {
    const { a, b } = await pair();
    const parent = await post(a, "lunch?");
    await b.next("message", (f) => f.message.seq === parent.seq);

    const reply = await post(b, "yes, noon", { threadOf: parent.seq });
    const atAlice = await a.next("message", (f) => f.message.seq === reply.seq);
    expect(atAlice.message).toMatchObject({ threadOf: parent.seq, alsoToRoom: false, author: { name: "bob" } });

    const updated = await a.next("message_updated", (f) => f.message.seq === parent.seq);
    expect(updated.message.thread).toMatchObject({ count: 1, repliers: ["bob"] });
    expect(updated.message.rev).toBeGreaterThan(reply.rev);

    await post(a, "great", { threadOf: parent.seq });
    const second = await b.next("message_updated", (f) => f.message.seq === parent.seq, { count: 2 });
    expect(second.message.thread).toMatchObject({ count: 2, repliers: ["alice", "bob"] });
  });

  it("keeps thread replies out of the room's timeline unless also sent to the room", async () => {
    const { room, a } = await pair();
    const parent = await post(a, "parent");
    await post(a, "only in the thread", { threadOf: parent.seq });
    await post(a, "in both", { threadOf: parent.seq, alsoToRoom: true });
    await post(a, "room again");

    const c = await connect(room, (await session("carol")).token);
    const snap = await c.next("snapshot");
    expect(snap.messages.map((m) => m.text)).toEqual(["parent", "in both", "room again"]);
    expect(snap.messages[0]!.thread?.count).toBe(2);
    expect(snap.messages[1]).toMatchObject({ threadOf: parent.seq, alsoToRoom: true });

    c.send({ type: "history", before: snap.messages[2]!.seq });
    expect((await c.next("page")).messages.map((m) => m.text)).toEqual(["parent", "in both"]);

    c.send({ type: "thread_history", threadOf: parent.seq });
    const page = await c.next("thread_page");
    expect(page).toMatchObject({ threadOf: parent.seq, before: null, hasMore: false, parent: { seq: parent.seq } });
    expect(page.messages.map((m) => m.text)).toEqual(["only in the thread", "in both"]);
  });

  it("pages older thread replies", async () => {
    const { room, a } = await pair();
    const parent = await post(a, "parent");
    const stub = await getAgentByName(env.ChatRoom, room);
    await runInDurableObject(stub, (instance) => {
      for (let i = 1; i <= 7; i++) {
        instance.log.insert({ id: `seed-${i}-xxxx`, kind: "user", author: { id: "m_seed", name: "seed" }, text: `r${i}`, now: i, threadOf: parent.seq });
      }
    });
    a.send({ type: "thread_history", threadOf: parent.seq, limit: 3 });
    const newest = await a.next("thread_page");
    expect(newest.messages.map((m) => m.text)).toEqual(["r5", "r6", "r7"]);
    expect(newest.hasMore).toBe(true);

    a.send({ type: "thread_history", threadOf: parent.seq, before: newest.messages[0]!.seq, limit: 3 });
    const older = await a.next("thread_page", () => true, { count: 2 });
    expect(older.messages.map((m) => m.text)).toEqual(["r2", "r3", "r4"]);

    a.send({ type: "thread_history", threadOf: parent.seq, before: older.messages[0]!.seq, limit: 3 });
    const oldest = await a.next("thread_page", () => true, { count: 3 });
    expect(oldest.messages.map((m) => m.text)).toEqual(["r1"]);
    expect(oldest.hasMore).toBe(false);
  });

  it("catches up on thread replies and summary changes after a reconnect", async () => {
    const { room, bob, a, b } = await pair();
    const parent = await post(a, "parent");
    await b.next("message", (f) => f.message.seq === parent.seq);
    b.close();

    const reply = await post(a, "while bob was away", { threadOf: parent.seq });
    const b2 = await connect(room, bob.token, { since: parent.rev });
    const catchup = await b2.next("catchup");
    expect(catchup.messages.map((m) => [m.seq, m.threadOf ?? null])).toEqual([
      [reply.seq, parent.seq],
      [parent.seq, null],
    ]);
    expect(catchup.messages[1]!.thread).toMatchObject({ count: 1, repliers: ["alice"] });
  });

  it("edits and deletes thread replies; a delete updates the parent's count", async () => {
    const { a, b } = await pair();
    const parent = await post(a, "parent");
    const one = await post(b, "first", { threadOf: parent.seq });
    await post(a, "second", { threadOf: parent.seq });

    b.send({ type: "edit", seq: one.seq, text: "first (edited)" });
    const edited = await a.next("message_updated", (f) => f.message.seq === one.seq);
    expect(edited.message).toMatchObject({ text: "first (edited)", threadOf: parent.seq });

    // Only the author may change a thread reply, as in the room.
    a.send({ type: "edit", seq: one.seq, text: "not mine" });
    expect((await a.next("error")).code).toBe("not_author");

    b.send({ type: "delete", seq: one.seq });
    await a.next("message_updated", (f) => f.message.seq === one.seq && f.message.deleted);
    // The parent's third change: bob's reply, alice's, then the delete.
    const summary = await a.next("message_updated", (f) => f.message.seq === parent.seq, { count: 3 });
    expect(summary.message.thread).toMatchObject({ count: 1, repliers: ["alice"] });
  });

  it("lets viewers read threads but not reply in them", async () => {
    const owner = await session("owner");
    const created = await api("/api/rooms", owner.token, { visibility: "private" });
    const privateRoom = ((await created.json()) as { room: string }).room;
    const o = await connect(privateRoom, owner.token);
    const parent = await post(o, "parent");
    await post(o, "reply", { threadOf: parent.seq });
    const invited = await api(`/api/rooms/${privateRoom}/invites`, owner.token, { role: "viewer" });
    const { path } = (await invited.json()) as { path: string };
    const viewer = await session("viewer");
    const v = await connect(privateRoom, viewer.token, { invite: decodeURIComponent(path.split("#invite=")[1]!) });
    expect((await v.next("welcome")).self.role).toBe("viewer");

    v.send({ type: "thread_history", threadOf: parent.seq });
    expect((await v.next("thread_page")).messages.map((m) => m.text)).toEqual(["reply"]);
    const id = msgId();
    v.send({ type: "send", id, text: "let me in", threadOf: parent.seq });
    expect(await v.next("error")).toMatchObject({ code: "read_only", ref: id });
    expect(await storedCount(privateRoom)).toBe(2);
  });

  it("refuses a reply to a missing, deleted or thread-reply parent, and stores nothing", async () => {
    const { room, a } = await pair();
    const parent = await post(a, "parent");
    const reply = await post(a, "reply", { threadOf: parent.seq });
    const gone = await post(a, "soon deleted");
    a.send({ type: "delete", seq: gone.seq });
    await a.next("message_updated", (f) => f.message.seq === gone.seq && f.message.deleted);
    const before = await storedCount(room);

    const cases: Array<[number, string, RegExp]> = [
      [9999, "not_found", /no message 9999/],
      [gone.seq, "not_found", /deleted/],
      [reply.seq, "invalid_frame", /itself a thread reply/],
    ];
    for (const [threadOf, code, text] of cases) {
      const id = msgId();
      a.send({ type: "send", id, text: "nested?", threadOf });
      const error = await a.next("error", (f) => f.ref === id);
      expect(error.code).toBe(code);
      expect(error.message).toMatch(text);
    }
    a.send({ type: "thread_history", threadOf: reply.seq });
    expect((await a.next("error", (f) => f.ref === reply.seq)).code).toBe("not_found");
    expect(await storedCount(room)).toBe(before);
  });

  it("keeps threads across hibernation", async () => {
    const { room, a, b } = await pair();
    const parent = await post(a, "parent");
    await post(a, "before", { threadOf: parent.seq });
    await evictDurableObject(await getAgentByName(env.ChatRoom, room), { webSockets: "hibernate" });

    await post(b, "after", { threadOf: parent.seq });
    const summary = await a.next("message_updated", (f) => f.message.seq === parent.seq && f.message.thread?.count === 2);
    expect(summary.message.thread?.repliers).toEqual(["bob", "alice"]);
    a.send({ type: "thread_history", threadOf: parent.seq });
    expect((await a.next("thread_page")).messages.map((m) => m.text)).toEqual(["before", "after"]);
  });

  it("answers a mention in a thread in that thread, with the thread as its context", async () => {
    const model = useModel([{ parts: textParts(["Noon works."]) }]);
    const { a, b } = await pair();
    await post(a, "unrelated room chatter");
    const parent = await post(a, "team lunch friday?");
    await post(b, "I vote tacos", { threadOf: parent.seq });
    const ask = await post(a, "@assistant what time suits?", { threadOf: parent.seq });

    const answer = await b.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done");
    expect(answer.message).toMatchObject({ threadOf: parent.seq, replyTo: ask.seq, text: "Noon works." });
    const texts = userTexts(model.calls[0]!);
    expect(texts).toEqual([
      JSON.stringify({ from: "alice", text: "team lunch friday?" }),
      JSON.stringify({ from: "bob", text: "I vote tacos" }),
      JSON.stringify({ from: "alice", text: "@assistant what time suits?" }),
    ]);
    // The answer counts as a reply in the thread.
    const summary = await b.next("message_updated", (f) => f.message.seq === parent.seq && f.message.thread?.count === 3);
    expect(summary.message.thread?.repliers).toEqual(["assistant", "alice", "bob"]);
  });
});
