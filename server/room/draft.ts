/**
 * A message while it is being written (the assistant's answer, a `/run`'s card).
 *
 * Model deltas arrive every few milliseconds; sending each as a frame to
 * every member would multiply frames by recipients. Deltas are coalesced
 * and flushed about every 30 ms as one `draft` frame (serialised once, sent
 * to all). The text is checkpointed to SQLite about once a second, so a
 * crash loses at most a second of text; tool-card changes are rarer and are
 * checkpointed at once.
 *
 * A draft also keeps the message storable (room/messageLimits.ts): cards are
 * capped, and a card or text that would take the message past
 * LIMITS.partsPerMessage or LIMITS.messageBytes is refused and recorded in
 * `overflow`; the writer of the turn then ends it `failed` with that reason.
 */
import { LIMITS } from "../../shared/limits";
import type { ServerFrame, ToolPart } from "../../shared/protocol";
import { capPart, MessageFull, slimPart, storedBytes, utf8Bytes } from "./messageLimits";

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
  private partsBytes: number;
  /** Why this message cannot take more, once something was refused. */
  overflow: string | null = null;

  constructor(
    readonly seq: number,
    public text: string,
    public parts: ToolPart[],
    private readonly io: DraftIO,
  ) {
    this.sent = text.length;
    this.lastCheckpoint = io.now();
    this.partsBytes = utf8Bytes(JSON.stringify(parts));
  }

  append(delta: string): void {
    if (!delta || this.overflow) return;
    // Cheap bound first (UTF-8 takes at most 3 bytes per UTF-16 unit).
    if ((this.text.length + delta.length) * 3 + this.partsBytes > LIMITS.messageBytes && utf8Bytes(this.text + delta) + this.partsBytes > LIMITS.messageBytes) {
      this.overflow = `the answer reached the size limit of a message (${LIMITS.messageBytes.toLocaleString("en")} bytes)`;
      return;
    }
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

  /**
   * Adds or replaces a card. Throws MessageFull (and records `overflow`)
   * for a new card the message has no room for, so that a call is refused
   * before it runs; a change to a card already shown is always kept, without
   * its data if it no longer fits.
   */
  upsertPart(part: ToolPart): void {
    this.flush();
    let capped = capPart(part);
    const i = this.parts.findIndex((p) => p.callId === part.callId);
    if (i < 0 && this.parts.length >= LIMITS.partsPerMessage) {
      this.refuse(`it reached the limit of ${LIMITS.partsPerMessage} tool calls in one message`);
    }
    const next = i >= 0 ? this.parts.with(i, capped) : [...this.parts, capped];
    let bytes = storedBytes(this.text, next);
    if (bytes > LIMITS.messageBytes) {
      const reason = `it reached the size limit of a message (${LIMITS.messageBytes.toLocaleString("en")} bytes)`;
      if (i < 0) this.refuse(reason);
      this.overflow ??= reason;
      next[i] = capped = slimPart(capped);
      bytes = storedBytes(this.text, next);
    }
    this.parts = next;
    this.partsBytes = bytes - utf8Bytes(this.text);
    this.io.broadcast({ type: "tool", seq: this.seq, part: capped });
    this.checkpoint();
  }

  private refuse(reason: string): never {
    this.overflow ??= reason;
    throw new MessageFull(`This message is full: ${reason}.`);
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
