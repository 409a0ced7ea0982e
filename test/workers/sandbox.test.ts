/// <reference types="@cloudflare/vitest-plugin/types" />
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { templateEscape } from "./templateEscape";
import { MAX_TOOL_CALLS_PER_RUN, SANDBOX_GRACE_MS, runInSandbox } from "../../server/codemode/sandbox";

const loader = () => {
  if (!env.LOADER) throw new Error("no LOADER binding");
  return env.LOADER;
};

const quick = { timeoutMs: 1_000, outputChars: 8_000 };

describe("Code Mode sandbox", () => {
  it("runs code that calls room tools over RPC and returns their result", async () => {
    const calls: unknown[] = [];
    const run = await runInSandbox(loader(), "async () => { const r = await room.add({ a: 2, b: 3 }); console.log('sum', r); return r * 10; }", [
      { name: "room", fns: { add: async (input) => { calls.push(input); const { a, b } = input as { a: number; b: number }; return a + b; } } },
    ]);
    expect(run).toMatchObject({ result: 50, error: null, logs: ["sum 5"] });
    expect(calls).toEqual([{ a: 2, b: 3 }]);
  });

  it("gives code no `this` of the executor, no host bindings, and none of the host's modules", async () => {
    const run = await runInSandbox(
      loader(),
      `async () => {
        const arrowThis = typeof this;
        const fnThis = await (async function () { return typeof this; })();
        const workers = await import("cloudflare:workers");
        const tryImport = async (m) => { try { await import(m); return "loaded"; } catch (e) { return "refused"; } };
        // \`in\` walks the global's prototype chain, where workerd's globals live.
        const names = (await room.hostNames()).filter((k) => k in globalThis);
        return {
          arrowThis, fnThis, names,
          workersEnv: Object.keys(workers.env ?? {}),
          meta: JSON.stringify(Object.fromEntries(Object.getOwnPropertyNames(import.meta).map((k) => [k, String(import.meta[k])]))),
          host: [await tryImport("./server/index.js"), await tryImport("../../server/ChatRoom"), await tryImport("/work/main/server/index.ts")],
          guard: await import("./guard.js").then((m) => Object.keys(m), () => "no guard module"),
          evals: [(() => { try { return eval("1"); } catch { return "refused"; } })(), (() => { try { return new Function("return 1")(); } catch { return "refused"; } })()],
        };
      }`,
      // Every binding and variable of the host Worker, and names the
      // executor used to keep in scope.
      [{ name: "room", fns: { hostNames: async () => [...Object.keys(env), "env", "ctx", "__dispatchers", "__connectors", "__logs"] } }],
    );
    expect(run.error).toBeNull();
    const r = run.result as Record<string, unknown>;
    // A function spliced into the executor's method would see the
    // WorkerEntrypoint as `this` (its env and ctx).
    expect(r.arrowThis).toBe("undefined");
    expect(r.fnThis).toBe("undefined");
    expect(r.names).toEqual([]);
    expect(r.workersEnv).toEqual([]);
    expect(r.meta).not.toMatch(/server|test-secret|wt-|work/);
    expect(r.host).toEqual(["refused", "refused", "refused"]);
    // The loop counter's module offers nothing to reset it with.
    expect(r.guard).toEqual(["tick"]);
    expect(r.evals).toEqual(["refused", "refused"]);
  });

  it("refuses outbound network because the sandbox has none", async () => {
    const run = await runInSandbox(loader(), "async () => { const r = await fetch('https://example.com/'); return r.status; }", []);
    expect(run.result ?? null).toBeNull();
    expect(run.error).toMatch(/not permitted to access the internet/i);
  });

  it("stops an infinite loop, and code that never settles", async () => {
    const loop = await runInSandbox(loader(), "async () => { let i = 0; while (true) { i++; } }", [], { timeoutMs: 2_000, outputChars: 8_000 });
    expect(loop.error).toMatch(/loop iterations/);
    const bare = await runInSandbox(loader(), "async () => { for (;;) ; }", [], { timeoutMs: 2_000, outputChars: 8_000 });
    expect(bare.error).toMatch(/loop iterations/);
    for (const code of ["async () => { let i = 0; do i++; while (true); }", "async () => { while (true) while (true) ; }", "async () => { a: for (;;) { for (const x of [1]) continue a; } }"]) {
      expect((await runInSandbox(loader(), code, [], { timeoutMs: 2_000, outputChars: 8_000 })).error).toMatch(/loop iterations/);
    }
    const hang = await runInSandbox(loader(), "async () => { await new Promise(() => {}); }", [], { timeoutMs: 500, outputChars: 8_000 });
    expect(hang.error).toMatch(/time limit/i);
  });

  it("does not let code switch the loop guard off by declaring its counter", async () => {
    const calls: string[] = [];
    const run = await runInSandbox(
      loader(),
      "async () => { const __hearthTick = () => {}; let n = 0; for (let i = 0; i < 6000000; i++) n++; await room.spy(); return n; }",
      [{ name: "room", fns: { spy: async () => void calls.push("spy") } }],
    );
    expect(run.result ?? null).toBeNull();
    expect(run.error).toMatch(/__hearthTick.*reserved/);
    expect(calls).toEqual([]);
  });

  it("refuses code that does not parse, and so cannot close the executor's template", async () => {
    const calls: string[] = [];
    // Through runInSandbox the codemode package wraps unparseable text once.
    const run = await runInSandbox(loader(), templateEscape(1, '__dispatchers.room.call("spy", "[]")'), [{ name: "room", fns: { spy: async () => { calls.push("spy"); return "spied"; } } }], quick);
    expect(run.result ?? null).toBeNull();
    expect(run.error).toMatch(/^The code does not parse/);
    expect(calls).toEqual([]);
  });

  it("still runs the shapes the codemode package normalises: a statement list, a fenced block", async () => {
    const fns = [{ name: "room", fns: { add: async (input: unknown) => (input as { a: number }).a + 1 } }];
    expect(await runInSandbox(loader(), "const r = await room.add({ a: 1 });\nreturn r * 2;", fns)).toMatchObject({ result: 4, error: null });
    expect(await runInSandbox(loader(), "```js\nasync () => await room.add({ a: 41 })\n```", fns)).toMatchObject({ result: 42, error: null });
  });

  it("runs code whose last line is a comment (nothing spliced after it can be commented out)", async () => {
    const run = await runInSandbox(loader(), "async () => { return 7; } // that is all", []);
    expect(run).toMatchObject({ result: 7, error: null });
  });

  it("keeps its time limit when the code replaces the sandbox's timers", async () => {
    const run = await runInSandbox(
      loader(),
      // A real timer stays pending, so workerd does not see a hung request.
      "async () => { const wait = setTimeout; globalThis.setTimeout = () => 0; globalThis.clearTimeout = () => {}; Promise.race = () => new Promise(() => {}); await new Promise((r) => wait(r, 600000)); }",
      [],
      quick,
    );
    expect(run.error).toMatch(/time limit of 1000 ms/);
    expect(run.durationMs).toBeLessThan(quick.timeoutMs + SANDBOX_GRACE_MS + 2_000);
  }, 10_000);

  it("ends a run at the limit plus grace on the host when a call into the room never settles", async () => {
    const run = await runInSandbox(
      loader(),
      "async () => { await room.hang(); return 'never'; }",
      [{ name: "room", fns: { hang: () => new Promise(() => {}) } }],
      quick,
    );
    expect(run.result ?? null).toBeNull();
    // The sandbox's own clock does not run while it waits on the room (that
    // is how approvals do not count); the room's clock does.
    expect(run.error).toMatch(/room stopped waiting/);
    expect(run.durationMs).toBeGreaterThanOrEqual(quick.timeoutMs + SANDBOX_GRACE_MS - 50);
  }, 10_000);

  it(`fails the call past ${MAX_TOOL_CALLS_PER_RUN} tool calls in one run`, async () => {
    let calls = 0;
    const run = await runInSandbox(
      loader(),
      `async () => { let done = 0; try { for (let i = 0; i < ${MAX_TOOL_CALLS_PER_RUN + 5}; i++) { await room.ping(); done++; } } catch (e) { return { done, error: e.message }; } return { done }; }`,
      [{ name: "room", fns: { ping: async () => { calls += 1; } } }],
      { timeoutMs: 10_000, outputChars: 8_000 },
    );
    expect(run.error).toBeNull();
    expect(run.result).toEqual({ done: MAX_TOOL_CALLS_PER_RUN, error: expect.stringMatching(new RegExp(`more than ${MAX_TOOL_CALLS_PER_RUN} tool calls`)) });
    expect(calls).toBe(MAX_TOOL_CALLS_PER_RUN);
  });

  it("leaves ordinary loops alone", async () => {
    const run = await runInSandbox(loader(), "async () => { let s = 0; for (const x of [1, 2, 3]) s += x; for (let i = 0; i < 1000; i++) s++; return s; }", []);
    expect(run).toMatchObject({ result: 1006, error: null });
  });

  it("cuts oversized output", async () => {
    const run = await runInSandbox(
      loader(),
      "async () => { for (let i = 0; i < 100; i++) console.log('x'.repeat(500)); return 'y'.repeat(20000); }",
      [],
      { timeoutMs: 5_000, outputChars: 4_000 },
    );
    expect(run.truncated).toBe(true);
    expect(JSON.stringify(run.result).length).toBeLessThan(4_200);
    expect(run.logs.join("").length).toBeLessThanOrEqual(4_000);
  });
});
