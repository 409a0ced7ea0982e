/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * What a room costs in SQLite rows (issue 21, B7), counted by the bench's
 * cost counters (server/room/costCounters.ts), installed here into a room
 * already built: a message writes 4 rows (`messages.seq` is a plain INTEGER
 * PRIMARY KEY, no longer AUTOINCREMENT, and slow mode writes only while it
 * is on); a room made with the old schema is rebuilt on its next wake with
 * nothing lost; a scheduler fire reads as many rows with 200 schedules
 * pending as with 10 (room/jobIndexes.ts). Through the room's sockets and
 * its real alarm handler; the tests reach into the database only to count
 * rows and to make a room look as old rooms look.
 */
import { env } from "cloudflare:workers";
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { getAgentByName } from "agents";
import { beforeAll, describe, expect, it } from "vitest";
import { installCostCounters, readCostCounters } from "../../server/room/costCounters";
import { connect, msgId, oliveAndBob, type TestMember } from "./client";
import { reminderSchedules, runAlarmAt } from "./clock";

beforeAll(async () => {
  await oliveAndBob("warm-up");
}, 60_000);

async function post(from: TestMember, text: string): Promise<{ seq: number; rev: number }> {
  const id = msgId();
  from.send({ type: "send", id, text });
  return from.next("ack", (f) => f.id === id);
}

async function hits(member: TestMember, query: string): Promise<string[]> {
  const id = msgId();
  member.send({ type: "search", id, query });
  const answer = await member.next("search_results", (f) => f.id === id);
  return answer.results.map((r) => r.message.text);
}

const schemaOf = (sql: SqlStorage) =>
  sql.exec<{ type: string; name: string; sql: string }>("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'messages' ORDER BY type, name").toArray();

describe("rows written per message", () => {
  it("a message in a room without slow mode writes 4 rows: its row, its id and rev index entries, its search-index row", async () => {
    const { room, o } = await oliveAndBob("rows");
    await post(o, "warm: the first message of a room also creates what it needs");
    const stub = await getAgentByName(env.ChatRoom, room);
    // Installed after the room was built: from here on its SQL is counted (the room holds the same sql object).
    const before = await runInDurableObject(stub, (_room, state) => {
      installCostCounters(state);
      return readCostCounters(state);
    });
    for (let i = 0; i < 5; i++) await post(o, `message ${i} about nothing in particular`);
    const after = await runInDurableObject(stub, (_room, state) => readCostCounters(state));
    // Was 6 before B7: AUTOINCREMENT's sqlite_sequence row and slow mode's row, on every message.
    expect((after.rowsWritten - before.rowsWritten) / 5).toBe(4);
  });

  it("slow mode still holds a member to its interval (its row is written while it is on)", async () => {
    const { o, b } = await oliveAndBob("rows-slow");
    await post(b, "before slow mode");
    expect(await o.command("/slowmode 30s")).toMatchObject({ ok: true });
    await b.next("room", (f) => f.room.slowModeSeconds === 30);
    await post(b, "the first one after it is on goes through");
    const id = msgId();
    b.send({ type: "send", id, text: "too soon" });
    const refused = await b.next("error", (f) => f.ref === id);
    expect(refused.code).toBe("slow_mode");
  });
});

describe("a room made with seq AUTOINCREMENT", () => {
  it("is rebuilt on its next wake: same seqs and revs, search and catch-up intact, the next seq follows", async () => {
    const { room, olive: oliveSession, o } = await oliveAndBob("rebuild");
    const first = await post(o, "the lighthouse keeper's log");
    await post(o, "second entry");
    const third = await post(o, "third entry, to be edited");
    o.send({ type: "edit", seq: third.seq, text: "third entry, edited about the lighthouse" });
    await o.next("message_updated", (f) => f.message.seq === third.seq);
    const stub = await getAgentByName(env.ChatRoom, room);

    // Make the table what rooms made before this change have: the same
    // columns with AUTOINCREMENT, its indexes and search triggers as they were.
    const made = await runInDurableObject(stub, (_room, state) => {
      const sql = state.storage.sql;
      const now = schemaOf(sql);
      const table = now.find((r) => r.type === "table")!.sql;
      sql.exec(table.replace(/^CREATE TABLE\s+"?messages"?/, "CREATE TABLE messages_old").replace(/seq INTEGER PRIMARY KEY/, "seq INTEGER PRIMARY KEY AUTOINCREMENT"));
      sql.exec("INSERT INTO messages_old SELECT * FROM messages");
      sql.exec("DROP TABLE messages");
      sql.exec("ALTER TABLE messages_old RENAME TO messages");
      for (const r of now) if (r.type !== "table" && r.sql) sql.exec(r.sql);
      return { before: now.map((r) => [r.type, r.name]), old: schemaOf(sql).find((r) => r.type === "table")!.sql };
    });
    expect(made.old).toMatch(/AUTOINCREMENT/);
    o.close();
    await evictDurableObject(stub, { webSockets: "close" });

    const olive = await connect(room, oliveSession.token);
    const snapshot = await olive.next("snapshot");
    const texts = snapshot.messages.map((m) => [m.seq, m.text]);
    expect(texts).toContainEqual([first.seq, "the lighthouse keeper's log"]);
    expect(texts).toContainEqual([third.seq, "third entry, edited about the lighthouse"]);
    const after = await runInDurableObject(stub, (_room, state) => schemaOf(state.storage.sql));
    expect(after.find((r) => r.type === "table")!.sql).not.toMatch(/AUTOINCREMENT/);
    // Every index and trigger came back.
    expect(after.map((r) => [r.type, r.name])).toEqual(made.before);

    const next = await post(olive, "after the rebuild, about the lighthouse too");
    expect(next.seq).toBe(third.seq + 1);
    expect(next.rev).toBeGreaterThan(snapshot.rev);
    // The triggers index old rows (kept rowids) and new ones alike.
    expect((await hits(olive, "lighthouse")).sort()).toEqual(
      ["after the rebuild, about the lighthouse too", "the lighthouse keeper's log", "third entry, edited about the lighthouse"].sort(),
    );
    // Catch-up from the first message's rev replays the rest, in order.
    const late = await connect(room, oliveSession.token, { since: first.rev });
    const caughtUp = await late.next("catchup");
    expect(caughtUp.messages.map((m) => m.seq)).toEqual(expect.arrayContaining([third.seq, next.seq]));
    expect(caughtUp.messages.map((m) => m.seq)).not.toContain(first.seq);
  });
});

describe("a reminder's fire", () => {
  /**
   * Rows the room's real alarm reads and writes when a repeating reminder
   * fires (it posts, and schedules its next occurrence) while `pending`
   * other schedules wait, due after it.
   */
  async function fireWith(pending: number) {
    const { room, o } = await oliveAndBob(`fire-${pending}`);
    expect(await o.command("/remind me to stretch every day at 9")).toMatchObject({ ok: true });
    const [due] = await reminderSchedules(room);
    const stub = await getAgentByName(env.ChatRoom, room);
    const before = await runInDurableObject(stub, async (instance, state) => {
      // The reminder callback, for ids no reminder has: fillers that never fire in this test.
      for (let i = 0; i < pending; i++) {
        const at = due!.time * 1000 + 86_400_000 + i * 1000;
        await instance.schedule(new Date(at), "fireReminder", { id: `none-${i}`, at });
      }
      installCostCounters(state);
      return readCostCounters(state);
    });
    expect(await runAlarmAt(room, due!.time * 1000 + 1000)).toBe(true);
    await o.next("message", (f) => f.message.kind === "reminder");
    const after = await runInDurableObject(stub, (_instance, state) => readCostCounters(state));
    const left = await reminderSchedules(room);
    // Its next occurrence is scheduled, the fillers are untouched.
    expect(left.filter((x) => x.payload.id === due!.payload.id).map((x) => x.time)).toEqual([due!.time + 86_400]);
    expect(left).toHaveLength(pending + 1);
    return { read: after.rowsRead - before.rowsRead, written: after.rowsWritten - before.rowsWritten };
  }

  it("reads no more rows with 200 schedules pending than with 10 (the job table is indexed by time)", async () => {
    const few = await fireWith(10);
    const many = await fireWith(200);
    // Before: 7 rows read per pending schedule to fire, and all of them again to schedule the next one.
    expect(many.read).toBeLessThanOrEqual(few.read + 5);
    expect(many.written).toBe(few.written);
  });
});
