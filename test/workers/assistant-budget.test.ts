/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * Every turn is paid for, whoever asked and however it ended; output is
 * capped; script runs and scheduled jobs have a daily budget per room.
 */
import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { getAgentByName } from "agents";
import { fireDueReminders } from "./clock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { assistantConfig } from "../../server/assistant/config";
import { setModelOverride } from "./testModel";
import { connect, msgId, ORIGIN, roomName, session, type TestMember } from "./client";
import { Gate, scriptedModel, textParts, toolCallParts, withUsage, type Script } from "./mockModel";

afterEach(() => setModelOverride(null));
beforeAll(async () => {
  await exports.default.fetch(`${ORIGIN}/api/health`);
}, 60_000);

function useModel(scripts: Script[]) {
  const model = scriptedModel(scripts);
  setModelOverride(() => model);
  return model;
}

async function room(names: string[]) {
  const name = roomName("budget");
  const members: TestMember[] = [];
  for (const n of names) {
    const m = await connect(name, (await session(n)).token);
    await m.next("typing");
    members.push(m);
  }
  return { name, members };
}

const say = (m: TestMember, text: string) => m.send({ type: "send", id: msgId(), text });
const settled = (m: TestMember, status: string, count = 1) =>
  m.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === status, { count, timeoutMs: 15_000 });
const notice = (m: TestMember, pattern: RegExp) => m.next("message", (f) => f.message.kind === "system" && pattern.test(f.message.text));

// The default member budget is 50,000 tokens a day: two turns of 30,000 use it up.
const BIG = 30_000;

describe("assistant budgets", () => {
  it("counts a stopped turn's reported tokens against the member's day", async () => {
    const gate = new Gate();
    const model = useModel([
      { parts: withUsage(toolCallParts("room_info", {}), BIG) },
      { gate },
      { parts: withUsage(textParts(["Second."]), BIG) },
      { parts: textParts(["Too many."]) },
    ]);
    const { members: [a] } = await room(["alice"]);
    say(a!, "@assistant look around, then talk");
    const started = await a!.next("message", (f) => f.message.kind === "assistant");
    gate.open();
    gate.text("Partly");
    await a!.next("draft", (f) => f.text.includes("Partly"));
    a!.send({ type: "stop", seq: started.message.seq });
    await settled(a!, "stopped");

    say(a!, "@assistant again");
    await settled(a!, "done");
    say(a!, "@assistant and once more");
    expect((await notice(a!, /tokens for today/)).message.text).toMatch(/you have used your 50000 assistant tokens/);
    expect(model.calls).toHaveLength(3);
  });

  it("counts a failed turn's reported tokens against the member's day", async () => {
    const model = useModel([
      { parts: withUsage(toolCallParts("room_info", {}), BIG) },
      { fail: new Error("upstream broke mid-turn") },
      { parts: withUsage(textParts(["Second."]), BIG) },
      { parts: textParts(["Too many."]) },
    ]);
    const { members: [a] } = await room(["alice"]);
    say(a!, "@assistant look around");
    await settled(a!, "failed");
    say(a!, "@assistant again");
    await settled(a!, "done");
    say(a!, "@assistant and once more");
    await notice(a!, /tokens for today/);
    expect(model.calls).toHaveLength(3);
  });

  it("charges an estimate for a stopped turn whose model never reported usage", async () => {
    const gate = new Gate();
    useModel([{ gate }]);
    const { name, members: [a] } = await room(["alice"]);
    say(a!, "@assistant write a lot");
    const started = await a!.next("message", (f) => f.message.kind === "assistant");
    gate.open();
    gate.text("x".repeat(4_000));
    await a!.next("draft");
    a!.send({ type: "stop", seq: started.message.seq });
    await settled(a!, "stopped");
    const stub = await getAgentByName(env.ChatRoom, name);
    const tokens = await runInDurableObject(stub, (_i, state) =>
      state.storage.sql.exec<{ tokens: number }>("SELECT tokens FROM assistant_usage WHERE kind = 'turn'").toArray().map((r) => r.tokens),
    );
    // At least the 4,000 streamed characters at four a token, plus the prompt.
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toBeGreaterThan(1_000);
  });

  it("charges every member a merged turn answers, so merging escapes no one's cap", async () => {
    const gate = new Gate();
    const model = useModel([
      { gate },
      { parts: withUsage(textParts(["Answering you both."]), BIG) },
      { parts: withUsage(textParts(["Just bob."]), BIG) },
      { parts: textParts(["Too many."]) },
    ]);
    const { members: [carol, alice, bob] } = await room(["carol", "alice", "bob"]);
    say(carol!, "@assistant first");
    await carol!.next("message", (f) => f.message.kind === "assistant");
    say(alice!, "@assistant a question");
    await alice!.next("ack");
    say(bob!, "@assistant another");
    await bob!.next("ack");
    gate.open();
    gate.end();
    await settled(bob!, "done", 2);

    say(bob!, "@assistant mine alone");
    await settled(bob!, "done", 3);
    say(bob!, "@assistant and more");
    expect((await notice(bob!, /tokens for today/)).message.text).toMatch(/^@bob:/);
    expect(model.calls).toHaveLength(3);
  });

  it("caps the model's output per call", async () => {
    const model = useModel([{ parts: textParts(["Short."]) }]);
    const { members: [a] } = await room(["alice"]);
    say(a!, "@assistant hi");
    await settled(a!, "done");
    expect(model.calls[0]!.maxOutputTokens).toBe(assistantConfig(env).maxOutputTokens);
    expect(model.calls[0]!.maxOutputTokens).toBeGreaterThan(0);
  });

  it("gives script runs and scheduled jobs a daily budget per room", async () => {
    // The test Worker sets ASSISTANT_ROOM_RUNS_PER_DAY to 3 (vitest.workers.config.mts).
    const limit = assistantConfig(env).budgets.roomRunsPerDay;
    expect(limit).toBe(3);
    useModel([{ parts: toolCallParts("save_script", { name: "one", code: "async () => 1" }) }, { parts: textParts(["Saved."]) }]);
    const { name, members: [o] } = await room(["olive"]);
    expect((await o!.command("/codemode direct")).ok).toBe(true);
    say(o!, "@assistant save a script");
    await settled(o!, "done");
    for (let i = 0; i < limit - 1; i++) expect(await o!.command("/run one")).toMatchObject({ ok: true });
    // A scheduled job counts as a run too: the last one of the day.
    // Jobs due within minutes: the alarms run with the clock at their time, inside the same day.
    expect((await o!.command("/schedule in 2 minutes: /run one")).ok).toBe(true);
    await fireDueReminders(name);
    await o!.next("message_updated", (f) => f.message.kind === "tool" && f.message.status === "done", { count: limit, timeoutMs: 15_000 });

    expect(await o!.command("/run one")).toMatchObject({ ok: false, text: expect.stringMatching(/3 script runs and scheduled jobs for today/) });
    expect((await o!.command("/schedule in 3 minutes: /run one")).ok).toBe(true);
    await fireDueReminders(name);
    expect((await notice(o!, /did not run/)).message.text).toMatch(/scheduled `\/run one` did not run: .*for today/);
  });
});
