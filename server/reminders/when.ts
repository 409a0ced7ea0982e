/**
 * Understanding *when*: "in 10 minutes", "tomorrow at 9", "next Friday
 * 17:30", "every weekday at 9am", "every 2 hours", or a cron expression —
 * always in the member's IANA time zone.
 *
 * The work is done by libraries: chrono-node reads dates and times of day,
 * rrule's text parser reads the "every …" part, croner computes cron
 * occurrences in a time zone (DST-correct) and Temporal turns a wall-clock
 * time in a zone into an instant (DST-correct as well: chrono itself only
 * knows fixed offsets, which are wrong across a DST change).
 */
import * as chrono from "chrono-node";
import { Cron } from "croner";
import { Frequency, RRule, type Options as RRuleOptions } from "rrule";
import { Temporal } from "temporal-polyfill";

export type Schedule =
  | { kind: "once"; at: number }
  | { kind: "cron"; expr: string; label: string }
  | { kind: "interval"; everyMs: number; anchor: number; label: string };

export type WhenResult = { ok: true; schedule: Schedule; rest: string } | { ok: false; error: string };

export const MIN_INTERVAL_MS = 60_000;

export const WHEN_EXAMPLES = [
  "in 10 minutes",
  "tomorrow at 9",
  "next Friday 17:30",
  "every weekday at 9am",
  "every Monday at 10",
  "every 2 hours",
  'cron "30 8 * * 1-5"',
];

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the time expression in `text` and returns it with the rest of the
 * text (the "what"). Recurring forms: `… every <rule> [at <time>]`,
 * `every <rule> [at <time>] to …`, `… cron "<expr>"`.
 */
export function parseWhen(text: string, now: number, timeZone: string): WhenResult {
  const cron = /\bcron\s+"([^"]+)"/i.exec(text);
  if (cron) return cronSchedule(cron[1]!, strip(text, cron.index, cron[0].length), now, timeZone);

  const words = text.split(/\s+/);
  const every = words.findIndex((w) => w.toLowerCase() === "every");
  if (every >= 0) {
    let rule = words.slice(every).join(" ");
    let rest = words.slice(0, every).join(" ");
    if (every === 0) {
      // "every weekday at 9 to stand up"
      const to = words.findIndex((w, i) => i > 0 && w.toLowerCase() === "to");
      if (to > 0) {
        rule = words.slice(0, to).join(" ");
        rest = words.slice(to + 1).join(" ");
      }
    }
    return recurring(rule, rest, now, timeZone);
  }

  const found = chrono.parse(text, reference(now, timeZone), { forwardDate: true });
  const result = found.at(-1);
  if (!result) return { ok: false, error: "I could not find a time in that." };
  const at = instantOf(result, timeZone);
  if (at <= now) return { ok: false, error: `${describeInstant(at, timeZone)} is in the past.` };
  return { ok: true, schedule: { kind: "once", at }, rest: strip(text, result.index, result.text.length) };
}

function cronSchedule(expr: string, rest: string, now: number, timeZone: string): WhenResult {
  let job: Cron;
  try {
    job = new Cron(expr, { timezone: timeZone, paused: true });
  } catch (err) {
    return { ok: false, error: `"${expr}" is not a cron expression I understand (${(err as Error).message}).` };
  }
  const [first, second] = job.nextRuns(2, new Date(now));
  if (!first) return { ok: false, error: `"${expr}" never fires.` };
  if (second && second.getTime() - first.getTime() < MIN_INTERVAL_MS) {
    return { ok: false, error: "Recurring reminders repeat at most once a minute." };
  }
  return { ok: true, schedule: { kind: "cron", expr, label: `on cron "${expr}"` }, rest };
}

const CRON_DAYS = ["1", "2", "3", "4", "5", "6", "0"]; // rrule's Monday=0 … Sunday=6
const DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

function recurring(rule: string, rest: string, now: number, timeZone: string): WhenResult {
  // "every weekday at 9am": the time of day is chrono's, the rule rrule's.
  const at = rule.search(/\s+at\s+/i);
  const rulePart = at >= 0 ? rule.slice(0, at) : rule;
  let time: { hour: number; minute: number } | null = null;
  if (at >= 0) {
    const parsed = chrono.parse(rule.slice(at), reference(now, timeZone))[0];
    if (!parsed || !parsed.start.isCertain("hour")) {
      return { ok: false, error: `I could not read the time in "${rule.slice(at).trim()}".` };
    }
    time = { hour: parsed.start.get("hour")!, minute: parsed.start.get("minute") ?? 0 };
  }
  let options: Partial<RRuleOptions>;
  try {
    options = RRule.parseText(rulePart);
  } catch {
    return { ok: false, error: `I could not read "${rulePart}" as a repeating time.` };
  }
  if (!options || options.freq === undefined) return { ok: false, error: `I could not read "${rulePart}" as a repeating time.` };
  const interval = options.interval ?? 1;

  if (options.freq === Frequency.MINUTELY || options.freq === Frequency.HOURLY) {
    if (time) return { ok: false, error: `"${rule}" has both an interval and a time of day; use one.` };
    const unit = options.freq === Frequency.MINUTELY ? 60_000 : 3_600_000;
    const everyMs = interval * unit;
    if (everyMs < MIN_INTERVAL_MS) return { ok: false, error: "Recurring reminders repeat at most once a minute." };
    const label = `every ${plural(interval, options.freq === Frequency.MINUTELY ? "minute" : "hour")}`;
    return { ok: true, schedule: { kind: "interval", everyMs, anchor: now, label }, rest };
  }
  if (interval !== 1) {
    return { ok: false, error: `"${rulePart}" repeats on an interval I can't schedule by calendar; use a cron expression, e.g. cron "0 9 */2 * *".` };
  }
  const { hour, minute } = time ?? { hour: 9, minute: 0 };
  const hhmm = `${pad(hour)}:${pad(minute)}`;
  const today = Temporal.Instant.fromEpochMilliseconds(now).toZonedDateTimeISO(timeZone);
  const weekdays = (options.byweekday as Array<{ weekday: number }> | undefined)?.map((d) => d.weekday) ?? [];

  switch (options.freq) {
    case Frequency.DAILY:
      return cronOf(`${minute} ${hour} * * *`, `every day at ${hhmm}`, rest);
    case Frequency.WEEKLY: {
      const days = weekdays.length ? weekdays : [today.dayOfWeek - 1];
      const names = days.length === 5 && days.every((d, i) => d === i) ? "weekday" : days.map((d) => DAY_NAMES[d]).join(", ");
      return cronOf(`${minute} ${hour} * * ${days.map((d) => CRON_DAYS[d]).join(",")}`, `every ${names} at ${hhmm}`, rest);
    }
    case Frequency.MONTHLY: {
      const day = (options.bymonthday as number[] | undefined)?.[0] ?? today.day;
      // Day 31 in cron skips shorter months; say so rather than surprise.
      const note = day > 28 ? ` (months without a day ${day} are skipped)` : "";
      return cronOf(`${minute} ${hour} ${day} * *`, `every month on day ${day} at ${hhmm}${note}`, rest);
    }
    default:
      return { ok: false, error: `"${rulePart}" is not a repeat I can schedule; use a cron expression.` };
  }
}

function cronOf(expr: string, label: string, rest: string): WhenResult {
  return { ok: true, schedule: { kind: "cron", expr, label }, rest };
}

/** The next time a schedule fires strictly after `after`, or null when it never will again. */
export function nextOccurrence(schedule: Schedule, after: number, timeZone: string): number | null {
  switch (schedule.kind) {
    case "once":
      return schedule.at > after ? schedule.at : null;
    case "interval": {
      const steps = Math.floor((after - schedule.anchor) / schedule.everyMs) + 1;
      return schedule.anchor + Math.max(1, steps) * schedule.everyMs;
    }
    case "cron":
      return new Cron(schedule.expr, { timezone: timeZone, paused: true }).nextRun(new Date(after))?.getTime() ?? null;
  }
}

/** "every weekday at 09:00" / "once"; for confirmations and the panel. */
export function describeSchedule(schedule: Schedule): string {
  return schedule.kind === "once" ? "once" : schedule.label;
}

/** "Mon 24 Nov, 09:00" in the given zone. */
export function describeInstant(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(at));
}

function reference(now: number, timeZone: string): chrono.ParsingReference {
  const offset = Temporal.Instant.fromEpochMilliseconds(now).toZonedDateTimeISO(timeZone).offsetNanoseconds / 60e9;
  return { instant: new Date(now), timezone: offset };
}

/**
 * Relative results ("in 2 hours") are instants already. Calendar results
 * ("tomorrow at 9") are wall-clock times in the member's zone: convert them
 * with Temporal, which applies the zone's offset on *that* day.
 */
function instantOf(result: chrono.ParsedResult, timeZone: string): number {
  if (result.tags().has("result/relativeDate")) return result.start.date().getTime();
  const c = result.start;
  return Temporal.ZonedDateTime.from({
    timeZone,
    year: c.get("year")!,
    month: c.get("month")!,
    day: c.get("day")!,
    hour: c.get("hour") ?? 9,
    minute: c.get("minute") ?? 0,
    second: c.get("second") ?? 0,
  }).epochMilliseconds;
}

function strip(text: string, index: number, length: number): string {
  return `${text.slice(0, index)} ${text.slice(index + length)}`
    .replace(/\s+/g, " ")
    .trim()
    .replace(/\s+(at|on|in|by)$/i, "")
    .replace(/^(to|that)\s+/i, "")
    .trim();
}

function plural(n: number, unit: string): string {
  return n === 1 ? unit : `${n} ${unit}s`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
