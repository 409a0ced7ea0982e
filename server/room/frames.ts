/**
 * Turning raw WebSocket data into a validated client frame, or into the
 * error frame that explains why not. Cheap checks come first: size before
 * JSON.parse, JSON.parse once, then the zod schema.
 */
import { LIMITS } from "../../shared/limits";
import { CLIENT_FRAME_TYPES, ClientFrame, type ErrorFrame, type ServerFrame } from "../../shared/protocol";

export type ParsedFrame = { ok: true; frame: ClientFrame } | { ok: false; error: ErrorFrame };

/** Handles one validated frame of type `T`; `C` is what the room hands every handler. */
export type FrameHandler<T extends ClientFrame["type"], C> = (ctx: C, frame: Extract<ClientFrame, { type: T }>) => void | Promise<void>;

/**
 * One handler per client frame type. The mapped type is the point: a frame
 * type added to ClientFrame without a handler fails the type check instead
 * of being dropped by a switch's missing case.
 */
export type FrameHandlers<C> = { [T in ClientFrame["type"]]: FrameHandler<T, C> };

export function dispatchFrame<C>(handlers: FrameHandlers<C>, ctx: C, frame: ClientFrame): void | Promise<void> {
  // TypeScript cannot relate `handlers[frame.type]` to `frame` by itself; the
  // mapped type above guarantees the pairing.
  const handler = handlers[frame.type] as FrameHandler<ClientFrame["type"], C>;
  return handler(ctx, frame);
}

export function parseClientFrame(data: string | ArrayBuffer | ArrayBufferView): ParsedFrame {
  const large = oversized(data);
  if (large) return { ok: false, error: large };
  if (typeof data !== "string") {
    return fail("binary_not_supported", "Frames are JSON text; binary frames are not accepted.");
  }
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return fail("bad_json", "The frame is not valid JSON.");
  }
  const type = typeof json === "object" && json !== null ? (json as { type?: unknown }).type : undefined;
  const ref = refOf(json);
  if (typeof type !== "string" || !(CLIENT_FRAME_TYPES as string[]).includes(type)) {
    return fail(
      "unknown_type",
      `Unknown frame type ${JSON.stringify(type ?? null)}; expected one of ${CLIENT_FRAME_TYPES.join(", ")}.`,
      ref,
    );
  }
  const parsed = ClientFrame.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
    return fail("invalid_frame", `${type}: ${where}${issue.message}`, ref);
  }
  return { ok: true, frame: parsed.data };
}

/**
 * The `too_large` error for a frame over LIMITS.frameChars (characters of
 * text, bytes of binary), or null. Checked on the raw data, before any parse.
 */
export function oversized(data: string | ArrayBuffer | ArrayBufferView): ErrorFrame | null {
  const size = typeof data === "string" ? data.length : data.byteLength;
  if (size <= LIMITS.frameChars) return null;
  return errorFrame("too_large", `A frame has at most ${LIMITS.frameChars} characters; this one has ${size}.`);
}

function refOf(json: unknown): string | number | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const { id, seq, type } = json as Record<string, unknown>;
  if (typeof id === "string" && id.length <= 64) return id;
  if (typeof seq === "number") return seq;
  if (typeof type === "string" && type.length <= 32) return type;
  return undefined;
}

export function errorFrame(code: ErrorFrame["code"], message: string, ref?: string | number): ErrorFrame {
  return ref === undefined ? { type: "error", code, message } : { type: "error", code, message, ref };
}

function fail(code: ErrorFrame["code"], message: string, ref?: string | number): ParsedFrame {
  return { ok: false, error: errorFrame(code, message, ref) };
}

/** Serialises a frame once; the same string goes to every recipient. */
export function encode(frame: ServerFrame): string {
  return JSON.stringify(frame);
}
