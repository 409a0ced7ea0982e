/**
 * The landing page's unread counts: the caller's account knows their rooms
 * ("my rooms"), and each room knows the caller's read marker. Asking every
 * room wakes it, so only the most recently seen rooms are asked, a few at
 * a time (each answer is two indexed counts in that room's SQLite).
 */
import { getAgentByName } from "agents";
import type { UnreadResponse, UnreadRoom } from "../../shared/api";
import type { SessionClaims } from "../auth/tokens";
import { json } from "./respond";

/** Rooms counted per request: the landing page shows the most recently seen ones. */
export const UNREAD_ROOMS_MAX = 50;
/** Rooms asked at once. */
const PARALLEL = 8;

export async function unreadCounts(env: Cloudflare.Env, caller: SessionClaims): Promise<Response> {
  const rooms = (await env.Account.getByName(caller.sub).rooms()).slice(0, UNREAD_ROOMS_MAX);
  const counts: UnreadRoom[] = [];
  for (let i = 0; i < rooms.length; i += PARALLEL) {
    const batch = await Promise.all(
      rooms.slice(i, i + PARALLEL).map(async ({ room }) => {
        try {
          const state = await (await getAgentByName(env.ChatRoom, room)).unreadFor(caller.sub);
          return state && { room, ...state };
        } catch (err) {
          // One room that fails to answer leaves its count out, not the page.
          console.error(`unread: room ${room} did not answer`, err);
          return null;
        }
      }),
    );
    for (const c of batch) if (c) counts.push(c);
  }
  return json({ rooms: counts } satisfies UnreadResponse);
}
