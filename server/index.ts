/**
 * The Worker: the front door of every request.
 *
 * - /api/*      sessions, room creation, invites (http/api.ts)
 * - /agents/*   room sockets, routed by the agents SDK to the ChatRoom
 *               Durable Object named in the URL — after this file checked
 *               the Origin, the session token and any invite
 * - /parties/*  the lobby socket (partyserver)
 * - anything else is a static asset of the React client (wrangler assets).
 */
import { routeAgentRequest } from "agents";
import { routePartykitRequest } from "partyserver";
import { roomVisibility } from "../shared/rooms";
import { LOBBY_PATH } from "../shared/lobby";
import { signingSecret } from "./auth/LocalSecret";
import { verifyInvite, verifySession } from "./auth/tokens";
import type { Env } from "./env";
import { handleApi } from "./http/api";
import { withIdentity } from "./http/identityHeader";
import { originAllowed } from "./http/origin";
import { refuseSocket } from "./http/refuseSocket";
import { apiError } from "./http/respond";

export { ChatRoom } from "./room/ChatRoom";
export { Lobby } from "./lobby/Lobby";
export { LocalSecret } from "./auth/LocalSecret";
export { SandboxOutbound } from "./codemode/outbound";

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/api/")) return handleApi(request, env);

    if (url.pathname.startsWith("/agents/")) {
      const routed = await routeAgentRequest(request, env, {
        onBeforeConnect: (req, lobby) => admitRoomSocket(req, env, lobby.name),
        // Rooms speak only WebSocket to the outside; HTTP reaches them via
        // /api. The one exception is the OAuth redirect back from an MCP
        // server's provider, which the agents SDK verifies (state + PKCE).
        onBeforeRequest: (req) =>
          req.method === "GET" && new URL(req.url).pathname.endsWith("/callback")
            ? undefined
            : apiError(404, "not_found", "Rooms are reached over WebSocket."),
      });
      return routed ?? apiError(404, "not_found", "No such agent.");
    }

    if (url.pathname.startsWith("/parties/")) {
      const routed = await routePartykitRequest(request, env, {
        onBeforeConnect: (req, lobby) => {
          if (lobby.name !== LOBBY_PATH.room) return apiError(404, "not_found", "There is one lobby: main.");
          if (!originAllowed(req, env.ALLOWED_ORIGINS)) return apiError(403, "bad_origin", "Origin not allowed.");
        },
        onBeforeRequest: () => apiError(404, "not_found", "The lobby is reached over WebSocket."),
      });
      return routed ?? apiError(404, "not_found", "No such party.");
    }

    return env.ASSETS ? env.ASSETS.fetch(request) : apiError(404, "not_found", "Not found.");
  },
} satisfies ExportedHandler<Env>;

/**
 * Runs before a room sees a socket: the Origin, the session token and the
 * invite are checked here, and the room receives only the verified identity.
 */
async function admitRoomSocket(request: Request, env: Env, room: string): Promise<Request | Response> {
  if (!originAllowed(request, env.ALLOWED_ORIGINS)) {
    // A foreign page gets no socket at all, not even one carrying a reason.
    return apiError(403, "bad_origin", `Origin ${request.headers.get("Origin")} may not open sockets here.`);
  }
  if (!roomVisibility(room)) return refuseSocket("not_found", "That is not a valid room name.");
  const params = new URL(request.url).searchParams;
  const secret = await signingSecret(env);
  const session = await verifySession(secret, params.get("token"));
  if (!session.ok) return refuseSocket("unauthorized", `Sign in again: ${session.reason}.`);
  let inviteRole: "member" | "viewer" | undefined;
  const inviteToken = params.get("invite");
  if (inviteToken) {
    const invite = await verifyInvite(secret, inviteToken);
    if (!invite.ok) return refuseSocket("forbidden", `This invite link does not work: ${invite.reason}.`);
    if (invite.claims.room !== room) return refuseSocket("forbidden", "This invite link is for another room.");
    inviteRole = invite.claims.role;
  }
  return withIdentity(request, { id: session.claims.sub, name: session.claims.name, inviteRole });
}
