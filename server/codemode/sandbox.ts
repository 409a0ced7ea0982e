/**
 * Runs model-written code in a Dynamic Worker: a fresh isolate per run,
 * created by the Worker Loader binding, with no bindings of ours (no env,
 * no secrets), no outbound network (`globalOutbound: null` — fetch and
 * connect throw inside), a time limit, and output cut to a size limit.
 * Tool calls from inside come back to the room over RPC as plain functions,
 * so they take the same path (approval, audit) as any other call.
 */
import { DynamicWorkerExecutor } from "@cloudflare/codemode";
import { guardLoops } from "./loopGuard";

export interface SandboxLimits {
  timeoutMs: number;
  /** Characters of result + console output kept. */
  outputChars: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = { timeoutMs: 10_000, outputChars: 8_000 };

export interface SandboxRun {
  result: unknown;
  error: string | null;
  logs: string[];
  truncated: boolean;
  durationMs: number;
}

export type ToolFns = Record<string, (...args: unknown[]) => Promise<unknown>>;

export async function runInSandbox(
  loader: WorkerLoader,
  code: string,
  namespaces: Array<{ name: string; fns: ToolFns }>,
  limits: SandboxLimits = DEFAULT_SANDBOX_LIMITS,
  outbound: Fetcher | null = null,
): Promise<SandboxRun> {
  const executor = new DynamicWorkerExecutor({ loader, timeout: limits.timeoutMs, globalOutbound: outbound });
  const started = Date.now();
  const out = await executor.execute(guardLoops(code), namespaces);
  const logs = out.logs ?? [];
  const json = JSON.stringify(out.result ?? null) ?? "null";
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
    result: json.length > limits.outputChars ? { truncated: true, preview: json.slice(0, limits.outputChars) } : (out.result ?? null),
    error: out.error ?? null,
    logs: keptLogs,
    truncated,
    durationMs: Date.now() - started,
  };
}
