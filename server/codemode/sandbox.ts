/**
 * Runs model-written code in a Dynamic Worker: a fresh isolate per run,
 * created by the Worker Loader binding, with no bindings of ours (no env,
 * no secrets), no outbound network unless the room allows hosts
 * (`globalOutbound: null` — fetch and connect throw inside), a time limit,
 * a cap on calls into the room, and output cut to a size limit. Calls from
 * inside come back to the room over RPC as plain functions (hostCalls.ts),
 * so they take the same path (approval, audit) as any other call.
 *
 * The modules are ours: `executor.js` is constant text (sandboxModule.ts),
 * the code is its own module checked by loopGuard.ts. This replaces
 * @cloudflare/codemode's DynamicWorkerExecutor, which splices the code into
 * its executor's source, where unparseable text can close the template.
 *
 * The room does not trust the sandbox to answer: it stops waiting after the
 * limit plus SANDBOX_GRACE_MS of its own clock (runClock.ts, which does not
 * count approval waits) and ends the run with a timeout error.
 */
import type { Truncated } from "../../shared/codemode";
import { guardModule, prepareCode } from "./loopGuard";
import { HostCalls, MAX_TOOL_CALLS_PER_RUN, type ToolFns } from "./hostCalls";
import { RunClock } from "./runClock";
import { EXECUTOR_MODULE } from "./sandboxModule";

export { MAX_TOOL_CALLS_PER_RUN, RunClock, type ToolFns };

export interface SandboxLimits {
  timeoutMs: number;
  /** Characters of result + console output kept. */
  outputChars: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = { timeoutMs: 10_000, outputChars: 8_000 };

/** How long past the limit the room still waits for the sandbox's own answer. */
export const SANDBOX_GRACE_MS = 2_000;

export interface SandboxRun {
  result: unknown;
  error: string | null;
  logs: string[];
  truncated: boolean;
  durationMs: number;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

export async function runInSandbox(
  loader: WorkerLoader,
  code: string,
  namespaces: Array<{ name: string; fns: ToolFns }>,
  limits: SandboxLimits = DEFAULT_SANDBOX_LIMITS,
  outbound: Fetcher | null = null,
  clock: RunClock = new RunClock(),
  /** Resolves when the room stops the run (it paused for an approval): the sandbox is disposed at once. */
  stop?: Promise<void>,
): Promise<SandboxRun> {
  const started = Date.now();
  const failed = (error: string): SandboxRun => ({ result: null, error, logs: [], truncated: false, durationMs: Date.now() - started });
  const prepared = prepareCode(code);
  if (!prepared.ok) return failed(prepared.error);
  const names = namespaces.map((n) => n.name);
  const bad = names.find((n, i) => !IDENT.test(n) || n === "console" || names.indexOf(n) !== i);
  if (bad !== undefined) return failed(`The tool namespace "${bad}" cannot be used.`);

  const calls = new HostCalls(namespaces);
  const worker = loader.load({
    compatibilityDate: "2025-06-01",
    compatibilityFlags: ["nodejs_compat"],
    mainModule: "executor.js",
    modules: { "executor.js": EXECUTOR_MODULE, "guard.js": guardModule(), "code.js": prepared.module },
    globalOutbound: outbound,
  });
  const deadline = clock.deadline(limits.timeoutMs + SANDBOX_GRACE_MS);
  const entrypoint = worker.getEntrypoint() as unknown as Fetcher & {
    evaluate(room: HostCalls, names: string[], timeoutMs: number): Promise<Answer>;
  };
  let out: Answer;
  try {
    const answer = Promise.resolve(entrypoint.evaluate(calls, names, limits.timeoutMs));
    // When the deadline wins, a late failure of the sandbox is nobody's business.
    answer.catch(() => {});
    out = await Promise.race([
      answer,
      deadline.reached.then(() => ({
        error: `The code ran past its time limit of ${limits.timeoutMs} ms (and ${SANDBOX_GRACE_MS} ms more) without answering; the room stopped waiting for it.`,
      })),
      ...(stop ? [stop.then(() => ({ error: "The run paused for an approval." }))] : []),
    ]);
  } catch (err) {
    // The sandbox failed to start or its answer could not cross RPC; say so
    // plainly — a workerd stack is no use in a card.
    out = { error: `The sandbox failed: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}` };
  } finally {
    deadline.cancel();
    calls.end();
    dispose(entrypoint);
    dispose(worker);
  }
  return capOutput(out, limits, Date.now() - started);
}

/** What the sandbox's `evaluate` answers: the result as JSON text, or an error. */
interface Answer {
  json?: string;
  error?: string;
  logs?: string[];
}

function capOutput(out: Answer, limits: SandboxLimits, durationMs: number): SandboxRun {
  const logs = (Array.isArray(out.logs) ? out.logs : []).map(String);
  const json = typeof out.json === "string" ? out.json : "null";
  let result: unknown = null;
  try {
    result = JSON.parse(json);
  } catch {
    return { result: null, error: out.error ?? "The code's result is not JSON.", logs: [], truncated: false, durationMs };
  }
  let budget = limits.outputChars - json.length;
  let truncated = budget < 0;
  const keptLogs: string[] = [];
  for (const line of logs) {
    if (budget - line.length < 0) {
      truncated = true;
      break;
    }
    budget -= line.length;
    keptLogs.push(line);
  }
  return {
    result: json.length > limits.outputChars ? ({ truncated: true, preview: json.slice(0, limits.outputChars) } satisfies Truncated) : result,
    error: typeof out.error === "string" ? out.error : out.error === undefined ? null : "The code failed.",
    logs: keptLogs,
    truncated,
    durationMs,
  };
}

/**
 * Stubs of a loaded Worker own native handles; released eagerly because,
 * left to GC, workerd can finalize them after isolate shutdown (the codemode
 * package does the same).
 */
function dispose(resource: unknown): void {
  const key = (Symbol as { dispose?: symbol }).dispose;
  const d = key && resource ? (resource as Record<symbol, unknown>)[key] : undefined;
  if (typeof d !== "function") return;
  try {
    d.call(resource);
  } catch {
    // Disposal must never mask the run's result.
  }
}
