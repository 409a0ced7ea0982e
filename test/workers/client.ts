/**
 * A test member: a real WebSocket upgrade through the Worker's fetch handler
 * (so the Origin/token checks and routing run exactly as in production),
 * recording every frame it receives.
 */
import { exports } from "cloudflare:workers";
import { ServerFrame } from "../../shared/protocol";

export const ORIGIN = "http://example.com";

/** The session cookie's name over http (the tests' origin). */
export const SESSION_COOKIE = "hearth_session";

/** The session token a Set-Cookie header carries, if any. */
export function sessionFromSetCookie(res: Response): string | null {
  for (const cookie of res.headers.getSetCookie()) {
    const match = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(cookie);
    if (match) return match[1] || null;
  }
  return null;
}

/**
 * A new guest. `token` is the session cookie's value: tests act as a
 * browser would, sending it back in a Cookie header.
 */
export async function session(name: string): Promise<{ token: string; id: string }> {
  const res = await exports.default.fetch(`${ORIGIN}/api/session`, {
    method: "POST",
    body: JSON.stringify({ name }),
  });
  if (!res.ok) throw new Error(`session failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { member: { id: string } };
  const token = sessionFromSetCookie(res);
  if (!token) throw new Error("session: no session cookie was set");
  return { token, id: body.member.id };
}

export async function api(path: string, token: string, body: unknown): Promise<Response> {
  return exports.default.fetch(`${ORIGIN}${path}`, {
    method: "POST",
    headers: { Cookie: `${SESSION_COOKIE}=${token}`, Origin: ORIGIN },
    body: JSON.stringify(body),
  });
}

type Frame = ServerFrame;
type FrameOf<T extends Frame["type"]> = Extract<Frame, { type: T }>;

export class TestMember {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => {
      const parsed = ServerFrame.safeParse(JSON.parse(e.data as string));
      // A frame outside the protocol is a bug in the room: fail loudly.
      if (!parsed.success) throw new Error(`server sent an invalid frame: ${e.data}`);
      this.frames.push(parsed.data);
      this.wake();
    });
    ws.addEventListener("close", (e) => {
      this.closed = { code: e.code, reason: e.reason };
      this.wake();
    });
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" || frame instanceof ArrayBuffer ? frame : JSON.stringify(frame));
  }

  /** Frames of one type received so far. */
  all<T extends Frame["type"]>(type: T): FrameOf<T>[] {
    return this.frames.filter((f): f is FrameOf<T> => f.type === type);
  }

  /** Waits for the n-th (1-based) frame of `type` matching `where`. */
  async next<T extends Frame["type"]>(
    type: T,
    where: (f: FrameOf<T>) => boolean = () => true,
    { count = 1, timeoutMs = 10_000 } = {},
  ): Promise<FrameOf<T>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matches = this.all(type).filter(where);
      if (matches.length >= count) return matches[count - 1]!;
      if (this.closed && type !== "error") throw new Error(`socket closed (${this.closed.code}) waiting for ${type}`);
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${type}; got ${JSON.stringify(this.frames.map((f) => f.type))}`);
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Waits until the socket is closed. */
  async closedWith(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error("socket did not close");
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.closed;
  }

  /** Sends a slash command and waits for its answer. */
  async command(text: string) {
    const id = crypto.randomUUID();
    this.send({ type: "command", id, text });
    return this.next("command_result", (f) => f.id === id);
  }

  /** Resolves after the room has processed everything sent before (a history round trip). */
  async settle(): Promise<void> {
    const before = this.all("page").length;
    this.send({ type: "history", before: 1 });
    await this.next("page", () => true, { count: before + 1 });
  }

  close(): void {
    this.ws.close(1000, "done");
  }
}

/** Named rooms this test process created or found (a test file's rooms are its own). */
const opened = new Set<string>();

/**
 * Creates the public room `room` with `token` as its owner, as the app's
 * "create it?" card does: 201 when created, 409 when it existed already.
 */
export async function createPublicRoom(room: string, token: string): Promise<Response> {
  const res = await api("/api/rooms", token, { visibility: "public", name: room });
  // 401: a test of a refused session; the socket it opens next is refused the same way.
  if (res.status !== 201 && res.status !== 409 && res.status !== 401) {
    throw new Error(`create room ${room}: ${res.status} ${await res.text()}`);
  }
  return res;
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
  if (options.create !== false && token && !room.startsWith("p_") && !opened.has(room)) {
    await createPublicRoom(room, token);
    opened.add(room);
  }
  // An invite is redeemed over the API first, as the client does: no
  // credential ever travels in the socket's URL.
  if (options.invite && token) {
    const joined = await api(`/api/rooms/${room}/join`, token, { invite: options.invite });
    if (!joined.ok) {
      const { error } = (await joined.json()) as { error: { code: string; message: string } };
      throw new InviteRefused(joined.status, error.code, error.message);
    }
  }
  const url = new URL(`${ORIGIN}/agents/chat-room/${room}`);
  if (options.since !== undefined) url.searchParams.set("since", String(options.since));
  if (options.tz) url.searchParams.set("tz", options.tz);
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
