/**
 * Reminders and scheduled jobs fire when the agents scheduler's alarm finds
 * them due. Tests do not write the scheduler's own (private) table: they read
 * the room's schedules through the SDK and run the real alarm handler with
 * the clock — the `Date` the room and its scheduler read, in this same
 * isolate — moved to the time the jobs are due.
 */
/// <reference types="@cloudflare/vitest-plugin/types" />
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { getAgentByName } from "agents";
import { vi } from "vitest";

const stubOf = (room: string) => getAgentByName(env.ChatRoom, room);

/** The room's scheduled reminder and job occurrences, as the SDK lists them (time in Unix seconds). */
export async function reminderSchedules(room: string): Promise<Array<{ id: string; time: number; payload: { id: string; at: number } }>> {
  const stub = await stubOf(room);
  const all = await runInDurableObject(stub, (instance) => instance.listSchedules());
  return all
    .filter((s) => s.callback === "fireReminder")
    .map((s) => ({ id: s.id, time: s.time, payload: s.payload as { id: string; at: number } }));
}

/** Runs the room's alarm as if the clock read `now` (ms). */
export async function runAlarmAt(room: string, now: number): Promise<boolean> {
  const stub = await stubOf(room);
  vi.useFakeTimers({ toFake: ["Date"], now });
  try {
    return await runDurableObjectAlarm(stub);
  } finally {
    vi.useRealTimers();
  }
}

/** The clock reaches the latest reminder occurrence scheduled now: every one of them is due. */
export async function fireDueReminders(room: string): Promise<boolean> {
  const times = (await reminderSchedules(room)).map((s) => s.time * 1000);
  if (times.length === 0) throw new Error(`room ${room} has no reminder scheduled`);
  return runAlarmAt(room, Math.max(...times) + 1000);
}
