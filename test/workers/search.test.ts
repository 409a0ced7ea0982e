/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * Search (issue 18, part 1): the FTS5 index follows every write to a
 * message (triggers), filters narrow it, users' text never reaches FTS5
 * syntax, viewers may search, and a room only ever searches itself. All
 * through real room sockets, except where a test reaches into the room's
 * database to make it look older than search.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { getAgentByName } from "agents";
import { beforeAll, describe, expect, it } from "vitest";
import { installSearchIndex } from "../../server/room/searchIndex";
import { msgId, oliveAndBob, session, uploadFile, type TestMember } from "./client";

beforeAll(async () => {
  await session("warm-up");
}, 60_000);

async function post(from: TestMember, text: string, extra: Record<string, unknown> = {}) {
  const id = msgId();
  from.send({ type: "send", id, text, ...extra });
  const ack = await from.next("ack", (f) => f.id === id);
  return ack.seq;
}

async function search(member: TestMember, query: string, before?: number) {
  const id = msgId();
  member.send({ type: "search", id, query, ...(before ? { before } : {}) });
  const answer = await Promise.race([
    member.next("search_results", (f) => f.id === id),
    member.next("error", (f) => f.ref === id),
  ]);
  return answer;
}

async function hits(member: TestMember, query: string): Promise<string[]> {
  const answer = await search(member, query);
  if (answer.type !== "search_results") throw new Error(`search refused: ${answer.message}`);
  return answer.results.map((r) => r.message.text);
}

describe("the index follows the log", () => {
  it("finds a message by a word or its start, and follows its edit and delete", async () => {
    const { o, b } = await oliveAndBob("search");
    const seq = await post(o, "The deployment of banana bread is Friday");
    await post(o, "something else entirely");
    expect(await hits(b, "banana")).toEqual(["The deployment of banana bread is Friday"]);
    expect(await hits(b, "DEPLOY")).toEqual(["The deployment of banana bread is Friday"]);
    expect(await hits(b, '"bread is friday"')).toHaveLength(1);
    expect(await hits(b, '"friday bread"')).toEqual([]);

    o.send({ type: "edit", seq, text: "apple pie on Monday" });
    await b.next("message_updated", (f) => f.message.seq === seq);
    expect(await hits(b, "banana")).toEqual([]);
    expect(await hits(b, "apple")).toEqual(["apple pie on Monday"]);

    o.send({ type: "delete", seq });
    await b.next("message_updated", (f) => f.message.seq === seq && f.message.deleted);
    expect(await hits(b, "apple")).toEqual([]);
  });

  it("forgets a message an owner removed, and marks the matches in a snippet", async () => {
    const { o, b } = await oliveAndBob("search");
    const seq = await post(b, "a cherry on top");
    const found = await search(o, "cherry");
    expect(found.type).toBe("search_results");
    if (found.type !== "search_results") return;
    expect(found.results[0]!.snippet).toBe("a cherry on top");
    expect(found.results[0]!.highlights).toEqual([[2, 8]]);
    expect(found.indexing).toBe(false);
    expect(found.results[0]!.message).toMatchObject({ seq, author: { name: "bob" }, parts: [] });

    o.send({ type: "delete", seq });
    await o.next("message_updated", (f) => f.message.seq === seq && f.message.deleted);
    expect(await hits(o, "cherry")).toEqual([]);
    expect(await hits(b, "cherry")).toEqual([]);
  });

  it("shows mentions in a snippet as names, not member ids", async () => {
    const { o, b, bob } = await oliveAndBob("search");
    await post(o, `ask <@${bob.id}> about the invoice`);
    const found = await search(b, "invoice");
    if (found.type !== "search_results") throw new Error("refused");
    expect(found.results[0]!.snippet).toBe("ask @bob about the invoice");
    expect(found.results[0]!.message.text).toContain(`<@${bob.id}>`);
    // A name finds where its member was mentioned (the text holds only the id), and the snippet marks it.
    const byName = await search(o, "bo");
    if (byName.type !== "search_results") throw new Error("refused");
    expect(byName.results.map((r) => r.snippet)).toEqual(["ask @bob about the invoice"]);
    expect(byName.results[0]!.highlights).toEqual([[5, 8]]);
    expect(await hits(o, "@bob invoice")).toHaveLength(1);
    expect(await hits(o, "olive invoice")).toEqual([]);
  });

  it("pages newest first with `before`", async () => {
    const { o, b } = await oliveAndBob("search");
    // Two senders: each socket may send a burst of 20 frames.
    for (let i = 0; i < 25; i++) await post(i % 2 ? b : o, `tick number ${i}`);
    const first = await search(b, "tick");
    if (first.type !== "search_results") throw new Error("refused");
    expect(first.results).toHaveLength(20);
    expect(first.hasMore).toBe(true);
    expect(first.results[0]!.message.text).toBe("tick number 24");
    const next = await search(b, "tick", first.results.at(-1)!.message.seq);
    if (next.type !== "search_results") throw new Error("refused");
    expect(next.results.map((r) => r.message.text)).toEqual([4, 3, 2, 1, 0].map((i) => `tick number ${i}`));
    expect(next.hasMore).toBe(false);
    expect(next.before).toBe(first.results.at(-1)!.message.seq);
  });
});

describe("every writer of a message", () => {
  it("indexes an assistant answer once it settles, not while it streams, and forgets a moderated message", async () => {
    const { o, b, room } = await oliveAndBob("search");
    const spam = await post(b, "cheap pills here");
    const stub = await getAgentByName(env.ChatRoom, room);
    const seen = await runInDurableObject(stub, (instance) => {
      const log = instance.log;
      const search = instance.kernel.search;
      const found = (q: string) => {
        const r = search.search(q, { timeZone: "UTC" });
        return r.ok ? r.results.map((x) => x.message.seq) : r.error;
      };
      const turn = log.insert({ id: "turn-1", kind: "assistant", author: { id: "assistant", name: "assistant" }, text: "", status: "streaming", now: Date.now() });
      if (turn.status !== "stored") throw new Error("not stored");
      const seq = turn.message.seq;
      log.checkpoint(seq, "the capybara is a rodent", []);
      const streaming = found("capybara");
      log.settle(seq, "done", "the capybara is a large rodent", []);
      const settled = found("capybara");
      const moderated = log.moderate(spam, Date.now()).status;
      return { seq, streaming, settled, moderated, pills: found("pills") };
    });
    expect(seen.streaming).toEqual([]);
    expect(seen.settled).toEqual([seen.seq]);
    expect(seen.moderated).toBe("changed");
    expect(seen.pills).toEqual([]);
    expect(await hits(o, "capybara")).toEqual(["the capybara is a large rodent"]);
  });
});

describe("filters", () => {
  it("from:, from:me, in:thread and has:file", async () => {
    const { o, b } = await oliveAndBob("search");
    const parent = await post(o, "plan the offsite");
    await post(b, "offsite in June?", { threadOf: parent });
    await post(b, "offsite budget is small");
    expect(await hits(o, "offsite from:bob")).toEqual(["offsite budget is small", "offsite in June?"]);
    expect(await hits(o, "offsite from:@Bob")).toHaveLength(2);
    expect(await hits(o, "offsite from:me")).toEqual(["plan the offsite"]);
    expect(await hits(b, "from:me")).toEqual(["offsite budget is small", "offsite in June?"]);
    expect(await hits(o, "offsite in:thread")).toEqual(["offsite in June?"]);
    // No message has attachments yet: has:file is accepted and matches none.
    expect(await hits(o, "offsite has:file")).toEqual([]);
    // A rename keeps a member's messages findable by the new name.
    b.send({ type: "set_name", name: "Robert" });
    await o.next("presence", (f) => f.members.some((m) => m.name === "Robert"));
    expect(await hits(o, "budget from:robert")).toEqual(["offsite budget is small"]);
  });

  it("has:file matches messages with attachments", async () => {
    const { o, b, room, olive } = await oliveAndBob("search");
    const upload = await uploadFile(room, olive.token, new TextEncoder().encode("third quarter"), "text/plain", "q3.txt");
    expect(upload.status).toBe(201);
    const { file } = (await upload.json()) as { file: { id: string } };
    await post(o, "the report, attached", { attachments: [file.id] });
    await post(o, "the report, described");
    expect(await hits(b, "report has:file")).toEqual(["the report, attached"]);
    expect(await hits(b, "report")).toHaveLength(2);
  });

  it("before: and after: are days in the searcher's time zone", async () => {
    const { o, b, room } = await oliveAndBob("search-days", { tz: "Pacific/Auckland" });
    await post(o, "yesterday's lunch");
    await post(o, "today's lunch");
    // Date the two rows 2026-03-10 23:30 and 2026-03-11 00:30, Auckland time (UTC+13 in March).
    const stub = await getAgentByName(env.ChatRoom, room);
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE messages SET created_at = ? WHERE text = ?", Date.parse("2026-03-10T10:30:00Z"), "yesterday's lunch");
      state.storage.sql.exec("UPDATE messages SET created_at = ? WHERE text = ?", Date.parse("2026-03-10T11:30:00Z"), "today's lunch");
    });
    expect(await hits(b, "lunch before:2026-03-11")).toEqual(["yesterday's lunch"]);
    expect(await hits(b, "lunch after:2026-03-10")).toEqual(["today's lunch"]);
    expect(await hits(b, "lunch after:2026-03-09 before:2026-03-12")).toHaveLength(2);
    const bad = await search(b, "lunch before:2026-02-30");
    expect(bad).toMatchObject({ type: "error", code: "invalid_frame" });
    expect(bad.type === "error" && bad.message).toContain("YYYY-MM-DD");
  });
});

describe("what a member types", () => {
  it("never reaches FTS5 as syntax: odd queries answer plainly and the socket goes on", async () => {
    const { o, b } = await oliveAndBob("search");
    await post(o, 'we said "AND" NEAR the (end) * of it: col:umn');
    for (const query of ['AND "', "NEAR(", "*", "(end)", '"unclosed', "col:umn", "-", "'; DROP TABLE messages; --", "a OR b NOT c"]) {
      const answer = await search(b, query);
      expect(answer.type, query).toBe("search_results");
    }
    expect(await hits(b, "NEAR(")).toHaveLength(1);
    expect(await hits(b, "col:umn")).toHaveLength(1);
    expect(await hits(b, '"unclosed')).toEqual([]);
    // An empty query, or one over the cap, is refused by the frame's schema: a clear error, nothing else.
    b.send({ type: "search", id: "x1", query: "" });
    expect(await b.next("error", (f) => f.code === "invalid_frame" && f.message.includes("query"))).toBeTruthy();
    const spaces = await search(b, "   ");
    expect(spaces).toMatchObject({ type: "error", code: "invalid_frame" });
    expect(await hits(b, "said")).toHaveLength(1);
  });

  it("lets a viewer search", async () => {
    const { o, b, bob } = await oliveAndBob("search");
    await post(o, "readable by everyone");
    o.send({ type: "member_action", id: msgId(), action: "set_role", member: bob.id, role: "viewer" });
    await o.next("members", (f) => f.members.some((m) => m.id === bob.id && m.role === "viewer"));
    expect(await hits(b, "readable")).toEqual(["readable by everyone"]);
  });
});

describe("rooms stay apart", () => {
  it("never returns another room's messages, nor its history around a seq", async () => {
    const a = await oliveAndBob("search-a");
    const z = await oliveAndBob("search-z");
    const seq = await post(a.o, "a secret of room a");
    expect(await hits(z.o, "secret")).toEqual([]);
    z.o.send({ type: "history_around", seq });
    const around = await z.o.next("around");
    expect(around.messages.every((m) => !m.text.includes("secret"))).toBe(true);
    expect(await hits(a.b, "secret")).toEqual(["a secret of room a"]);
  });
});

describe("history around a message", () => {
  it("answers a window around the seq, and the newest page without one", async () => {
    const { o, b, room } = await oliveAndBob("search");
    const seqs: number[] = [];
    for (let i = 0; i < 12; i++) seqs.push(await post(o, `line ${i}`));
    const stub = await getAgentByName(env.ChatRoom, room);
    const window = await runInDurableObject(stub, (instance) => instance.log.around(seqs[5]!, 4));
    expect(window.messages.map((m) => m.text)).toEqual(["line 4", "line 5", "line 6", "line 7"]);
    expect(window).toMatchObject({ hasMore: true, hasNewer: true });

    b.send({ type: "history_around", seq: seqs[5] });
    const around = await b.next("around", (f) => f.seq === seqs[5]);
    expect(around.messages.map((m) => m.text)).toContain("line 5");
    expect(around.hasNewer).toBe(false);
    b.send({ type: "history_around" });
    const present = await b.next("around", (f) => f.seq === null);
    expect(present.messages.at(-1)!.text).toBe("line 11");
  });
});

describe("the assistant's tool", () => {
  it("reads the same index as members", async () => {
    const { o, b, room } = await oliveAndBob("search");
    await post(o, "the quarterly report is late");
    await post(b, "quarterly numbers look fine");
    const stub = await getAgentByName(env.ChatRoom, room);
    const fromTool = await runInDurableObject(stub, async (instance) => {
      const tool = instance.kernel.tools.all().find((t) => t.name === "search_messages")!;
      return (await tool.execute({ query: "quarter from:olive" }, [], { callId: "c1" } as never)) as Array<{ text: string }>;
    });
    expect(fromTool.map((r) => r.text)).toEqual(await hits(b, "quarter from:olive"));
    expect(fromTool.map((r) => r.text)).toEqual(["the quarterly report is late"]);
  });
});

describe("a room older than search", () => {
  it("backfills its history in batches, newest first, while search answers", async () => {
    const { o, b, room } = await oliveAndBob("search");
    const recent = await post(o, "recent words");
    const stub = await getAgentByName(env.ChatRoom, room);
    // Make the room look as it did before search: no index, no triggers,
    // and a long history (seqs far apart, so that it takes many batches).
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      for (const name of ["messages_fts_insert", "messages_fts_update", "messages_fts_delete"]) sql.exec(`DROP TRIGGER ${name}`);
      sql.exec("DROP TABLE messages_fts");
      sql.exec("DROP TABLE search_backfill");
      sql.exec(
        "INSERT INTO messages (seq, rev, id, kind, author_id, author_name, text, created_at) VALUES (30000, (SELECT MAX(rev) + 1 FROM messages), 'old-1', 'user', 'x', 'xavier', 'ancient scroll', 1)",
      );
      sql.exec(
        "INSERT INTO messages (seq, rev, id, kind, author_id, author_name, text, created_at) VALUES (30001, (SELECT MAX(rev) + 1 FROM messages), 'old-2', 'user', 'x', 'xavier', 'newer scroll', 2)",
      );
      installSearchIndex(sql);
    });
    // The first search indexed the newest batches (the scrolls), not yet the oldest row.
    const first = await search(b, "scroll");
    if (first.type !== "search_results") throw new Error("refused");
    expect(first.results.map((r) => r.message.text)).toEqual(["newer scroll", "ancient scroll"]);
    expect(first.indexing).toBe(true);
    // Edited before its batch came: the backfill reads the text as it is then.
    o.send({ type: "edit", seq: recent, text: "recent words, edited" });
    await b.next("message_updated", (f) => f.message.seq === recent);
    // The rest is done in the background; then everything is found.
    await expect.poll(async () => runInDurableObject(stub, (instance) => instance.kernel.search.backfillBelow()), { timeout: 10_000 }).toBeNull();
    expect(await hits(b, "recent")).toEqual(["recent words, edited"]);
    const done = await search(b, "scroll");
    expect(done.type === "search_results" && done.indexing).toBe(false);
  });
});
