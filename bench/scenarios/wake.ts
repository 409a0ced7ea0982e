/**
 * B5: what waking a hibernated room costs the first message, and whether it
 * grows with history. B6: how long the first page of history takes, and
 * whether that grows with history.
 *
 * Rooms hold 0, 1k or 10k messages, seeded the way users fill them — real
 * `send` frames over the socket (up to 64 in flight), one transaction per
 * message — on A and R alike. (Bulk-inserting R's history in one
 * transaction would leave its database in a different shape than the app's
 * and make the comparison unfair.)
 *
 * A wake: every room keeps one member socket open and sees no traffic for
 * ≥ 15 s, so the runtime evicts the object; the member then sends one
 * message and times its own echo ("cold"). Five more sends right after give
 * the warm time. Penalty = cold − median(warm). The construction counters
 * of bench/raw/worker.ts prove that each cold send built a new instance.
 *
 * First page (B6), on the warm rooms: (a) join — open a socket and time the
 * first page of messages it receives (A: the `snapshot` after `welcome`;
 * R: its `snapshot`); (b) `history` before the middle of the log → `page`.
 */
import { performance } from "node:perf_hooks";
import { BenchSocket, ensureRooms, roomName, roomAddress, sleep, type Endpoint } from "../lib/client.ts";
import { median, round } from "../lib/stats.ts";

export interface SeededRoom {
  ep: Endpoint;
  history: number;
  room: string;
  socket: BenchSocket;
  /** Highest seq in the room (for history requests). */
  lastSeq: number;
}

export async function seedRoom(ep: Endpoint, history: number): Promise<SeededRoom> {
  const room = roomName(`b5-${ep.target.toLowerCase()}-${history}`);
  await ensureRooms(ep, [room]);
  const socket = await BenchSocket.open(roomAddress(ep, room, 0));
  let lastSeq = 0;
  // The same real sends for A and R: both logs then grew one transaction at
  // a time, as rooms do, and their files look alike.
  let acked = 0;
  let sent = 0;
  const window = 64;
  await new Promise<void>((resolve, reject) => {
    if (history === 0) return resolve();
    const timer = setTimeout(() => reject(new Error(`seeding ${room} timed out at ${acked}`)), 300_000);
    socket.onFrame((type, text) => {
      if (type === "error") {
        clearTimeout(timer);
        reject(new Error(`seeding ${room}: ${text}`));
      }
      if (type !== "ack") return;
      acked++;
      lastSeq = Math.max(lastSeq, (JSON.parse(text) as { seq: number }).seq);
      if (sent < history) send();
      if (acked === history) {
        clearTimeout(timer);
        resolve();
      }
    });
    const send = () => socket.send({ type: "send", id: `seed_${room}_${sent++}`, text: `history message ${sent} with a little text in it, like people write` });
    for (let i = 0; i < Math.min(window, history); i++) send();
  });
  socket.onFrame(() => {});
  return { ep, history, room, socket, lastSeq };
}

/** Sends one message and resolves with the time (ms) until its own broadcast came back. */
async function echo(socket: BenchSocket, tag: string): Promise<number> {
  const id = `${tag}_${Math.random().toString(36).slice(2, 10)}`;
  const t0 = performance.now();
  const wait = socket.next("message", (f: { message: { id: string } }) => f.message.id === id, 60_000);
  socket.send({ type: "send", id, text: `wake ${id}` });
  const { at } = await wait;
  return at - t0;
}

export interface WakeSample {
  target: string;
  history: number;
  coldMs: number;
  warmMs: number;
  penaltyMs: number;
  /** Constructions of the room's class during the cold send (1 = a real wake). */
  constructions: number;
}

type Stats = { app: number; raw: number };
const stats = async (url: string): Promise<Stats> => (await fetch(`${url}/bench/stats`)).json() as Promise<Stats>;

export async function wake(r: SeededRoom): Promise<WakeSample> {
  const key = r.ep.target === "A" ? "app" : "raw";
  const s0 = (await stats(r.ep.url))[key];
  const coldMs = await echo(r.socket, "cold");
  const s1 = (await stats(r.ep.url))[key];
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) warm.push(await echo(r.socket, "warm"));
  const warmMs = median(warm);
  r.lastSeq += 6;
  return {
    target: r.ep.target,
    history: r.history,
    coldMs: round(coldMs, 2),
    warmMs: round(warmMs, 2),
    penaltyMs: round(coldMs - warmMs, 2),
    constructions: s1 - s0,
  };
}

export interface PageSample {
  target: string;
  history: number;
  /** Socket open → first page of history on join (median of samples), ms. */
  joinFirstPageMs: number;
  /** `history` request → `page` (median), ms. */
  historyPageMs: number;
  samples: number;
}

export async function firstPage(r: SeededRoom, samples: number): Promise<PageSample> {
  const joins: number[] = [];
  const pages: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    // Listen from the first byte on: the snapshot follows the upgrade at once.
    let snapshotAt = NaN;
    const s = await BenchSocket.open(roomAddress(r.ep, r.room, 0), (type, _text, at) => {
      if (type === "snapshot" && Number.isNaN(snapshotAt)) snapshotAt = at;
    });
    const end = performance.now() + 30_000;
    while (Number.isNaN(snapshotAt) && performance.now() < end) await sleep(1);
    joins.push(snapshotAt - t0);
    // Drop it without the close handshake: only the join is being timed.
    s.ws.terminate();
    const before = Math.max(1, Math.floor(r.lastSeq / 2));
    const t1 = performance.now();
    const page = r.socket.next("page", (f: { before: number }) => f.before === before, 30_000);
    r.socket.send({ type: "history", before, limit: 50 });
    pages.push((await page).at - t1);
    await sleep(20);
  }
  return {
    target: r.ep.target,
    history: r.history,
    joinFirstPageMs: round(median(joins), 2),
    historyPageMs: round(median(pages), 2),
    samples,
  };
}

export async function waitIdle(ms: number): Promise<void> {
  await sleep(ms);
}
