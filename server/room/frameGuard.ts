/**
 * Hearth's frame-size cap, applied before the agents SDK sees a frame.
 *
 * The SDK's WebSockets capability wraps the room's `onMessage` and
 * JSON.parses every text frame (looking for its own state and rpc frames)
 * before the room's handler runs, and the platform lets frames of up to
 * 32 MiB through (measured under wrangler dev: 33,554,432 bytes arrive,
 * one more closes the socket with 1009 "Message is too large"). So this
 * capability, installed from the room's constructor, is offered every
 * message first (selective capabilities run before the SDK's catch-all
 * WebSockets one): a frame over LIMITS.frameChars is answered `too_large`
 * unparsed — or `rate_limited`, since such frames count against the
 * connection's rate like any other — and never reaches the SDK.
 */
import type { DurableObjectCapability } from "agents/lifecycle";
import type { ErrorFrame } from "../../shared/protocol";
import { encode, errorFrame, oversized } from "./frames";

export interface FrameGuardHost {
  /** Takes one token of the connection's rate; false when it is over. Throws on bad settings. */
  take(connectionId: string): boolean;
  /** The frame to send when handling failed (logged by the host). */
  failed(err: unknown): ErrorFrame;
  /** The socket's connection id (the SDK tags every socket with it first). */
  idOf(ws: WebSocket): string;
}

export class FrameGuard implements DurableObjectCapability {
  readonly capabilityId = "hearth-frame-guard";

  constructor(private readonly host: FrameGuardHost) {}

  /** True: the frame was over the cap and is answered here. */
  onWebSocketMessage(ws: WebSocket, message: string | ArrayBuffer): boolean {
    const large = oversized(message);
    if (!large) return false;
    let reply: ErrorFrame;
    try {
      reply = this.host.take(this.host.idOf(ws)) ? large : errorFrame("rate_limited", "Too many frames: slow down and try again.");
    } catch (err) {
      reply = this.host.failed(err);
    }
    try {
      ws.send(encode(reply));
    } catch {
      // The socket is closing.
    }
    return true;
  }
}
