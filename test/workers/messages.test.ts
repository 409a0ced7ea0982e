/// <reference types="@cloudflare/vitest-plugin/types" />
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { getAgentByName } from "agents";
import { describe, expect, it } from "vitest";
import { connect, msgId, roomName, session } from "./client";

async function roomStub(name: string) {
  return getAgentByName(env.ChatRoom, name);
}

/** Seeds `n` messages straight into the room's log (no sockets, no rate limit). */
async function seed(room: string, n: number, authorId = "m_seed") {
  const stub = await roomStub(room);
  await runInDurableObject(stub, (instance) => {
    for (let i = 1; i <= n; i++) {
      instance.log.insert({ id: `seed-${i}-xxxx`, kind: "user", author: { id: authorId, name: "seed" }, text: `m${i}`, now: i });
    }
  });
}

async function storedRows(room: string) {
  const stub = await roomStub(room);
  return runInDurableObject(stub, (_i, state) =>
    state.storage.sql.exec<{ id: string; text: string }>("SELECT id, text FROM messages ORDER BY seq").toArray(),
  );
}

describe("messages", () => {
  it("stores a message, then broadcasts it to every member and acks the sender", async () => {
    const room = roomName();
    const alice = await session("alice");
    const bob = await session("bob");
    const a = await connect(room, alice.token);
    const b = await connect(room, bob.token);
    await a.next("snapshot");
    await b.next("snapshot");

    const id = msgId();
    a.send({ type: "send", id, text: "  hello *room*  " });
    const ack = await a.next("ack");
    const atBob = await b.next("message");

    expect(ack).toMatchObject({ id, duplicate: false, seq: atBob.message.seq });
    expect(atBob.message).toMatchObject({ id, text: "  hello *room*", author: { id: alice.id, name: "alice" } });
    expect(await storedRows(room)).toEqual([{ id, text: "  hello *room*" }]);
  });

  it("stamps authorship from the connection, not from the frame", async () => {
    const room = roomName();
    const alice = await session("alice");
    const a = await connect(room, alice.token);
    a.send({ type: "send", id: msgId(), text: "hi", author: { id: "m_someone", name: "mallory" } });
    const error = await a.next("error");
    expect(error.code).toBe("invalid_frame");
    expect(await storedRows(room)).toEqual([]);
  });

  it("stores a resent id once, acks it again, and broadcasts it once", async () => {
    const room = roomName();
    const alice = await session("alice");
    const bob = await session("bob");
    const a = await connect(room, alice.token);
    const b = await connect(room, bob.token);
    const id = msgId();
    a.send({ type: "send", id, text: "once" });
    const first = await a.next("ack");
    a.close();

    // The same id again after a reconnect, as a client resending its pending queue does.
    const a2 = await connect(room, alice.token);
    a2.send({ type: "send", id, text: "once" });
    const second = await a2.next("ack");
    expect(second).toMatchObject({ id, seq: first.seq, duplicate: true });

    await b.settle();
    expect(b.all("message").filter((m) => m.message.id === id)).toHaveLength(1);
    expect(await storedRows(room)).toHaveLength(1);
  });

  it("refuses an id already used by another member", async () => {
    const room = roomName();
    const a = await connect(room, (await session("alice")).token);
    const m = await connect(room, (await session("mallory")).token);
    const id = msgId();
    a.send({ type: "send", id, text: "mine" });
    await a.next("ack");
    m.send({ type: "send", id, text: "hijack" });
    expect(await m.next("error")).toMatchObject({ code: "duplicate_id", ref: id });
    expect(await storedRows(room)).toEqual([{ id, text: "mine" }]);
  });

  it("sends the latest page on join and older pages on request", async () => {
    const room = roomName();
    await seed(room, 120);
    const a = await connect(room, (await session("alice")).token);
    const snap = await a.next("snapshot");
    expect(snap.reason).toBe("join");
    expect(snap.messages.map((m) => m.text)).toEqual(Array.from({ length: 50 }, (_, i) => `m${71 + i}`));
    expect(snap.hasMore).toBe(true);
    expect(snap.rev).toBe(120);

    a.send({ type: "history", before: snap.messages[0]!.seq });
    const page = await a.next("page");
    expect(page.messages.map((m) => m.text)).toEqual(Array.from({ length: 50 }, (_, i) => `m${21 + i}`));
    expect(page.hasMore).toBe(true);

    a.send({ type: "history", before: page.messages[0]!.seq, limit: 100 });
    const last = await a.next("page", () => true, { count: 2 });
    expect(last.messages.map((m) => m.text)).toEqual(Array.from({ length: 20 }, (_, i) => `m${1 + i}`));
    expect(last.hasMore).toBe(false);
  });

  it("on reconnect sends exactly the changes after `since`, edits included", async () => {
    const room = roomName();
    const alice = await session("alice");
    const bob = await session("bob");
    const a = await connect(room, alice.token);
    const b = await connect(room, bob.token);
    a.send({ type: "send", id: msgId(), text: "one" });
    const one = await a.next("ack");
    await b.next("message");
    b.close();

    // While bob is away: a new message and an edit of the one he has.
    a.send({ type: "send", id: msgId(), text: "two" });
    await a.next("ack", () => true, { count: 2 });
    a.send({ type: "edit", seq: one.seq, text: "one (edited)" });
    await a.next("message_updated");

    const b2 = await connect(room, bob.token, { since: one.rev });
    const catchup = await b2.next("catchup");
    expect(catchup.messages.map((m) => [m.text, m.editedAt !== null])).toEqual([
      ["two", false],
      ["one (edited)", true],
    ]);
    expect(catchup.rev).toBe(one.rev + 2);
    expect(b2.all("snapshot")).toEqual([]);

    // Nothing missed: an empty catch-up, not a snapshot.
    const b3 = await connect(room, bob.token, { since: catchup.rev });
    expect((await b3.next("catchup")).messages).toEqual([]);
  });

  it("answers a gap beyond the catch-up bound, or an unknown future rev, with a snapshot", async () => {
    const room = roomName();
    await seed(room, 520);
    const token = (await session("alice")).token;
    const far = await connect(room, token, { since: 10 });
    expect((await far.next("snapshot")).reason).toBe("gap");
    const near = await connect(room, token, { since: 30 });
    expect((await near.next("catchup")).messages).toHaveLength(490);
    const future = await connect(room, token, { since: 9999 });
    expect((await future.next("snapshot")).reason).toBe("gap");
  });

  it("lets authors edit and delete their own messages only", async () => {
    const room = roomName();
    const a = await connect(room, (await session("alice")).token);
    const b = await connect(room, (await session("bob")).token);
    a.send({ type: "send", id: msgId(), text: "original" });
    const { seq } = await a.next("ack");

    b.send({ type: "edit", seq, text: "defaced" });
    expect(await b.next("error")).toMatchObject({ code: "not_author", ref: seq });
    b.send({ type: "delete", seq });
    expect(await b.next("error", () => true, { count: 2 })).toMatchObject({ code: "not_author" });

    a.send({ type: "edit", seq, text: "better" });
    expect((await b.next("message_updated")).message).toMatchObject({ seq, text: "better" });
    a.send({ type: "delete", seq });
    const deleted = await b.next("message_updated", (f) => f.message.deleted);
    expect(deleted.message).toMatchObject({ seq, text: "", deleted: true });

    a.send({ type: "edit", seq, text: "resurrect" });
    expect(await a.next("error")).toMatchObject({ code: "not_found" });
    expect(await storedRows(room)).toEqual([{ id: expect.any(String), text: "" }]);
  });

  it("keeps sockets open across a forced hibernation and carries on", async () => {
    const room = roomName();
    const alice = await session("alice");
    const bob = await session("bob");
    const a = await connect(room, alice.token);
    const b = await connect(room, bob.token);
    b.send({ type: "typing", active: true });
    await a.next("typing", (f) => f.typers.length === 1);
    a.send({ type: "send", id: msgId(), text: "before" });
    await b.next("message");

    const stub = await roomStub(room);
    await runInDurableObject(stub, (instance) => {
      (instance as unknown as { marker: string }).marker = "old instance";
    });
    await evictDurableObject(stub, { webSockets: "hibernate" });

    // The next frame wakes a new instance; the sockets and their attachments survived.
    a.send({ type: "send", id: msgId(), text: "after" });
    expect((await b.next("message", (f) => f.message.text === "after")).message.author.name).toBe("alice");
    const marker = await runInDurableObject(stub, (instance) => (instance as unknown as { marker?: string }).marker);
    expect(marker).toBeUndefined();

    // Presence and typing were rebuilt from the sockets' attachments.
    const carol = await connect(room, (await session("carol")).token);
    const presence = await carol.next("presence");
    expect(presence.members.map((m) => m.name)).toEqual(["alice", "bob", "carol"]);
    expect((await carol.next("typing")).typers.map((t) => t.name)).toEqual(["bob"]);
    expect(a.closed).toBeNull();
    expect(b.closed).toBeNull();
  });
});
