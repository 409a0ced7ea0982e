/**
 * The browser bench (issue 21, part 5): does a room with 10,000 loaded
 * messages stay smooth in Chromium, and how often does a streamed reply
 * render its row?
 *
 *   npm run build && npm run bench:browser [-- --base <git-ref>] [--messages N] [--chunks N]
 *
 * Real parts only: `wrangler dev` (test/support/dev-server.ts), Debian's
 * /usr/bin/chromium through playwright-core, the scripted model
 * (test/support/fake-openai.ts) for the assistant. `--base <ref>` also
 * measures the client of an older commit in the same run: that tree is
 * unpacked (git archive) into a temp dir sharing this node_modules, its
 * client built there, and served by its own wrangler dev.
 *
 * Per client, one room of N messages seeded over one socket (64 sends in
 * flight, rate limits lifted as in bench/run.ts), one reader who:
 *   1. opens the room: navigation → the newest message's row in the DOM
 *      (the page's own clock, performance.now() from navigation start);
 *      median of 5 loads, interleaved between the clients;
 *   2. lets the assistant stream a reply of C chunks (2 ms apart: faster
 *      than the server's 30 ms draft flush) into that first page;
 *   3. scrolls back through P pages (scrollTop = 0 until the oldest
 *      wanted row is in the DOM), then on through the whole history (or
 *      as far as --all-limit-ms allows);
 *   4. with that loaded: counts DOM rows, then streams a reply again.
 * For each stream: `draft` frames the page received (WebSocket frames
 * seen by the browser), commits that changed the streaming row (a
 * MutationObserver on the list: one callback per task that touched the
 * row's DOM — React commits one render per task), the most commits in one
 * animation frame, and frame intervals while streaming (p95, max) and long
 * tasks (> 50 ms).
 *
 * Writes bench/results/<time>-browser.json and prints a table.
 */
import { execFileSync, execSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { chromium, type Browser, type Page } from "playwright-core";
import WebSocket from "ws";
import { startFakeOpenAI, type FakeOpenAI } from "../../test/support/fake-openai.ts";
import { createPublicRoom, createSession, roomSocketUrl, SESSION_COOKIE } from "../../test/support/room-client.ts";
import type { DevServer, DevServerOptions } from "../../test/support/dev-server.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const PAGE_SIZE = 50;

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
};
const MESSAGES = Number(arg("messages", "10000"));
const CHUNKS = Number(arg("chunks", "300"));
const PAGES = Number(arg("pages", "20"));
const BASE = arg("base", "");
const FIRST_VIEW_RUNS = 5;
/** Paging back through all of history stops here (the old list got slower with every page). */
const ALL_HISTORY_LIMIT_MS = Number(arg("all-limit-ms", "240000"));

/** Lifted limits, as bench/run.ts does, so seeding and asking are never refused. */
const VARS = {
  RATE_LIMIT_PER_SECOND: "100000",
  RATE_LIMIT_BURST: "100000",
  SESSIONS_PER_ADDRESS_PER_HOUR: "100000",
  ROOMS_PER_ADDRESS_PER_HOUR: "100000",
  AI_PROVIDER: "openai-compatible",
  AI_MODEL: "bench-model",
  OPENAI_API_KEY: "sk-bench",
  ASSISTANT_ROOM_TURNS_PER_MINUTE: "100000",
  ASSISTANT_MEMBER_TURNS_PER_MINUTE: "100000",
  ASSISTANT_ROOM_TOKENS_PER_DAY: "1000000000",
  ASSISTANT_MEMBER_TOKENS_PER_DAY: "1000000000",
};

const log = (msg: string) => process.stderr.write(`[bench:browser ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Variant {
  name: string;
  root: string;
  /** Removes the temp tree afterwards (base only). */
  cleanup?: () => void;
}

/** The client of `ref`, built in a temp tree that shares this checkout's node_modules. */
function baseTree(ref: string): Variant {
  const dir = mkdtempSync(join(tmpdir(), "hearth-base-"));
  log(`unpacking ${ref} into ${dir} and building its client`);
  execSync(`git archive ${ref} | tar -x -C ${dir}`, { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  execFileSync(join(ROOT, "node_modules/.bin/vite"), ["build", "--logLevel", "error"], { cwd: dir, stdio: "inherit" });
  const sha = execSync(`git rev-parse --short ${ref}`, { cwd: ROOT }).toString().trim();
  return { name: `base ${sha}`, root: dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function startServer(root: string, fake: FakeOpenAI): Promise<DevServer> {
  // That tree's own launcher: wrangler dev runs in (and serves the client of) that tree.
  const { startDevServer } = (await import(join(root, "test/support/dev-server.ts"))) as {
    startDevServer: (o: DevServerOptions) => Promise<DevServer>;
  };
  return startDevServer({ vars: { ...VARS, OPENAI_BASE_URL: fake.baseUrl }, args: ["--log-level", "warn"], startTimeoutMs: 90_000 });
}

/** A socket of the seeder's, with a way to wait for frames. */
async function openSocket(url: string, room: string, token: string): Promise<WebSocket> {
  const ws = new WebSocket(roomSocketUrl(url, room), { headers: { Origin: url, Cookie: `${SESSION_COOKIE}=${token}` } });
  await new Promise<void>((res, rej) => {
    ws.once("error", rej);
    ws.on("message", (data) => {
      if (JSON.parse(data.toString()).type === "welcome") res();
    });
  });
  return ws;
}

/** `count` real sends over one socket, 64 in flight; resolves with the highest seq. */
async function seed(ws: WebSocket, count: number): Promise<number> {
  let sent = 0;
  let acked = 0;
  let last = 0;
  const t0 = performance.now();
  await new Promise<void>((res, rej) => {
    const send = () => ws.send(JSON.stringify({ type: "send", id: `seed_msg_${String(sent++).padStart(6, "0")}`, text: `history message ${sent}: a line of ordinary chat text, about as long as people write` }));
    ws.on("message", (data) => {
      // A busy room batches its frames: the acks may come inside a `batch`.
      const wire = JSON.parse(data.toString()) as { type: string; seq?: number; message?: string; frames?: Array<{ type: string; seq?: number; message?: string }> };
      for (const f of wire.type === "batch" ? wire.frames! : [wire]) {
        if (f.type === "error") rej(new Error(`seeding: ${f.message}`));
        if (f.type !== "ack") continue;
        acked++;
        last = Math.max(last, f.seq ?? 0);
        if (sent < count) send();
        if (acked === count) res();
      }
    });
    for (let i = 0; i < Math.min(64, count); i++) send();
  });
  ws.removeAllListeners("message");
  log(`seeded ${count} messages in ${round((performance.now() - t0) / 1000)} s`);
  return last;
}

/** `draft` frames each page's sockets received (batched frames may carry several). */
const drafts = new WeakMap<Page, { n: number }>();
const draftCount = (page: Page) => drafts.get(page)?.n ?? 0;

/** A reader with a session of its own, signed in through the landing page as people are. */
async function reader(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const count = { n: 0 };
  drafts.set(page, count);
  page.on("websocket", (ws) =>
    ws.on("framereceived", ({ payload }) => {
      if (typeof payload === "string") count.n += payload.match(/"type":"draft"/g)?.length ?? 0;
    }),
  );
  await page.goto("/");
  await page.getByTestId("display-name-input").fill("Reader");
  await page.getByTestId("display-name-save").click();
  await page.waitForFunction(() => localStorage.getItem("hearth.session") !== null);
  await page.getByTestId("lobby-room").or(page.getByText("No public rooms yet.")).first().waitFor();
  return page;
}

/** Navigation → the newest row in the DOM, by the page's clock (ms). */
async function timeToNewest(page: Page, room: string, newest: number): Promise<number> {
  await page.goto("about:blank");
  await page.addInitScript((seq) => {
    const w = window as unknown as { __shownAt?: number };
    const check = () => {
      if (w.__shownAt === undefined && document.querySelector(`[data-testid="message"][data-seq="${seq}"]`)) w.__shownAt = performance.now();
    };
    new MutationObserver(check).observe(document, { childList: true, subtree: true });
  }, newest);
  await page.goto(`/r/${room}`);
  const shown = await page.waitForFunction(() => (window as unknown as { __shownAt?: number }).__shownAt, undefined, { timeout: 60_000 });
  return round((await shown.jsonValue()) as number);
}

/** Scrolls to the top until the row `seq` (or an older one) is in the DOM; ms. */
async function scrollBackTo(page: Page, seq: number, timeoutMs: number): Promise<number | null> {
  return page.evaluate(
    async ({ seq, timeoutMs }) => {
      const scroller = document.querySelector<HTMLElement>(".message-scroller")!;
      const oldest = () => {
        let min = Infinity;
        for (const el of document.querySelectorAll('.message-scroller [data-testid="message"][data-seq]')) min = Math.min(min, Number(el.getAttribute("data-seq")));
        return min;
      };
      const t0 = performance.now();
      while (oldest() > seq) {
        if (performance.now() - t0 > timeoutMs) return null;
        scroller.scrollTop = 0;
        await new Promise((r) => requestAnimationFrame(r));
      }
      return performance.now() - t0;
    },
    { seq, timeoutMs },
  );
}

async function scrollToNewest(page: Page, newest: number): Promise<void> {
  await page.evaluate(async (seq) => {
    const scroller = document.querySelector<HTMLElement>(".message-scroller")!;
    const t0 = performance.now();
    while (!document.querySelector(`[data-testid="message"][data-seq="${seq}"]`) || scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight > 4) {
      if (performance.now() - t0 > 30_000) throw new Error("could not scroll to the newest message");
      scroller.scrollTop = scroller.scrollHeight;
      await new Promise((r) => setTimeout(r, 50));
    }
  }, newest);
  await sleep(500);
}

export interface StreamFigures {
  /** `draft` frames the browser received for the reply. */
  drafts: number;
  /** Commits (MutationObserver callbacks) that changed the streaming row. */
  rowCommits: number;
  /** Animation frames from the first to the last such commit. */
  frames: number;
  maxCommitsPerFrame: number;
  frameP95Ms: number;
  frameMaxMs: number;
  longTasks: number;
  longTaskMs: number;
  streamMs: number;
}

/** Asks the assistant (from the seeder's socket) and watches the reader's page render the reply. */
async function streamReply(page: Page, ask: WebSocket): Promise<StreamFigures> {
  const draftsBefore = draftCount(page);
  await page.evaluate(() => {
    const w = window as unknown as { __stream: Record<string, unknown> };
    const s = { commits: 0, frames: 0, inFrame: 0, maxPerFrame: 0, intervals: [] as number[], first: 0, last: 0, longTasks: 0, longMs: 0, done: false, active: true };
    w.__stream = s as unknown as Record<string, unknown>;
    const list = document.querySelector(".message-scroller")!;
    new MutationObserver((muts) => {
      const touched = muts.some((m) => {
        const el = m.target.nodeType === 1 ? (m.target as Element) : m.target.parentElement;
        return el?.closest('[data-testid="message"][data-kind="assistant"]');
      });
      if (!touched || !s.active) return;
      s.commits++;
      s.inFrame++;
      s.maxPerFrame = Math.max(s.maxPerFrame, s.inFrame);
      s.first ||= performance.now();
      s.last = performance.now();
      const rows = document.querySelectorAll('[data-testid="message"][data-kind="assistant"]');
      const row = rows[rows.length - 1];
      if (row && row.getAttribute("data-status") !== "streaming") s.done = true;
    }).observe(list, { childList: true, subtree: true, characterData: true, attributes: true });
    let prev = 0;
    const tick = (t: number) => {
      if (!s.active) return;
      if (s.first) {
        s.frames++;
        if (prev) s.intervals.push(t - prev);
      }
      prev = t;
      s.inFrame = 0;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    new PerformanceObserver((l) => {
      if (!s.first || !s.active) return;
      for (const e of l.getEntries()) {
        s.longTasks++;
        s.longMs += e.duration;
      }
    }).observe({ type: "longtask", buffered: false });
  });
  ask.send(JSON.stringify({ type: "send", id: `ask_${Date.now()}`, text: "@assistant please answer at length" }));
  await page.waitForFunction(() => (window as unknown as { __stream: { done: boolean } }).__stream.done, undefined, { timeout: 120_000, polling: 100 });
  await sleep(300);
  const drafts = draftCount(page) - draftsBefore;
  const s = (await page.evaluate(() => {
    const w = window as unknown as { __stream: { active: boolean } };
    w.__stream.active = false;
    return w.__stream;
  })) as unknown as { commits: number; frames: number; maxPerFrame: number; intervals: number[]; first: number; last: number; longTasks: number; longMs: number };
  const sorted = [...s.intervals].sort((a, b) => a - b);
  return {
    drafts,
    rowCommits: s.commits,
    frames: s.frames,
    maxCommitsPerFrame: s.maxPerFrame,
    frameP95Ms: round(sorted[Math.floor(sorted.length * 0.95)] ?? NaN),
    frameMaxMs: round(sorted.at(-1) ?? NaN),
    longTasks: s.longTasks,
    longTaskMs: round(s.longMs),
    streamMs: round(s.last - s.first),
  };
}

interface VariantResult {
  client: string;
  messages: number;
  /** Navigation → newest row shown, median of the runs (ms). */
  firstViewMs: number;
  firstViewRuns: number[];
  streamFirstPage: StreamFigures;
  /** Scroll back through `pages` pages (ms). */
  scrollPagesMs: number | null;
  pages: number;
  /** On through the whole history (ms from the start of the scroll back; null: not within the time limit). */
  scrollAllMs: number | null;
  /** Messages loaded when the second stream ran (all of them, or as far as the time limit got). */
  loadedAtSecondStream: number;
  /** `[data-testid=message]` elements then. */
  domRowsAtSecondStream: number;
  streamManyLoaded: StreamFigures;
}

/** One client's server, its seeded room and its reader's page. */
interface Setup {
  v: Variant;
  server: DevServer;
  room: string;
  ws: WebSocket;
  newest: number;
  page: Page;
}

async function setUp(browser: Browser, v: Variant, fake: FakeOpenAI): Promise<Setup> {
  log(`${v.name}: starting wrangler dev in ${v.root}`);
  const server = await startServer(v.root, fake);
  const room = `bench-browser-${Date.now().toString(36)}`;
  const seeder = await createSession(fetch, server.url, "Seeder");
  await createPublicRoom(fetch, server.url, room, seeder.token);
  const ws = await openSocket(server.url, room, seeder.token);
  const newest = await seed(ws, MESSAGES);
  const page = await reader(browser, server.url);
  return { v, server, room, ws, newest, page };
}

/** Oldest message seq in the DOM. */
const oldestInDom = (page: Page) =>
  page.evaluate(() => Math.min(...[...document.querySelectorAll('.message-scroller [data-testid="message"][data-seq]')].map((el) => Number(el.getAttribute("data-seq")))));

async function scrollAndStream(s: Setup, firstViewRuns: number[]): Promise<VariantResult> {
  const { v, page, ws, newest } = s;
  await sleep(1000);
  const streamFirstPage = await streamReply(page, ws);
  log(`${v.name}: stream on the first page ${JSON.stringify(streamFirstPage)}`);
  const newestNow = newest + 2;
  const oldestSeeded = newest - MESSAGES + 1;
  const pagesMs = await scrollBackTo(page, newestNow - PAGES * PAGE_SIZE, 120_000);
  const scrollPagesMs = pagesMs === null ? null : round(pagesMs);
  log(`${v.name}: ${PAGES} pages back in ${scrollPagesMs} ms`);
  let scrollAllMs: number | null = null;
  if (pagesMs !== null) {
    const rest = await scrollBackTo(page, oldestSeeded, ALL_HISTORY_LIMIT_MS);
    scrollAllMs = rest === null ? null : round(pagesMs + rest);
  }
  const loadedAtSecondStream = newestNow - (await oldestInDom(page)) + 1;
  log(`${v.name}: all history back in ${scrollAllMs} ms (${loadedAtSecondStream} loaded)`);
  const domRowsAtSecondStream = await page.locator('[data-testid="message"]').count();
  await scrollToNewest(page, newestNow);
  const streamManyLoaded = await streamReply(page, ws);
  log(`${v.name}: stream with ${loadedAtSecondStream} loaded ${JSON.stringify(streamManyLoaded)}`);
  return {
    client: v.name,
    messages: MESSAGES,
    firstViewMs: median(firstViewRuns),
    firstViewRuns,
    streamFirstPage,
    scrollPagesMs,
    pages: PAGES,
    scrollAllMs,
    loadedAtSecondStream,
    domRowsAtSecondStream,
    streamManyLoaded,
  };
}

async function main() {
  const sha = execSync("git rev-parse --short HEAD", { cwd: ROOT }).toString().trim();
  const variants: Variant[] = [{ name: `this ${sha}`, root: ROOT }];
  if (BASE) variants.unshift(baseTree(BASE));
  // Small chunks, 2 ms apart: the stream outruns the server's draft flush, as a fast model does.
  const fake = await startFakeOpenAI([{ chunks: Array.from({ length: CHUNKS }, (_, i) => `w${i} `), delayMs: 2 }]);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const results: VariantResult[] = [];
  const setups: Setup[] = [];
  try {
    for (const v of variants) setups.push(await setUp(browser, v, fake));
    // First views interleaved (A B A B …), so a busy moment of the machine does not land on one client.
    const runs = setups.map(() => [] as number[]);
    for (let i = 0; i < FIRST_VIEW_RUNS; i++) {
      for (const [k, s] of setups.entries()) runs[k]!.push(await timeToNewest(s.page, s.room, s.newest));
    }
    for (const [k, s] of setups.entries()) log(`${s.v.name}: first view ${runs[k]!.join(", ")} ms`);
    for (const [k, s] of setups.entries()) {
      results.push(await scrollAndStream(s, runs[k]!));
      // Both clients' pages are on 127.0.0.1 and may share a renderer process: one with thousands of rows must not slow the next.
      await s.page.context().close();
    }
  } finally {
    for (const s of setups) {
      s.ws.close();
      await s.page.context().close().catch(() => {});
      await s.server.stop();
    }
    await browser.close();
    await fake.close();
    for (const v of variants) v.cleanup?.();
  }
  const dir = join(ROOT, "bench/results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, "-")}-browser.json`);
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), messages: MESSAGES, chunks: CHUNKS, pages: PAGES, results }, null, 2));
  const row = (label: string, f: (r: VariantResult) => unknown) => console.log(`${label.padEnd(44)}${results.map((r) => String(f(r) ?? "—").padStart(16)).join("")}`);
  console.log(`\n${"".padEnd(44)}${results.map((r) => r.client.padStart(16)).join("")}`);
  row(`first view of ${MESSAGES} msgs (ms, median of ${FIRST_VIEW_RUNS})`, (r) => r.firstViewMs);
  row(`scroll back ${PAGES} pages (ms)`, (r) => r.scrollPagesMs);
  row(`scroll back all history (ms)`, (r) => r.scrollAllMs ?? `> ${ALL_HISTORY_LIMIT_MS}`);
  row(`loaded at the second stream`, (r) => r.loadedAtSecondStream);
  row(`DOM rows then`, (r) => r.domRowsAtSecondStream);
  for (const [key, label] of [["streamFirstPage", "first page"], ["streamManyLoaded", "many loaded"]] as const) {
    row(`stream (${label}): draft frames`, (r) => r[key]?.drafts);
    row(`stream (${label}): row commits`, (r) => r[key]?.rowCommits);
    row(`stream (${label}): animation frames`, (r) => r[key]?.frames);
    row(`stream (${label}): max commits in a frame`, (r) => r[key]?.maxCommitsPerFrame);
    row(`stream (${label}): frame p95 / max (ms)`, (r) => r[key] && `${r[key].frameP95Ms} / ${r[key].frameMaxMs}`);
    row(`stream (${label}): long tasks (n / ms)`, (r) => r[key] && `${r[key].longTasks} / ${r[key].longTaskMs}`);
  }
  log(`wrote ${file}`);
}

await main();
