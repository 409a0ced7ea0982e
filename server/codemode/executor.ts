/**
 * The executor Code Mode runs through (the codemode package's `Executor`
 * contract, as `runCode` expects): Hearth's own Dynamic Worker sandbox
 * (sandbox.ts) with the room's limits, network and, per run, the room's
 * clock, which pauses while a call waits for an approval, and `stop`: a run
 * that paused for a person releases its sandbox at once.
 */
import type { Executor } from "@cloudflare/codemode";
import { RunClock, runInSandbox, type SandboxLimits } from "./sandbox";

export function sandboxExecutor(loader: WorkerLoader, limits: SandboxLimits, outbound: Fetcher | null = null, clock?: RunClock, stop?: Promise<void>): Executor {
  return {
    async execute(code, providers) {
      const namespaces = Array.isArray(providers)
        ? providers.map((p) => ({ name: p.name, fns: p.fns }))
        : [{ name: "codemode", fns: providers }];
      const run = await runInSandbox(loader, code, namespaces, limits, outbound, clock ?? new RunClock(), stop);
      return { result: run.result, error: run.error ?? undefined, logs: run.logs };
    },
  };
}
