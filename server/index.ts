/**
 * The Worker: the front door of every request.
 *
 * - /api/*      sessions, room creation, invites (http/api.ts)
 * - /agents/*   room sockets, routed by the agents SDK to the ChatRoom
 *               Durable Object named in the URL — after this file checked
 *               the path, the Origin, the session token and any invite —
 *               and signed OAuth callbacks; nothing else
 * - /parties/*  the lobby socket (partyserver)
 * - /mcp, /authorize, /oauth/*, /.well-known/oauth-*   Hearth as an MCP
 *               server for members' own agents, behind OAuth with consent
 *               (mcpserver/oauth.ts)
 * - anything else is a static asset of the React client (wrangler assets).
 */
import { routeAgentRequest } from "agents";
import { routePartykitRequest } from "partyserver";
import { isRoomName } from "../shared/rooms";
import { LOBBY_PATH } from "../shared/lobby";
import { signingSecret } from "./auth/LocalSecret";
import { verifyTicket } from "./auth/tokens";
import { checkSession } from "./auth/sessionCookie";
import { ConfigError } from "./config";
import type { Env } from "./env";
import { handleApi } from "./http/api";
import { withIdentity } from "./http/identityHeader";
import { originAllowed } from "./http/origin";
import { refuseSocket } from "./http/refuseSocket";
import { parseAgentRoute, refusedQuery, sanitizedRoomRequest } from "./http/agentRoute";
import { verifyOauthCallbackSignature } from "./auth/oauthCallback";
import { apiError } from "./http/respond";
import { handleOAuth, isOAuthPath } from "./mcpserver/oauth";

export { ChatRoom } from "./ChatRoom";
export { Lobby } from "./lobby/Lobby";
export { LocalSecret } from "./auth/LocalSecret";
export { AddressLimiter } from "./http/AddressLimiter";
export { Account } from "./accounts/Account";
export { DeviceCodes } from "./accounts/DeviceCodes";
export { IdentityLink } from "./accounts/IdentityLink";
export { SandboxOutbound } from "./codemode/outbound";

export default {
  // `ctx` is optional for the workerd tests that call fetch(request, env) directly; the runtime always passes it.
  async fetch(request: Request, env: Env, ctx?: ExecutionContext): Promise<Response> {
    try {
      return await route(request, env, ctx);
    } catch (err) {
      // A setting that cannot work (e.g. a short SESSION_SECRET) is named,
      // never its value; the API says the same (http/api.ts).
      if (err instanceof ConfigError) {
        console.error(err.message);
        return apiError(500, "misconfigured", err.message);
      }
      // workerd would answer an HTML error page (with the stack trace under
      // `wrangler dev`); clients get a plain JSON error, the log the detail.
      console.error("worker: request failed", err);
      return apiError(500, "internal", "Something went wrong; try again.");
    }
  },
} satisfies ExportedHandler<Env>;

async function route(request: Request, env: Env, ctx: ExecutionContext | undefined): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname.startsWith("/api/")) return handleApi(request, env);
  if (isOAuthPath(url.pathname) && ctx) return handleOAuth(request, env, ctx);

  if (url.pathname.startsWith("/agents/")) return routeRoom(request, env, url);

  if (url.pathname.startsWith("/parties/")) {
    // routePartykitRequest would route /parties/<any-class>/<any-name> to
    // any Durable Object (a room socket that skipped admitRoomSocket). The
    // only party is the lobby.
    if (url.pathname !== `/parties/${LOBBY_PATH.party}/${LOBBY_PATH.room}`) {
      return apiError(404, "not_found", "There is one lobby: /parties/lobby/main.");
    }
    const routed = await routePartykitRequest(sanitizedRoomRequest(request), env, {
      onBeforeConnect: (req) => {
        if (!originAllowed(req, env.ALLOWED_ORIGINS)) return apiError(403, "bad_origin", "Origin not allowed.");
      },
      onBeforeRequest: () => apiError(404, "not_found", "The lobby is reached over WebSocket."),
    });
    return routed ?? apiError(404, "not_found", "No such party.");
  }

  return env.ASSETS ? env.ASSETS.fetch(request) : apiError(404, "not_found", "Not found.");
}

/**
 * `/agents/*`: exactly two shapes reach a room (http/agentRoute.ts) — a
 * member's socket, after admitRoomSocket(), and a signed OAuth callback.
 * Everything else answers 404 here without touching any Durable Object.
 */
async function routeRoom(request: Request, env: Env, url: URL): Promise<Response> {
  const target = parseAgentRoute(url);
  const upgrade = request.headers.get("Upgrade")?.toLowerCase() === "websocket";
  if (!target) {
    // A socket gets its reason in a frame (browsers cannot read a refused
    // upgrade); a foreign page gets no socket at all.
    if (!upgrade) return apiError(404, "not_found", "No such room path.");
    if (!originAllowed(request, env.ALLOWED_ORIGINS)) return apiError(403, "bad_origin", "Origin not allowed.");
    return refuseSocket("not_found", "That is not a room: room names are 1–40 lowercase letters, digits and hyphens.");
  }
  const refused = refusedQuery(url);
  if (refused) return apiError(400, "bad_request", `The query parameter ${refused} is not accepted.`);

  if (target.kind === "room-socket") {
    if (!upgrade) return apiError(404, "not_found", "Rooms are reached over WebSocket.");
  } else {
    // The OAuth redirect back from an MCP server's provider: a plain GET
    // with the SDK's `state`, on a path only this room handed out. The SDK
    // then checks the state (single use, 10 minutes) and PKCE.
    if (upgrade || request.method !== "GET" || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(url.searchParams.get("state") ?? "")) {
      return apiError(404, "not_found", "No OAuth flow is pending here.");
    }
    const secret = await signingSecret(env);
    if (!(await verifyOauthCallbackSignature(secret, target.room, target.signature))) {
      return apiError(404, "not_found", "No OAuth flow is pending here.");
    }
  }

  let toRoom = sanitizedRoomRequest(request, url);
  if (target.kind !== "room-socket") {
    // The callback completes only for the member who started the flow
    // (mcp/callbackGuard.ts): the room learns who, never the cookie.
    const session = await checkSession(await signingSecret(env), request);
    const headers = new Headers(toRoom.headers);
    headers.delete("Cookie");
    toRoom = new Request(toRoom, { headers });
    if (session.ok) toRoom = withIdentity(toRoom, { id: session.claims.sub, name: session.claims.name });
  }
  const routed = await routeAgentRequest(toRoom, env, {
    onBeforeConnect: (req) => admitRoomSocket(req, env, target.room, url),
  });
  return routed ?? apiError(404, "not_found", "No such room path.");
}

/**
 * Runs before a room sees a socket: the Origin and who is connecting are
 * checked here, and the room receives only the verified identity. The
 * session comes from the cookie a same-origin upgrade carries; a client on
 * an allowed other origin presents a single-use ticket instead. Nothing
 * else in the URL names a person (invites are redeemed over the API).
 */
async function admitRoomSocket(request: Request, env: Env, room: string, url: URL): Promise<Request | Response> {
  if (!originAllowed(request, env.ALLOWED_ORIGINS)) {
    // A foreign page gets no socket at all, not even one carrying a reason.
    return apiError(403, "bad_origin", `Origin ${request.headers.get("Origin")} may not open sockets here.`);
  }
  if (!isRoomName(room)) return refuseSocket("not_found", "That is not a valid room name.");
  const params = url.searchParams;
  const secret = await signingSecret(env);
  const ticketParam = params.get("ticket");
  if (ticketParam !== null) {
    const ticket = await verifyTicket(secret, ticketParam);
    if (!ticket.ok) return refuseSocket("unauthorized", `Get a new ticket: ${ticket.reason}.`);
    if (ticket.claims.room !== room) return refuseSocket("unauthorized", "This ticket is for another room.");
    const { sub, name, jti, exp } = ticket.claims;
    return withIdentity(request, { id: sub, name, ticket: { jti, exp } });
  }
  const session = await checkSession(secret, request);
  if (!session.ok) return refuseSocket("unauthorized", `Sign in again: ${session.reason}.`);
  return withIdentity(request, { id: session.claims.sub, name: session.claims.name });
}
