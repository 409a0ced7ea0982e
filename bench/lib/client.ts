/**
 * The driver's side of a socket: lean on purpose, because one Node process
 * plays up to 2,000 members and its own CPU must not become the bottleneck
 * it is trying to measure.
 *
 * - `ws` without permessage-deflate and without UTF-8 validation (frames are
 *   ours; validation would only add driver CPU, the same for every server).
 * - A frame's `type` is read from its first bytes (every server here writes
 *   `{"type":"…"` first); only frames a scenario asks for are JSON-parsed.
 * - Arrival time is taken once, when the frame event fires.
 * - No frame log: sessions, room creation and addresses come from the tests'
 *   shared client (test/support/room-client.ts), whose members keep every
 *   frame; this socket is its lean adapter for timing.
 */
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { createPublicRoom, createSession, roomSocketUrl, SESSION_COOKIE } from "../../test/support/room-client.ts";

export type Target = "A" | "R" | "W" | "S";

/** Where a target's rooms are and how to enter them. */
export interface Endpoint {
  target: Target;
  /** http://127.0.0.1:PORT */
  url: string;
  /** A only: session tokens from POST /api/session; member i uses tokens[i % length]. */
  tokens?: string[];
}

/** A room socket's URL and the headers its upgrade carries (A's session cookie). */
export interface RoomAddress {
  url: string;
  headers?: Record<string, string>;
  /** S speaks Socket.IO over the socket: frames ride in a `42["m",…]` event envelope. */
  socketIo?: boolean;
}

export function roomAddress(ep: Endpoint, room: string, member = 0): RoomAddress {
  const ws = ep.url.replace(/^http/, "ws");
  switch (ep.target) {
    case "A": {
      // The session rides in the cookie, as in a browser; nothing in the URL.
      return { url: roomSocketUrl(ep.url, room).href, headers: { Cookie: `${SESSION_COOKIE}=${ep.tokens![member % ep.tokens!.length]!}` } };
    }
    case "R":
      return { url: `${ws}/raw/${room}` };
    case "W":
      return { url: `${ws}/${room}` };
    case "S":
      return { url: `${ws}/socket.io/?EIO=4&transport=websocket&room=${encodeURIComponent(room)}`, socketIo: true };
  }
}

/**
 * A's rooms are created before anyone enters them (POST /api/rooms, member
 * 0 owns them), as in the app; R and W rooms come into being on first use.
 * 409 (it exists already) is fine: a repeated scenario reuses its room.
 */
export async function ensureRooms(ep: Endpoint, rooms: string[]): Promise<void> {
  if (ep.target !== "A") return;
  for (const room of rooms) await createPublicRoom(fetch, ep.url, room, ep.tokens![0]!);
}

/** POST /api/session `count` times (A's members need sessions); returns the cookies' values. */
export async function createTokens(baseUrl: string, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) tokens.push((await createSession(fetch, baseUrl, `bench${i}`)).token);
  return tokens;
}

/**
 * One frame: its type, its text, its arrival time, and — for a frame that
 * came inside a `batch` — the already-parsed frame (its text is then that
 * frame re-serialised).
 */
export type FrameHandler = (type: string, text: string, at: number, frame?: any) => void;

export class BenchSocket {
  closed = false;
  /** WebSocket messages received (a batch counts once), to see how much a server coalesced. */
  messages = 0;
  private handler: FrameHandler = () => {};

  readonly ws: WebSocket;

  readonly socketIo: boolean;
  /** S: resolves once Socket.IO's namespace CONNECT is answered (`40…`). */
  private connected: Promise<void> = Promise.resolve();

  // (No parameter properties: the driver runs on Node's type stripping.)
  private constructor(ws: WebSocket, socketIo = false) {
    this.ws = ws;
    this.socketIo = socketIo;
    let onConnect = () => {};
    if (socketIo) this.connected = new Promise((r) => (onConnect = r));
    ws.on("message", (data: Buffer) => {
      const at = performance.now();
      let text = data.toString();
      if (socketIo) {
        // Engine.IO open → namespace CONNECT; ping → pong; an event's envelope is stripped.
        if (text === "2") return ws.send("3");
        if (text.startsWith("0")) return ws.send("40");
        if (text.startsWith("40")) return onConnect();
        if (!text.startsWith('42["m",')) return;
        text = text.slice(7, -1);
      }
      this.messages++;
      const type = frameType(text);
      if (type !== "batch") return this.handler(type, text, at);
      // The app coalesces a burst into one batch frame: its frames, in order, as if each had come alone.
      for (const frame of (JSON.parse(text) as { frames: Array<{ type: string }> }).frames) this.handler(frame.type, JSON.stringify(frame), at, frame);
    });
    ws.on("close", () => (this.closed = true));
    ws.on("error", () => (this.closed = true));
  }

  static open(address: RoomAddress, handler?: FrameHandler, timeoutMs = 30_000): Promise<BenchSocket> {
    const ws = new WebSocket(address.url, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: timeoutMs,
      headers: address.headers,
    });
    const s = new BenchSocket(ws, address.socketIo);
    if (handler) s.handler = handler;
    return new Promise((res, rej) => {
      ws.once("open", () => void s.connected.then(() => res(s)));
      ws.once("error", rej);
    });
  }

  onFrame(handler: FrameHandler): void {
    this.handler = handler;
  }

  send(frame: unknown): void {
    this.ws.send(this.socketIo ? `42["m",${JSON.stringify(frame)}]` : JSON.stringify(frame));
  }

  /** Resolves with the first frame of `type` matching `where`, or rejects after the timeout. */
  next(type: string, where: (frame: any) => boolean = () => true, timeoutMs = 30_000): Promise<{ frame: any; at: number }> {
    const previous = this.handler;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.handler = previous;
        reject(new Error(`timed out waiting for ${type}`));
      }, timeoutMs);
      this.handler = (t, text, at, parsed) => {
        previous(t, text, at, parsed);
        if (t !== type) return;
        const frame = parsed ?? JSON.parse(text);
        if (!where(frame)) return;
        clearTimeout(timer);
        this.handler = previous;
        resolve({ frame, at });
      };
    });
  }

  close(): Promise<void> {
    if (this.closed || this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((res) => {
      const t = setTimeout(() => {
        this.ws.terminate();
        res();
      }, 2_000);
      this.ws.once("close", () => {
        clearTimeout(t);
        res();
      });
      this.ws.close();
    });
  }
}

/** `{"type":"message",…` → "message" without parsing the frame. */
export function frameType(text: string): string {
  if (text.startsWith('{"type":"')) {
    const end = text.indexOf('"', 9);
    if (end > 9) return text.slice(9, end);
  }
  try {
    return String((JSON.parse(text) as { type?: unknown }).type);
  } catch {
    return "";
  }
}

/** Opens `count` sockets with bounded concurrency (a burst of handshakes would measure the accept path instead). */
export async function openMany(
  addressOf: (i: number) => RoomAddress,
  count: number,
  handlerOf: (i: number) => FrameHandler,
  concurrency = 16,
): Promise<BenchSocket[]> {
  const sockets: BenchSocket[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      sockets[i] = await BenchSocket.open(addressOf(i), handlerOf(i));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return sockets;
}

export async function closeAll(sockets: BenchSocket[]): Promise<void> {
  await Promise.all(sockets.filter(Boolean).map((s) => s.close()));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A unique, valid public room name (1–40 of a-z 0-9 -). */
export function roomName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`.toLowerCase().slice(0, 40);
}
