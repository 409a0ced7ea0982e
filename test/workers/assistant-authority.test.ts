/// <reference types="@cloudflare/vitest-plugin/types" />
/**
 * Nobody borrows another member's authority through code or jobs: a script
 * version runs with its author's authority intersected with the runner's,
 * and makes no changing call until the runner approved that version; a
 * schedule runs the version it was made with; a turn answering several
 * people cannot act as any one of them.
 */
import { exports } from "cloudflare:workers";
import { fireDueReminders } from "./clock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { setModelOverride } from "./testModel";
import { connect, msgId, ORIGIN, roomName, session, type TestMember } from "./client";
import { Gate, scriptedModel, textParts, toolCallParts, type Script } from "./mockModel";

afterEach(() => setModelOverride(null));
beforeAll(async () => {
  await exports.default.fetch(`${ORIGIN}/api/health`);
}, 60_000);

function useModel(scripts: Script[]) {
  const model = scriptedModel(scripts);
  setModelOverride(() => model);
  return model;
}

/** olive (the owner) and bob, in direct tool mode so the model calls save_script itself. */
async function room(extra: string[] = []) {
  const name = roomName("auth");
  const members: Record<string, TestMember> = {};
  for (const n of ["olive", "bob", ...extra]) {
    const m = await connect(name, (await session(n)).token, { tz: "Europe/Berlin" });
    await m.next("reminders");
    members[n] = m;
  }
  expect((await members.olive!.command("/codemode direct")).ok).toBe(true);
  return { name, ...members } as { name: string; olive: TestMember; bob: TestMember } & Record<string, TestMember>;
}

const say = (m: TestMember, text: string) => m.send({ type: "send", id: msgId(), text });
const answered = (m: TestMember, count = 1) =>
  m.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done", { count, timeoutMs: 15_000 });

async function reminderIds(m: TestMember): Promise<string[]> {
  await m.settle();
  return m.all("reminders").at(-1)!.items.map((i) => i.id);
}

const fireDue = fireDueReminders;

describe("script authority", () => {
  it("runs another member's version with both their authority, changing nothing until the runner approves that version", async () => {
    const r = await room();
    await r.bob.command("/remind @olive water the plants in 1 hour");
    await r.olive.command("/remind @room standup in 2 hours");
    const [forOlive, olives] = await (async () => {
      const items = (await r.olive.next("reminders", (f) => f.items.length === 2)).items;
      return [items.find((i) => i.creator.name === "bob")!.id, items.find((i) => i.creator.name === "olive")!.id];
    })();
    useModel([
      { parts: toolCallParts("save_script", { name: "cleanup", code: "async () => codemode.cancel_reminder({ id: input.id })" }) },
      { parts: textParts(["Saved."]) },
    ]);
    say(r.bob, "@assistant save a cleanup script");
    await answered(r.olive);

    // The owner runs bob's version: the changing call is refused until reviewed.
    const first = await r.olive.command(`/run cleanup {"id":"${forOlive}"}`);
    expect(first).toMatchObject({ ok: false, text: expect.stringMatching(/review it first .*\/run cleanup --approve 1/) });
    const refusedCard = await r.olive.next("message_updated", (f) => f.message.kind === "tool" && f.message.status === "failed");
    expect(refusedCard.message.parts.find((p) => p.tool === "cancel_reminder")).toMatchObject({ state: "denied" });
    expect(await reminderIds(r.olive)).toHaveLength(2);

    // Approving a version you were not shown does nothing.
    expect((await r.olive.command(`/run cleanup --approve 7 {"id":"${forOlive}"}`)).text).toMatch(/at version 1 .*not 7/);
    expect(await reminderIds(r.olive)).toHaveLength(2);

    // Reviewed: the call runs, because bob may cancel a reminder he made.
    expect(await r.olive.command(`/run cleanup --approve 1 {"id":"${forOlive}"}`)).toMatchObject({ ok: true });
    expect(await reminderIds(r.olive)).toEqual([olives]);

    // The approval is remembered, but bob's code never gets olive's authority: he may not cancel her reminder.
    const borrowed = await r.olive.command(`/run cleanup {"id":"${olives}"}`);
    expect(borrowed).toMatchObject({ ok: false, text: expect.stringMatching(/Only its creator, its target or a room owner/) });
    expect(await reminderIds(r.olive)).toEqual([olives]);
  });

  it("never lets an owner's run approve, on the owner's authority, a call in a version another member saved", async () => {
    const r = await room();
    say(r.olive, "keep this");
    const keep = await r.bob.next("message", (f) => f.message.text === "keep this");
    useModel([
      { parts: toolCallParts("save_script", { name: "tidy", code: `async () => codemode.delete_message({ seq: ${keep.message.seq}, reason: "tidy" })` }) },
      { parts: textParts(["Saved."]) },
    ]);
    say(r.bob, "@assistant save a tidy script");
    await answered(r.olive);

    expect((await r.olive.command("/run tidy")).text).toMatch(/delete_message would change something, and tidy v1 is saved by the assistant for bob: review it first/);
    const approved = await r.olive.command("/run tidy --approve 1");
    expect(approved.text).toMatch(/delete_message needs an approval bob, who wrote tidy v1, may not give/);
    await r.olive.settle();
    expect(r.olive.all("message_updated").some((f) => f.message.seq === keep.message.seq)).toBe(false);
    expect((await r.olive.command("/scripts show tidy")).text).toMatch(/tidy v1, saved by the assistant for bob/);
  });

  it("runs the version a schedule was made with, not one saved later, and a schedule cannot approve", async () => {
    const r = await room();
    useModel([
      { parts: toolCallParts("save_script", { name: "digest", code: "async () => 'v1'" }) },
      { parts: textParts(["Saved."]) },
      { parts: toolCallParts("save_script", { name: "digest", code: "async () => 'v2'" }, "call-save-2") },
      { parts: textParts(["Saved again."]) },
    ]);
    say(r.olive, "@assistant save digest");
    await answered(r.olive);
    const scheduled = await r.olive.command("/schedule every weekday at 8: /run digest");
    expect(scheduled.text).toMatch(/version 1 of the script, pinned/);
    say(r.bob, "@assistant change digest");
    await answered(r.olive, 2);
    await r.olive.next("scripts", (f) => f.items.some((i) => i.name === "digest" && i.version === 2));

    expect(await fireDue(r.name)).toBe(true);
    const run = await r.olive.next("message_updated", (f) => f.message.kind === "tool" && f.message.status === "done", { timeoutMs: 15_000 });
    expect(run.message.parts[0]).toMatchObject({ input: { script: "digest", version: 1 }, output: { result: "v1" } });

    expect(await r.olive.command("/schedule every day at 9: /run digest --approve 2")).toMatchObject({
      ok: false,
      text: expect.stringMatching(/A schedule cannot approve/),
    });
  });
});

describe("saving a run", () => {
  it("treats the newest run as someone else's code when another member asked for it", async () => {
    useModel([
      { parts: toolCallParts("code", { code: "async () => 'olive asked'" }) },
      { parts: textParts(["Done."]) },
      { parts: toolCallParts("code", { code: "async () => 'bob asked'" }, "call-bob") },
      { parts: textParts(["Done too."]) },
    ]);
    const r = await room();
    expect((await r.olive.command("/codemode code")).ok).toBe(true);
    say(r.olive, "@assistant run something");
    await answered(r.olive);
    expect((await r.olive.command("/scripts save mine")).ok).toBe(true);
    say(r.bob, "@assistant run something else");
    await answered(r.olive, 2);
    // Olive means to save "her" run, but the newest one is bob's.
    expect((await r.olive.command("/scripts save also")).ok).toBe(true);

    const mine = (await r.olive.command("/scripts show mine")).text;
    expect(mine).toMatch(/^mine v1, saved by olive:/);
    expect(mine).not.toMatch(/--approve/);
    const also = (await r.olive.command("/scripts show also")).text;
    expect(also).toMatch(/also v1, saved by olive from a run someone else asked for/);
    expect(also).toContain("bob asked");
    expect(also).toMatch(/\/run also --approve 1/);
  });
});

describe("merged turns", () => {
  it("cannot schedule a job as one of several askers (here: the owner); a turn for one asker schedules as that asker", async () => {
    const gate = new Gate();
    useModel([
      { gate },
      { parts: toolCallParts("schedule_job", { when: "in 1 hour", prompt: "summarise the day" }, "call-merged") },
      { parts: textParts(["Tried."]) },
      { parts: toolCallParts("schedule_job", { when: "in 1 hour", prompt: "summarise the day" }, "call-alone") },
      { parts: textParts(["Scheduled."]) },
    ]);
    const r = await room(["carol"]);
    say(r.carol!, "@assistant first");
    await r.olive.next("message", (f) => f.message.kind === "assistant");
    say(r.olive, "@assistant what's new?");
    await r.olive.next("ack");
    say(r.bob, "@assistant schedule a daily summary");
    await r.bob.next("ack");
    gate.open();
    gate.text("First.");
    gate.end();

    const merged = await answered(r.olive, 2);
    expect(merged.message.parts.find((p) => p.callId === "call-merged")).toMatchObject({
      state: "error",
      error: expect.stringMatching(/acts for several people at once \(olive, bob\)/),
    });
    expect(await reminderIds(r.olive)).toEqual([]);

    say(r.bob, "@assistant schedule it for me then");
    await answered(r.olive, 3);
    const list = await r.olive.next("reminders", (f) => f.items.length === 1);
    expect(list.items[0]).toMatchObject({ kind: "job", creator: { name: "bob" } });
  });
});
