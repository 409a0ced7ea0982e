/**
 * The assistant's answer while it is being written.
 *
 * Model deltas arrive every few milliseconds; sending each as a frame to
 * every member would multiply frames by recipients. Deltas are coalesced
 * and flushed about every 30 ms as one `draft` frame (serialised once, sent
 * to all). The text is checkpointed to SQLite about once a second, so a
 * crash loses at most a second of text; tool-card changes are rarer and are
 * checkpointed at once.
 */
import type { ServerFrame, ToolPart } from "../../shared/protocol";

export interface DraftIO {
  broadcast(frame: ServerFrame): void;
  checkpoint(text: string, parts: ToolPart[]): void;
  now(): number;
}

export const DRAFT_FLUSH_MS = 30;
export const DRAFT_CHECKPOINT_MS = 1_000;

export class Draft {
  private sent: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastCheckpoint: number;

  constructor(
    readonly seq: number,
    public text: string,
    public parts: ToolPart[],
    private readonly io: DraftIO,
  ) {
    this.sent = text.length;
    this.lastCheckpoint = io.now();
  }

  append(delta: string): void {
    if (!delta) return;
    this.text += delta;
    this.timer ??= setTimeout(() => this.flush(), DRAFT_FLUSH_MS);
  }

  /** Sends what members have not seen yet; checkpoints when a second has passed. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.text.length > this.sent) {
      this.io.broadcast({ type: "draft", seq: this.seq, offset: this.sent, text: this.text.slice(this.sent) });
      this.sent = this.text.length;
    }
    if (this.io.now() - this.lastCheckpoint >= DRAFT_CHECKPOINT_MS) this.checkpoint();
  }

  upsertPart(part: ToolPart): void {
    this.flush();
    const i = this.parts.findIndex((p) => p.callId === part.callId);
    if (i >= 0) this.parts[i] = part;
    else this.parts.push(part);
    this.io.broadcast({ type: "tool", seq: this.seq, part });
    this.checkpoint();
  }

  updatePart(callId: string, change: Partial<ToolPart>): ToolPart | undefined {
    const part = this.parts.find((p) => p.callId === callId);
    if (part) this.upsertPart({ ...part, ...change });
    return part;
  }

  checkpoint(): void {
    this.io.checkpoint(this.text, this.parts);
    this.lastCheckpoint = this.io.now();
  }

  /** Everything so far, for a member who joins mid-turn. */
  catchUpFrames(): ServerFrame[] {
    return [
      { type: "draft", seq: this.seq, offset: 0, text: this.text.slice(0, this.sent) },
      ...this.parts.map((part): ServerFrame => ({ type: "tool", seq: this.seq, part })),
    ];
  }

  close(): void {
    this.flush();
  }
}
