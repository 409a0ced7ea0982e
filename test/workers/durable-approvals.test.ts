/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * People take their time (issue 16): a Code Mode run that reaches a call
 * needing approval pauses and is stored with the turn, the sandbox is let
 * go, and the decision — after an eviction, days later — replays the code
 * in a fresh sandbox: calls it made before get their recorded results
 * without being made again, the decided call runs (or throws its denial),
 * and the code goes on. Nobody's decision in time is a denial; a late
 * click changes nothing.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { getAgentByName } from "agents";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { fireDueReminders, runAlarmAt } from "./clock";
import { setModelOverride } from "./testModel";
import { connect, msgId, roomName, session, type TestMember } from "./client";
import { promptText, scriptedModel, textParts, toolCallParts } from "./mockModel";

afterEach(() => setModelOverride(null));
beforeAll(() => session("warm-up"), 60_000);

const DAY_MS = 24 * 3_600_000;

async function codeRoom() {
  const room = roomName("durable");
  const owner = await session("olive");
  const bob = await session("bob");
  const o = await connect(room, owner.token, { tz: "Europe/Berlin" });
  await o.next("typing");
  const b = await connect(room, bob.token);
  await b.next("typing");
  expect((await o.command("/codemode code")).ok).toBe(true);
  return { room, owner, bob, o, b };
}

/** bob posts spam; code the model writes first sets a reminder (no approval), then deletes the spam (an owner's approval). */
async function pausedRun(extra = "") {
  const ctx = await codeRoom();
  ctx.b.send({ type: "send", id: msgId(), text: "spam spam spam" });
  const spam = await ctx.o.next("message", (f) => f.message.text === "spam spam spam");
  const code =
    `async () => { await codemode.create_reminder({ who: "me", what: "check the spam", when: "in 2 hours" });` +
    ` try { await codemode.delete_message({ seq: ${spam.message.seq}, reason: "spam" }); return "deleted"; }` +
    ` catch (e) { return "not deleted: " + e.message; } ${extra}}`;
  const model = scriptedModel([{ parts: toolCallParts("code", { code }) }, { parts: textParts(["Done."]) }]);
  setModelOverride(() => model);
  ctx.b.send({ type: "send", id: msgId(), text: "@assistant remind me and delete the spam" });
  const waiting = await ctx.o.next("tool", (f) => f.part.tool === "delete_message" && f.part.state === "awaiting_approval", { timeoutMs: 15_000 });
  await ctx.o.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "waiting");
  return { ...ctx, spam: spam.message, model, waiting };
}

const reminderCount = (m: TestMember) => m.all("reminders").at(-1)?.items.length ?? 0;

describe("durable approvals in code runs", () => {
  it("resumes a run paused at an approval after an eviction: earlier calls are not made again", async () => {
    const { room, owner, bob, o, spam, model, waiting } = await pausedRun();
    expect(model.calls).toHaveLength(1);
    expect(reminderCount(o)).toBe(1);

    // The room forgets everything in memory and every socket goes.
    await evictDurableObject(await getAgentByName(env.ChatRoom, room), { webSockets: "close" });
    const o2 = await connect(room, owner.token);
    const b2 = await connect(room, bob.token);
    // The card still asks for the decision after the restart.
    const snapshot = await o2.next("snapshot");
    const card = snapshot.messages.flatMap((m) => m.parts).find((p) => p.callId === waiting.part.callId);
    expect(card).toMatchObject({ state: "awaiting_approval" });
    expect((await o2.next("welcome")).assistantStatus.activity).toBe("approval");

    o2.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: true });
    const done = await b2.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { timeoutMs: 15_000 });
    expect(done.message.parts.find((p) => p.tool === "code")).toMatchObject({ state: "done", output: { result: "deleted" } });
    expect(done.message.parts.find((p) => p.tool === "delete_message")).toMatchObject({ state: "done", decidedBy: { name: "olive" } });
    expect((await b2.next("message_updated", (f) => f.message.seq === spam.seq)).message.deleted).toBe(true);
    // The reminder the code set before the pause was set once, not again on replay.
    const stub = await getAgentByName(env.ChatRoom, room);
    const reminders = await runInDurableObject(stub, (instance) => instance.reminders.list());
    expect(reminders.filter((r) => r.text === "check the spam")).toHaveLength(1);
    // The model saw the run's real result, never the pause.
    expect(model.calls).toHaveLength(2);
    expect(promptText(model.calls[1]!)).toContain("deleted");
    expect(promptText(model.calls[1]!)).not.toContain('"paused"');
  });

  it("a denial goes into the code as an error; the run ends with the result the model sees", async () => {
    const { o, b, model, waiting, spam } = await pausedRun();
    o.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: false });
    const done = await b.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { timeoutMs: 15_000 });
    expect(done.message.parts.find((p) => p.tool === "code")!.output).toMatchObject({ result: "not deleted: delete_message was denied by olive" });
    expect(done.message.parts.find((p) => p.tool === "delete_message")).toMatchObject({ state: "denied", decidedBy: { name: "olive" } });
    expect(promptText(model.calls[1]!)).toContain("denied by olive");
    expect(b.all("message_updated").some((f) => f.message.seq === spam.seq && f.message.deleted)).toBe(false);
  });

  it("denies a call nobody decided within the expiry; a late approval changes nothing", async () => {
    const { room, o, b, model, waiting, spam } = await pausedRun();
    const stub = await getAgentByName(env.ChatRoom, room);
    const expiry = (await runInDurableObject(stub, (instance) => instance.listSchedules())).find((s) => s.callback === "expireApprovals");
    expect(expiry).toBeTruthy();
    // Not before its time: a day less a minute changes nothing.
    await runAlarmAt(room, Date.now() + DAY_MS - 60_000);
    await o.settle();
    expect(o.all("tool").at(-1)!.part.state).toBe("awaiting_approval");

    await runAlarmAt(room, expiry!.time * 1000 + 1000);
    const expired = await b.next("tool", (f) => f.part.callId === waiting.part.callId && f.part.state === "denied");
    expect(expired.part.error).toMatch(/no decision within 24 hours/);
    const done = await b.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { timeoutMs: 15_000 });
    expect(done.message.parts.find((p) => p.tool === "code")!.output).toMatchObject({ result: expect.stringMatching(/not deleted: .*no decision within 24 hours/) });
    expect(model.calls).toHaveLength(2);

    o.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: true });
    expect(await o.next("error", (f) => f.ref === waiting.seq)).toMatchObject({ code: "no_turn" });
    await o.settle();
    expect(o.all("message_updated").some((f) => f.message.seq === spam.seq && f.message.deleted)).toBe(false);
  });

  it("a scheduled job that reaches an approval waits too, and says who is being asked", async () => {
    const room = roomName("job");
    const owner = await session("olive");
    const o = await connect(room, owner.token, { tz: "Europe/Berlin" });
    await o.next("typing");
    const b = await connect(room, (await session("bob")).token);
    await b.next("typing");
    b.send({ type: "send", id: msgId(), text: "spam spam spam" });
    const spam = await o.next("message", (f) => f.message.text === "spam spam spam");
    const model = scriptedModel([{ parts: toolCallParts("delete_message", { seq: spam.message.seq, reason: "spam" }) }, { parts: textParts(["Deleted."]) }]);
    setModelOverride(() => model);
    expect((await o.command("/schedule in 5 minutes: delete the spam")).ok).toBe(true);
    await fireDueReminders(room);

    const notice = await b.next("message", (f) => f.message.kind === "system" && f.message.text.includes("scheduled job is waiting"), { timeoutMs: 15_000 });
    expect(notice.message.text).toContain("`delete_message`");
    expect(notice.message.text).toContain("@olive");
    const waiting = await o.next("tool", (f) => f.part.state === "awaiting_approval");
    // Nothing ran with an approval nobody gave.
    await o.settle();
    expect(o.all("message_updated").some((f) => f.message.seq === spam.message.seq && f.message.deleted)).toBe(false);
    o.send({ type: "approve", seq: waiting.seq, callId: waiting.part.callId, approved: true });
    expect((await b.next("message_updated", (f) => f.message.seq === spam.message.seq)).message.deleted).toBe(true);
  });
});
