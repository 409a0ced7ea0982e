/**
 * Public rooms tell the lobby how many members are online whenever that may
 * have changed (and a room that goes private asks to be dropped). The call runs after the response (waitUntil), so a slow or
 * restarting lobby never delays a chat frame; a lost report is corrected by
 * the next presence change or by the lobby asking again when it starts.
 */
import { getServerByName } from "partyserver";
import type { Lobby } from "../lobby/Lobby";
import { LOBBY_PATH } from "../../shared/lobby";

export function reportToLobby(lobbies: DurableObjectNamespace<Lobby>, ctx: DurableObjectState, room: string, online: number): void {
  ctx.waitUntil(
    (async () => {
      const lobby = await getServerByName(lobbies, LOBBY_PATH.room);
      await lobby.report(room, online);
    })().catch((err: unknown) => console.warn(`lobby report for ${room} failed:`, err)),
  );
}

/** A room that went private leaves the lobby's list. */
export function forgetInLobby(lobbies: DurableObjectNamespace<Lobby>, ctx: DurableObjectState, room: string): void {
  ctx.waitUntil(
    (async () => {
      const lobby = await getServerByName(lobbies, LOBBY_PATH.room);
      await lobby.forget(room);
    })().catch((err: unknown) => console.warn(`lobby forget for ${room} failed:`, err)),
  );
}
