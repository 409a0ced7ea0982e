/**
 * The only `/agents/…` URLs the Worker lets through to a Durable Object.
 *
 * `routeAgentRequest` would route `/agents/<any-namespace>/<any-name>/…` to
 * any Durable Object class bound to the Worker (the lobby, the signing key),
 * and the agents SDK inside a room understands more paths than Hearth uses:
 * `/sub/<class>/<name>` opens a nested "sub-agent" room that skipped our room
 * name rules. Every call to a Durable Object by name creates it, so a URL
 * that merely reaches one leaves storage behind. So the Worker parses the
 * path itself, strictly, and anything else is a 404 that touches no object.
 */
import { isRoomName } from "../../shared/rooms";

export const ROOM_NAMESPACE = "chat-room";

export type AgentRoute =
  /** `/agents/chat-room/<room>`: a member's socket. */
  | { kind: "room-socket"; room: string }
  /** `/agents/chat-room/<room>/oauth/<signature>/callback`: an MCP server's OAuth redirect. */
  | { kind: "oauth-callback"; room: string; signature: string };

export function parseAgentRoute(url: URL): AgentRoute | null {
  // No decoding: valid room names contain nothing that needs escaping, so
  // an escaped name is not a room name.
  const parts = url.pathname.split("/");
  if (parts[0] !== "" || parts[1] !== "agents" || parts[2] !== ROOM_NAMESPACE) return null;
  const room = parts[3] ?? "";
  if (!isRoomName(room)) return null;
  if (parts.length === 4) return { kind: "room-socket", room };
  if (parts.length === 7 && parts[4] === "oauth" && parts[6] === "callback" && /^[A-Za-z0-9_-]{43}$/.test(parts[5]!)) {
    return { kind: "oauth-callback", room, signature: parts[5]! };
  }
  return null;
}

/** The callback path a room registers with an MCP server's OAuth provider. */
export function oauthCallbackPath(room: string, signature: string): string {
  return `/agents/${ROOM_NAMESPACE}/${room}/oauth/${signature}/callback`;
}

/**
 * Request headers that steer the agents SDK or partyserver inside the
 * object. The SDK reads `x-cf-agents-subagent-url` on a socket to treat it
 * as belonging to a nested agent: such a member would vanish from presence
 * while still receiving everything. partyserver reads `x-partykit-*` for the
 * object's name and props. The Worker sets what the room needs itself
 * (`x-hearth-identity`) after removing every one of these a client sent.
 */
const INTERNAL_HEADER = /^(x-cf-agents-|x-agents-|x-partykit-|x-hearth-)/i;

/**
 * Query parameters the SDK or partyserver act on: `__agents_transport`
 * switches the socket to another protocol (capnweb), `_pk` names the
 * connection. The connection id is the hibernation tag the room's fan-out
 * and presence key on; a client-chosen one can collide with another
 * socket's or exceed the runtime's tag limit, so the Worker assigns it.
 */
export function refusedQuery(url: URL): string | null {
  // A key that starts with "__" has two underscores in the raw query, each
  // as it is or percent-encoded: most joins skip decoding the parameters.
  if (!/__|%5f/i.test(url.search)) return null;
  for (const key of url.searchParams.keys()) {
    if (key.startsWith("__")) return key;
  }
  return null;
}

/**
 * The request a room may see: without internal headers, and without a
 * client-chosen connection id. Most requests carry neither and are passed
 * on as they are (partyserver then draws the id itself): copying the
 * headers, URL and request was a tenth of a join's CPU in the profile
 * (bench/profile.ts, docs/benchmarks.md).
 */
export function sanitizedRoomRequest(request: Request, url = new URL(request.url)): Request {
  let internal = false;
  for (const name of request.headers.keys()) if ((internal = INTERNAL_HEADER.test(name))) break;
  if (!internal && !url.searchParams.has("_pk")) return request;
  const headers = new Headers();
  for (const [name, value] of request.headers) {
    if (!INTERNAL_HEADER.test(name)) headers.append(name, value);
  }
  const clean = new URL(url);
  clean.searchParams.set("_pk", crypto.randomUUID());
  return new Request(clean, { method: request.method, headers, body: request.body, redirect: "manual" });
}
