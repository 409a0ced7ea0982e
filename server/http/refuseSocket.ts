/**
 * Refusing a WebSocket with a reason the browser can read.
 *
 * A plain 401/403 answer to an upgrade reaches browser code only as close
 * code 1006 with no reason, and reconnecting libraries retry it forever. So
 * the Worker accepts the socket itself (the room never sees it), sends the
 * error frame, and closes with an application code (44xx) and the reason;
 * the client shows the reason and stops retrying.
 */
import { CloseCode, type ErrorFrame } from "../../shared/protocol";

type Refusal = "unauthorized" | "forbidden" | "not_found";

const CLOSE_CODES: Record<Refusal, number> = {
  unauthorized: CloseCode.unauthorized,
  forbidden: CloseCode.forbidden,
  not_found: CloseCode.notFound,
};

export function refuseSocket(code: Refusal, reason: string): Response {
  const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  server.accept();
  const frame: ErrorFrame = { type: "error", code, message: reason };
  server.send(JSON.stringify(frame));
  // Close reasons are capped at 123 bytes by the WebSocket protocol.
  server.close(CLOSE_CODES[code], truncateUtf8(reason, 123));
  return new Response(null, { status: 101, webSocket: client });
}

function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= maxBytes) return text;
  return new TextDecoder().decode(bytes.slice(0, maxBytes - 3)).replace(/\uFFFD$/, "") + "...";
}
