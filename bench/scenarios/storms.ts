/**
 * Reconnect storms and network drops (issue 21, part 3).
 *
 * B9 — drops while talking. N members (A's real client code: partysocket +
 * the client's reducer, catch-up and resend, ../lib/node-room/client.ts)
 * connect through a proxy (../lib/dropProxy.ts) that kills every TCP
 * connection after an exponential random lifetime, while each member sends
 * 1 msg/s. After the talking the proxy stops killing, every member waits
 * until its own messages are confirmed, then pages back over any gap
 * snapshot (as a member scrolling up would). Every member's final list must
 * then hold every acknowledged message exactly once, in the same order as
 * every other member's.
 *
 * B10 — a reconnect storm. `sockets` sockets join a room, note the revision
 * they hold and leave; `messages` messages are sent meanwhile; then all
 * sockets reconnect at the same instant with `since` = that revision. Time
 * to caught-up = from the storm's start to the frame that brings the
 * socket's last missing message. Lean driver sockets (../lib/client.ts), so
 * the driver's CPU is not what is measured; A and R (R's `?since=` is the
 * simplest catch-up: rows after it, one frame).
 */
import { performance } from "node:perf_hooks";
import { randomUUID } from "node:crypto";
import { SESSION_COOKIE } from "../../test/support/room-client.ts";
import { BenchSocket, closeAll, ensureRooms, openMany, roomAddress, roomName, sleep, type Endpoint } from "../lib/client.ts";
import { startDropProxy } from "../lib/dropProxy.ts";
import { settle } from "./memory.ts";
import { loadNodeRoomClient, type NodeRoomClient } from "../lib/hearthClient.ts";
import { judge, percentile, round, spreadText, type Threshold } from "../lib/stats.ts";

// ─────────────────────────────────── B9 ───────────────────────────────────

export interface DropOptions {
  members: number;
  durationMs: number;
  meanLifetimeMs: number;
}

export interface DropSample {
  target: "A";
  members: number;
  durationMs: number;
  meanLifetimeMs: number;
  sent: number;
  /** Confirmed to their sender (ack, or the sender's own row in a frame or catch-up). */
  acknowledged: number;
  /** Lowest share of acknowledged messages found in one member's final list. */
  deliveredMin: number;
  /** Ids present more than once, summed over members. */
  duplicates: number;
  /** Members whose final order of the acknowledged messages differs from member 0's. */
  orderMismatches: number;
  /** Stored messages nobody had acknowledged (sent, stored, ack lost and never confirmed). */
  unacknowledgedStored: number;
  drops: number;
  reconnects: number;
  catchups: number;
  gapSnapshots: number;
  resent: number;
  errors: number;
  /** From the last send until every member had its own messages confirmed and was online. */
  settleSeconds: number;
  wallSeconds: number;
}

const until = async (cond: () => boolean, timeoutMs: number, what: string) => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(50);
  }
};

export async function dropStorm(ep: Endpoint, opts: DropOptions): Promise<DropSample> {
  const t0 = Date.now();
  const { NodeRoomClient } = await loadNodeRoomClient();
  const room = roomName("b9");
  await ensureRooms(ep, [room]);
  const server = new URL(ep.url);
  const proxy = await startDropProxy({ host: server.hostname, port: Number(server.port) }, opts.meanLifetimeMs);
  proxy.setDropping(false);
  let errors = 0;
  const clients: NodeRoomClient[] = [];
  try {
    for (let i = 0; i < opts.members; i++) {
      clients.push(
        new NodeRoomClient({
          host: proxy.host,
          room,
          token: ep.tokens![i % ep.tokens!.length]!,
          cookieName: SESSION_COOKIE,
          onFrame: (f) => {
            if (f.type === "error") errors++;
          },
        }),
      );
    }
    await until(() => clients.every((c) => c.welcomed), 60_000, "members joining");
    proxy.setDropping(true);
    // Open loop, as B1: member i sends at start + phase_i + k·1 s.
    const perMember = Math.max(1, Math.round(opts.durationMs / 1000));
    const start = performance.now() + 200;
    const timers: NodeJS.Timeout[] = [];
    let sent = 0;
    for (let i = 0; i < opts.members; i++) {
      for (let k = 0; k < perMember; k++) {
        const at = start + (i / opts.members) * 1000 + k * 1000;
        timers.push(
          setTimeout(() => {
            clients[i]!.send(`b9-${randomUUID()}`, `m ${i} ${k}`);
            sent++;
          }, at - performance.now()),
        );
      }
    }
    await until(() => sent === opts.members * perMember, opts.durationMs + 60_000, "sends");
    const lastSend = Date.now();
    proxy.setDropping(false);
    // partysocket backs off up to 10 s; everyone back online with nothing pending.
    // A run where that never happens is reported (acknowledged < sent), not thrown.
    const settled = await until(() => clients.every((c) => c.welcomed && c.state.pending.length === 0), 60_000, "").then(() => true, () => false);
    const settleSeconds = settled ? (Date.now() - lastSend) / 1000 : NaN;
    // Gap snapshots hold only the newest page: page back as a member scrolling up would.
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      const asked = clients.filter((c) => c.loadOlder());
      if (asked.length === 0 && clients.every((c) => !c.state.loadingOlder)) break;
      await sleep(20);
    }
    await sleep(1_000);

    const acked = new Set<string>();
    for (const c of clients) for (const id of c.confirmed) acked.add(id);
    const ours = (c: NodeRoomClient) => c.state.messages.filter((m) => m.text.startsWith("m ")).map((m) => m.id);
    const lists = clients.map(ours);
    const orderOf = (ids: string[]) => ids.filter((id) => acked.has(id)).join(",");
    const reference = orderOf(lists[0]!);
    const stored = new Set(lists.flat());
    return {
      target: "A",
      members: opts.members,
      durationMs: opts.durationMs,
      meanLifetimeMs: opts.meanLifetimeMs,
      sent,
      acknowledged: acked.size,
      deliveredMin: Math.min(...lists.map((ids) => { const s = new Set(ids); let n = 0; for (const id of acked) if (s.has(id)) n++; return n / acked.size; })),
      duplicates: lists.reduce((n, ids) => n + ids.length - new Set(ids).size, 0),
      orderMismatches: lists.filter((ids) => orderOf(ids) !== reference).length,
      unacknowledgedStored: [...stored].filter((id) => !acked.has(id)).length,
      drops: proxy.drops,
      reconnects: clients.reduce((n, c) => n + c.counts.opens - 1, 0),
      catchups: clients.reduce((n, c) => n + c.counts.catchups, 0),
      gapSnapshots: clients.reduce((n, c) => n + c.counts.gapSnapshots, 0),
      resent: clients.reduce((n, c) => n + c.counts.resent, 0),
      errors,
      settleSeconds: round(settleSeconds, 1),
      wallSeconds: round((Date.now() - t0) / 1000, 1),
    };
  } finally {
    for (const c of clients) c.close();
    await proxy.close();
  }
}

// ─────────────────────────────────── B10 ──────────────────────────────────

export interface ReconnectOptions {
  sockets: number;
  messages: number;
}

export interface ReconnectSample {
  target: "A" | "R";
  sockets: number;
  messages: number;
  /** Sockets that got every missed message (within 60 s). */
  caughtUp: number;
  /** Time from the storm's start to caught-up, ms (over the sockets that were). */
  p50: number;
  p99: number;
  max: number;
  /** How the catch-up came: catchup frames vs (gap) snapshots. */
  viaCatchup: number;
  viaSnapshot: number;
  /** Time from the storm's start to each socket's upgrade completing (where the time goes: handshake vs catch-up). */
  openP50: number;
  openP99: number;
}

const revOf = (frame: { rev?: number; messages?: Array<{ rev: number }> }) =>
  Math.max(frame.rev ?? 0, ...(frame.messages ?? []).map((m) => m.rev));

export async function reconnectStorm(ep: Endpoint, opts: ReconnectOptions): Promise<ReconnectSample> {
  const room = roomName(`b10-${ep.target.toLowerCase()}`);
  await ensureRooms(ep, [room]);
  const sender = await BenchSocket.open(roomAddress(ep, room, 0));
  const acked = new Set<string>();
  sender.onFrame((type, text, _at, frame) => {
    if (type === "ack") acked.add((frame ?? JSON.parse(text)).id);
  });
  // One message first, so every joiner holds a revision > 0 and reconnects with `since` (a client at rev 0 sends none).
  const first = `b10-${randomUUID()}`;
  sender.send({ type: "send", id: first, text: "before" });
  await until(() => acked.has(first), 30_000, "B10 first message acknowledged");
  // Join: every socket notes the revision its snapshot brought.
  const revs = new Array<number>(opts.sockets).fill(0);
  const joined = await openMany(
    (i) => roomAddress(ep, room, i),
    opts.sockets,
    (i) => (type, text, _at, frame) => {
      if (type === "snapshot") revs[i] = revOf(frame ?? JSON.parse(text));
    },
  );
  await sleep(500);
  await closeAll(joined);
  // While they are away: `messages` sends from one more member (its socket stayed), all acknowledged.
  const ids = Array.from({ length: opts.messages }, () => `b10-${randomUUID()}`);
  for (let i = 0; i < ids.length; i += 10) {
    for (const id of ids.slice(i, i + 10)) sender.send({ type: "send", id, text: `while away ${id}` });
    await until(() => ids.slice(0, i + 10).every((id) => acked.has(id)), 30_000, "B10 sends acknowledged");
  }
  await sender.close();
  await sleep(500);

  // The storm: every socket at once, each with its own `since`.
  const done = new Array<number>(opts.sockets).fill(NaN);
  const opened = new Array<number>(opts.sockets).fill(NaN);
  const via = { catchup: 0, snapshot: 0 };
  const want = new Set(ids);
  const t0 = performance.now();
  const sockets = await Promise.all(
    Array.from({ length: opts.sockets }, (_, i) => {
      const a = roomAddress(ep, room, i);
      const url = new URL(a.url);
      url.searchParams.set("since", String(revs[i]));
      const got = new Set<string>();
      return BenchSocket.open(
        { ...a, url: url.href },
        (type, text, at, frame) => {
          if (type !== "catchup" && type !== "snapshot" && type !== "message") return;
          const f = frame ?? JSON.parse(text);
          for (const m of f.messages ?? (f.message ? [f.message] : [])) if (want.has(m.id)) got.add(m.id);
          if (Number.isNaN(done[i]!) && got.size === want.size) {
            done[i] = at - t0;
            if (type === "catchup") via.catchup++;
            else via.snapshot++;
          }
        },
        60_000,
      )
        .then((s) => ((opened[i] = performance.now() - t0), s))
        .catch(() => null);
    }),
  );
  const end = Date.now() + 60_000;
  while (done.some((x) => Number.isNaN(x)) && Date.now() < end) await sleep(50);
  await closeAll(sockets.filter((s): s is BenchSocket => s !== null));
  const times = done.filter((x) => Number.isFinite(x));
  return {
    target: ep.target as "A" | "R",
    sockets: opts.sockets,
    messages: opts.messages,
    caughtUp: times.length,
    p50: round(percentile(times, 50), 1),
    p99: round(percentile(times, 99), 1),
    max: round(percentile(times, 100), 1),
    viaCatchup: via.catchup,
    viaSnapshot: via.snapshot,
    openP50: round(percentile(opened, 50), 1),
    openP99: round(percentile(opened, 99), 1),
  };
}

// ──────────────────────────────── one repetition ──────────────────────────

/** One repetition of B9 (A) and B10 (A and R, order rotated by repetition), as run.ts calls it. */
export async function stormRepetition(
  rep: number,
  eps: { A: Endpoint; R: Endpoint },
  serverPid: number,
  config: { b9: DropOptions; b10: ReconnectOptions },
  out: { b9: Array<DropSample & { rep: number }>; b10: Array<ReconnectSample & { rep: number }> },
  log: (msg: string) => void,
): Promise<void> {
  await settle(serverPid);
  const s = await dropStorm(eps.A, config.b9);
  out.b9.push({ ...s, rep });
  log(`B9 rep${rep} A: sent ${s.sent} acked ${s.acknowledged}, delivered ≥ ${s.deliveredMin}, dup ${s.duplicates}, order ${s.orderMismatches}; ${s.drops} drops, ${s.catchups} catch-ups, ${s.gapSnapshots} gap snapshots, settled ${s.settleSeconds} s`);
  for (const target of rep % 2 === 0 ? (["A", "R"] as const) : (["R", "A"] as const)) {
    await settle(serverPid);
    const r = await reconnectStorm(eps[target], config.b10);
    out.b10.push({ ...r, rep });
    log(`B10 rep${rep} ${target}: ${r.caughtUp}/${r.sockets} caught up, p50 ${r.p50} p99 ${r.p99} max ${r.max} ms (upgrades done p50 ${r.openP50} p99 ${r.openP99} ms)`);
  }
}

// ───────────────────────────────── summary ────────────────────────────────

/** The summary rows of B9/B10, in run.ts's Row shape. */
export function stormRows(b9: Array<DropSample & { rep: number }>, b10: Array<ReconnectSample & { rep: number }>) {
  const reps = (xs: Array<{ rep: number }>) => [...new Set(xs.map((x) => x.rep))].sort((a, b) => a - b);
  const at = <T extends { rep: number; target: string }>(xs: T[], target: string, f: (x: T) => number) =>
    reps(xs).map((rep) => {
      const x = xs.find((y) => y.rep === rep && y.target === target);
      return x ? f(x) : NaN;
    });
  /** `strict`: a correctness figure — one failing repetition is a miss, not noise. */
  const row = (metric: string, unit: string, A: number | string, R: number | string, per: number[], target: string, threshold: Threshold | undefined, shown: (m: number) => number | string, note?: string, strict = false) => {
    const j = judge(per, threshold);
    const failed = strict && threshold && per.some((x) => !Number.isFinite(x) || (threshold.op === "<=" ? x > threshold.limit : x < threshold.limit));
    return { metric, unit, A, R, W: "", ratio: shown(j.median), spread: spreadText(j), target, met: failed ? false : j.met, verdict: failed ? "MISSED" : j.verdict, ...(note ? { note } : {}) };
  };
  const med = (xs: number[]) => round(percentile(xs, 50), 2);
  const rows = [];
  if (b9.length) {
    const x0 = b9[0]!;
    const tag = `${x0.members} members × 1 msg/s, ${x0.durationMs / 1000} s, connections killed after ~${x0.meanLifetimeMs / 1000} s (exp.)`;
    const note = `R has no reconnect/catch-up protocol (no welcome, no resend, no client library): A alone. Per repetition: ${b9
      .map((x) => `sent ${x.sent}, acked ${x.acknowledged}, ${x.drops} drops, ${x.reconnects} reconnects, ${x.catchups} catch-ups, ${x.gapSnapshots} gap snapshots, ${x.resent} resends, ${x.errors} errors, settled ${x.settleSeconds} s`)
      .join("; ")}`;
    const d = at(b9, "A", (x) => x.deliveredMin);
    rows.push(row(`B9 drops: acknowledged messages in every member's list (${tag})`, "share", med(d), "", d, "100 %", { op: ">=", limit: 1 }, (m) => round(m, 4), note, true));
    const ack = at(b9, "A", (x) => x.acknowledged / x.sent);
    rows.push(row("B9 drops: sent messages acknowledged to their sender", "share", med(ack), "", ack, "100 %", { op: ">=", limit: 1 }, (m) => round(m, 4), undefined, true));
    const dup = at(b9, "A", (x) => x.duplicates);
    rows.push(row("B9 drops: duplicates (all members)", "count", med(dup), "", dup, "0", { op: "<=", limit: 0 }, (m) => m, undefined, true));
    const ord = at(b9, "A", (x) => x.orderMismatches);
    rows.push(row("B9 drops: members whose order differs from member 0's", "count", med(ord), "", ord, "0", { op: "<=", limit: 0 }, (m) => m, undefined, true));
  }
  if (b10.length) {
    const x0 = b10[0]!;
    const tag = `${x0.sockets} sockets, ${x0.messages} missed messages`;
    const p99 = (t: string) => at(b10, t, (x) => x.p99);
    const lost = (t: string) => at(b10, t, (x) => x.sockets - x.caughtUp);
    const note = b10.map((x) => `rep${x.rep} ${x.target}: p50 ${x.p50} ms, max ${x.max} ms (upgrade done: p50 ${x.openP50}, p99 ${x.openP99} ms), ${x.caughtUp}/${x.sockets} caught up (${x.viaCatchup} by catchup, ${x.viaSnapshot} by snapshot)`).join("; ");
    rows.push(row(`B10 reconnect storm: p99 to caught-up (${tag})`, "ms", med(p99("A")), med(p99("R")), p99("A"), "A ≤ 2,000 ms", { op: "<=", limit: 2000 }, (m) => `A ${round(m, 0)} ms`, note));
    const ratio = p99("A").map((a, i) => a / p99("R")[i]!);
    rows.push(row("B10 reconnect storm: p99 to caught-up A/R", "ratio", "", "", ratio, "A/R ≤ 1.2", { op: "<=", limit: 1.2 }, (m) => round(m, 2)));
    const l = pairSum(lost("A"), lost("R"));
    rows.push(row("B10 reconnect storm: sockets not caught up (A + R)", "count", med(lost("A")), med(lost("R")), l, "0", { op: "<=", limit: 0 }, (m) => m, undefined, true));
  }
  return rows;
}

const pairSum = (a: number[], b: number[]) => a.map((x, i) => x + b[i]!);
