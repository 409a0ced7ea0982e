/**
 * Where the room's CPU goes (issue 21, part 2): a V8 CPU profile of the
 * Worker's isolate — the Worker and every Durable Object in it — taken over
 * the DevTools protocol of `wrangler dev --inspector-port`, while the
 * driver repeats one operation on A and then on R. Prints the functions with
 * the most self time for each, by script, so that a figure such as B6's
 * join → first page A/R can be traced to the code that makes it.
 *
 *   npm run build && npm run bench:profile -- join [count]   # a socket opens and gets its snapshot
 *   npm run bench:profile -- send [count]                    # one member sends, awaiting each ack
 *   npm run bench:profile -- rooms [count] [--snapshot]      # JS heap kept per hibernated room, after a forced GC
 *   npm run bench:profile -- sockets [count]                 # JS heap per idle connection, after a forced GC
 *
 * `rooms` opens `count` rooms with one socket each, waits until the runtime
 * has evicted them (16 s without traffic, as B4 does), collects garbage
 * over the protocol and reads the isolate's heap: what stays per room is
 * what a hibernated room costs in JS memory (RSS, which B4 reads, never
 * shrinks, so it also holds the heap that building the rooms used once).
 * With `--snapshot`, the objects that stay are summed by constructor from
 * a heap snapshot taken before and after.
 *
 * A tool, not a benchmark: it prints no ratio and judges nothing; the
 * profiler's own sampling slows the isolate, so absolute times are not
 * comparable with `npm run bench`.
 */
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { BenchSocket, closeAll, createTokens, ensureRooms, openMany, roomAddress, roomName, sleep, type Endpoint } from "./lib/client.ts";
import { IDLE_MS } from "./scenarios/memory.ts";
import { buildBenchWorker, removeBenchBuild, startWorkerd } from "./lib/servers.ts";
import { freePort } from "../test/support/dev-server.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A minimal DevTools protocol client over one WebSocket. */
class Inspector {
  private next = 1;
  private readonly waiting = new Map<number, (result: unknown) => void>();
  private readonly listeners = new Map<string, (params: unknown) => void>();
  private readonly ws: WebSocket;
  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; method?: string; params?: unknown; result?: unknown; error?: unknown };
      if (msg.method) this.listeners.get(msg.method)?.(msg.params);
      if (msg.id && this.waiting.has(msg.id)) {
        this.waiting.get(msg.id)!(msg.error ? Promise.reject(new Error(JSON.stringify(msg.error))) : msg.result);
        this.waiting.delete(msg.id);
      }
    });
  }
  static async open(port: number): Promise<Inspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as Array<{ webSocketDebuggerUrl: string; title?: string }>;
    if (targets.length === 0) throw new Error("the inspector lists no target");
    const ws = new WebSocket(targets[0]!.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
    return new Inspector(ws);
  }
  onEvent(method: string, listener: (params: unknown) => void) {
    this.listeners.set(method, listener);
  }
  send<T>(method: string, params: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<T> {
    const id = this.next++;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer in ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        resolve(r as T);
      });
    });
  }
  close() {
    this.ws.close();
  }
}

/** "name  dir/script.js:line": one function of the profile. */
const frameKey = (n: ProfileNode) =>
  `${n.callFrame.functionName || "(anonymous)"}  ${n.callFrame.url.split("/").slice(-2).join("/") || "(native)"}:${n.callFrame.lineNumber + 1}`;

/** Self time per function (ms), heaviest first. */
function selfTimes(p: Profile): Array<{ fn: string; ms: number }> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const ms = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) ms.set(p.samples[i]!, (ms.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  const out = new Map<string, number>();
  for (const [id, t] of ms) {
    const key = frameKey(byId.get(id)!);
    out.set(key, (out.get(key) ?? 0) + t);
  }
  return [...out].map(([fn, t]) => ({ fn, ms: t })).sort((a, b) => b.ms - a.ms);
}

/**
 * Inclusive time per function (ms): its samples and its callees', each
 * sample counted once per function even under recursion; heaviest first.
 */
function inclusiveTimes(p: Profile, under?: string): Array<{ fn: string; ms: number }> {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const out = new Map<string, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const ms = (p.timeDeltas[i] ?? 0) / 1000;
    const seen = new Set<string>();
    if (under) {
      let inside = false;
      for (let id: number | undefined = p.samples[i]; id !== undefined && !inside; id = parent.get(id)) inside = byId.get(id)!.callFrame.functionName === under;
      if (!inside) continue;
    }
    for (let id: number | undefined = p.samples[i]; id !== undefined; id = parent.get(id)) {
      const k = frameKey(byId.get(id)!);
      if (seen.has(k)) continue;
      seen.add(k);
      out.set(k, (out.get(k) ?? 0) + ms);
    }
  }
  return [...out].map(([fn, ms]) => ({ fn, ms })).sort((a, b) => b.ms - a.ms);
}

async function operate(op: string, ep: Endpoint, count: number): Promise<number> {
  const room = roomName(`profile-${ep.target.toLowerCase()}`);
  await ensureRooms(ep, [room]);
  const owner = await BenchSocket.open(roomAddress(ep, room, 0), () => {});
  // A page of history to send on each join.
  for (let i = 0; i < 60; i++) {
    const id = `seed-${i}-${room}`.slice(0, 64);
    const ack = owner.next("ack", (f: { id: string }) => f.id === id, 10_000).catch(() => null);
    owner.send({ type: "send", id, text: `history ${i}` });
    await ack;
  }
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    if (op === "join") {
      let got = false;
      const s = await BenchSocket.open(roomAddress(ep, room, 0), (type) => {
        if (type === "snapshot") got = true;
      });
      const end = performance.now() + 10_000;
      while (!got && performance.now() < end) await sleep(1);
      s.ws.terminate();
    } else {
      const id = `op-${i}-${room}`.slice(0, 64);
      const ack = owner.next("ack", (f: { id: string }) => f.id === id, 10_000);
      owner.send({ type: "send", id, text: `message ${i}` });
      await ack;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  owner.ws.terminate();
  return seconds;
}

/** Self size by constructor name of a heap snapshot (V8's .heapsnapshot JSON). */
function heapByConstructor(json: string): Map<string, { count: number; bytes: number }> {
  const snap = JSON.parse(json) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const fields = snap.snapshot.meta.node_fields;
  const stride = fields.length;
  const typeAt = fields.indexOf("type");
  const nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  const types = snap.snapshot.meta.node_types[0];
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += stride) {
    const type = types[snap.nodes[i + typeAt]!]!;
    const name = type === "object" || type === "closure" ? snap.strings[snap.nodes[i + nameAt]!]! : `(${type})`;
    const e = out.get(name) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += snap.nodes[i + sizeAt]!;
    out.set(name, e);
  }
  return out;
}

async function snapshot(inspector: Inspector, chunks: string[]): Promise<string> {
  chunks.length = 0;
  await inspector.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  return chunks.join("");
}

/**
 * The isolate's used heap after a full GC. workerd's inspector does not
 * answer HeapProfiler.collectGarbage; a heap snapshot collects garbage
 * first (V8 does so before walking the heap), so one is taken and dropped.
 */
async function heapAfterGc(inspector: Inspector, chunks: string[]): Promise<number> {
  await snapshot(inspector, chunks);
  chunks.length = 0;
  return (await inspector.send<{ usedSize: number }>("Runtime.getHeapUsage", {}, 10_000)).usedSize;
}

async function rooms(inspector: Inspector, chunks: string[], ep: Endpoint, count: number, withSnapshot: boolean) {
  const before = await heapAfterGc(inspector, chunks);
  const snapBefore = withSnapshot ? heapByConstructor(await snapshot(inspector, chunks)) : null;
  const names = Array.from({ length: count }, (_, i) => roomName(`heap-${ep.target.toLowerCase()}-${i}`));
  await ensureRooms(ep, names);
  const sockets = await openMany((i) => roomAddress(ep, names[i]!, 0), count, () => () => {});
  const open = await heapAfterGc(inspector, chunks);
  await sleep(IDLE_MS);
  const hibernated = await heapAfterGc(inspector, chunks);
  console.log(
    `\n${ep.target}: ${count} rooms × 1 socket. JS heap after GC: ${(before / 1024).toFixed(0)} KB before; ` +
      `${((open - before) / count / 1024).toFixed(1)} KB per room while open; ${((hibernated - before) / count / 1024).toFixed(1)} KB per room after ${IDLE_MS / 1000} s idle (hibernated)`,
  );
  if (snapBefore) {
    const after = heapByConstructor(await snapshot(inspector, chunks));
    const grown = [...after]
      .map(([name, a]) => ({ name, count: a.count - (snapBefore.get(name)?.count ?? 0), bytes: a.bytes - (snapBefore.get(name)?.bytes ?? 0) }))
      .filter((g) => g.bytes > 0)
      .sort((x, y) => y.bytes - x.bytes);
    for (const g of grown.slice(0, 30)) console.log(`  ${(g.bytes / count).toFixed(0).padStart(8)} B/room  ${String(g.count).padStart(7)} objects  ${g.name}`);
  }
  await closeAll(sockets);
}

/** JS heap per idle connection: one room, one socket first, then `count` more (one member's tabs, as B4). */
async function sockets(inspector: Inspector, chunks: string[], ep: Endpoint, count: number) {
  const room = roomName(`heap-c-${ep.target.toLowerCase()}`);
  await ensureRooms(ep, [room]);
  const first = await openMany(() => roomAddress(ep, room, 0), 1, () => () => {});
  await sleep(1_000);
  const before = await heapAfterGc(inspector, chunks);
  const rest = await openMany(() => roomAddress(ep, room, 0), count, () => () => {});
  await sleep(2_000);
  const after = await heapAfterGc(inspector, chunks);
  console.log(`\n${ep.target}: ${count} more sockets in one room. JS heap after GC: ${((after - before) / count / 1024).toFixed(2)} KB per connection`);
  await closeAll([...first, ...rest]);
}

const log = (msg: string) => process.stderr.write(`[profile ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const VARS = { RATE_LIMIT_PER_SECOND: "100000", RATE_LIMIT_BURST: "100000", SESSIONS_PER_ADDRESS_PER_HOUR: "100000", ROOMS_PER_ADDRESS_PER_HOUR: "100000" };

/** A fresh workerd with its isolate's inspector attached, for `use`. */
async function withServer<T>(config: string, use: (server: { url: string }, tokens: string[], inspector: Inspector) => Promise<T>): Promise<T> {
  const inspectorPort = await freePort();
  log(`starting wrangler dev (inspector on ${inspectorPort})`);
  const server = await startWorkerd(VARS, config, inspectorPort);
  try {
    const tokens = await createTokens(server.url, 1);
    const inspector = await Inspector.open(inspectorPort);
    try {
      return await use(server, tokens, inspector);
    } finally {
      inspector.close();
    }
  } finally {
    await server.stop();
  }
}

async function main() {
  const op = process.argv[2] ?? "join";
  const count = Number(process.argv[3] ?? (op === "rooms" ? 100 : 200));
  if (!["join", "send", "rooms", "sockets"].includes(op)) throw new Error("usage: npm run bench:profile -- join|send|rooms|sockets [count] [--snapshot]");
  const config = buildBenchWorker();
  try {
    if (op === "rooms" || op === "sockets") {
      // Each target and repetition in a fresh process: what one leaves behind is not the next one's baseline.
      for (let rep = 0; rep < 3; rep++) {
        for (const target of rep % 2 ? (["R", "A"] as const) : (["A", "R"] as const)) {
          await withServer(config, async (server, tokens, inspector) => {
            const chunks: string[] = [];
            inspector.onEvent("HeapProfiler.addHeapSnapshotChunk", (p) => chunks.push((p as { chunk: string }).chunk));
            await inspector.send("HeapProfiler.enable");
            const ep: Endpoint = { target, url: server.url, tokens };
            if (op === "sockets") await sockets(inspector, chunks, ep, count);
            else await rooms(inspector, chunks, ep, count, process.argv.includes("--snapshot"));
          });
        }
      }
      return;
    }
    await withServer(config, async (server, tokens, inspector) => {
      await inspector.send("Profiler.enable");
      await inspector.send("Profiler.setSamplingInterval", { interval: 100 });
      for (const target of ["A", "R"] as const) {
        const ep: Endpoint = { target, url: server.url, tokens };
        log(`${target}: warming`);
        await operate(op, ep, 5); // warm: the first construction and compilation are not the operation
        await inspector.send("Profiler.start");
        const seconds = await operate(op, ep, count);
        const { profile } = await inspector.send<{ profile: Profile }>("Profiler.stop");
        const total = (profile.endTime - profile.startTime) / 1000;
        const times = selfTimes(profile);
        const busy = times.filter((t) => t.fn.split(" ")[0] !== "(idle)" && t.fn.split(" ")[0] !== "(program)").reduce((s, t) => s + t.ms, 0);
        console.log(`\n${target}: ${count}× ${op} in ${seconds.toFixed(2)} s; isolate busy ${busy.toFixed(0)} ms of ${total.toFixed(0)} ms sampled (${(busy / count).toFixed(2)} ms per ${op})`);
        console.log("  self time:");
        for (const t of times.slice(0, 30)) console.log(`  ${t.ms.toFixed(1).padStart(8)} ms  ${(t.ms / count).toFixed(3).padStart(7)} ms/op  ${t.fn}`);
        console.log("  inclusive time (a function and what it calls):");
        const under = process.argv.find((a) => a.startsWith("--under="))?.slice("--under=".length);
        if (under) console.log(`  (only samples under ${under})`);
        for (const t of inclusiveTimes(profile, under).filter((x) => !/^\((root|idle|program)\)/.test(x.fn)).slice(0, under ? 60 : 45)) {
          console.log(`  ${t.ms.toFixed(1).padStart(8)} ms  ${(t.ms / count).toFixed(3).padStart(7)} ms/op  ${t.fn}`);
        }
      }
    });
  } finally {
    removeBenchBuild(config);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
