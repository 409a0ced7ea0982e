/**
 * `executor.js`, the Dynamic Worker's main module. It is constant text:
 * nothing of the run is spliced into it. The code arrives as its own module
 * (`code.js`, see loopGuard.ts), the tool namespaces and the limit as
 * arguments of `evaluate`, so no code can close or change this module.
 *
 * - The code is called as a plain function from a module, so `this` is
 *   undefined: it never sees the entrypoint's `this.env` / `this.ctx`.
 * - The timers and `Promise.prototype.then` are captured when this module
 *   loads, before any of the code's own statements can run (importing
 *   code.js only defines its function), so code that replaces the globals
 *   cannot switch the limit off. The room has its own deadline regardless.
 * - Data crosses as JSON both ways: the room gets plain values from the
 *   code, never a stub it might call back into the sandbox.
 * - The clock stops while a call into the room is in flight: waiting for
 *   the room (and for an approval there) is not the code's own time; the
 *   room counts that part itself (runClock.ts).
 */
export const EXECUTOR_MODULE = String.raw`import { WorkerEntrypoint } from "cloudflare:workers";
import run from "./code.js";

const arm = setTimeout;
const disarm = clearTimeout;
const now = Date.now;
const then = Promise.prototype.then;
const stringify = JSON.stringify;
const message = (err) => (err && typeof err === "object" && "message" in err ? String(err.message) : String(err));

export default class CodeExecutor extends WorkerEntrypoint {
  async evaluate(room, names, timeoutMs) {
    const logs = [];
    const line = (prefix) => (...a) => { logs.push(prefix + a.map(String).join(" ")); };
    console.log = line("");
    console.info = line("");
    console.warn = line("[warn] ");
    console.error = line("[error] ");

    let expire;
    const expired = new Promise((_, reject) => { expire = reject; });
    let left = timeoutMs;
    let since = 0;
    let timer;
    let pending = 0;
    const start = () => {
      since = now();
      timer = arm(() => expire(new Error("The code ran past its time limit of " + timeoutMs + " ms and was stopped.")), Math.max(0, left));
    };
    const stop = () => {
      disarm(timer);
      left -= now() - since;
    };

    for (const name of names) {
      globalThis[name] = new Proxy({}, {
        get: (_, tool) => {
          if (typeof tool !== "string") return undefined;
          return async (...args) => {
            if (pending++ === 0) stop();
            try {
              const answer = await room.call(name, tool, stringify(args));
              if (answer.error !== undefined) throw new Error(answer.error);
              return answer.result;
            } finally {
              if (--pending === 0) start();
            }
          };
        },
      });
    }

    start();
    try {
      const result = await new Promise((resolve, reject) => {
        then.call(expired, resolve, reject);
        then.call(Promise.resolve().then(() => run()), resolve, reject);
      });
      return { json: result === undefined ? undefined : stringify(result), logs };
    } catch (err) {
      return { error: message(err), logs };
    } finally {
      disarm(timer);
    }
  }
}
`;
