/// <reference types="@cloudflare/vitest-plugin/types" />
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runInSandbox } from "../../server/codemode/sandbox";

const loader = () => {
  if (!env.LOADER) throw new Error("no LOADER binding");
  return env.LOADER;
};

describe("Code Mode sandbox", () => {
  it("runs code that calls room tools over RPC and returns their result", async () => {
    const calls: unknown[] = [];
    const run = await runInSandbox(loader(), "async () => { const r = await room.add({ a: 2, b: 3 }); console.log('sum', r); return r * 10; }", [
      { name: "room", fns: { add: async (input) => { calls.push(input); const { a, b } = input as { a: number; b: number }; return a + b; } } },
    ]);
    expect(run).toMatchObject({ result: 50, error: null, logs: ["sum 5"] });
    expect(calls).toEqual([{ a: 2, b: 3 }]);
  });

  it("sees no env, no secrets and no bindings of the room", async () => {
    const run = await runInSandbox(
      loader(),
      `async () => ({
        env: typeof env, process: typeof process === "undefined" ? "none" : JSON.stringify(process.env ?? {}),
        secret: String(globalThis.SESSION_SECRET), keys: Object.keys(globalThis).filter((k) => /SECRET|KEY|TOKEN|LOADER|ChatRoom/i.test(k)),
      })`,
      [],
    );
    expect(run.error).toBeNull();
    const r = run.result as { env: string; process: string; secret: string; keys: string[] };
    expect(r.env).toBe("undefined");
    expect(r.secret).toBe("undefined");
    expect(r.keys).toEqual([]);
    expect(r.process).not.toContain("test-secret");
  });

  it("refuses outbound network", async () => {
    const run = await runInSandbox(loader(), "async () => { const r = await fetch('https://example.com/'); return r.status; }", []);
    expect(run.result ?? null).toBeNull();
    expect(run.error).toBeTruthy();
  });

  it("stops an infinite loop, and code that never settles", async () => {
    const loop = await runInSandbox(loader(), "async () => { let i = 0; while (true) { i++; } }", [], { timeoutMs: 2_000, outputChars: 8_000 });
    expect(loop.error).toMatch(/loop iterations/);
    const bare = await runInSandbox(loader(), "async () => { for (;;) ; }", [], { timeoutMs: 2_000, outputChars: 8_000 });
    expect(bare.error).toMatch(/loop iterations/);
    const hang = await runInSandbox(loader(), "async () => { await new Promise(() => {}); }", [], { timeoutMs: 500, outputChars: 8_000 });
    expect(hang.error).toMatch(/time/i);
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
