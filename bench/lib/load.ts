/**
 * An open-loop load on one room: N members, each sending on a fixed
 * schedule, every member receiving every message (B1, B2).
 *
 * Open loop: send times are fixed in advance (member i sends at
 * start + phase_i + k·period, phases spread evenly across the period), and
 * a message's latency is measured at each receiver from its *intended* send
 * time, not from when the driver got around to sending it. A stalled server
 * (or driver) therefore shows up as latency instead of silently lowering the
 * offered load — the "coordinated omission" a closed loop would hide.
 *
 * Every receiver checks that it got every message exactly once and, per
 * sender, in send order.
 */
import { performance } from "node:perf_hooks";
import { BenchSocket, closeAll, ensureRooms, openMany, roomName, roomAddress, sleep, type Endpoint } from "./client.ts";
import { cpuMeter } from "./procfs.ts";
import { LatencyHistogram, round, type LatencySummary } from "./stats.ts";

export interface StepOptions {
  /** Messages per second each member sends. */
  ratePerMember: number;
  durationMs: number;
  /** Messages intended before start + warmupMs are delivered and checked but not in the histogram. */
  warmupMs: number;
  /** How long to wait after the last send for stragglers. */
  drainMs: number;
}

export interface StepResult {
  members: number;
  offeredPerSecond: number;
  sent: number;
  expected: number;
  delivered: number;
  lost: number;
  outOfOrder: number;
  latency: LatencySummary;
  /** Server process tree CPU (s) from the first send to the last delivery. */
  cpuSeconds: number;
  /** CPU (s) of the process running the rooms only (workerd without the dev proxy; W itself). */
  objectCpuSeconds: number;
  /** Deliveries (frames received by members) per server CPU-second. */
  deliveredPerCpuSecond: number;
  /** WebSocket messages the members received during the step over frames delivered (< 1: the server batched). */
  messagesPerDelivery: number;
  /** Driver CPU share during the step (≥ 0.9 means the driver, not the server, may be the limit). */
  driverCpuShare: number;
  wallSeconds: number;
}

interface StepState {
  tag: string;
  measureFrom: number;
  hist: LatencyHistogram;
  delivered: number;
  outOfOrder: number;
  /** last[receiver][sender] = highest n seen. */
  last: Int32Array[];
}

export class LoadRoom {
  private sockets: BenchSocket[] = [];
  private state: StepState | null = null;
  private steps = 0;
  /** Frames of any kind received, to detect when a join storm has calmed down. */
  private framesSeen = 0;

  readonly ep: Endpoint;
  readonly members: number;
  readonly room: string;

  private constructor(ep: Endpoint, members: number, room: string) {
    this.ep = ep;
    this.members = members;
    this.room = room;
  }

  static async open(ep: Endpoint, members: number, prefix: string): Promise<LoadRoom> {
    const load = new LoadRoom(ep, members, roomName(prefix));
    await ensureRooms(ep, [load.room]);
    load.sockets = await openMany(
      (i) => roomAddress(ep, load.room, i),
      members,
      (i) => (type, text, at, frame) => load.onFrame(i, type, text, at, frame),
    );
    await load.quiet();
    return load;
  }

  /** Waits until no frame arrived for 300 ms (joins broadcast presence to everyone). */
  async quiet(maxMs = 60_000): Promise<void> {
    const end = Date.now() + maxMs;
    let seen = -1;
    while (seen !== this.framesSeen && Date.now() < end) {
      seen = this.framesSeen;
      await sleep(300);
    }
  }

  private onFrame(receiver: number, type: string, text: string, at: number, frame?: { message: { text: string } }): void {
    this.framesSeen++;
    const st = this.state;
    if (type !== "message" || !st) return;
    const body = (frame ?? (JSON.parse(text) as { message: { text: string } })).message.text;
    // "<tag> <sender> <n> <intended ms>"
    const [tag, s, n, intended] = body.split(" ");
    if (tag !== st.tag) return;
    const sender = Number(s);
    const seq = Number(n);
    const row = st.last[receiver]!;
    if (seq <= row[sender]!) st.outOfOrder++;
    row[sender] = seq;
    st.delivered++;
    const t = Number(intended);
    if (t >= st.measureFrom) st.hist.record(at - t);
  }

  async step(opts: StepOptions, server: { pid: number; memoryPid: number }): Promise<StepResult> {
    const n = this.members;
    const period = 1000 / opts.ratePerMember;
    const start = performance.now() + 50;
    const tag = `s${++this.steps}${Math.random().toString(36).slice(2, 6)}`;
    // The whole schedule, sorted by intended time.
    const schedule: Array<{ t: number; sender: number; k: number }> = [];
    for (let i = 0; i < n; i++) {
      const phase = (i / n) * period;
      for (let k = 0; phase + k * period < opts.durationMs; k++) schedule.push({ t: start + phase + k * period, sender: i, k });
    }
    schedule.sort((a, b) => a.t - b.t);
    const st: StepState = {
      tag,
      measureFrom: start + opts.warmupMs,
      hist: new LatencyHistogram(),
      delivered: 0,
      outOfOrder: 0,
      last: Array.from({ length: n }, () => new Int32Array(n).fill(-1)),
    };
    this.state = st;
    const expected = schedule.length * n;

    const cpu = cpuMeter(server.pid);
    const objectCpu = cpuMeter(server.memoryPid);
    const driverStart = process.cpuUsage();
    const messages0 = this.sockets.reduce((n, s) => n + s.messages, 0);
    const wallStart = performance.now();

    // The sender: wakes at the next intended time and sends everything due.
    let idx = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (idx < schedule.length && schedule[idx]!.t <= now) {
          const { t, sender, k } = schedule[idx++]!;
          this.sockets[sender]!.send({ type: "send", id: `${tag}_${sender}_${k}`, text: `${tag} ${sender} ${k} ${t.toFixed(3)}` });
        }
        if (idx >= schedule.length) return resolve();
        setTimeout(tick, Math.max(0, schedule[idx]!.t - performance.now() - 0.5));
      };
      setTimeout(tick, Math.max(0, start - performance.now()));
    });

    const drainUntil = performance.now() + opts.drainMs;
    while (st.delivered < expected && performance.now() < drainUntil) await sleep(5);
    const wallSeconds = (performance.now() - wallStart) / 1000;
    const cpuSeconds = cpu();
    const objectCpuSeconds = objectCpu();
    const d = process.cpuUsage(driverStart);
    const messages = this.sockets.reduce((n, s) => n + s.messages, 0) - messages0;
    this.state = null;

    return {
      members: n,
      offeredPerSecond: round(n * opts.ratePerMember, 1),
      sent: schedule.length,
      expected,
      delivered: st.delivered,
      lost: expected - st.delivered,
      outOfOrder: st.outOfOrder,
      latency: st.hist.summary(),
      cpuSeconds: round(cpuSeconds, 3),
      objectCpuSeconds: round(objectCpuSeconds, 3),
      deliveredPerCpuSecond: round(cpuSeconds > 0 ? st.delivered / cpuSeconds : NaN, 0),
      // Acks and other frames count too, so R's figure is a little above 1.
      messagesPerDelivery: round(st.delivered > 0 ? messages / st.delivered : NaN, 3),
      driverCpuShare: round((d.user + d.system) / 1e6 / wallSeconds, 2),
      wallSeconds: round(wallSeconds, 2),
    };
  }

  async close(): Promise<void> {
    await closeAll(this.sockets);
  }
}
