/**
 * A member speaking the room protocol from Node over a real WebSocket (the
 * `ws` package), for process tests and benchmarks against `wrangler dev`.
 */
import WebSocket from "ws";
import { ServerFrame } from "../../shared/protocol";

type FrameOf<T extends ServerFrame["type"]> = Extract<ServerFrame, { type: T }>;

/** The session cookie's name over http (wrangler dev on 127.0.0.1). */
export const SESSION_COOKIE = "hearth_session";

/**
 * A new guest. `token` is the session cookie's value; Node clients send it
 * back in a Cookie header, as a browser would.
 */
export async function createSession(baseUrl: string, name: string): Promise<{ token: string; id: string }> {
  const res = await fetch(`${baseUrl}/api/session`, { method: "POST", body: JSON.stringify({ name }) });
  if (!res.ok) throw new Error(`session: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { member: { id: string } };
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!cookie) throw new Error("session: no session cookie was set");
  return { token: cookie.slice(SESSION_COOKIE.length + 1).split(";")[0]!, id: body.member.id };
}

/** Named rooms this process created or found, per server. */
const opened = new Set<string>();

/** POST /api/rooms for a public room: 201 when created, 409 when it existed already. */
export async function createPublicRoom(baseUrl: string, room: string, token: string): Promise<number> {
  const res = await fetch(`${baseUrl}/api/rooms`, {
    method: "POST",
    headers: { Origin: baseUrl, Cookie: `${SESSION_COOKIE}=${token}` },
    body: JSON.stringify({ visibility: "public", name: room }),
  });
  if (res.status !== 201 && res.status !== 409) throw new Error(`create room ${room}: ${res.status} ${await res.text()}`);
  return res.status;
}

export class NodeMember {
  readonly frames: ServerFrame[] = [];
  closed = false;
  private listeners = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      this.frames.push(ServerFrame.parse(JSON.parse(data.toString())));
      for (const l of this.listeners) l();
    });
    ws.on("close", () => {
      this.closed = true;
      for (const l of this.listeners) l();
    });
  }

  /**
   * Opens a room socket. A named room is created first (POST /api/rooms, as
   * the app's "create it?" card does) by whoever opens it first in this
   * process, so the first to connect owns it as its creator.
   */
  static async connect(baseUrl: string, room: string, token: string, since?: number): Promise<NodeMember> {
    const key = `${baseUrl} ${room}`;
    if (!room.startsWith("p_") && !opened.has(key)) {
      await createPublicRoom(baseUrl, room, token);
      opened.add(key);
    }
    const url = new URL(`/agents/chat-room/${room}`, baseUrl.replace(/^http/, "ws"));
    if (since !== undefined) url.searchParams.set("since", String(since));
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      headers: { Origin: baseUrl, Cookie: `${SESSION_COOKIE}=${token}` },
    });
    const member = new NodeMember(ws);
    await new Promise<void>((res, rej) => {
      ws.once("open", () => res());
      ws.once("error", rej);
    });
    return member;
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  all<T extends ServerFrame["type"]>(type: T): FrameOf<T>[] {
    return this.frames.filter((f): f is FrameOf<T> => f.type === type);
  }

  next<T extends ServerFrame["type"]>(
    type: T,
    where: (f: FrameOf<T>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<FrameOf<T>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.all(type).find(where);
        if (hit) {
          done();
          resolve(hit);
        } else if (this.closed) {
          done();
          reject(new Error(`closed while waiting for ${type}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${type}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Sends a slash command and waits for its answer. */
  command(text: string, timeoutMs = 30_000) {
    const id = crypto.randomUUID();
    this.send({ type: "command", id, text });
    return this.next("command_result", (f) => f.id === id, timeoutMs);
  }

  /** Every message of the room, oldest first: the join snapshot, then older pages. */
  async fullHistory(): Promise<FrameOf<"message">["message"][]> {
    const snapshot = await this.next("snapshot");
    const messages = [...snapshot.messages];
    let hasMore = snapshot.hasMore;
    while (hasMore && messages.length > 0) {
      const before = messages[0]!.seq;
      this.send({ type: "history", before, limit: 100 });
      const page = await this.next("page", (p) => p.before === before);
      messages.unshift(...page.messages);
      hasMore = page.hasMore;
    }
    return messages;
  }

  close(): void {
    this.ws.close();
  }
}
