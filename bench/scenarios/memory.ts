/**
 * B4: memory of idle connections and of hibernated rooms.
 *
 * Each measurement runs in a FRESH server process: RSS only grows (freed
 * memory stays mapped for reuse), so a target measured after another in the
 * same process would look cheaper than it is.
 *
 * - Per idle connection: one socket opens the room (so the room's own cost
 *   is in the baseline), then `sockets − 1` more join; RSS after the joins
 *   settle, minus the baseline, over the number of joins. For A all sockets
 *   use one session token (one member with many tabs): every join makes the
 *   app broadcast the presence list to everyone, so with distinct members
 *   the join storm would be O(n²) frames of O(n) bytes (see the report).
 * - Per hibernated room: `rooms` rooms with one socket each, then ≥ 15 s
 *   with no traffic (the runtime evicts an object whose sockets have been
 *   idle ~10 s), then RSS minus the baseline over the number of rooms.
 *   Proof of hibernation: the bench Worker counts constructions of both
 *   room classes (bench/raw/worker.ts). None may happen while idle; one
 *   frame to each room afterwards must construct every room anew.
 */
import { performance } from "node:perf_hooks";
import { closeAll, ensureRooms, openMany, roomName, roomAddress, sleep, type BenchSocket, type Endpoint } from "../lib/client.ts";
import { rssBytes, treeCpuSeconds } from "../lib/procfs.ts";
import { round } from "../lib/stats.ts";

export const IDLE_MS = 16_000;

export interface ConnectionMemory {
  target: string;
  sockets: number;
  rssBeforeMB: number;
  rssAfterMB: number;
  bytesPerConnection: number;
  /** Wall time to open all sockets (A: includes the presence broadcast on every join). */
  joinSeconds: number;
}

/** Waits until the server tree used < 2 % CPU over 300 ms (or maxMs passed). */
export async function settle(pid: number, maxMs = 30_000): Promise<void> {
  const end = Date.now() + maxMs;
  for (;;) {
    const a = treeCpuSeconds(pid);
    await sleep(300);
    if ((treeCpuSeconds(pid) - a) / 0.3 < 0.02 || Date.now() > end) return;
  }
}

export async function connectionMemory(
  ep: Endpoint,
  server: { pid: number; memoryPid: number },
  sockets: number,
): Promise<{ result: ConnectionMemory; sockets: BenchSocket[] }> {
  const room = roomName(`b4c-${ep.target.toLowerCase()}`);
  await ensureRooms(ep, [room]);
  const first = await openMany(() => roomAddress(ep, room, 0), 1, () => () => {});
  await settle(server.pid);
  const before = rssBytes(server.memoryPid);
  const t0 = performance.now();
  const rest = await openMany(() => roomAddress(ep, room, 0), sockets - 1, () => () => {});
  const joinSeconds = (performance.now() - t0) / 1000;
  await settle(server.pid);
  await sleep(1_000);
  const after = rssBytes(server.memoryPid);
  return {
    result: {
      target: ep.target,
      sockets,
      rssBeforeMB: round(before / 2 ** 20, 1),
      rssAfterMB: round(after / 2 ** 20, 1),
      bytesPerConnection: round((after - before) / (sockets - 1), 0),
      joinSeconds: round(joinSeconds, 2),
    },
    sockets: [...first, ...rest],
  };
}

export interface RoomMemory {
  target: string;
  rooms: number;
  rssBeforeMB: number;
  rssHibernatedMB: number;
  bytesPerHibernatedRoom: number;
  constructionsAtOpen: number;
  constructionsWhileIdle: number;
  constructionsOnWake: number;
  /** constructionsOnWake === rooms and none while idle. */
  allHibernated: boolean;
}

type Stats = { app: number; raw: number };
const stats = async (url: string): Promise<Stats> => (await fetch(`${url}/bench/stats`)).json() as Promise<Stats>;

/** Opens the rooms; returns a finisher to call after the (shared) idle period. */
export async function hibernatedRoomsOpen(ep: Endpoint, server: { pid: number; memoryPid: number }, rooms: number) {
  const key = ep.target === "A" ? "app" : "raw";
  await settle(server.pid);
  const before = rssBytes(server.memoryPid);
  const s0 = (await stats(ep.url))[key];
  const prefix = roomName(`b4h-${ep.target.toLowerCase()}`);
  // Creating A's rooms is part of what a room costs: measured, like R's first socket.
  await ensureRooms(ep, Array.from({ length: rooms }, (_, i) => `${prefix}-${i}`));
  let replies = 0;
  const sockets = await openMany(
    (i) => roomAddress(ep, `${prefix}-${i}`, 0),
    rooms,
    () => (type) => {
      if (type === "page" || type === "pong") replies++;
    },
  );
  const s1 = (await stats(ep.url))[key];
  return async (): Promise<{ result: RoomMemory; sockets: BenchSocket[] }> => {
    const s2 = (await stats(ep.url))[key];
    const hibernated = rssBytes(server.memoryPid);
    // One frame per room: each must wake (construct) its object.
    for (const s of sockets) s.send(ep.target === "A" ? { type: "history", before: 1 } : { type: "ping" });
    const end = Date.now() + 60_000;
    while (replies < rooms && Date.now() < end) await sleep(20);
    const s3 = (await stats(ep.url))[key];
    return {
      result: {
        target: ep.target,
        rooms,
        rssBeforeMB: round(before / 2 ** 20, 1),
        rssHibernatedMB: round(hibernated / 2 ** 20, 1),
        bytesPerHibernatedRoom: round((hibernated - before) / rooms, 0),
        constructionsAtOpen: s1 - s0,
        constructionsWhileIdle: s2 - s1,
        constructionsOnWake: s3 - s2,
        allHibernated: s2 === s1 && s3 - s2 === rooms && replies === rooms,
      },
      sockets,
    };
  };
}

export { closeAll };
