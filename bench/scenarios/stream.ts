/**
 * B3: the assistant's streamed answer, watched by N members.
 *
 * The model is test/support/fake-openai.ts (an OpenAI-compatible SSE
 * server) playing one script per reply: `chunks` text deltas `t<i> `, one
 * per SSE event, `delayMs` apart (20 ms ≈ 50 tokens/s, 2 ms ≈ 500 tokens/s;
 * the achieved rate is measured and reported, since timers are coarse).
 *
 * - A: a member mentions @assistant; the app runs its real turn
 *   (@ai-sdk/openai-compatible inside workerd) and its real draft
 *   coalescing (server/room/draft.ts).
 * - R: the per-chunk baseline — the raw room fetches the same stream and
 *   sends every model chunk to every member as its own frame.
 *
 * Each chunk's latency runs from the moment the fake model wrote it (the
 * driver patches `res.write` of the SSE responses to note the time; the
 * fake runs in the driver's process, so both clocks are the same) to the
 * moment a member's socket delivered the frame containing it.
 */
import { ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { startFakeOpenAI, type CompletionScript, type FakeOpenAI } from "../../test/support/fake-openai.ts";
import { closeAll, ensureRooms, openMany, roomName, roomAddress, sleep, type BenchSocket, type Endpoint } from "../lib/client.ts";
import { cpuMeter } from "../lib/procfs.ts";
import { LatencyHistogram, round, type LatencySummary } from "../lib/stats.ts";

/** When each `t<i> ` chunk left the fake model, by i (reset per reply). */
const written = new Map<number, number>();

/** Notes the write time of every model chunk (see the file comment). Idempotent. */
function instrumentSse(): void {
  const proto = ServerResponse.prototype as ServerResponse & { __benchPatched?: boolean };
  if (proto.__benchPatched) return;
  proto.__benchPatched = true;
  const original = proto.write;
  proto.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    if (typeof chunk === "string" && chunk.startsWith("data: ")) {
      const m = /"content":"t(\d+) "/.exec(chunk);
      if (m) written.set(Number(m[1]), performance.now());
    }
    return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof proto.write;
}

export interface StreamPlanItem {
  target: "A" | "R";
  tokensPerSecond: number;
  watchers: number;
}

export function scriptFor(tokensPerSecond: number, chunks: number): CompletionScript {
  return { chunks: Array.from({ length: chunks }, (_, i) => `t${i} `), delayMs: Math.round(1000 / tokensPerSecond) };
}

/** The fake models: one per target, each playing its target's replies in plan order. */
export async function startFakes(plan: StreamPlanItem[], chunksAt: (tps: number) => number) {
  instrumentSse();
  const scripts = (t: "A" | "R") => plan.filter((p) => p.target === t).map((p) => scriptFor(p.tokensPerSecond, chunksAt(p.tokensPerSecond)));
  const a = await startFakeOpenAI(scripts("A").length ? scripts("A") : [scriptFor(50, 1)]);
  const r = await startFakeOpenAI(scripts("R").length ? scripts("R") : [scriptFor(50, 1)]);
  return { a, r };
}

export interface StreamResult {
  target: "A" | "R";
  watchers: number;
  tokensPerSecond: number;
  chunks: number;
  /** Chunks per second the fake model actually achieved. */
  achievedTokensPerSecond: number;
  /** `draft` frames one member received for the reply. */
  framesPerReply: number;
  /** framesPerReply / chunks: 1 for per-chunk sending. */
  framesPerChunk: number;
  /** Server tree CPU from the ask to the last member's final frame, per model chunk (µs). */
  cpuPerTokenUs: number;
  /** Model write → member receive, over every chunk at every member. */
  latency: LatencySummary;
  complete: boolean;
}

export async function runStream(
  item: StreamPlanItem,
  ep: Endpoint,
  fake: FakeOpenAI,
  chunks: number,
  server: { pid: number },
): Promise<StreamResult> {
  const room = roomName(`b3-${item.target.toLowerCase()}`);
  await ensureRooms(ep, [room]);
  const hist = new LatencyHistogram();
  const drafts = new Array<number>(item.watchers).fill(0);
  const seen = Array.from({ length: item.watchers }, () => new Set<number>());
  let done = 0;
  let turnSeq: number | null = null;
  const handler = (i: number) => (type: string, text: string, at: number) => {
    if (type === "draft") {
      const frame = JSON.parse(text) as { seq: number; text: string };
      if (frame.seq !== turnSeq && turnSeq !== null) return;
      drafts[i]!++;
      for (const m of frame.text.matchAll(/t(\d+) /g)) {
        const idx = Number(m[1]);
        if (seen[i]!.has(idx)) continue;
        seen[i]!.add(idx);
        const w = written.get(idx);
        if (w !== undefined) hist.record(at - w);
      }
    } else if (type === "message" && turnSeq === null) {
      const msg = (JSON.parse(text) as { message: { seq: number; kind: string } }).message;
      if (msg.kind === "assistant") turnSeq = msg.seq;
    } else if (type === "message_updated") {
      const msg = (JSON.parse(text) as { message: { seq: number; kind: string; status: string } }).message;
      if (msg.kind === "assistant" && msg.status !== "streaming") done++;
    }
  };
  const sockets: BenchSocket[] = await openMany((i) => roomAddress(ep, room, i), item.watchers, handler);
  await sleep(500); // let the join storm (presence) pass
  written.clear();
  const requestsBefore = fake.requests.length;
  const cpu = cpuMeter(server.pid);
  if (item.target === "A") sockets[0]!.send({ type: "send", id: `b3_${Date.now()}`, text: "@assistant please answer" });
  else sockets[0]!.send({ type: "ask", url: fake.baseUrl });
  const deadline = performance.now() + 30_000 + chunks * 30;
  while (done < item.watchers && performance.now() < deadline) await sleep(5);
  const cpuSeconds = cpu();
  await closeAll(sockets);
  const times = [...written.values()];
  const achieved = times.length > 1 ? (times.length - 1) / ((Math.max(...times) - Math.min(...times)) / 1000) : NaN;
  const complete = done === item.watchers && seen.every((s) => s.size === chunks) && fake.requests.length === requestsBefore + 1;
  return {
    target: item.target,
    watchers: item.watchers,
    tokensPerSecond: item.tokensPerSecond,
    chunks,
    achievedTokensPerSecond: round(achieved, 0),
    framesPerReply: drafts[0]!,
    framesPerChunk: round(drafts[0]! / chunks, 3),
    cpuPerTokenUs: round((cpuSeconds / chunks) * 1e6, 0),
    latency: hist.summary(),
    complete,
  };
}
