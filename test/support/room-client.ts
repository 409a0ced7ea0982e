/**
 * The room protocol's way in, as tests and benchmarks take it whatever
 * carries the frames: sessions and their cookie, creating a named room, and
 * the room socket's address. The member that speaks on the socket is
 * room-member.ts.
 *
 * Three thin adapters use it: test/workers/client.ts (requests to the
 * Worker's fetch inside workerd), test/support/node-member.ts (Node's fetch
 * and the `ws` package against `wrangler dev`) and bench/lib/client.ts. So
 * this file imports nothing: workerd has no `ws`, and the bench runs on
 * Node's type stripping, which cannot follow the extension-less imports
 * inside shared/.
 */

/** The session cookie's name over http (tests and benchmarks use http origins). */
export const SESSION_COOKIE = "hearth_session";

/** `fetch`, or a Worker's `exports.default.fetch` in workerd. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** The session token a response's Set-Cookie headers carry, if any. */
export function sessionFromSetCookie(res: Response): string | null {
  for (const cookie of res.headers.getSetCookie()) {
    const match = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(cookie);
    if (match) return match[1] || null;
  }
  return null;
}

/** The headers a browser on `origin` sends with `token`'s session. */
export function sessionHeaders(origin: string, token: string): Record<string, string> {
  return { Origin: origin, Cookie: `${SESSION_COOKIE}=${token}` };
}

/**
 * A new guest (POST /api/session). `token` is the session cookie's value;
 * clients send it back in a Cookie header, as a browser would.
 */
export async function createSession(fetch: FetchLike, origin: string, name: string): Promise<{ token: string; id: string }> {
  const res = await fetch(`${origin}/api/session`, { method: "POST", body: JSON.stringify({ name }) });
  if (!res.ok) throw new Error(`session: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { member: { id: string } };
  const token = sessionFromSetCookie(res);
  if (!token) throw new Error("session: no session cookie was set");
  return { token, id: body.member.id };
}

/**
 * POST /api/rooms for the public room `room` owned by `token`, as the app's
 * "create it?" card does: 201 when created, 409 when it existed already.
 * 401 passes too: a test of a refused session, whose socket is then
 * refused the same way.
 */
export async function createPublicRoom(fetch: FetchLike, origin: string, room: string, token: string): Promise<Response> {
  const res = await fetch(`${origin}/api/rooms`, {
    method: "POST",
    headers: sessionHeaders(origin, token),
    body: JSON.stringify({ visibility: "public", name: room }),
  });
  if (res.status !== 201 && res.status !== 409 && res.status !== 401) {
    throw new Error(`create room ${room}: ${res.status} ${await res.text()}`);
  }
  return res;
}

/** Named rooms this process created or found, per origin (a test file's rooms are its own). */
const opened = new Set<string>();

/**
 * Creates a named room once, by whoever opens it first in this process (so
 * the first to connect owns it, as its creator). Private rooms (`p_…`) are
 * made by the API with a name of its choosing, never here.
 */
export async function ensureRoom(fetch: FetchLike, origin: string, room: string, token: string): Promise<void> {
  const key = `${origin} ${room}`;
  if (room.startsWith("p_") || opened.has(key)) return;
  await createPublicRoom(fetch, origin, room, token);
  opened.add(key);
}

/** The room socket's URL (ws: for an http: origin); the session travels in the cookie, never here. */
export function roomSocketUrl(origin: string, room: string, query: { since?: number; tz?: string } = {}): URL {
  const url = new URL(`/agents/chat-room/${room}`, origin.replace(/^http/, "ws"));
  if (query.since !== undefined) url.searchParams.set("since", String(query.since));
  if (query.tz) url.searchParams.set("tz", query.tz);
  return url;
}
