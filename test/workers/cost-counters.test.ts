/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * The bench-only cost counters (server/room/costCounters.ts): off in every
 * Worker that does not set HEARTH_COST_COUNTERS=1 — this suite's config
 * does not — so the RPC that reads them is refused; and where they are
 * installed they count the cursor's rows as SQLite reports them.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { costCountersEnabled, installCostCounters, readCostCounters } from "../../server/room/costCounters";
import { connect, msgId, roomName, session } from "./client";

describe("cost counters", { timeout: 60_000 }, () => {
  it("are refused without the bench flag, even for a room in use", async () => {
    const room = roomName("cost");
    const olive = await connect(room, (await session("olive")).token);
    await olive.next("welcome");
    olive.send({ type: "send", id: msgId(), text: "hello" });
    await olive.next("ack");
    const stub = env.ChatRoom.get(env.ChatRoom.idFromName(room));
    expect(await stub.costCounters()).toEqual({ ok: false, error: "cost counters are off" });
    expect(costCountersEnabled({})).toBe(false);
    expect(costCountersEnabled({ HEARTH_COST_COUNTERS: "true" })).toBe(false);
    expect(costCountersEnabled({ HEARTH_COST_COUNTERS: "1" })).toBe(true);
  });

  it("count the rows SQLite reports for every statement once installed", async () => {
    // A bare object of the class, never entered: only this test's SQL runs in it.
    const stub = env.ChatRoom.get(env.ChatRoom.idFromName(roomName("cost-sql")));
    const counted = await runInDurableObject(stub, (_instance, state) => {
      installCostCounters(state);
      const sql = state.storage.sql;
      sql.exec("CREATE TABLE IF NOT EXISTS cost_probe (k INTEGER PRIMARY KEY, v TEXT)");
      const before = readCostCounters(state);
      for (let k = 1; k <= 3; k++) sql.exec("INSERT INTO cost_probe (k, v) VALUES (?, ?)", k, "x");
      const afterWrites = readCostCounters(state);
      // A full scan reads every row; a primary-key look-up reads one.
      sql.exec("SELECT * FROM cost_probe").toArray();
      const afterScan = readCostCounters(state);
      sql.exec("SELECT v FROM cost_probe WHERE k = 2").toArray();
      const afterLookup = readCostCounters(state);
      return { before, afterWrites, afterScan, afterLookup };
    });
    expect(counted.afterWrites.rowsWritten - counted.before.rowsWritten).toBe(3);
    expect(counted.afterWrites.statements - counted.before.statements).toBe(3);
    expect(counted.afterScan.rowsRead - counted.afterWrites.rowsRead).toBe(3);
    expect(counted.afterLookup.rowsRead - counted.afterScan.rowsRead).toBe(1);
    expect(counted.afterLookup.databaseSize).toBeGreaterThan(0);
  });
});
