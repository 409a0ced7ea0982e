/**
 * A test member: a real WebSocket upgrade through the Worker's fetch handler
 * (so the Origin/token checks and routing run exactly as in production),
 * recording every frame it receives. The shared client (test/support/
 * room-client.ts, room-member.ts) over workerd's fetch and WebSocket.
 */
import { exports } from "cloudflare:workers";
import { RoomMember } from "../support/room-member";
import {
  createPublicRoom as createPublicRoomAt,
  createSession,
  ensureRoom,
  roomSocketUrl,
  SESSION_COOKIE,
  sessionHeaders,
  type FetchLike,
} from "../support/room-client";

export { SESSION_COOKIE, sessionFromSetCookie } from "../support/room-client";

export const ORIGIN = "http://example.com";

/** Requests go to the Worker's own fetch handler, not a network. */
const worker: FetchLike = (input, init) => exports.default.fetch(input, init);

/**
 * A new guest. `token` is the session cookie's value: tests act as a
 * browser would, sending it back in a Cookie header.
 */
export function session(name: string): Promise<{ token: string; id: string }> {
  return createSession(worker, ORIGIN, name);
}

export async function api(path: string, token: string, body: unknown): Promise<Response> {
  return worker(`${ORIGIN}${path}`, { method: "POST", headers: sessionHeaders(ORIGIN, token), body: JSON.stringify(body) });
}

/** A member on a socket upgraded through the Worker (the shared client over workerd's WebSocket). */
export class TestMember extends RoomMember {
  constructor(readonly ws: WebSocket) {
    super({ send: (data) => ws.send(data), close: () => ws.close(1000, "done") });
    ws.addEventListener("message", (e) => this.receive(e.data as string));
    ws.addEventListener("close", (e) => this.receiveClose({ code: e.code, reason: e.reason }));
  }
}

/**
 * Creates the public room `room` with `token` as its owner, as the app's
 * "create it?" card does: 201 when created, 409 when it existed already.
 */
export function createPublicRoom(room: string, token: string): Promise<Response> {
  return createPublicRoomAt(worker, ORIGIN, room, token);
}

/**
 * Opens a room socket as the browser does. A named room is created first,
 * once, by whoever opens it first in this test process (so the first to
 * connect owns it, as its creator); `create: false` opens a name as it is.
 */
export async function connect(
  room: string,
  token: string | null,
  options: { invite?: string; since?: number; origin?: string | null; tz?: string; create?: boolean } = {},
): Promise<TestMember> {
  if (options.create !== false && token) await ensureRoom(worker, ORIGIN, room, token);
  // An invite is redeemed over the API first, as the client does: no
  // credential ever travels in the socket's URL.
  if (options.invite && token) {
    const joined = await api(`/api/rooms/${room}/join`, token, { invite: options.invite });
    if (!joined.ok) {
      const { error } = (await joined.json()) as { error: { code: string; message: string } };
      throw new InviteRefused(joined.status, error.code, error.message);
    }
  }
  // workerd's fetch upgrades an http(s) URL carrying `Upgrade: websocket`.
  const url = roomSocketUrl(ORIGIN, room, options);
  url.protocol = "http:";
  const headers: Record<string, string> = { Upgrade: "websocket" };
  if (token) headers.Cookie = `${SESSION_COOKIE}=${token}`;
  if (options.origin !== null) headers.Origin = options.origin ?? ORIGIN;
  const res = await exports.default.fetch(url, { headers });
  if (res.status !== 101 || !res.webSocket) {
    throw new UpgradeRefused(res.status, await res.text());
  }
  res.webSocket.accept();
  return new TestMember(res.webSocket);
}

/** An invite the API refused to redeem (before any socket was opened). */
export class InviteRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`invite refused: ${status} ${code}: ${message}`);
  }
}

export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upgrade refused: ${status} ${body}`);
  }
}

let counter = 0;
/** A fresh public room name per test, so tests never share state. */
export function roomName(prefix = "room"): string {
  counter += 1;
  return `${prefix}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

export function msgId(): string {
  return crypto.randomUUID();
}

/**
 * The two-member room most room tests start from: olive creates (so owns)
 * a new room, bob joins as a member, both connected (reporting `tz`), and
 * olive has seen bob arrive.
 */
export async function oliveAndBob(prefix = "room", options: { tz?: string } = {}) {
  const room = roomName(prefix);
  const olive = await session("olive");
  const bob = await session("bob");
  const socketOptions = options.tz ? { tz: options.tz } : {};
  const o = await connect(room, olive.token, socketOptions);
  await o.next("welcome");
  const b = await connect(room, bob.token, socketOptions);
  await b.next("welcome");
  await o.next("members", (f) => f.members.length === 2);
  return { room, olive, bob, o, b };
}

/** The smallest PNG there is: 1×1, transparent. */
export const TINY_PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);

/** An upload as the composer makes it: POST /api/rooms/<room>/files with the raw body (the answer, whatever it is). */
export function uploadFile(room: string, token: string | null, body: BodyInit, type: string, name = "shot.png", extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { Origin: ORIGIN, "content-type": type, ...extra };
  if (token) headers.Cookie = `${SESSION_COOKIE}=${token}`;
  return worker(`${ORIGIN}/api/rooms/${room}/files?name=${encodeURIComponent(name)}&width=1&height=1`, { method: "POST", headers, body });
}
