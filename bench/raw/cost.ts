/**
 * The bench Worker's cost routes (bench/scenarios/cost.ts):
 *
 * - `GET /bench/cost/<room>`: the room's counters, through the room's own
 *   RPC (`ChatRoom.costCounters`), which answers only under
 *   HEARTH_COST_COUNTERS=1. A plain stub, not `getAgentByName`: its
 *   set-name call would be counted.
 * - `POST /bench/schedule/<room>?n=N&inMs=T`: N calls of the agents SDK's
 *   `schedule()` on the room, due in T ms, with the room's reminder
 *   callback and an id no reminder has (the fire finds nothing to post):
 *   what a fire costs the scheduler, with N pending.
 */
import { getAgentByName } from "agents";
import type { Env } from "../../server/env";

export async function costRoute(url: URL, env: Env): Promise<Response> {
  const [, , kind, room] = url.pathname.split("/");
  if (!room) return Response.json({ error: "room?" }, { status: 400 });
  if (kind === "cost") {
    const result = await env.ChatRoom.get(env.ChatRoom.idFromName(room)).costCounters();
    return Response.json(result, { status: result.ok ? 200 : 403 });
  }
  const n = Number(url.searchParams.get("n") ?? 1);
  const inMs = Number(url.searchParams.get("inMs") ?? 86_400_000);
  const stub = await getAgentByName(env.ChatRoom, room);
  const at = Date.now() + inMs;
  // Distinct payloads: the SDK's idempotent schedules would collapse equal ones.
  for (let i = 0; i < n; i++) await stub.schedule(new Date(at + i), "fireReminder", { id: `bench-none-${i}-${at}`, at: at + i });
  return Response.json({ ok: true, scheduled: n });
}
