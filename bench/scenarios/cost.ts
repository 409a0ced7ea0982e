/**
 * B7 — what a room costs on Cloudflare (issue 21, part 4).
 *
 * A workerd of its own runs the app with HEARTH_COST_COUNTERS=1 (the room
 * then counts every SQL cursor's rowsRead / rowsWritten, the SDK's too:
 * server/room/costCounters.ts); the other blocks' workerd never sets it, so
 * the counting costs their figures nothing. Counters are read through the
 * bench Worker's /bench/cost/<room> (bench/raw/cost.ts) before and after
 * each operation, with nothing else happening in that room:
 *
 * - per message: one member of a 50-member room sends, awaiting each ack,
 *   at two history sizes (the rooms are seeded with real sends);
 * - per join: a 51st socket opens and gets its snapshot;
 * - per fire: the agents SDK's scheduler fires one schedule (the room's
 *   reminder callback, for an id no reminder has) with 10 and with 1,000
 *   schedules pending;
 * - per assistant turn: "@assistant" and a 10-chunk reply from the fake model.
 *
 * Rows are deterministic (one repetition is enough); the time per message
 * (send → own ack) is the bound used for billed duration.
 */
import { performance } from "node:perf_hooks";
import { BenchSocket, closeAll, createTokens, openMany, roomAddress, sleep, type Endpoint } from "../lib/client.ts";
import { startWorkerd } from "../lib/servers.ts";
import { median, round } from "../lib/stats.ts";
import { startFakeOpenAI } from "../../test/support/fake-openai.ts";
import { seedRoom } from "./wake.ts";

export interface Counters {
  rowsRead: number;
  rowsWritten: number;
  statements: number;
  databaseSize: number;
  constructions: number;
  byStatement: Record<string, { runs: number; rowsRead: number; rowsWritten: number }>;
}

export interface StatementCost {
  statement: string;
  runs: number;
  rowsRead: number;
  rowsWritten: number;
}

/** What each statement added between two readings, per operation (n of them), busiest first. */
function statements(a: Counters, b: Counters, n: number): StatementCost[] {
  const out: StatementCost[] = [];
  for (const [statement, x] of Object.entries(b.byStatement)) {
    const y = a.byStatement[statement] ?? { runs: 0, rowsRead: 0, rowsWritten: 0 };
    const d = { runs: x.runs - y.runs, rowsRead: x.rowsRead - y.rowsRead, rowsWritten: x.rowsWritten - y.rowsWritten };
    if (d.rowsRead || d.rowsWritten) out.push({ statement, runs: round(d.runs / n, 2), rowsRead: round(d.rowsRead / n, 2), rowsWritten: round(d.rowsWritten / n, 2) });
  }
  return out.sort((p, q) => q.rowsWritten + q.rowsRead - (p.rowsWritten + p.rowsRead));
}

export interface CostSample {
  history: number;
  perMessage: { rowsRead: number; rowsWritten: number; statements: number; bytes: number; ackMs: number; byStatement: StatementCost[] };
  perJoin: { rowsRead: number; rowsWritten: number };
  perTurn: { rowsRead: number; rowsWritten: number; complete: boolean };
  databaseSize: number;
}

export interface CostResult {
  members: number;
  samples: CostSample[];
  /** Rows one scheduler fire reads/writes with `pending` schedules waiting. */
  fires: Array<{ pending: number; rowsRead: number; rowsWritten: number; byStatement: StatementCost[] }>;
}

const MEMBERS = 50;
const SENDS = 40;

async function counters(url: string, room: string): Promise<Counters> {
  const res = await fetch(`${url}/bench/cost/${room}`);
  const body = (await res.json()) as { ok: boolean; counters?: Counters; error?: string };
  if (!body.ok) throw new Error(`cost counters refused: ${body.error}`);
  return body.counters!;
}
const delta = (a: Counters, b: Counters) => ({ rowsRead: b.rowsRead - a.rowsRead, rowsWritten: b.rowsWritten - a.rowsWritten, statements: b.statements - a.statements });

export async function runCost(config: string, vars: Record<string, string>, histories: number[]): Promise<CostResult> {
  const reply = { chunks: Array.from({ length: 10 }, (_, i) => `t${i} `), delayMs: 5 };
  const fake = await startFakeOpenAI(histories.map(() => reply));
  const server = await startWorkerd(
    {
      ...vars,
      HEARTH_COST_COUNTERS: "1",
      AI_PROVIDER: "openai-compatible",
      OPENAI_BASE_URL: fake.baseUrl,
      AI_MODEL: "bench-model",
      ASSISTANT_ROOM_TURNS_PER_MINUTE: "100000",
      ASSISTANT_MEMBER_TURNS_PER_MINUTE: "100000",
    },
    config,
  );
  try {
    const tokens = await createTokens(server.url, MEMBERS + 1);
    const ep: Endpoint = { target: "A", url: server.url, tokens };
    const samples: CostSample[] = [];
    let fires: CostResult["fires"] = [];
    for (const history of histories) {
      const seeded = await seedRoom(ep, history);
      const room = seeded.room;
      await closeAll([seeded.socket]);
      const sockets = await openMany((i) => roomAddress(ep, room, i), MEMBERS, () => () => {});
      await sleep(500); // the join storm's presence frames pass
      const sender = sockets[0]!;
      // Per message.
      const c0 = await counters(server.url, room);
      const acks: number[] = [];
      for (let k = 0; k < SENDS; k++) {
        const id = `cost_${history}_${k}_${Date.now()}`;
        const t = performance.now();
        const ack = sender.next("ack", (f) => f.id === id);
        sender.send({ type: "send", id, text: `a message of ordinary length, number ${k}` });
        acks.push((await ack).at - t);
      }
      const c1 = await counters(server.url, room);
      const m = delta(c0, c1);
      // Per join.
      const c2 = await counters(server.url, room);
      const joiner = await BenchSocket.open(roomAddress(ep, room, MEMBERS));
      await joiner.next("snapshot").catch(() => null);
      await sleep(300); // presence and the join's other frames
      const c3 = await counters(server.url, room);
      await joiner.close();
      // Per assistant turn.
      const c4 = await counters(server.url, room);
      const done = sender.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status !== "streaming", 30_000).then(() => true, () => false);
      sender.send({ type: "send", id: `cost_turn_${history}_${Date.now()}`, text: "@assistant please answer" });
      const complete = await done;
      await sleep(300);
      const c5 = await counters(server.url, room);
      samples.push({
        history,
        perMessage: { ...per(m, SENDS), bytes: round((c1.databaseSize - c0.databaseSize) / SENDS, 0), ackMs: round(median(acks), 2), byStatement: statements(c0, c1, SENDS) },
        perJoin: { rowsRead: c3.rowsRead - c2.rowsRead, rowsWritten: c3.rowsWritten - c2.rowsWritten },
        perTurn: { rowsRead: c5.rowsRead - c4.rowsRead, rowsWritten: c5.rowsWritten - c4.rowsWritten, complete },
        databaseSize: c5.databaseSize,
      });
      // Scheduler fires, in the largest room only (history does not enter the scheduler's queries).
      if (history === histories[histories.length - 1]) fires = await schedulerFires(server.url, room);
      await closeAll(sockets);
    }
    return { members: MEMBERS, samples, fires };
  } finally {
    await server.stop();
    await fake.close();
  }
}

const per = (d: { rowsRead: number; rowsWritten: number; statements: number }, n: number) => ({
  rowsRead: round(d.rowsRead / n, 2),
  rowsWritten: round(d.rowsWritten / n, 2),
  statements: round(d.statements / n, 2),
});

/** Rows read and written by one alarm fire with 10, then 1,000 schedules pending (far in the future). */
async function schedulerFires(url: string, room: string): Promise<CostResult["fires"]> {
  const out: CostResult["fires"] = [];
  let pending = 0;
  for (const target of [10, 1_000]) {
    const add = target - pending;
    await fetch(`${url}/bench/schedule/${room}?n=${add}&inMs=86400000`, { method: "POST" });
    pending = target;
    // Due 3 s on: the "before" reading must come ahead of the fire, even on a loaded machine.
    await fetch(`${url}/bench/schedule/${room}?n=1&inMs=3000`, { method: "POST" });
    const before = await counters(url, room);
    const fired = (c: Counters) => Object.entries(c.byStatement).filter(([q]) => q.startsWith("DELETE FROM cf_agents_jobs")).reduce((n, [, x]) => n + x.runs, 0);
    let after = before;
    for (let waited = 0; fired(after) === fired(before) && waited < 20_000; waited += 250) {
      await sleep(250);
      after = await counters(url, room);
    }
    if (fired(after) === fired(before)) throw new Error("the scheduled fire did not happen within 20 s");
    await sleep(300); // the rest of the alarm handler (re-arming) runs after the job's delete
    after = await counters(url, room);
    out.push({ pending, rowsRead: after.rowsRead - before.rowsRead, rowsWritten: after.rowsWritten - before.rowsWritten, byStatement: statements(before, after, 1) });
  }
  return out;
}
