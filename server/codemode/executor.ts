/**
 * The executor Code Mode runs through: the codemode package's Dynamic
 * Worker executor, plus Hearth's loop budget and output cap (sandbox.ts).
 */
import type { Executor } from "@cloudflare/codemode";
import { runInSandbox, type SandboxLimits } from "./sandbox";

export function sandboxExecutor(loader: WorkerLoader, limits: SandboxLimits, outbound: Fetcher | null = null): Executor {
  return {
    async execute(code, providers) {
      const namespaces = Array.isArray(providers)
        ? providers.map((p) => ({ name: p.name, fns: p.fns }))
        : [{ name: "codemode", fns: providers }];
      const run = await runInSandbox(loader, code, namespaces, limits, outbound);
      return { result: run.result, error: run.error ?? undefined, logs: run.logs };
    },
  };
}
