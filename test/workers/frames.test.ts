/// <reference types="@cloudflare/vitest-plugin/types" />
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { getAgentByName } from "agents";
import { describe, expect, it } from "vitest";
import { LIMITS } from "../../shared/limits";
import { connect, msgId, roomName, session, type TestMember } from "./client";

async function rowCount(room: string): Promise<number> {
  const stub = await getAgentByName(env.ChatRoom, room);
  return runInDurableObject(stub, (_i, state) => state.storage.sql.exec("SELECT seq FROM messages").toArray().length);
}

async function twoMembers() {
  const room = roomName();
  const a = await connect(room, (await session("alice")).token);
  const b = await connect(room, (await session("bob")).token);
  await a.next("snapshot");
  await b.next("typing");
  await a.next("presence", (f) => f.members.length === 2);
  // Bob's own copy on joining, then the room's coalesced presence frame
  // (which reaches the two sockets in no particular order).
  await b.next("presence", (f) => f.members.length === 2, { count: 2 });
  return { room, a, b };
}

const badFrames: Array<[string, string | ArrayBuffer, string]> = [
  ["invalid JSON", "{nope", "bad_json"],
  ["a JSON scalar", "42", "unknown_type"],
  ["an unknown type", JSON.stringify({ type: "shout", text: "hi" }), "unknown_type"],
  ["a wrong shape", JSON.stringify({ type: "send", id: 7, text: "hi" }), "invalid_frame"],
  ["an extra field", JSON.stringify({ type: "send", id: "abcdefgh", text: "hi", seq: 1 }), "invalid_frame"],
  ["empty text", JSON.stringify({ type: "send", id: "abcdefgh", text: "   \n " }), "invalid_frame"],
  ["text over the cap", JSON.stringify({ type: "send", id: "abcdefgh", text: "x".repeat(LIMITS.messageChars + 1) }), "invalid_frame"],
  ["a frame over the size cap", JSON.stringify({ type: "send", id: "abcdefgh", text: "x".repeat(LIMITS.frameChars) }), "too_large"],
  ["a binary frame", new Uint8Array([1, 2, 3]).buffer, "binary_not_supported"],
  ["a negative seq", JSON.stringify({ type: "history", before: -1 }), "invalid_frame"],
];

describe("bad input", () => {
  it.each(badFrames)("answers %s with an error frame and changes nothing else", async (_what, data, code) => {
    const { room, a, b } = await twoMembers();
    const framesAtBob = b.frames.length;
    a.send(data);
    const error = await a.next("error");
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(10);

    // The connection stays usable and nothing was stored or broadcast.
    a.send({ type: "send", id: msgId(), text: "still here" });
    await b.next("message");
    expect(b.frames.slice(framesAtBob).map((f) => f.type)).toEqual(["message"]);
    expect(a.closed).toBeNull();
    expect(await rowCount(room)).toBe(1);
  });

  it("names the length limit in the error for a too-long message", async () => {
    const { a } = await twoMembers();
    const id = msgId();
    a.send({ type: "send", id, text: "x".repeat(LIMITS.messageChars + 1) });
    expect(await a.next("error")).toMatchObject({ ref: id, message: expect.stringContaining("4000") });
  });

  it("rate-limits a flooding connection without affecting other members", async () => {
    const { a, b } = await twoMembers();
    for (let i = 0; i < 60; i++) a.send({ type: "typing", active: true });
    // Burst 20, so at least 60 - 20 - (refill during the loop) frames are refused.
    await a.next("error", (f) => f.code === "rate_limited", { count: 30 });

    // Bob, on his own connection, is not limited.
    for (let i = 0; i < 5; i++) b.send({ type: "send", id: msgId(), text: `b${i}` });
    await b.next("ack", () => true, { count: 5 });
    expect(b.all("error")).toEqual([]);
  });
});

describe("presence and typing", () => {
  async function join(room: string, token: string): Promise<TestMember> {
    const m = await connect(room, token);
    await m.next("presence");
    return m;
  }

  it("lists a member with several tabs once, and updates when tabs close", async () => {
    const room = roomName();
    const alice = await session("alice");
    const bob = await session("bob");
    const a1 = await join(room, alice.token);
    const a2 = await join(room, alice.token);
    const b = await join(room, bob.token);
    const seen = await b.next("presence");
    expect(seen.members.map((m) => [m.name, m.connections])).toEqual([
      ["alice", 2],
      ["bob", 1],
    ]);
    a1.close();
    await b.next("presence", (f) => f.members.find((m) => m.name === "alice")?.connections === 1);
    a2.close();
    const last = await b.next("presence", (f) => f.members.length === 1);
    expect(last.members.map((m) => m.name)).toEqual(["bob"]);
  });

  it("shows who is typing and clears it when they send or leave", async () => {
    const room = roomName();
    const a = await join(room, (await session("alice")).token);
    const b = await join(room, (await session("bob")).token);
    a.send({ type: "typing", active: true });
    const on = await b.next("typing", (f) => f.typers.length === 1);
    expect(on.typers[0]).toMatchObject({ name: "alice", until: expect.any(Number) });
    a.send({ type: "send", id: msgId(), text: "done typing" });
    await b.next("typing", (f) => f.typers.length === 0);

    a.send({ type: "typing", active: true });
    await b.next("typing", (f) => f.typers.length === 1, { count: 2 });
    a.close();
    await b.next("typing", (f) => f.typers.length === 0, { count: 2 });
  });
});
