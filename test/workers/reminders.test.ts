/// <reference types="@cloudflare/vitest-plugin/types" />
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { getAgentByName } from "agents";
import { afterEach, describe, expect, it } from "vitest";
import { setModelOverride } from "./testModel";
import { fireDueReminders, reminderSchedules, runAlarmAt } from "./clock";
import { api, connect, msgId, roomName, session, type TestMember } from "./client";
import { scriptedModel, textParts, toolCallParts, userTexts } from "./mockModel";

afterEach(() => setModelOverride(null));

const stubOf = (room: string) => getAgentByName(env.ChatRoom, room);

const fireDue = fireDueReminders;
const scheduledJobs = async (room: string) => (await reminderSchedules(room)).map((s) => s.payload);

async function join(room: string, name: string, tz = "Europe/Berlin") {
  const s = await session(name);
  const m = await connect(room, s.token, { tz });
  await m.next("reminders");
  return { m, id: s.id, token: s.token };
}

const reminderMessages = (m: TestMember) => m.all("message").filter((f) => f.message.kind === "reminder");

describe("reminders", () => {
  it("confirms what it understood, fires into the room and leaves the list", async () => {
    const room = roomName("rem");
    const { m: a, id: aliceId } = await join(room, "alice");
    const { m: b } = await join(room, "bob");
    const result = await a.command("/remind me to stretch in 10 minutes");
    expect(result.ok).toBe(true);
    const confirmation = await b.next("message", (f) => f.message.kind === "system");
    expect(confirmation.message.text).toMatch(/I'll remind @alice Europe\/Berlin, next .*: “stretch”/);
    const listed = await b.next("reminders", (f) => f.items.length === 1);
    expect(listed.items[0]).toMatchObject({ text: "stretch", target: { type: "member", name: "alice" }, repeat: "once" });
    expect(listed.items[0]!.nextAt - Date.now()).toBeGreaterThan(9 * 60_000);

    expect(await fireDue(room)).toBe(true);
    const fired = await b.next("message", (f) => f.message.kind === "reminder");
    // The target is mentioned by id: notified, and shown under their current name.
    expect(fired.message.text).toBe(`⏰ <@${aliceId}>: stretch`);
    expect(fired.message.mentions).toEqual([aliceId]);
    await b.next("reminders", (f) => f.items.length === 0);
    expect(await scheduledJobs(room)).toEqual([]);
  });

  it("fires with nobody connected after the room was evicted, and members see it when they return", async () => {
    const room = roomName("rem");
    const { m: a, token } = await join(room, "alice");
    await a.command("/remind @room water the plants in 1 hour");
    a.close();
    const stub = await stubOf(room);
    await evictDurableObject(stub, { webSockets: "close" });
    expect(await fireDue(room)).toBe(true);
    const back = await connect(room, token);
    const snap = await back.next("snapshot");
    expect(snap.messages.filter((m) => m.kind === "reminder").map((m) => m.text)).toEqual(["⏰ @room: water the plants"]);
  });

  it("posts an occurrence once even when its alarm is retried before the next one is scheduled", async () => {
    const room = roomName("rem");
    const { m: a } = await join(room, "alice");
    // Recurring, so that firing awaits the scheduler before it moves nextAt on:
    // a second callback for the same occurrence arrives while nextAt still
    // matches, and only the message's dedupe key (reminder:<id>:<at>) stops it.
    await a.command("/remind me to breathe every day at 9");
    const [job] = await scheduledJobs(room);
    const stub = await stubOf(room);
    await runInDurableObject(stub, async (instance) => {
      await Promise.all([instance.fireReminder(job!), instance.fireReminder(job!)]);
    });
    await a.settle();
    expect(reminderMessages(a)).toHaveLength(1);
    expect(reminderMessages(a)[0]!.message.id).toBe(`reminder:${job!.id}:${job!.at}`);
    // And one next occurrence, not two (the fired one's own alarm row is
    // still there: the callback was called directly, not by the alarm).
    const next = (await scheduledJobs(room)).filter((j) => j.at !== job!.at);
    expect(next).toHaveLength(1);
    expect(next[0]!.at).toBeGreaterThan(job!.at);
  });

  it("schedules the next occurrence of a recurring reminder in the creator's zone", async () => {
    const room = roomName("rem");
    const { m: a } = await join(room, "alice", "America/New_York");
    await a.command("/remind @room standup every weekday at 9am");
    const [first] = await scheduledJobs(room);
    await fireDue(room);
    await a.next("message", (f) => f.message.kind === "reminder");
    const list = await a.next("reminders", (f) => f.items.length === 1 && f.items[0]!.nextAt !== first!.at);
    const next = list.items[0]!;
    expect(next).toMatchObject({ recurring: true, repeat: "every weekday at 09:00", timeZone: "America/New_York" });
    const local = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(next.nextAt));
    expect(local).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:00$/);
    expect(next.nextAt).toBeGreaterThan(first!.at);
    expect((await scheduledJobs(room)).map((j) => j.at)).toEqual([next.nextAt]);
  });

  it("does not fire a reminder cancelled while its alarm was due", async () => {
    const room = roomName("rem");
    const { m: a } = await join(room, "alice");
    await a.command("/remind me to leave in 2 hours");
    const [job] = await scheduledJobs(room);
    const [due] = await reminderSchedules(room);
    const stub = await stubOf(room);
    a.send({ type: "reminder_action", id: "act-1", reminder: job!.id, action: "cancel" });
    expect((await a.next("command_result", (f) => f.id === "act-1")).ok).toBe(true);
    // The alarm runs at the time the cancelled occurrence was due.
    await runAlarmAt(room, due!.time * 1000 + 1000);
    // A stale callback for the cancelled occurrence does nothing either.
    await runInDurableObject(stub, (instance) => instance.fireReminder(job!));
    await a.settle();
    expect(reminderMessages(a)).toEqual([]);
  });

  it("marks a reminder that fires long after its time as late", async () => {
    const room = roomName("rem");
    const { m: a, id: aliceId } = await join(room, "alice");
    await a.command("/remind me to call back in 10 minutes");
    const [job] = await scheduledJobs(room);
    const stub = await stubOf(room);
    const past = Date.now() - 5 * 60_000;
    await runInDurableObject(stub, async (instance, state) => {
      state.storage.sql.exec("UPDATE reminders SET next_at = ? WHERE id = ?", past, job!.id);
      await instance.fireReminder({ id: job!.id, at: past });
    });
    const fired = await a.next("message", (f) => f.message.kind === "reminder");
    expect(fired.message.text).toMatch(new RegExp(`^⏰ <@${aliceId}>: call back _\\(late — it was due .* Europe/Berlin\\)_$`));
  });

  it("lets the creator, the target or an owner manage a reminder, and nobody else", async () => {
    const room = roomName("rem");
    const { m: owner } = await join(room, "olive");
    const { m: alice } = await join(room, "alice");
    const { m: bob } = await join(room, "bob");
    await alice.command("/remind @room lunch every weekday at 12");
    const [job] = await scheduledJobs(room);
    bob.send({ type: "reminder_action", id: "act-2", reminder: job!.id, action: "pause" });
    expect((await bob.next("command_result")).ok).toBe(false);
    alice.send({ type: "reminder_action", id: "act-3", reminder: job!.id, action: "pause" });
    expect((await alice.next("command_result", (f) => f.id === "act-3")).ok).toBe(true);
    expect((await bob.next("reminders", (f) => f.items[0]?.paused === true)).items[0]!.paused).toBe(true);
    expect(await scheduledJobs(room)).toEqual([]);
    alice.send({ type: "reminder_action", id: "act-4", reminder: job!.id, action: "resume" });
    await bob.next("reminders", (f) => f.items[0]?.paused === false);
    owner.send({ type: "reminder_action", id: "act-5", reminder: job!.id, action: "snooze", snooze: "1h" });
    const snoozed = await bob.next("reminders", (f) => Math.abs((f.items[0]?.nextAt ?? 0) - (Date.now() + 3_600_000)) < 60_000);
    expect((await scheduledJobs(room)).map((j) => j.at)).toEqual([snoozed.items[0]!.nextAt]);
    owner.send({ type: "reminder_action", id: "act-6", reminder: job!.id, action: "cancel" });
    await bob.next("reminders", (f) => f.items.length === 0);
  });

  it("explains what it could not understand, with examples, and enforces limits", async () => {
    const room = roomName("rem");
    const { m: a } = await join(room, "alice");
    const bad = await a.command("/remind me to do the thing sometime");
    expect(bad).toMatchObject({ ok: false, text: expect.stringMatching(/could not find a time.*Try: `\/remind/) });
    const nobody = await a.command("/remind @zed hi in 5 minutes");
    expect(nobody.text).toMatch(/Nobody called zed/);
    const fast = await a.command('/remind me tick cron "* * * * * *"');
    expect(fast.text).toMatch(/once a minute/);
    for (let i = 0; i < 10; i++) expect((await a.command(`/remind me n${i} in ${i + 5} minutes`)).ok).toBe(true);
    const eleventh = await a.command("/remind me one too many in 30 minutes");
    expect(eleventh).toMatchObject({ ok: false, text: expect.stringMatching(/10 reminders/) });
    expect((await a.next("reminders", (f) => f.items.length === 10)).items).toHaveLength(10);
  });

  it("keeps viewers from setting reminders", async () => {
    const owner = await session("olive");
    const res = await api("/api/rooms", owner.token, { visibility: "private" });
    const room = ((await res.json()) as { room: string }).room;
    const inv = await api(`/api/rooms/${room}/invites`, owner.token, { role: "viewer" });
    const invite = decodeURIComponent(((await inv.json()) as { path: string }).path.split("#invite=")[1]!);
    const v = await connect(room, (await session("vic")).token, { invite });
    const result = await v.command("/remind @room hi in 5 minutes");
    expect(result).toMatchObject({ ok: false, text: expect.stringMatching(/Viewers/) });
  });

  it("runs a scheduled job as one assistant turn per occurrence", async () => {
    const model = scriptedModel([{ parts: textParts(["Here is your summary."]) }]);
    setModelOverride(() => model);
    const room = roomName("rem");
    const { m: a } = await join(room, "alice");
    const result = await a.command("/schedule every weekday at 8: summarise yesterday");
    expect(result.text).toMatch(/scheduled the assistant every weekday at 08:00 \(Europe\/Berlin\)/);
    const [job] = await scheduledJobs(room);
    await fireDue(room);
    const done = await a.next("message_updated", (f) => f.message.kind === "assistant" && f.message.status === "done");
    expect(done.message.text).toBe("Here is your summary.");
    // A retried alarm for the same occurrence starts no second turn.
    const stub = await stubOf(room);
    await runInDurableObject(stub, (instance) => instance.fireReminder(job!));
    await a.settle();
    expect(model.calls).toHaveLength(1);
    expect(userTexts(model.calls[0]!)).toContain(JSON.stringify({ from: "alice", via: "scheduled job", text: "summarise yesterday" }));
  });

  it("gives the assistant tools to create and list reminders, shown as cards", async () => {
    const model = scriptedModel([
      { parts: toolCallParts("create_reminder", { who: "room", what: "review the board", when: "every Monday at 10" }) },
      { parts: textParts(["Done: every Monday at 10."]) },
    ]);
    setModelOverride(() => model);
    const room = roomName("rem");
    const { m: a } = await join(room, "alice");
    a.send({ type: "send", id: msgId(), text: "@assistant remind us every Monday at 10 to review the board" });
    const card = await a.next("tool", (f) => f.part.tool === "create_reminder" && f.part.state === "done");
    expect(String(card.part.output)).toMatch(/every Monday at 10:00 Europe\/Berlin/);
    const list = await a.next("reminders", (f) => f.items.length === 1);
    expect(list.items[0]).toMatchObject({ text: "review the board", creator: { name: "alice" }, target: { type: "room" } });
  });

  it("reads times in the member's zone and lets them change it", async () => {
    const room = roomName("rem");
    const { m: a } = await join(room, "alice", "Asia/Tokyo");
    expect((await a.command("/timezone")).text).toBe("Your time zone is Asia/Tokyo.");
    expect((await a.command("/timezone Mars/Olympus")).ok).toBe(false);
    a.send({ type: "set_timezone", timeZone: "America/New_York" });
    const r = await a.command("/remind me to sleep tomorrow at 23:00");
    expect(r.text).toMatch(/America\/New_York, next .* 23:00/);
  });

  it("keeps a zone the member chose over the one the browser reports", async () => {
    const room = roomName("rem");
    const s = await session("alice");
    const a = await connect(room, s.token, { tz: "Asia/Tokyo" });
    await a.next("reminders");
    expect((await a.command("/timezone Europe/Lisbon")).ok).toBe(true);
    a.close();
    const b = await connect(room, s.token, { tz: "Asia/Tokyo" });
    await b.next("reminders");
    expect((await b.command("/timezone")).text).toBe("Your time zone is Europe/Lisbon.");
  });

  it("refuses to pause a one-off reminder without losing its schedule", async () => {
    const room = roomName("rem");
    const { m: a } = await join(room, "alice");
    await a.command("/remind me to eat in 30 minutes");
    const [job] = await scheduledJobs(room);
    a.send({ type: "reminder_action", id: "act-7", reminder: job!.id, action: "pause" });
    expect((await a.next("command_result", (f) => f.id === "act-7")).ok).toBe(false);
    expect(await scheduledJobs(room)).toEqual([job]);
    expect(await fireDue(room)).toBe(true);
    await a.next("message", (f) => f.message.kind === "reminder");
  });
});
