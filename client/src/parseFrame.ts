/**
 * A socket message as one frame of a protocol, or null (with a warning
 * naming the socket) when it is not JSON or not that protocol: both sockets
 * drop what they cannot read rather than act on it.
 */
import type { z } from "zod";

export function parseFrame<S extends z.ZodType>(socket: string, data: unknown, schema: S): z.infer<S> | null {
  let json: unknown;
  try {
    json = JSON.parse(String(data));
  } catch {
    console.warn(`${socket}: ignoring a frame that is not JSON`, data);
    return null;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    console.warn(`${socket}: ignoring a frame that does not match the protocol`, json, parsed.error);
    return null;
  }
  return parsed.data;
}
