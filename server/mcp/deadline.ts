/**
 * A tool call's time limit that stops while a member is being asked
 * something: the room gives an MCP server CALL_TIMEOUT_MS of its own time,
 * not of the member's time filling in its elicitation form (which has a
 * limit of its own, see elicitation.ts). Aborts `signal` when the server's
 * time is used up.
 */
export class CallDeadline {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private left: number;
  private since = 0;
  private pauses = 0;

  constructor(ms: number) {
    this.left = ms;
    this.start();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** A member is being asked: the server's clock stops (nested pauses count). */
  pause(): void {
    if (this.pauses++ > 0 || !this.timer) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.left -= Date.now() - this.since;
  }

  resume(): void {
    if (this.pauses === 0 || --this.pauses > 0 || this.controller.signal.aborted) return;
    this.start();
  }

  /** The call ended: no timer stays behind. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private start(): void {
    this.since = Date.now();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.controller.abort(new DOMException("The MCP server took too long to answer.", "TimeoutError"));
    }, Math.max(0, this.left));
  }
}
