/**
 * Starting the servers under test.
 *
 * - `startWorkerd()` runs ONE `wrangler dev --local` (through the tests'
 *   launcher, test/support/dev-server.ts) that serves both A (the app, unchanged) and R (bench/raw/RawRoom.ts). Its wrangler config is
 *   generated from the app's own wrangler.jsonc — same compatibility date,
 *   flags, vars, assets and bindings — with `main` pointed at
 *   bench/raw/worker.ts and the RawRoom binding and migration added, so that
 *   a change to the app's config reaches the benchmark without editing it.
 * - `startW()` runs bench/w-server.ts as its own Node process.
 *
 * Both bind 127.0.0.1 only and persist to a fresh temp dir that is removed
 * on stop.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, QUIET_WRANGLER, startDevServer } from "../../test/support/dev-server.ts";
import { processTree } from "./procfs.ts";

export const ROOT = resolve(import.meta.dirname, "../..");

export interface ServerProcess {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** The pid we spawned: CPU is measured over its process tree. */
  pid: number;
  /** The pid that runs the rooms: its RSS holds the objects and sockets (workerd, or W's Node). */
  memoryPid: number;
  output(): string;
  /** True if the process running the rooms is not the one that started (every socket was dropped). */
  restarted(): boolean;
  stop(): Promise<void>;
}

/** Removes // and /* comments and trailing commas outside strings (enough for wrangler.jsonc). */
export function parseJsonc(text: string): unknown {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      out += text.slice(start, i + 1);
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i + 2) + 1;
    } else out += c;
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, "$1"));
}

interface WranglerConfig {
  main: string;
  assets?: { directory: string };
  durable_objects: { bindings: Array<{ name: string; class_name: string }> };
  migrations: Array<{ tag: string; new_sqlite_classes?: string[] }>;
  [key: string]: unknown;
}

/**
 * Builds the bench Worker once and writes the config `wrangler dev` runs.
 *
 * The config is the app's wrangler.jsonc plus R (binding, migration, two
 * worker-first paths). The Worker is bundled up front with `wrangler deploy
 * --dry-run` (the same build a deploy makes) and served with `no_bundle`:
 * `wrangler dev` otherwise watches the sources and restarts workerd when any
 * of them changes — which, on a machine where others edit the app while a
 * benchmark runs, would drop every socket mid-run. The figures are of the
 * app as it was when the run started.
 */
export function buildBenchWorker(): string {
  // (Removed by removeBenchBuild() when the run ends.)
  const config = parseJsonc(readFileSync(join(ROOT, "wrangler.jsonc"), "utf8")) as WranglerConfig;
  // A directory per run: wrangler dev watches its config, bundle and assets,
  // so a second run (or another engineer's) rewriting shared files would
  // restart this run's workerd.
  mkdirSync(join(ROOT, "bench/.generated"), { recursive: true });
  const dir = mkdtempSync(join(ROOT, "bench/.generated/run-"));
  delete config.$schema;
  if (config.assets) {
    // A private copy of the client: `wrangler dev` watches its assets
    // directory and restarts workerd when it changes — and others rebuild
    // dist/client (npm test does) while a benchmark runs.
    const assets = join(dir, "assets");
    cpSync(join(ROOT, config.assets.directory), assets, { recursive: true });
    config.assets.directory = assets;
    // R's sockets and the stats endpoint must reach the Worker, not the SPA fallback.
    const first = (config.assets as { run_worker_first?: string[] | boolean }).run_worker_first;
    if (Array.isArray(first)) first.push("/raw/*", "/bench/*");
  }
  config.durable_objects.bindings.push({ name: "RawRoom", class_name: "RawRoom" });
  config.migrations.push({ tag: "bench-raw-v1", new_sqlite_classes: ["RawRoom"] });
  // Deployed-only features would only print warnings locally.
  delete config.observability;

  const buildConfig = join(dir, "build.json");
  writeFileSync(buildConfig, JSON.stringify({ ...config, main: join(ROOT, "bench/raw/worker.ts") }, null, 2));
  const outdir = join(dir, "dist");
  execFileSync(join(ROOT, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "-c", buildConfig, "--outdir", outdir], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...QUIET_WRANGLER },
  });
  const devConfig = join(dir, "wrangler.json");
  writeFileSync(devConfig, JSON.stringify({ ...config, main: join(outdir, "worker.js"), no_bundle: true }, null, 2));
  return devConfig;
}

/** Deletes a run directory made by buildBenchWorker() (given its wrangler.json). */
export function removeBenchBuild(devConfig: string): void {
  rmSync(join(devConfig, ".."), { recursive: true, force: true });
}


/**
 * One `wrangler dev --local` serving A and R (config from buildBenchWorker()),
 * started by the tests' own launcher with the bench's config. `vars` become
 * `--var K:V`.
 */
export async function startWorkerd(vars: Record<string, string>, config: string, inspectorPort?: number): Promise<ServerProcess> {
  const persistDir = mkdtempSync(join(tmpdir(), "hearth-bench-"));
  const dev = await startDevServer({
    persistDir,
    vars,
    inspectorPort,
    args: ["-c", config, "--log-level", "warn"],
    // The bench Worker's own route: the app's fallback would not answer JSON.
    ready: async (url) => {
      const res = await fetch(`${url}/bench/stats`);
      return res.ok && (res.headers.get("content-type") ?? "").includes("json");
    },
    startTimeoutMs: 90_000,
  });
  const { port } = dev;
  const child = dev.process;
  // Only once it answers is workerd surely spawned. wrangler dev runs two
  // workerd processes: a proxy on the public port (it forwards every request
  // and socket) and the one running the Worker and its objects. The second
  // holds the rooms' memory; the tree CPU counts both (users run both too).
  const objectsPid = () => {
    const workerds = processTree(child.pid!).filter((p) => p.comm === "workerd");
    const isProxy = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(`entry=127.0.0.1:${port}`);
      } catch {
        return false;
      }
    };
    return (workerds.find((p) => !isProxy(p.pid)) ?? workerds[0])?.pid ?? NaN;
  };
  const first = objectsPid();
  if (!Number.isFinite(first)) throw new Error("no workerd process under wrangler");
  return {
    url: dev.url,
    port,
    pid: child.pid!,
    output: dev.output,
    // Looked up on every use, so a restarted workerd is noticed (restarted()).
    get memoryPid() {
      return objectsPid();
    },
    restarted: () => objectsPid() !== first,
    stop: async () => {
      await dev.stop();
      rmSync(persistDir, { recursive: true, force: true });
    },
  };
}

/** W: bench/w-server.ts in its own Node process (S: bench/s-server.ts, Socket.IO, the same way). */
export async function startW(script = "bench/w-server.ts"): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, script), String(port)], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = `http://127.0.0.1:${port}`;
  let listening = false;
  child.stdout!.on("data", (d) => {
    if (String(d).includes("listening")) listening = true;
  });
  const server = await supervise(child, url, async () => listening);
  return { ...server, port, memoryPid: child.pid!, restarted: () => false };
}

/** S: bench/s-server.ts (Socket.IO 4.8, websocket transport only) in its own Node process. */
export const startS = (): Promise<ServerProcess> => startW("bench/s-server.ts");

async function supervise(
  child: ChildProcess,
  url: string,
  ready: () => Promise<boolean>,
): Promise<Omit<ServerProcess, "port" | "memoryPid" | "restarted">> {
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      /* gone */
    }
    const hard = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
    }, 5_000);
    await exited;
    clearTimeout(hard);
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${log}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server did not answer within 90 s:\n${log}`);
    }
    try {
      if (await ready()) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, pid: child.pid!, output: () => log, stop };
}
