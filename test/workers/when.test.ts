import { describe, expect, it } from "vitest";
import { describeInstant, nextOccurrence, parseWhen, type Schedule } from "../../server/reminders/when";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function once(text: string, now: string, tz: string) {
  const r = parseWhen(text, Date.parse(now), tz);
  if (!r.ok) throw new Error(r.error);
  if (r.schedule.kind !== "once") throw new Error(`not once: ${r.schedule.kind}`);
  return { at: iso(r.schedule.at), rest: r.rest };
}

function schedule(text: string, now: string, tz: string): { schedule: Schedule; rest: string } {
  const r = parseWhen(text, Date.parse(now), tz);
  if (!r.ok) throw new Error(r.error);
  return r;
}

function runs(s: Schedule, from: string, tz: string, n: number): string[] {
  const out: string[] = [];
  let t = Date.parse(from);
  for (let i = 0; i < n; i++) {
    const next = nextOccurrence(s, t, tz)!;
    out.push(iso(next)!);
    t = next;
  }
  return out;
}

describe("one-off times", () => {
  it.each([
    // [text, now (UTC), zone, expected UTC, what]
    ["stretch in 10 minutes", "2026-11-22T10:00:00Z", "Europe/Berlin", "2026-11-22T10:10:00.000Z", "stretch"],
    ["call mom tomorrow at 9", "2026-11-22T10:00:00Z", "Europe/Berlin", "2026-11-23T08:00:00.000Z", "call mom"],
    ["deploy next Friday 17:30", "2026-11-22T10:00:00Z", "Europe/Berlin", "2026-11-27T16:30:00.000Z", "deploy"],
    ["review at 5pm", "2026-11-22T10:00:00Z", "America/New_York", "2026-11-22T22:00:00.000Z", "review"],
    // Berlin springs forward on 2026-03-29: 9:00 is then UTC+2.
    ["coffee tomorrow at 9", "2026-03-28T10:00:00Z", "Europe/Berlin", "2026-03-29T07:00:00.000Z", "coffee"],
    // Berlin falls back on 2026-10-25: 9:00 is then UTC+1.
    ["coffee tomorrow at 9", "2026-10-24T10:00:00Z", "Europe/Berlin", "2026-10-25T08:00:00.000Z", "coffee"],
    // New York springs forward on 2026-03-08.
    ["standup tomorrow at 9am", "2026-03-07T15:00:00Z", "America/New_York", "2026-03-08T13:00:00.000Z", "standup"],
    // New York falls back on 2026-11-01.
    ["standup tomorrow at 9am", "2026-10-31T15:00:00Z", "America/New_York", "2026-11-01T14:00:00.000Z", "standup"],
    // Relative times are durations, whatever the clocks do: 2 h across the Berlin spring gap.
    ["check in 2 hours", "2026-03-29T00:30:00Z", "Europe/Berlin", "2026-03-29T02:30:00.000Z", "check"],
    ["pay rent on January 31 at 10", "2026-11-22T10:00:00Z", "Europe/Berlin", "2027-01-31T09:00:00.000Z", "pay rent"],
    ["birthday on February 29 2028 at 8", "2026-11-22T10:00:00Z", "UTC", "2028-02-29T08:00:00.000Z", "birthday"],
  ])("%s at %s in %s", (text, now, tz, expected, what) => {
    expect(once(text, now, tz)).toEqual({ at: expected, rest: what });
  });

  it("refuses a time in the past and text without a time", () => {
    const past = parseWhen("lunch on November 1 2026 at 12", Date.parse("2026-11-22T10:00:00Z"), "Europe/Berlin");
    expect(past).toMatchObject({ ok: false, error: expect.stringMatching(/past/) });
    expect(parseWhen("buy milk", Date.now(), "UTC")).toMatchObject({ ok: false, error: expect.stringMatching(/time/) });
  });
});

describe("recurring times", () => {
  it("keeps 09:00 local across both DST changes (Berlin)", () => {
    const { schedule: s, rest } = schedule("standup every weekday at 9am", "2026-03-26T12:00:00Z", "Europe/Berlin");
    expect(rest).toBe("standup");
    expect(s).toMatchObject({ kind: "cron", label: "every weekday at 09:00" });
    // Fri 27 Mar (UTC+1), then Mon 30 Mar after the change (UTC+2).
    expect(runs(s, "2026-03-26T12:00:00Z", "Europe/Berlin", 2)).toEqual(["2026-03-27T08:00:00.000Z", "2026-03-30T07:00:00.000Z"]);
    expect(runs(s, "2026-10-22T12:00:00Z", "Europe/Berlin", 2)).toEqual(["2026-10-23T07:00:00.000Z", "2026-10-26T08:00:00.000Z"]);
  });

  it("keeps 10:00 local on Mondays across New York's changes", () => {
    const { schedule: s } = schedule("every Monday at 10 review the board".replace(" review the board", ""), "2026-03-01T00:00:00Z", "America/New_York");
    expect(runs(s, "2026-03-01T00:00:00Z", "America/New_York", 2)).toEqual(["2026-03-02T15:00:00.000Z", "2026-03-09T14:00:00.000Z"]);
  });

  it("reads 'every … to …' with the rule first", () => {
    const r = schedule("every weekday at 17:30 to log hours", "2026-11-22T10:00:00Z", "Europe/Berlin");
    expect(r.rest).toBe("log hours");
    expect(r.schedule).toMatchObject({ label: "every weekday at 17:30" });
  });

  it("repeats intervals as durations", () => {
    const now = "2026-11-22T10:00:00Z";
    const { schedule: s } = schedule("drink water every 2 hours", now, "Europe/Berlin");
    expect(s).toMatchObject({ kind: "interval", everyMs: 7_200_000, label: "every 2 hours" });
    expect(runs(s, now, "Europe/Berlin", 2)).toEqual(["2026-11-22T12:00:00.000Z", "2026-11-22T14:00:00.000Z"]);
  });

  it("handles month ends by skipping short months, and says so", () => {
    const { schedule: s } = schedule("invoices every month on the 31st at 8", "2027-01-15T00:00:00Z", "UTC");
    expect(s).toMatchObject({ label: expect.stringMatching(/skipped/) });
    expect(runs(s, "2027-01-15T00:00:00Z", "UTC", 2)).toEqual(["2027-01-31T08:00:00.000Z", "2027-03-31T08:00:00.000Z"]);
  });

  it("accepts cron expressions in the member's zone", () => {
    const { schedule: s, rest } = schedule('backup cron "30 8 * * 1-5"', "2026-11-22T10:00:00Z", "Europe/Berlin");
    expect(rest).toBe("backup");
    expect(runs(s, "2026-11-22T10:00:00Z", "Europe/Berlin", 1)).toEqual(["2026-11-23T07:30:00.000Z"]);
  });

  it("refuses repeats faster than once a minute and unreadable rules", () => {
    expect(parseWhen('x cron "* * * * * *"', Date.now(), "UTC")).toMatchObject({ ok: false, error: expect.stringMatching(/once a minute/) });
    expect(parseWhen("x every 2 days", Date.now(), "UTC")).toMatchObject({ ok: false, error: expect.stringMatching(/cron/) });
    expect(parseWhen('x cron "not a cron"', Date.now(), "UTC")).toMatchObject({ ok: false });
  });
});

describe("describeInstant", () => {
  it("formats in the viewer's zone", () => {
    expect(describeInstant(Date.parse("2026-11-24T08:00:00Z"), "Europe/Berlin")).toBe("Tue 24 Nov, 09:00");
  });
});
