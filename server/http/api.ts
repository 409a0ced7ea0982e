/**
 * The HTTP API under /api: sessions, room creation, invites and socket
 * tickets. Everything that is not a socket frame goes through here; bodies
 * are validated with the zod schemas in shared/api.ts, and every answer is
 * checked against them with `satisfies`.
 *
 * Who is calling comes from the session cookie only (auth/sessionCookie.ts):
 * no token in a header the page's scripts could read, and none in a URL.
 * Because a cookie rides along with every request to this origin, every
 * POST must also come from an allowed Origin (cross-site request forgery).
 */
import { getAgentByName } from "agents";
import {
  CreateRoomRequest,
  InviteRequest,
  JoinRequest,
  type CreateRoomResponse,
  type InviteResponse,
  type JoinResponse,
  type OkResponse,
  type TicketResponse,
  TicketRequest,
} from "../../shared/api";
import { isRoomName } from "../../shared/rooms";
import { randomBase32 } from "../ids";
import { signingSecret } from "../auth/LocalSecret";
import { checkSession } from "../auth/sessionCookie";
import {
  signToken,
  TICKET_TTL_MS,
  verifyInvite,
  type SessionClaims,
} from "../auth/tokens";
import { ConfigError } from "../config";
import { limitByAddress } from "./AddressLimiter";
import { corsHeaders, originAllowed } from "./origin";
import { apiError, json } from "./respond";
import { parseBody } from "./body";
import { handlePasskeyApi } from "./passkeyApi";
import { handleOidcApi } from "./oidcApi";
import { handleSessionApi } from "./sessionApi";
import { unreadCounts } from "./unreadApi";
import { listAgents, revokeAgent } from "./agentsApi";
import { handleExportApi } from "./exportApi";
import { handleFileLink, handleFilesApi, isFilesPath } from "./filesApi";
import { agentIcon, agentIconClient } from "./agentIcon";

/** The Worker's bindings (server/env.ts), by their global name: env.ts names every class, so no module imports it. */
type Env = Cloudflare.Env;

export async function handleApi(request: Request, env: Env): Promise<Response> {
  const response = await route(request, env);
  // Allowed other origins (ALLOWED_ORIGINS) may call the API with credentials.
  for (const [name, value] of corsHeaders(request, env.ALLOWED_ORIGINS)) response.headers.set(name, value);
  return response;
}

async function route(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const path = url.pathname;
  if (path === "/api/health") return json({ ok: true } satisfies OkResponse);
  if (request.method === "OPTIONS") return new Response(null, { status: 204 });
  if (request.method === "POST" && !originAllowed(request, env.ALLOWED_ORIGINS)) {
    return apiError(403, "bad_origin", "This origin may not call the API.");
  }
  let secret: string;
  try {
    secret = await signingSecret(env);
  } catch (err) {
    // Refuse loudly rather than sign with a weak or missing key.
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    return apiError(500, "misconfigured", err.message);
  }

  // New sessions and rooms cost nothing to make: limited per client address.
  if (path === "/api/session" && request.method === "POST") {
    const limited = await limitByAddress(request, env, "session");
    if (limited) return limited;
  }
  const sessions =
    (await handleSessionApi(request, env, secret, path)) ??
    (await handlePasskeyApi(request, env, secret, path)) ??
    (await handleOidcApi(request, env, secret, path));
  if (sessions) return sessions;
  const exported = await handleExportApi(request, env, secret, path);
  if (exported) return exported;
  // A signed file link needs no cookie (http/filesApi.ts).
  const fileLink = await handleFileLink(request, env, secret, path);
  if (fileLink) return fileLink;

  // Signed-in GETs: file downloads and agents' icons here, exports above (http/exportApi.ts).
  const files = isFilesPath(path);
  const iconOf = request.method === "GET" ? agentIconClient(path) : null;
  if (request.method !== "POST" && !files && !iconOf) return apiError(405, "method_not_allowed", "Use POST.");
  const caller = await checkSession(secret, request);
  if (!caller.ok) return apiError(401, "unauthorized", `Sign in again: ${caller.reason}.`);
  const response = files
    ? await handleFilesApi(request, env, secret, caller.claims, path)
    : iconOf
      ? await agentIcon(request, env, iconOf)
      : await routeSignedIn(request, env, secret, caller.claims, path);
  if (caller.renewed) response.headers.append("Set-Cookie", caller.renewed);
  return response;
}

async function routeSignedIn(request: Request, env: Env, secret: string, caller: SessionClaims, path: string) {
  if (path === "/api/rooms") return (await limitByAddress(request, env, "room")) ?? createRoom(request, env, caller);
  if (path === "/api/tickets") return createTicket(request, secret, caller);
  if (path === "/api/account/unread") return unreadCounts(env, caller);
  if (path === "/api/account/agents") return listAgents(request, env, caller);
  if (path === "/api/account/agents/revoke") return revokeAgent(request, env, caller);
  const roomPath = /^\/api\/rooms\/([^/]+)\/(invites|join)$/.exec(path);
  if (roomPath) {
    // A malformed escape (e.g. %E0%A4%A) makes decodeURIComponent throw: a client error, not a 500.
    const room = decodePathSegment(roomPath[1]!);
    if (room === null) return apiError(400, "bad_path", "The room name in the path is not valid percent-encoding.");
    return roomPath[2] === "invites"
      ? createInvite(request, env, secret, caller, room)
      : joinWithInvite(request, env, secret, caller, room);
  }
  return apiError(404, "not_found", `No API at ${path}.`);
}

async function createRoom(request: Request, env: Env, caller: SessionClaims): Promise<Response> {
  const body = await parseBody(request, CreateRoomRequest);
  if (!body.ok) return body.response;
  // 26 base32 characters = 130 random bits: not guessable, not enumerable.
  const name = body.data.visibility === "public" ? body.data.name : `p_${randomBase32(26)}`;
  const room = await getAgentByName(env.ChatRoom, name);
  const { info, created } = await room.createRoom(body.data.visibility, { id: caller.sub, name: caller.name });
  // Asking for a taken name grants nothing: the caller may join it like anyone else.
  if (!created) return apiError(409, "room_exists", `A room called “${name}” exists already: join it instead.`);
  return json({ room: info.name, visibility: info.visibility, path: `/r/${info.name}` } satisfies CreateRoomResponse, 201);
}

async function createInvite(
  request: Request,
  env: Env,
  secret: string,
  caller: SessionClaims,
  roomName: string,
): Promise<Response> {
  if (!isRoomName(roomName)) return apiError(400, "bad_room", "Not a room name.");
  const body = await parseBody(request, InviteRequest);
  if (!body.ok) return body.response;
  const room = await getAgentByName(env.ChatRoom, roomName);
  // The room keeps the invite's row (role, expiry, uses, creator) and checks
  // who may make one (owners; members where the owners allowed it).
  const made = await room.createInvite(
    { id: caller.sub, name: caller.name },
    { role: body.data.role, ttlMs: (body.data.expiresInHours ?? 14 * 24) * 3600 * 1000, maxUses: body.data.maxUses },
  );
  if (!made.ok) return apiError(made.code === "forbidden" ? 403 : 429, made.code, made.reason);
  const { id, role, expiresAt, maxUses } = made.invite;
  const token = await signToken(secret, { typ: "invite", room: roomName, role, iid: id, exp: expiresAt });
  // The invite travels in the fragment, which browsers never send to a server.
  return json({ id, role, maxUses, path: `/r/${roomName}#invite=${token}`, expiresAt } satisfies InviteResponse, 201);
}

/**
 * Redeems an invite in the body (never in a URL): the room records the
 * member's role, and from then on their socket needs nothing but the cookie.
 */
async function joinWithInvite(
  request: Request,
  env: Env,
  secret: string,
  caller: SessionClaims,
  roomName: string,
): Promise<Response> {
  const body = await parseBody(request, JoinRequest);
  if (!body.ok) return body.response;
  const invite = await verifyInvite(secret, body.data.invite);
  if (!invite.ok) return apiError(403, "forbidden", `This invite link does not work: ${invite.reason}.`);
  if (invite.claims.room !== roomName) return apiError(403, "forbidden", "This invite link is for another room.");
  const room = await getAgentByName(env.ChatRoom, roomName);
  const admission = await room.redeemInvite({ id: caller.sub, name: caller.name }, invite.claims.iid);
  if (!admission.ok) return apiError(admission.code === "not_found" ? 404 : 403, admission.code, admission.reason);
  return json({ room: roomName, role: admission.member.role } satisfies JoinResponse);
}

/** A single-use pass for one room socket, for an allowed client on another origin. */
async function createTicket(request: Request, secret: string, caller: SessionClaims): Promise<Response> {
  const body = await parseBody(request, TicketRequest);
  if (!body.ok) return body.response;
  const expiresAt = Date.now() + TICKET_TTL_MS;
  const ticket = await signToken(secret, {
    typ: "ticket",
    sub: caller.sub,
    name: caller.name,
    room: body.data.room,
    jti: randomBase32(26),
    exp: expiresAt,
  });
  return json({ ticket, expiresAt } satisfies TicketResponse, 201);
}

function decodePathSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
