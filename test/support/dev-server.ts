/**
 * Starts the real app with `wrangler dev --local` on a free port, for process
 * and browser tests. The client must already be built (`npm run build`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

export interface DevServer {
  url: string;
  port: number;
  persistDir: string;
  process: ChildProcess;
  /** Everything wrangler printed so far (for failure messages). */
  output(): string;
  /** Graceful stop (SIGTERM, SIGKILL after 5 s), resolves when the process has exited. */
  stop(): Promise<void>;
  /** Hard crash (SIGKILL of the whole process group), resolves on exit. */
  kill(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

export interface DevServerOptions {
  /** Storage to reuse (a restart keeps its rooms); a fresh temp dir by default. */
  persistDir?: string;
  port?: number;
  /** Each becomes `--var K:V`. */
  vars?: Record<string, string>;
  /** More `wrangler dev` arguments: the benchmark passes its own `-c <config>` and `--log-level warn`. */
  args?: string[];
  /** When the server counts as up; by default when GET /api/health answers 2xx. */
  ready?: (url: string) => Promise<boolean>;
  /** How long it may take to come up (default 60 s; the benchmark's bigger build wants more). */
  startTimeoutMs?: number;
  /** Start through `npm start`'s script (scripts/start.ts: finds a local model), not wrangler directly. */
  viaStartScript?: boolean;
  /** The DevTools port of the Worker's isolate (bench/profile.ts); any free one by default. */
  inspectorPort?: number;
  /** More environment for wrangler and workerd (e.g. NODE_EXTRA_CA_CERTS, which workerd's fetch trusts). */
  env?: Record<string, string>;
}

async function healthy(url: string): Promise<boolean> {
  return (await fetch(`${url}/api/health`)).ok;
}

/**
 * One launcher for tests and benchmarks (bench/lib/servers.ts starts its
 * workerd through it), so the flags that keep wrangler quiet, local and
 * killable are written once.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const persistDir = options.persistDir ?? mkdtempSync(join(tmpdir(), "hearth-state-"));
  const varArgs = Object.entries(options.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const ready = options.ready ?? healthy;
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  // scripts/start.ts adds `dev --local --port $PORT` (and the model it found) itself.
  const [command, head] = options.viaStartScript
    ? [process.execPath, [join(ROOT, "scripts/start.ts")]]
    : [join(ROOT, "node_modules/.bin/wrangler"), ["dev", "--local", "--port", String(port)]];
  const child = spawn(
    command,
    [
      ...head,
      "--ip",
      "127.0.0.1",
      "--inspector-port",
      String(options.inspectorPort ?? 0),
      "--persist-to",
      persistDir,
      "--show-interactive-dev-session=false",
      ...(options.args ?? []),
      ...varArgs,
    ],
    {
      cwd: ROOT,
      // A process group of its own, so kill() takes workerd down with wrangler.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...QUIET_WRANGLER, ...options.env, PORT: String(port) },
    },
  );
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const exited = new Promise<void>((res) => child.once("exit", () => res()));
  const url = `http://127.0.0.1:${port}`;

  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* already gone */
    }
  };
  const running = () => child.exitCode === null && child.signalCode === null;
  const kill = async () => {
    if (!running()) return;
    signal("SIGKILL");
    await exited;
  };
  // A wrangler that ignores SIGTERM for 5 s is killed: a hung stop must not hang the suite.
  const stop = async () => {
    if (!running()) return;
    signal("SIGTERM");
    const hard = setTimeout(() => signal("SIGKILL"), 5_000);
    await exited;
    clearTimeout(hard);
  };

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${log}`);
    if (Date.now() > deadline) {
      await kill();
      throw new Error(`wrangler dev did not answer within ${startTimeoutMs / 1000} s:\n${log}`);
    }
    try {
      if (await ready(url)) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return { url, port, persistDir, process: child, output: () => log, stop, kill };
}

/** What keeps wrangler from phoning home, printing banners or prompting (the bench's build uses it too). */
export const QUIET_WRANGLER = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CI: "true",
};
