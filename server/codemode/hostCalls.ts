/**
 * The room's side of the calls code makes: the only thing the sandbox holds
 * (an RPC stub to this object). Each call is counted against the run's cap
 * and refused once the run has ended, so neither a chatty loop nor a call
 * the code forgot to await can act for a run that is over.
 */
import { RpcTarget } from "cloudflare:workers";
import { sanitizeToolName } from "@cloudflare/codemode";
import { errorText } from "../errors";

/**
 * Calls one run may make into the room (discovery calls included). Enough
 * for real work — a run that needs more is better split — and a bound on
 * how many cards and approvals a single piece of code can start.
 */
export const MAX_TOOL_CALLS_PER_RUN = 100;

export type ToolFns = Record<string, (...args: unknown[]) => Promise<unknown>>;
type Answer = { result: unknown } | { error: string };

export class HostCalls extends RpcTarget {
  #namespaces: Map<string, Map<string, ToolFns[string]>>;
  #calls = 0;
  #ended = false;
  #end!: () => void;
  #whenEnded = new Promise<void>((resolve) => (this.#end = resolve));

  constructor(namespaces: Array<{ name: string; fns: ToolFns }>, private readonly max = MAX_TOOL_CALLS_PER_RUN) {
    super();
    // Own keys only, by their sanitized names (what the code is told to call).
    this.#namespaces = new Map(namespaces.map((ns) => [ns.name, new Map(Object.entries(ns.fns).map(([k, fn]) => [sanitizeToolName(k), fn]))]));
  }

  end(): void {
    this.#ended = true;
    this.#end();
  }

  async call(namespace: string, tool: string, argsJson: string): Promise<Answer> {
    if (this.#ended) return { error: `The run had already ended; the call to ${tool} was refused.` };
    // Counted first: calls to tools that do not exist are round trips too.
    if (++this.#calls > this.max) return { error: `This run made more than ${this.max} tool calls; the call to ${tool} was refused.` };
    const fn = this.#namespaces.get(namespace)?.get(tool);
    if (!fn) return { error: `Tool "${tool}" not found` };
    const work = (async () => {
      try {
        const args: unknown = JSON.parse(String(argsJson ?? "[]"));
        return { result: await fn(...(Array.isArray(args) ? args : [args])) };
      } catch (err) {
        return { error: errorText(err, 2_000) };
      }
    })();
    // The sandbox stops waiting when the run ends; the room's work itself is
    // not cancelled (an approval card ends on its own).
    return Promise.race([work, this.#whenEnded.then(() => ({ error: `The run ended before the call to ${tool} finished.` }))]);
  }
}
