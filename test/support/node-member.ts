/**
 * A member speaking the room protocol from Node over a real WebSocket (the
 * `ws` package), for process and browser tests against `wrangler dev`: the
 * shared client (room-client.ts, room-member.ts) over `ws`.
 */
import WebSocket from "ws";
import { createPublicRoom as createPublicRoomAt, createSession as createSessionAt, ensureRoom, roomSocketUrl, sessionHeaders } from "./room-client";
import { RoomMember } from "./room-member";

export { SESSION_COOKIE } from "./room-client";

/**
 * A new guest. `token` is the session cookie's value; Node clients send it
 * back in a Cookie header, as a browser would.
 */
export function createSession(baseUrl: string, name: string): Promise<{ token: string; id: string }> {
  return createSessionAt(fetch, baseUrl, name);
}

/** POST /api/rooms for a public room: 201 when created, 409 when it existed already. */
export async function createPublicRoom(baseUrl: string, room: string, token: string): Promise<number> {
  return (await createPublicRoomAt(fetch, baseUrl, room, token)).status;
}

export class NodeMember extends RoomMember {
  private constructor(readonly ws: WebSocket) {
    // Rooms behind `wrangler dev` (and MCP servers behind them) answer commands slower than workerd in-process.
    super({ send: (data) => ws.send(data), close: () => ws.close() }, { commandTimeoutMs: 30_000 });
    ws.on("message", (data) => this.receive(data.toString()));
    ws.on("close", (code, reason) => this.receiveClose({ code, reason: reason.toString() }));
  }

  /**
   * Opens a room socket. A named room is created first (POST /api/rooms, as
   * the app's "create it?" card does) by whoever opens it first in this
   * process, so the first to connect owns it as its creator.
   */
  static async connect(baseUrl: string, room: string, token: string, since?: number): Promise<NodeMember> {
    await ensureRoom(fetch, baseUrl, room, token);
    const ws = new WebSocket(roomSocketUrl(baseUrl, room, { since }), {
      perMessageDeflate: false,
      headers: sessionHeaders(baseUrl, token),
    });
    const member = new NodeMember(ws);
    await new Promise<void>((res, rej) => {
      ws.once("open", () => res());
      ws.once("error", rej);
    });
    return member;
  }
}
