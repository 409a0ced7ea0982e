/**
 * A member of a room as tests see it, whatever carries its frames: every
 * frame it receives, validated against the protocol and logged, and waits
 * for the ones a test asks for (`next`), a command's answer (`command`),
 * the room having caught up (`settle`) and the whole history.
 *
 * Adapters: TestMember (test/workers/client.ts, workerd's WebSocket) and
 * NodeMember (test/support/node-member.ts, the `ws` package). The bench's
 * sockets keep no log (bench/lib/client.ts) and use room-client.ts only.
 */
import { WireFrame, type ServerFrame } from "../../shared/protocol";

export type FrameOf<T extends ServerFrame["type"]> = Extract<ServerFrame, { type: T }>;
export interface Closed {
  code: number;
  reason: string;
}

/** What a member needs of its socket: the adapters wrap workerd's WebSocket and `ws`'s. */
export interface FrameTransport {
  send(data: string | ArrayBuffer): void;
  close(): void;
}

/**
 * A member of a room, recording every frame it receives. The adapter feeds
 * it (`receive`, `receiveClose`); tests read the log and wait on it.
 */
export class RoomMember {
  readonly frames: ServerFrame[] = [];
  /** Every text frame exactly as it came (parsing drops fields the protocol does not name). */
  readonly raw: string[] = [];
  closed: Closed | null = null;
  /** How many `batch` messages came (their frames are in `frames` one by one). */
  batches = 0;
  /** How long command() waits for its answer (the process tests' rooms answer slower). */
  commandTimeoutMs: number;
  private listeners = new Set<() => void>();

  constructor(
    private readonly transport: FrameTransport,
    options: { commandTimeoutMs?: number } = {},
  ) {
    this.commandTimeoutMs = options.commandTimeoutMs ?? 10_000;
  }

  /** A text frame arrived. A frame outside the protocol is a bug in the room: fail loudly. */
  receive(text: string): void {
    const json = JSON.parse(text) as { type?: unknown; frames?: unknown[] };
    const parsed = WireFrame.safeParse(json);
    if (!parsed.success) throw new Error(`server sent an invalid frame: ${text}`);
    if (parsed.data.type === "batch") {
      // A busy room batches frames: tests see each frame as if it had come alone (raw: each re-serialised, as the room wrote it).
      this.batches++;
      for (const frame of json.frames!) this.raw.push(JSON.stringify(frame));
      this.frames.push(...parsed.data.frames);
    } else {
      this.raw.push(text);
      this.frames.push(parsed.data);
    }
    this.wake();
  }

  receiveClose(closed: Closed): void {
    this.closed = closed;
    this.wake();
  }

  private wake(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** A frame object goes as JSON; a string or ArrayBuffer as it is (hand-made and oversized frames). */
  send(frame: unknown): void {
    this.transport.send(typeof frame === "string" || frame instanceof ArrayBuffer ? frame : JSON.stringify(frame));
  }

  /** Frames of one type received so far. */
  all<T extends ServerFrame["type"]>(type: T): FrameOf<T>[] {
    return this.frames.filter((f): f is FrameOf<T> => f.type === type);
  }

  /**
   * Waits for the n-th (1-based) frame of `type` matching `where`, received
   * before the call or after. A closed socket ends the wait, except for an
   * `error` (a refusal is sent just before its close).
   */
  next<T extends ServerFrame["type"]>(
    type: T,
    where: (f: FrameOf<T>) => boolean = () => true,
    { count = 1, timeoutMs = 10_000 }: { count?: number; timeoutMs?: number } = {},
  ): Promise<FrameOf<T>> {
    return this.waitFor(timeoutMs, () => `timed out waiting for ${type}; got ${JSON.stringify(this.frames.map((f) => f.type))}`, () => {
      const matches = this.all(type).filter(where);
      if (matches.length >= count) return { value: matches[count - 1]! };
      if (this.closed && type !== "error") throw new Error(`socket closed (${this.closed.code}) waiting for ${type}`);
      return null;
    });
  }

  /** Waits until the socket is closed. */
  closedWith(timeoutMs = 5000): Promise<Closed> {
    return this.waitFor(timeoutMs, () => "socket did not close", () => (this.closed ? { value: this.closed } : null));
  }

  /**
   * Re-runs `check` on every frame and on close until it answers (or
   * throws), with a deadline: event-driven, no polling.
   */
  private waitFor<V>(timeoutMs: number, timeoutMessage: () => string, check: () => { value: V } | null): Promise<V> {
    return new Promise((resolve, reject) => {
      const listener = () => {
        try {
          const hit = check();
          if (!hit) return;
          done();
          resolve(hit.value);
        } catch (err) {
          done();
          reject(err);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(timeoutMessage()));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      this.listeners.add(listener);
      listener();
    });
  }

  /** Sends a slash command and waits for its answer. */
  command(text: string, timeoutMs = this.commandTimeoutMs): Promise<FrameOf<"command_result">> {
    const id = crypto.randomUUID();
    this.send({ type: "command", id, text });
    return this.next("command_result", (f) => f.id === id, { timeoutMs });
  }

  /** Resolves after the room has processed everything sent before (a history round trip). */
  async settle(): Promise<void> {
    const before = this.all("page").length;
    this.send({ type: "history", before: 1 });
    await this.next("page", () => true, { count: before + 1 });
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
    this.transport.close();
  }
}
