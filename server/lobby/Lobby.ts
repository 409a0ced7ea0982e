/**
 * The lobby: one Durable Object listing public rooms with live member counts.
 *
 * Built directly on partyserver's `Server` — it needs sockets, a table and
 * broadcast, none of the agents SDK's machinery. With `hibernate: true` the
 * browsers' sockets stay open while the object sleeps; rooms wake it with a
 * `report` RPC when their online count may have changed, and it pushes the
 * new list to every browser on the landing page. Private rooms never report;
 * a room that turns private asks to be forgotten.
 */
import { getAgentByName } from "agents";
import { Server, type Connection } from "partyserver";
import type { LobbyFrame, LobbyRoom } from "../../shared/lobby";
import { Newest } from "../room/fanout";

/** Rooms shown: the busiest first, then the most recently active. */
const LIST_SIZE = 50;
/**
 * Reports arriving closer together than this (a burst of joins across
 * rooms) send the list once at the end of the window instead of once per
 * report: every list replaces the last, so only the newest matters.
 */
const LIST_COALESCE_MS = 25;

// Cloudflare.Env is the Worker's Env (worker-env.d.ts). Named here instead
// of importing env.ts, whose bindings name this class and ChatRoom (which
// reports to this one): no file of the two imports the other's.
export class Lobby extends Server<Cloudflare.Env> {
  static override options = { hibernate: true };
  #lists = new Newest((fn, ms) => setTimeout(fn, ms), LIST_COALESCE_MS);

  override onStart(): void {
    this.ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS rooms (
      name TEXT PRIMARY KEY,
      online INTEGER NOT NULL,
      active_at INTEGER NOT NULL
    )`);
    this.ctx.storage.sql.exec("CREATE INDEX IF NOT EXISTS rooms_order ON rooms(online DESC, active_at DESC)");
    this.recheckOnlineRooms();
  }

  override onConnect(connection: Connection): void {
    connection.send(this.listFrame());
  }

  // The lobby socket is read-only: anything a browser sends is ignored.
  override onMessage(): void {}

  /** RPC from a public room. Broadcasts only when the list really changed. */
  report(room: string, online: number): void {
    const before = this.ctx.storage.sql
      .exec<{ online: number }>("SELECT online FROM rooms WHERE name = ?", room)
      .toArray()[0];
    this.ctx.storage.sql.exec(
      `INSERT INTO rooms (name, online, active_at) VALUES (?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET online = excluded.online, active_at = excluded.active_at`,
      room,
      online,
      Date.now(),
    );
    if (before?.online !== online) this.listChanged();
  }

  /** RPC from a room that went private: it is no longer listed. */
  forget(room: string): void {
    const removed = this.ctx.storage.sql.exec("DELETE FROM rooms WHERE name = ?", room).rowsWritten;
    if (removed > 0) this.listChanged();
  }

  rooms(): LobbyRoom[] {
    return this.ctx.storage.sql
      .exec<{ name: string; online: number; active_at: number }>(
        "SELECT name, online, active_at FROM rooms ORDER BY online DESC, active_at DESC LIMIT ?",
        LIST_SIZE,
      )
      .toArray()
      .map((r) => ({ name: r.name, online: r.online, activeAt: r.active_at }));
  }

  private listChanged(): void {
    this.#lists.send(() => this.broadcast(this.listFrame()));
  }

  private listFrame(): string {
    const frame: LobbyFrame = { type: "rooms", rooms: this.rooms() };
    return JSON.stringify(frame);
  }

  /**
   * A crash or deploy closes sockets without every room getting to report
   * its departures; rooms listed as occupied are asked to report again
   * (a room whose sockets are gone reports 0).
   */
  private recheckOnlineRooms(): void {
    const occupied = this.ctx.storage.sql
      .exec<{ name: string }>("SELECT name FROM rooms WHERE online > 0 LIMIT ?", LIST_SIZE)
      .toArray();
    for (const { name } of occupied) {
      this.ctx.waitUntil(
        getAgentByName(this.env.ChatRoom, name)
          .then((room) => room.reportPresence())
          .catch((err: unknown) => console.warn(`presence recheck of ${name} failed:`, err)),
      );
    }
  }
}
