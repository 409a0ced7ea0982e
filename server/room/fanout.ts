/**
 * Adaptive batching of a room's outgoing frames (issue 21, part 1).
 *
 * Every frame a room sends costs per socket: a `send` call, a WebSocket
 * frame header, and in `wrangler dev` a hop through the dev proxy. When
 * frames come faster than that can be paid, the backlog grows and latency
 * with it (B1 at 200 members, B2). Sending several frames as one `batch`
 * frame pays the per-frame cost once for all of them.
 *
 * The policy, so that a quiet room behaves exactly as it did before:
 *
 * - **Quiet**: nothing queued and no window open → the frame goes out at
 *   once, and a window of `windowMs` opens. Everything else sent in the same
 *   synchronous turn (a message's ack, its thread update) goes out at once
 *   too: one incoming frame's answers are never delayed by their own window.
 * - **Busy**: a frame sent while the window is open (a later event came in
 *   within `windowMs`) is queued. When the window ends, the queue goes out —
 *   one frame per recipient: the frame itself if the queue holds one, else a
 *   `batch` of the queued frames in the order they were sent — and a new
 *   window opens. A window that ends with nothing queued closes: the room is
 *   quiet again. The window ends on whichever comes first: its timer, or
 *   the next frame sent after `windowMs` has passed on the clock. Under load
 *   the timer can starve behind the backlog of incoming frames; the clock
 *   check still ends the window on time, so a queued frame waits at most
 *   about one window plus one event's work — while the frames that piled up
 *   in the meantime share one batch. That is the adaptation, with no tuning
 *   to the machine.
 * - **Bounded**: a queue that reaches `maxFrames` frames or `maxBytes` bytes
 *   is sent at once, without waiting for the window.
 *
 * Order: one queue for the whole room. Broadcasts and frames for some
 * sockets only (per-member frames, replies to one socket) sit in it in the
 * order they were sent, and every socket gets its own frames in that order.
 * Sockets that get the same frames share one serialised batch.
 */
import { BATCH_MAX_FRAMES } from "../../shared/protocol";

export interface FanoutPolicy {
  /** How long a window collects frames once a burst began (ms). */
  windowMs: number;
  /** A queue this long goes out at once. */
  maxFrames: number;
  /** A queue of this many characters goes out at once. */
  maxBytes: number;
}

export const DEFAULT_FANOUT_POLICY: FanoutPolicy = { windowMs: 4, maxFrames: BATCH_MAX_FRAMES, maxBytes: 64 * 1024 };

/** A socket as the fan-out sees it: the runtime's WebSocket, or a partyserver Connection (which is one). */
export interface FanoutSocket {
  send(text: string): void;
}

/** One socket addressed directly (a reply, a per-member frame): its connection id and the socket. */
export interface Addressed {
  id: string;
  send(text: string): void;
}

export interface FanoutHost<S extends FanoutSocket> {
  /** The sockets that receive broadcasts, now (the room's member sockets). */
  sockets(): Iterable<S>;
  /** A socket's connection id (only asked when some queued frame skips or addresses sockets). */
  idOf(socket: S): string;
  setTimeout(fn: () => void, ms: number): unknown;
  /** Milliseconds (Date.now: in workerd it moves between events, which is what the window needs). */
  now(): number;
}

interface Entry {
  frame: string;
  /** Only this socket (by connection id); absent = every socket. */
  to?: Addressed;
  /** Every socket but these connection ids. */
  without?: ReadonlySet<string>;
}

/** The wire text of a batch: the frames are JSON already, so they are joined, not re-serialised. */
export function batchText(frames: readonly string[]): string {
  return `{"type":"batch","frames":[${frames.join(",")}]}`;
}

export class Fanout<S extends FanoutSocket> {
  #queue: Entry[] = [];
  #bytes = 0;
  /** When the open window started; null = no window (the room is quiet). */
  #windowStart: number | null = null;
  /** Which window a timer belongs to: a window the clock ended early leaves its timer behind. */
  #window = 0;
  /** True for the rest of the synchronous turn that sent a frame at once. */
  #turn = false;

  constructor(
    private readonly host: FanoutHost<S>,
    private readonly policy: FanoutPolicy = DEFAULT_FANOUT_POLICY,
  ) {}

  /** Every socket (but `without`'s connection ids) gets the frame. */
  broadcast(frame: string, without?: ReadonlySet<string>): void {
    if (this.#immediate()) {
      for (const s of this.host.sockets()) {
        if (without?.size && without.has(this.host.idOf(s))) continue;
        sendQuietly(s, frame);
      }
      return;
    }
    this.#enqueue({ frame, without: without?.size ? without : undefined });
  }

  /** One socket gets the frame, after every frame sent to the room before it. */
  sendTo(to: Addressed, frame: string): void {
    if (this.#immediate()) return sendQuietly(to, frame);
    this.#enqueue({ frame, to });
  }

  /**
   * Sends what is queued now. `skip`: a socket that must get none of it —
   * one that was accepted after these frames were sent (a join: the room
   * sends it the state as of now instead).
   */
  flush(skip?: string): void {
    const queue = this.#queue;
    if (queue.length === 0) return;
    this.#queue = [];
    this.#bytes = 0;
    const everyone = !skip && queue.every((e) => !e.to && !e.without);
    if (everyone) {
      // The common case under load: broadcasts only, one text for all.
      const text = queue.length === 1 ? queue[0]!.frame : batchText(queue.map((e) => e.frame));
      for (const s of this.host.sockets()) sendQuietly(s, text);
      return;
    }
    const texts = new Map<string, string>();
    const reached = new Set<string>();
    for (const s of this.host.sockets()) {
      const id = this.host.idOf(s);
      if (id === skip) continue;
      const mine: number[] = [];
      for (let i = 0; i < queue.length; i++) {
        const e = queue[i]!;
        if (e.to ? e.to.id === id : !e.without?.has(id)) mine.push(i);
      }
      if (mine.length === 0) continue;
      if (queue.some((e) => e.to?.id === id)) reached.add(id);
      const key = mine.join(",");
      let text = texts.get(key);
      if (text === undefined) {
        text = mine.length === 1 ? queue[mine[0]!]!.frame : batchText(mine.map((i) => queue[i]!.frame));
        texts.set(key, text);
      }
      sendQuietly(s, text);
    }
    // An addressed socket the room's list did not yield (not a member socket,
    // or closing): its frames still go to it, in order.
    for (const e of queue) if (e.to && !reached.has(e.to.id) && e.to.id !== skip) sendQuietly(e.to, e.frame);
  }

  /** Whether a frame sent now goes out at once (and, if so, the window it opens). */
  #immediate(): boolean {
    if (this.#turn) return this.#queue.length === 0;
    if (this.#windowStart !== null && this.host.now() - this.#windowStart >= this.policy.windowMs) {
      // The window is over but its timer has not run (the isolate is busy): end it here.
      this.#windowEnded(this.#window);
    }
    if (this.#windowStart !== null) return false;
    this.#openWindow();
    this.#turn = true;
    queueMicrotask(() => (this.#turn = false));
    return true;
  }

  #openWindow(): void {
    this.#windowStart = this.host.now();
    const window = ++this.#window;
    this.host.setTimeout(() => this.#windowEnded(window), this.policy.windowMs);
  }

  #windowEnded(window: number): void {
    if (window !== this.#window) return;
    if (this.#queue.length === 0) {
      this.#windowStart = null;
      return;
    }
    this.flush();
    this.#openWindow();
  }

  #enqueue(entry: Entry): void {
    if (this.#queue.length > 0 && this.#bytes + entry.frame.length > this.policy.maxBytes) this.flush();
    this.#queue.push(entry);
    this.#bytes += entry.frame.length;
    if (this.#queue.length >= this.policy.maxFrames || this.#bytes >= this.policy.maxBytes) this.flush();
  }
}

function sendQuietly(s: FanoutSocket, text: string): void {
  try {
    s.send(text);
  } catch {
    // A socket closing right now: its close handler updates presence.
  }
}

/**
 * The same quiet/busy windows for frames where each one supersedes the
 * last (the lobby's full room list): a quiet sender's frame goes out at
 * once; within a busy window only the newest is built and sent, when the
 * window ends. Nothing is lost — the newest list holds every change.
 */
export class Newest {
  #pending: (() => void) | null = null;
  #windowOpen = false;

  constructor(
    private readonly setTimer: (fn: () => void, ms: number) => unknown,
    private readonly windowMs: number,
  ) {}

  /** `deliver` builds and sends the frame; it runs now, or at the end of the window if a newer one does not replace it. */
  send(deliver: () => void): void {
    if (this.#windowOpen) {
      this.#pending = deliver;
      return;
    }
    deliver();
    this.#open();
  }

  #open(): void {
    this.#windowOpen = true;
    this.setTimer(() => {
      const pending = this.#pending;
      this.#pending = null;
      if (!pending) {
        this.#windowOpen = false;
        return;
      }
      pending();
      this.#open();
    }, this.windowMs);
  }
}
