/**
 * Reminders and scheduled assistant jobs: the room acting when nobody talks.
 *
 * Each reminder is a row (store.ts) plus one pending agents-SDK schedule
 * that calls the room's `fireReminder({ id, at })`. The scheduler keeps its
 * alarms in the Durable Object's storage, so a reminder fires while the room
 * is hibernated, with nobody connected, and after a restart (late, then).
 * Firing posts the reminder as a message whose id is
 * `reminder:<id>:<at>`: a retried alarm inserts nothing the second time.
 * Then the next occurrence is computed (in the creator's time zone) and
 * scheduled.
 */
import { z } from "zod";
import type { ReminderAction, ReminderItem, SnoozeChoice } from "../../shared/protocol";
import { randomBase32 } from "../ids";
import type { Outcome, Runners } from "../room/commands";
import { SYSTEM_AUTHOR, type RoomKernel } from "../room/kernel";
import { actingMember, defineTool, distinctMembers, type Actor, type RoomTool } from "../room/tools";
import { ReminderStore, toItem, type ReminderRecord } from "./store";
import { describeInstant, describeSchedule, isTimeZone, nextOccurrence, parseWhen, WHEN_EXAMPLES } from "./when";
import { Temporal } from "temporal-polyfill";

export interface FirePayload {
  id: string;
  at: number;
}

/** What reminders need beyond the kernel: the scheduler, and where a due job goes. */
export interface RemindersHost {
  schedule(at: number, payload: FirePayload): Promise<string>;
  cancelSchedule(scheduleId: string): Promise<void>;
  /**
   * A scheduled job is due: an assistant prompt, or `/run <script> [json]`
   * of the script version pinned when the job was made.
   */
  runJob(job: { key: string; prompt: string; creator: Actor; late: boolean; scriptVersion: number | null }): void;
  /**
   * `/schedule …: /run <script>` pins the script's newest version now, so a
   * version someone saves later never runs in this job's name.
   */
  pinScript(command: string): { ok: true; version: number } | { ok: false; text: string };
}

export const REMINDER_LIMITS = { perRoom: 50, perMember: 10 };
/** A fire this much after its time says it is late (the server was down). */
export const LATE_AFTER_MS = 60_000;
const REMINDER_AUTHOR = { id: "reminders", name: "Reminder" };

const EXAMPLES =
  "Try: `/remind me to stretch in 10 minutes`, `/remind @room standup every weekday at 9am`, " +
  '`/remind @alice review the PR tomorrow at 9`, `/remind me backup cron "30 8 * * 1-5"`.';

export class Reminders {
  private readonly store: ReminderStore;
  /** Occurrences (`<id>:<at>`) whose fire is running in this instance (see fire). */
  private readonly firing = new Set<string>();

  constructor(
    private readonly room: RoomKernel,
    private readonly host: RemindersHost,
  ) {
    this.store = new ReminderStore(room.sql);
  }

  /** The zone a member's times are read in. */
  private zoneOf(actor: Actor): string {
    return this.room.members.timeZone(actor.id) ?? "UTC";
  }

  list(): ReminderItem[] {
    return this.store.all().map(toItem);
  }

  /** The slash commands: the text goes back to its sender only. */
  commands(): Runners<"reminders"> {
    return {
      "/remind": (actor, args) => this.remindCommand(actor, args),
      "/schedule": (actor, args) => this.scheduleCommand(actor, args),
      "/reminders": (actor) => ({ ok: true, text: this.describeList(this.zoneOf(actor)) }),
      "/timezone": (actor, args) => this.timeZoneCommand(actor, args),
    };
  }

  private async remindCommand(actor: Actor, rest: string): Promise<Outcome> {
    const [who = "", ...what] = rest.split(/\s+/);
    if (!who || what.length === 0) return { ok: false, text: `Say who and when. ${EXAMPLES}` };
    return this.create(actor, { kind: "reminder", target: who, text: what.join(" ") });
  }

  private async scheduleCommand(actor: Actor, rest: string): Promise<Outcome> {
    const colon = rest.indexOf(":");
    // "every weekday at 8:30: summarise" — the separator is the last ": ".
    const split = rest.lastIndexOf(": ");
    const at = split >= 0 ? split : colon;
    if (at <= 0) return { ok: false, text: "Use `/schedule <when>: <prompt>`, e.g. `/schedule every weekday at 8: summarise yesterday`." };
    return this.create(actor, { kind: "job", target: "room", when: rest.slice(0, at), text: rest.slice(at + 1).trim() });
  }

  private timeZoneCommand(actor: Actor, rest: string): Outcome {
    if (!rest) return { ok: true, text: `Your time zone is ${this.zoneOf(actor)}.` };
    if (!isTimeZone(rest)) return { ok: false, text: `${rest} is not an IANA time zone (e.g. Europe/Berlin, America/New_York).` };
    this.room.members.setTimeZone(actor.id, rest, true);
    return { ok: true, text: `Your time zone is now ${rest}.` };
  }

  /**
   * Creates a reminder (or job). `text` holds "<what> <when>" unless `when`
   * is given separately.
   */
  async create(actor: Actor, input: { kind: "reminder" | "job"; target: string; text: string; when?: string }): Promise<Outcome> {
    if (actor.role === "viewer") return { ok: false, text: "Viewers cannot set reminders." };
    const target = this.resolveTarget(actor, input.target);
    if (!target.ok) return target;
    if (this.store.count() >= REMINDER_LIMITS.perRoom) {
      return { ok: false, text: `This room has ${REMINDER_LIMITS.perRoom} reminders already; cancel some first.` };
    }
    if (this.store.count(actor.id) >= REMINDER_LIMITS.perMember) {
      return { ok: false, text: `You have ${REMINDER_LIMITS.perMember} reminders already; cancel some first.` };
    }
    const now = Date.now();
    const timeZone = this.zoneOf(actor);
    const parsed = parseWhen(input.when ?? input.text, now, timeZone);
    if (!parsed.ok) return { ok: false, text: `${parsed.error} ${EXAMPLES}` };
    const text = input.when !== undefined ? input.text : parsed.rest;
    if (!text) return { ok: false, text: `What should I say? ${EXAMPLES}` };
    const nextAt = nextOccurrence(parsed.schedule, now, timeZone);
    if (nextAt === null) return { ok: false, text: "That time never comes." };
    let scriptVersion: number | null = null;
    if (input.kind === "job" && /^\/run(\s|$)/.test(text)) {
      const pin = this.host.pinScript(text);
      if (!pin.ok) return pin;
      scriptVersion = pin.version;
    }

    const record: ReminderRecord = {
      id: `r_${randomBase32(10)}`,
      kind: input.kind,
      creator: { id: actor.id, name: actor.name },
      target: target.value,
      text,
      schedule: parsed.schedule,
      timeZone,
      nextAt,
      paused: false,
      scheduleId: null,
      createdAt: now,
      scriptVersion,
    };
    this.store.insert(record);
    this.store.setNext(record.id, nextAt, await this.host.schedule(nextAt, { id: record.id, at: nextAt }));
    this.changed();
    const confirmation =
      input.kind === "job"
        ? `${actor.name} scheduled the assistant ${describeSchedule(parsed.schedule) === "once" ? "for" : describeSchedule(parsed.schedule)}` +
          ` (${timeZone}), next ${describeInstant(nextAt, timeZone)}: “${text}”` +
          (scriptVersion !== null ? ` (version ${scriptVersion} of the script, pinned)` : "")
        : `I'll remind @${target.value.name} ${describeSchedule(parsed.schedule) === "once" ? "" : `${describeSchedule(parsed.schedule)} `}` +
          `${timeZone}, next ${describeInstant(nextAt, timeZone)}: “${text}” (set by ${actor.name})`;
    this.room.postSystem(confirmation.replace(/\s+/g, " "));
    return { ok: true, text: `${confirmation} — id ${record.id}` };
  }

  private resolveTarget(actor: Actor, who: string): { ok: true; value: ReminderRecord["target"] } | { ok: false; text: string } {
    const name = who.replace(/^@/, "");
    if (name.toLowerCase() === "me") return { ok: true, value: { type: "member", id: actor.id, name: actor.name } };
    if (name.toLowerCase() === "room") return { ok: true, value: { type: "room", id: null, name: "room" } };
    const matches = this.room.members.byName(name);
    if (matches.length === 1) return { ok: true, value: { type: "member", id: matches[0]!.id, name: matches[0]!.name } };
    if (matches.length > 1) return { ok: false, text: `Several members are called ${name}; remind them from their own account.` };
    return { ok: false, text: `Nobody called ${name} is a member of this room. Use me, @room or a member's @name.` };
  }

  /** cancel / snooze / pause / resume, by the creator, the target or an owner. */
  async act(actor: Actor, id: string, action: ReminderAction, snooze?: SnoozeChoice): Promise<Outcome> {
    const r = this.store.get(id);
    if (!r) return { ok: false, text: `There is no reminder ${id}.` };
    if (!mayChange(r, actor)) return { ok: false, text: "Only its creator, its target or a room owner can change this reminder." };
    // Refuse before touching the schedule: a refused action changes nothing.
    if ((action === "pause" || action === "resume") && r.schedule.kind === "once") {
      return { ok: false, text: "Only repeating reminders can be paused." };
    }
    if (r.scheduleId) await this.host.cancelSchedule(r.scheduleId);
    const now = Date.now();
    switch (action) {
      case "cancel":
        this.store.delete(id);
        this.changed();
        return { ok: true, text: `Cancelled “${r.text}”.` };
      case "pause":
      case "resume": {
        if (action === "pause") {
          this.store.setPaused(id, true, null);
        } else {
          const next = nextOccurrence(r.schedule, now, r.timeZone)!;
          this.store.setPaused(id, false, null);
          this.store.setNext(id, next, await this.host.schedule(next, { id, at: next }));
        }
        this.changed();
        return { ok: true, text: `${action === "pause" ? "Paused" : "Resumed"} “${r.text}”.` };
      }
      case "snooze": {
        const until =
          snooze === "1h"
            ? now + 3_600_000
            : snooze === "tomorrow"
              ? Temporal.Instant.fromEpochMilliseconds(now).toZonedDateTimeISO(this.zoneOf(actor)).add({ days: 1 }).epochMilliseconds
              : now + 600_000;
        this.store.setPaused(id, false, null);
        this.store.setNext(id, until, await this.host.schedule(until, { id, at: until }));
        this.changed();
        return { ok: true, text: `Snoozed “${r.text}” until ${describeInstant(until, this.zoneOf(actor))}.` };
      }
    }
  }

  /**
   * A job cannot go on without its creator (a personal MCP server they have
   * not authorized, or revoked): a repeating one is paused rather than
   * failing at every occurrence, and the creator is told, by mention.
   */
  async pauseForCreator(jobIds: string[], creator: Actor, why: string): Promise<void> {
    for (const id of new Set(jobIds)) {
      const r = this.store.get(id);
      if (!r) {
        // A one-off job's record is gone once it fired: the creator is still told.
        this.room.post({
          id: `job-failed:${id}`, kind: "system", author: SYSTEM_AUTHOR, mentions: [creator.id],
          text: `<@${creator.id}>: a scheduled job of yours could not run: ${why}.`,
        });
        continue;
      }
      if (r.kind !== "job" || r.creator.id !== creator.id) continue;
      const repeating = r.schedule.kind !== "once";
      if (repeating && !r.paused) await this.act(creator, id, "pause");
      this.room.post({
        id: `job-paused:${id}:${r.nextAt ?? 0}`,
        kind: "system",
        author: SYSTEM_AUTHOR,
        text: `<@${creator.id}>: the scheduled job “${r.text}” could not run: ${why}.${repeating ? " It is paused: resume it from the Reminders panel once that is done." : ""}`,
        mentions: [creator.id],
      });
    }
  }

  /**
   * The scheduler's callback. Safe to run twice for the same occurrence:
   * one that was handled is stale (its reminder's nextAt moved on), and
   * one still being handled in this instance — waiting for the scheduler to
   * store the next occurrence — is in `firing`. That in-memory claim, not
   * the SDK's idempotent schedules (which read every pending schedule to
   * compare, B7), keeps a second callback from scheduling a second next
   * occurrence; across an eviction nothing is in flight, and whatever was
   * stored before it says whether the occurrence was handled.
   */
  async fire(payload: FirePayload): Promise<void> {
    const r = this.store.get(payload.id);
    // Cancelled, snoozed, paused or already handled: this alarm is stale.
    if (!r || r.paused || r.nextAt !== payload.at) return;
    const occurrence = `${r.id}:${payload.at}`;
    if (this.firing.has(occurrence)) return;
    this.firing.add(occurrence);
    try {
      await this.fireOccurrence(r, payload);
    } finally {
      this.firing.delete(occurrence);
    }
  }

  private async fireOccurrence(r: ReminderRecord, payload: FirePayload): Promise<void> {
    const now = Date.now();
    const late = now - payload.at > LATE_AFTER_MS;
    const lateNote = late ? ` _(late — it was due ${describeInstant(payload.at, r.timeZone)} ${r.timeZone})_` : "";
    if (r.kind === "reminder") {
      // A member's reminder mentions them (by id: it notifies them, and a rename since shows the new name).
      const who = r.target.type === "member" && r.target.id ? `<@${r.target.id}>` : `@${r.target.name}`;
      const mentions = r.target.type === "member" && r.target.id ? [r.target.id] : [];
      this.room.post({ id: `reminder:${r.id}:${payload.at}`, kind: "reminder", author: REMINDER_AUTHOR, text: `⏰ ${who}: ${r.text}${lateNote}`, mentions });
    } else {
      // A job acts as its creator with the role they have now (a demoted
      // owner's job loses the owner's authority), never as anyone else.
      const creator = this.room.members.get(r.creator.id);
      if (!creator || creator.role === "viewer") {
        this.room.postSystem(`The scheduled job “${r.text}” did not run: ${r.creator.name} can no longer run jobs in this room.`);
      } else {
        this.host.runJob({
          key: `job:${r.id}:${payload.at}`,
          prompt: r.text,
          creator: { id: creator.id, name: creator.name, role: creator.role },
          late,
          scriptVersion: r.scriptVersion,
        });
      }
    }
    // Occurrences missed while the server was down collapse into this one.
    const next = nextOccurrence(r.schedule, Math.max(now, payload.at), r.timeZone);
    if (next === null) this.store.delete(r.id);
    else this.store.setNext(r.id, next, await this.host.schedule(next, { id: r.id, at: next }));
    this.changed();
  }

  private changed(): void {
    this.room.broadcast({ type: "reminders", items: this.list() });
  }

  private describeList(timeZone: string): string {
    const items = this.store.all();
    if (items.length === 0) return "No reminders in this room. " + EXAMPLES;
    return items
      .map(
        (r) =>
          `• ${r.id}: ${r.kind === "job" ? "assistant job" : `@${r.target.name}`} “${r.text}” — ${describeSchedule(r.schedule)}, ` +
          `${r.paused ? "paused" : `next ${describeInstant(r.nextAt, timeZone)} (${timeZone})`}, by ${r.creator.name}`,
      )
      .join("\n");
  }

  /**
   * The assistant's reminder tools. Those that act as a person (create,
   * cancel, schedule) act as the one member the call serves; a turn that
   * answers several askers is refused them (see `actingMember`), so nobody
   * borrows another asker's authority — e.g. an owner's, for a job.
   */
  tools(): RoomTool[] {
    const result = (o: Outcome) => {
      if (!o.ok) throw new Error(o.text);
      return o.text;
    };
    return [
      defineTool({
        name: "create_reminder",
        description:
          "Set a reminder in this room. `who` is 'me' (the person asking), 'room' (everyone) or a member's name. " +
          `\`when\` in plain English in the asker's time zone, e.g. ${WHEN_EXAMPLES.map((e) => `'${e}'`).join(", ")}.`,
        inputSchema: z.object({ who: z.string().min(1).max(40), what: z.string().min(1).max(500), when: z.string().min(1).max(100) }),
        approval: () => null,
        execute: async ({ who, what, when }, requestedBy) =>
          result(await this.create(actingMember(requestedBy), { kind: "reminder", target: who, text: what, when })),
      }),
      defineTool({
        name: "list_reminders",
        description: "List this room's reminders and scheduled jobs (ids, what, for whom, next time).",
        inputSchema: z.object({}),
        readOnly: true,
        approval: () => null,
        // Reading only: shown in the first asker's zone.
        execute: (_input, requestedBy) => this.describeList(this.zoneOf(requestedBy[0]!)),
      }),
      defineTool({
        name: "cancel_reminder",
        description: "Cancel a reminder or scheduled job by its id (from list_reminders).",
        inputSchema: z.object({ id: z.string().min(1).max(64) }),
        approval: () => null,
        // Cancelling records nobody, so it needs no single member: it is
        // allowed when every member the call serves may cancel it.
        execute: async ({ id }, requestedBy) => {
          const [first, ...others] = distinctMembers(requestedBy);
          const r = this.store.get(id);
          if (r && !others.every((m) => mayChange(r, m))) {
            throw new Error("Only its creator, its target or a room owner can change this reminder.");
          }
          return result(await this.act(first!, id, "cancel"));
        },
      }),
      defineTool({
        name: "schedule_job",
        description:
          "Schedule yourself (the assistant) to run a prompt at a time or repeatedly, posting the answer in this room, e.g. when 'every weekday at 8', prompt 'summarise yesterday'.",
        inputSchema: z.object({ when: z.string().min(1).max(100), prompt: z.string().min(1).max(1000) }),
        approval: () => null,
        execute: async ({ when, prompt }, requestedBy) =>
          result(await this.create(actingMember(requestedBy), { kind: "job", target: "room", text: prompt, when })),
      }),
    ];
  }
}

function mayChange(r: ReminderRecord, actor: Actor): boolean {
  if (actor.role === "viewer") return false;
  return actor.role === "owner" || r.creator.id === actor.id || (r.target.type === "member" && r.target.id === actor.id);
}
