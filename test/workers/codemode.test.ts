/// <reference types="@cloudflare/vitest-plugin/types" />
import { fireDueReminders } from "./clock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { setModelOverride } from "./testModel";
import { connect, msgId, roomName, session } from "./client";
import { scriptedModel, textParts, toolCallParts, promptText } from "./mockModel";
import { templateEscape } from "./templateEscape";
import { SANDBOX_GRACE_MS } from "../../server/codemode/sandbox";

afterEach(() => setModelOverride(null));

// The file's first request loads the Worker (up to ~20 s on a busy machine);
// pay that here, not inside the first test's own timeout.
beforeAll(() => session("warm-up"), 60_000);

async function codeRoom() {
  const room = roomName("code");
  const owner = await session("olive");
  const o = await connect(room, owner.token, { tz: "Europe/Berlin" });
  await o.next("typing");
  const b = await connect(room, (await session("bob")).token);
  await b.next("typing");
  expect((await o.command("/codemode code")).ok).toBe(true);
  return { room, o, b, ownerId: owner.id };
}

describe("Code Mode", () => {
  it("gives the model one typed code tool and shows the run with its nested calls", async () => {
    const code = "async () => { const info = await codemode.room_info({}); console.log('online', info.online.length); return info.online.map((m) => m.name); }";
    const model = scriptedModel([{ parts: toolCallParts("code", { code }) }, { parts: textParts(["Two people: olive and bob."]) }]);
    setModelOverride(() => model);
    const { o, b } = await codeRoom();
    b.send({ type: "send", id: msgId(), text: "@assistant who is online?" });

    const done = await o.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { timeoutMs: 15_000 });
    const [card, inner] = [done.message.parts.find((p) => p.tool === "code")!, done.message.parts.find((p) => p.tool === "room_info")!];
    expect(card).toMatchObject({ state: "done", input: { code } });
    expect(card.output).toMatchObject({ result: ["bob", "olive"], logs: ["online 2"] });
    expect(inner).toMatchObject({ state: "done", parentCallId: card.callId });
    // One tool offered, described as a typed API that names the room's tools.
    const offered = model.calls[0]!.tools!;
    expect(offered.map((t) => t.name)).toEqual(["code"]);
    expect(JSON.stringify(offered[0])).toMatch(/room_info[\s\S]*create_reminder/);
    expect(promptText(model.calls[1]!)).toContain("online 2");
  });

  it("makes a call from code wait for an approval, like a direct call", async () => {
    const { o, b, ownerId } = await codeRoom();
    b.send({ type: "send", id: msgId(), text: "spam spam spam" });
    const spam = await o.next("message", (f) => f.message.text === "spam spam spam");
    const code = `async () => { const r = await codemode.delete_message({ seq: ${spam.message.seq}, reason: "spam" }); return r; }`;
    const model = scriptedModel([{ parts: toolCallParts("code", { code }) }, { parts: textParts(["Removed."]) }]);
    setModelOverride(() => model);
    b.send({ type: "send", id: msgId(), text: "@assistant delete the spam" });

    const waiting = await b.next("tool", (f) => f.part.tool === "delete_message" && f.part.state === "awaiting_approval", { timeoutMs: 15_000 });
    expect(waiting.part.approvers).toEqual([ownerId]);
    expect(waiting.part.parentCallId).toBeTruthy();
    await b.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "waiting");
    // Nothing happened yet, and bob cannot decide.
    b.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: true });
    expect(await b.next("error")).toMatchObject({ code: "not_approver" });
    expect(o.all("message_updated").some((f) => f.message.seq === spam.message.seq)).toBe(false);

    o.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: true });
    const deleted = await b.next("message_updated", (f) => f.message.seq === spam.message.seq, { timeoutMs: 15_000 });
    expect(deleted.message.deleted).toBe(true);
    const done = await b.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { timeoutMs: 15_000 });
    expect(done.message.parts.find((p) => p.tool === "delete_message")).toMatchObject({ state: "done", decidedBy: { name: "olive" } });
  });

  it("lets an approval come after the sandbox's time limit: waiting for people is not the code's time", async () => {
    const { o, b } = await codeRoom();
    expect((await o.command("/codemode limits timeout=1000")).ok).toBe(true);
    b.send({ type: "send", id: msgId(), text: "slow spam" });
    const spam = await o.next("message", (f) => f.message.text === "slow spam");
    const code = `async () => { const r = await codemode.delete_message({ seq: ${spam.message.seq}, reason: "spam" }); return { r, after: "approval" }; }`;
    // One model for the whole turn: it goes on after the approval with its next script.
    const model = scriptedModel([{ parts: toolCallParts("code", { code }) }, { parts: textParts(["Removed."]) }]);
    setModelOverride(() => model);
    b.send({ type: "send", id: msgId(), text: "@assistant delete the slow spam" });
    const waiting = await o.next("tool", (f) => f.part.tool === "delete_message" && f.part.state === "awaiting_approval", { timeoutMs: 15_000 });
    // Decide only after the limit and the room's grace have both passed.
    await new Promise((r) => setTimeout(r, 1_000 + SANDBOX_GRACE_MS + 500));
    o.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: true });
    const deleted = await b.next("message_updated", (f) => f.message.seq === spam.message.seq, { timeoutMs: 15_000 });
    expect(deleted.message.deleted).toBe(true);
    const done = await b.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { timeoutMs: 15_000 });
    expect(done.message.parts.find((p) => p.tool === "code")).toMatchObject({ state: "done", output: { result: { after: "approval" } } });
  });

  it("pauses at a call the code does not await, and makes it once approved (the code asked for it)", async () => {
    const { o, b } = await codeRoom();
    b.send({ type: "send", id: msgId(), text: "orphan spam" });
    const spam = await o.next("message", (f) => f.message.text === "orphan spam");
    const code = `async () => { codemode.delete_message({ seq: ${spam.message.seq}, reason: "spam" }); await new Promise((r) => setTimeout(r, 200)); return "left it"; }`;
    const model = scriptedModel([{ parts: toolCallParts("code", { code }) }, { parts: textParts(["ok"]) }]);
    setModelOverride(() => model);
    b.send({ type: "send", id: msgId(), text: "@assistant delete the orphan spam" });
    const waiting = await o.next("tool", (f) => f.part.tool === "delete_message" && f.part.state === "awaiting_approval", { timeoutMs: 15_000 });
    // The run is paused, not over: its result is not given to the model before the decision.
    await o.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "waiting");
    expect(model.calls).toHaveLength(1);
    o.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: true });
    const done = await o.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { timeoutMs: 15_000 });
    expect(done.message.parts.find((p) => p.tool === "code")).toMatchObject({ state: "done", output: { result: "left it" } });
    expect(o.all("message_updated").some((f) => f.message.seq === spam.message.seq && f.message.deleted)).toBe(true);
  });

  it("refuses code that does not parse: the reason on the card, nothing run", async () => {
    // Twice wrapped: once by runCode, once more by the executor.
    const code = templateEscape(2, "codemode.room_info({})");
    const model = scriptedModel([{ parts: toolCallParts("code", { code }) }, { parts: textParts(["That did not parse."]) }]);
    setModelOverride(() => model);
    const { o, b } = await codeRoom();
    b.send({ type: "send", id: msgId(), text: "@assistant run this" });
    const done = await o.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { timeoutMs: 15_000 });
    const card = done.message.parts.find((p) => p.tool === "code")!;
    expect(card).toMatchObject({ state: "error", error: expect.stringMatching(/does not parse \(.+\); nothing ran/) });
    expect(done.message.parts.filter((p) => p.parentCallId)).toEqual([]);
    expect(promptText(model.calls[1]!)).toMatch(/does not parse/);
  });

  it("ends a run whose code disables the sandbox's timers, and the room answers meanwhile", async () => {
    const code = "async () => { const wait = setTimeout; globalThis.setTimeout = () => 0; globalThis.clearTimeout = () => {}; await new Promise((r) => wait(r, 600000)); }";
    setModelOverride(() => scriptedModel([{ parts: toolCallParts("code", { code }) }, { parts: textParts(["It timed out."]) }]));
    const { o, b } = await codeRoom();
    expect((await o.command("/codemode limits timeout=1000")).ok).toBe(true);
    b.send({ type: "send", id: msgId(), text: "@assistant wait forever" });
    await o.next("tool", (f) => f.part.tool === "code" && f.part.state === "running", { timeoutMs: 15_000 });
    expect((await o.command("/codemode")).text).toMatch(/1000 ms/);
    const done = await o.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { timeoutMs: 15_000 });
    expect(done.message.parts.find((p) => p.tool === "code")).toMatchObject({ state: "error", error: expect.stringMatching(/time limit of 1000 ms/) });
  });

  it("reports a denial inside code as an error of the run, not a broken turn", async () => {
    const { o, b } = await codeRoom();
    b.send({ type: "send", id: msgId(), text: "keep me" });
    const keep = await o.next("message", (f) => f.message.text === "keep me");
    const code = `async () => { try { await codemode.delete_message({ seq: ${keep.message.seq}, reason: "x" }); return "deleted"; } catch (e) { return "refused: " + e.message; } }`;
    const model = scriptedModel([{ parts: toolCallParts("code", { code }) }, { parts: textParts(["It was refused."]) }]);
    setModelOverride(() => model);
    b.send({ type: "send", id: msgId(), text: "@assistant delete keep me" });
    const waiting = await o.next("tool", (f) => f.part.state === "awaiting_approval", { timeoutMs: 15_000 });
    o.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: false });
    const done = await b.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { timeoutMs: 15_000 });
    expect(done.message.parts.find((p) => p.tool === "code")!.output).toMatchObject({ result: expect.stringMatching(/refused: .*denied by olive/) });
    expect(done.message.parts.find((p) => p.tool === "delete_message")).toMatchObject({ state: "denied", decidedBy: { name: "olive" } });
  });

  it("lets only owners change the tool mode", async () => {
    const room = roomName("code");
    const o = await connect(room, (await session("olive")).token);
    const b = await connect(room, (await session("bob")).token);
    expect((await b.command("/codemode code")).ok).toBe(false);
    expect((await o.command("/codemode")).text).toMatch(/auto/);
    expect((await o.command("/codemode sideways")).ok).toBe(false);
  });
});

describe("saved scripts", () => {
  const fireDue = fireDueReminders;

  it("saves a successful run, re-runs it without a model, and lists it", async () => {
    const code = "async () => { const info = await codemode.room_info({}); return info.online.length; }";
    const model = scriptedModel([{ parts: toolCallParts("code", { code }) }, { parts: textParts(["2"]) }]);
    setModelOverride(() => model);
    const { o, b } = await codeRoom();
    b.send({ type: "send", id: msgId(), text: "@assistant how many are online?" });
    await o.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { timeoutMs: 15_000 });
    expect((await b.command("/scripts save headcount")).ok).toBe(true);
    expect((await o.command("/scripts")).text).toMatch(/headcount \(v1, by bob\)/);

    const ran = await o.command("/run headcount");
    expect(ran.ok).toBe(true);
    const run = await b.next("message_updated", (f) => f.message.kind === "tool" && f.message.status === "done");
    const card = run.message.parts.find((p) => p.tool === "code")!;
    expect(card.output).toMatchObject({ result: 2 });
    expect(run.message.parts.find((p) => p.tool === "room_info")).toMatchObject({ state: "done", parentCallId: card.callId });
    expect(model.calls).toHaveLength(2);
  });

  it("lets the assistant fix a script as a new version, keeping the old one, and runs it with input", async () => {
    const model = scriptedModel([
      { parts: toolCallParts("save_script", { name: "greet", code: "async () => `hi ${input.who}`" }) },
      { parts: textParts(["Saved."]) },
      { parts: toolCallParts("get_script", { name: "greet" }, "call-get") },
      { parts: toolCallParts("save_script", { name: "greet", code: "async () => `hello ${input.who}!`" }, "call-save2") },
      { parts: textParts(["Fixed."]) },
    ]);
    setModelOverride(() => model);
    const { o } = await codeRoom();
    expect((await o.command("/codemode direct")).ok).toBe(true);
    o.send({ type: "send", id: msgId(), text: "@assistant save a greet script" });
    await o.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { timeoutMs: 15_000 });
    o.send({ type: "send", id: msgId(), text: "@assistant fix script greet" });
    await o.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { count: 2, timeoutMs: 15_000 });
    expect((await o.command("/scripts")).text).toMatch(/greet \(v2/);
    await o.next("scripts", (f) => f.items.some((i) => i.name === "greet" && i.version === 2));
    o.send({ type: "get_script", name: "greet", version: 2 });
    expect((await o.next("script", (f) => f.script.version === 2)).script.code).toContain("hello");
    await o.command('/run greet {"who":"Ada"}');
    const run = await o.next("message_updated", (f) => f.message.kind === "tool" && f.message.status === "done");
    expect(run.message.parts[0]!.output).toMatchObject({ result: "hello Ada!" });
  });

  it("runs a script on a schedule and posts its error when it fails", async () => {
    const model = scriptedModel([
      { parts: toolCallParts("save_script", { name: "flaky", code: "async () => { throw new Error('upstream is down'); }" }) },
      { parts: textParts(["Saved."]) },
    ]);
    setModelOverride(() => model);
    const { room, o } = await codeRoom();
    expect((await o.command("/codemode direct")).ok).toBe(true);
    o.send({ type: "send", id: msgId(), text: "@assistant save flaky" });
    await o.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { timeoutMs: 15_000 });
    expect((await o.command("/schedule every weekday at 8: /run flaky")).ok).toBe(true);
    expect(await fireDue(room)).toBe(true);
    const failed = await o.next("message_updated", (f) => f.message.kind === "tool" && f.message.status === "failed", { timeoutMs: 15_000 });
    expect(failed.message.parts[0]!.error).toMatch(/upstream is down/);
    const notice = await o.next("message", (f) => f.message.kind === "system" && /flaky/.test(f.message.text) && /failed/.test(f.message.text));
    expect(notice.message.text).toMatch(/upstream is down/);
    expect(model.calls).toHaveLength(2);
  });
});

describe("progressive discovery", () => {
  it("keeps the code tool small for a large catalog and lets code find and call tools", async () => {
    const { env } = await import("cloudflare:workers");
    const { getAgentByName } = await import("agents");
    const { runInDurableObject } = await import("cloudflare:test");
    const { z } = await import("zod");
    const { defineTool } = await import("../../server/room/tools");
    const code = `async () => {
      const found = await codemode.search_tools({ query: "frobnicate 217" });
      const decl = await codemode.describe_tools({ names: [found[0].name] });
      const r = await codemode[found[0].name]({ n: 3 });
      return { name: found[0].name, r, declared: decl.includes(found[0].name) };
    }`;
    const model = scriptedModel([{ parts: toolCallParts("code", { code }) }, { parts: textParts(["done"]) }]);
    setModelOverride(() => model);
    const { room, o, b } = await codeRoom();
    const stub = await getAgentByName(env.ChatRoom, room);
    await runInDurableObject(stub, (instance) => {
      const many = Array.from({ length: 400 }, (_, i) =>
        defineTool({
          name: `frobnicate_${i}`,
          description: `Frobnicates widget number ${i} of the inventory and returns a detailed report with many fields.`,
          inputSchema: z.object({ n: z.number().describe("How many widgets to frobnicate") }),
          approval: () => null,
          execute: ({ n }: { n: number }) => ({ widget: i, frobnicated: n }),
        }),
      );
      instance.kernel.tools.register(() => many);
    });
    b.send({ type: "send", id: msgId(), text: "@assistant frobnicate widget 217 three times" });
    const done = await o.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { timeoutMs: 20_000 });
    expect(done.message.parts.find((p) => p.tool === "code")!.output).toMatchObject({
      result: { name: "frobnicate_217", r: { widget: 217, frobnicated: 3 }, declared: true },
    });
    const offered = JSON.stringify(model.calls[0]!.tools);
    expect(Math.ceil(offered.length / 4)).toBeLessThan(1_500);
    expect(offered).not.toContain("frobnicate_399");
  });
});

describe("sandbox settings", () => {
  it("keeps the network off unless an owner allows a host, and then only that host", async () => {
    const code = `async () => {
      const probe = async (url) => { try { const r = await fetch(url); return r.status + " " + (await r.text()).slice(0, 80); } catch (e) { return "threw " + e.message.slice(0, 60); } };
      return { other: await probe("https://not-allowed.example/"), allowed: await probe("https://api.example.com/") };
    }`;
    setModelOverride(() =>
      scriptedModel([{ parts: toolCallParts("code", { code }) }, { parts: textParts(["ok"]) }, { parts: toolCallParts("code", { code }) }, { parts: textParts(["ok"]) }]),
    );
    const { o, b } = await codeRoom();
    expect((await o.command("/codemode")).text).toMatch(/Sandbox network: off/);
    b.send({ type: "send", id: msgId(), text: "@assistant probe" });
    const closed = await o.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { timeoutMs: 15_000 });
    const closedOut = closed.message.parts.find((p) => p.tool === "code")!.output as { result: { other: string; allowed: string } };
    expect(closedOut.result.other).toMatch(/^threw/);
    expect(closedOut.result.allowed).toMatch(/^threw/);

    expect((await b.command("/codemode allow api.example.com")).ok).toBe(false);
    expect((await o.command("/codemode allow https://api.example.com")).text).toMatch(/Sandbox network: api\.example\.com/);
    b.send({ type: "send", id: msgId(), text: "@assistant probe again" });
    const open = await o.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { count: 2, timeoutMs: 15_000 });
    const openOut = open.message.parts.find((p) => p.tool === "code")!.output as { result: { other: string; allowed: string } };
    expect(openOut.result.other).toMatch(/^403 refused: not-allowed\.example is not allowed by this room/);
    // The allowed host passes the gateway (here it then fails: tests have no internet).
    expect(openOut.result.allowed).not.toMatch(/not allowed by this room/);
  });

  it("applies the room's limits", async () => {
    const code = "async () => 'z'.repeat(3000)";
    setModelOverride(() => scriptedModel([{ parts: toolCallParts("code", { code }) }, { parts: textParts(["ok"]) }]));
    const { o, b } = await codeRoom();
    expect((await o.command("/codemode limits timeout=2000 output=700")).text).toMatch(/2000 ms, 700 characters/);
    expect((await o.command("/codemode limits timeout=5")).ok).toBe(false);
    b.send({ type: "send", id: msgId(), text: "@assistant long output" });
    const done = await o.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { timeoutMs: 15_000 });
    const out = done.message.parts.find((p) => p.tool === "code")!.output as { result: { truncated: boolean; preview: string } };
    expect(out.result.truncated).toBe(true);
    expect(out.result.preview.length).toBe(700);
  });
});
