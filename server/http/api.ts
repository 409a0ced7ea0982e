/**
 * The HTTP API under /api: sessions, room creation and invites. Everything
 * that is not a socket frame goes through here; bodies are validated with
 * the zod schemas in shared/api.ts.
 */
import { getAgentByName } from "agents";
import type { z } from "zod";
import { CreateRoomRequest, InviteRequest, SessionRequest } from "../../shared/api";
import { PRIVATE_ROOM_PATTERN, roomVisibility } from "../../shared/rooms";
import { signingSecret } from "../auth/LocalSecret";
import {
  INVITE_TTL_MS,
  randomBase32,
  SESSION_TTL_MS,
  signToken,
  verifySession,
  type SessionClaims,
} from "../auth/tokens";
import { ConfigError, type Env } from "../env";
import { limitByAddress } from "./AddressLimiter";
import { apiError, json } from "./respond";

export async function handleApi(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const path = url.pathname;
  if (path === "/api/health") return json({ ok: true });
  if (request.method !== "POST") return apiError(405, "method_not_allowed", "Use POST.");
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
  if (path === "/api/session") return (await limitByAddress(request, env, "session")) ?? createSession(request, secret);
  const caller = await verifySession(secret, bearer(request));
  if (!caller.ok) return apiError(401, "unauthorized", `Sign in again: ${caller.reason}.`);

  if (path === "/api/rooms") return (await limitByAddress(request, env, "room")) ?? createRoom(request, env, caller.claims);
  const invite = /^\/api\/rooms\/([^/]+)\/invites$/.exec(path);
  if (invite) {
    // A malformed escape (e.g. %E0%A4%A) makes decodeURIComponent throw: a client error, not a 500.
    const room = decodePathSegment(invite[1]!);
    if (room === null) return apiError(400, "bad_path", "The room name in the path is not valid percent-encoding.");
    return createInvite(request, env, secret, caller.claims, room);
  }
  return apiError(404, "not_found", `No API at ${path}.`);
}

async function createSession(request: Request, secret: string): Promise<Response> {
  const body = await parseBody(request, SessionRequest);
  if (!body.ok) return body.response;
  const previous = body.data.token ? await verifySession(secret, body.data.token) : null;
  // Renaming keeps the member id, so authorship and roles follow the person.
  const sub = previous?.ok ? previous.claims.sub : `m_${randomBase32(20)}`;
  const expiresAt = Date.now() + SESSION_TTL_MS;
  const token = await signToken(secret, { typ: "session", sub, name: body.data.name, exp: expiresAt });
  return json({ token, member: { id: sub, name: body.data.name }, expiresAt });
}

async function createRoom(request: Request, env: Env, caller: SessionClaims): Promise<Response> {
  const body = await parseBody(request, CreateRoomRequest);
  if (!body.ok) return body.response;
  // 26 base32 characters = 130 random bits: not guessable, not enumerable.
  const name = body.data.visibility === "public" ? body.data.name : `p_${randomBase32(26)}`;
  const room = await getAgentByName(env.ChatRoom, name);
  const info = await room.createRoom(body.data.visibility, { id: caller.sub, name: caller.name });
  return json({ room: info.name, visibility: info.visibility, path: `/r/${info.name}` }, 201);
}

async function createInvite(
  request: Request,
  env: Env,
  secret: string,
  caller: SessionClaims,
  roomName: string,
): Promise<Response> {
  if (!PRIVATE_ROOM_PATTERN.test(roomName)) {
    return apiError(400, "not_private", roomVisibility(roomName) ? "Public rooms need no invite: share their URL." : "Not a room name.");
  }
  const body = await parseBody(request, InviteRequest);
  if (!body.ok) return body.response;
  const room = await getAgentByName(env.ChatRoom, roomName);
  const role = await room.roleOf(caller.sub);
  if (role !== "owner") return apiError(403, "forbidden", "Only the room's owner can create invite links.");
  const expiresAt = Date.now() + INVITE_TTL_MS;
  const token = await signToken(secret, { typ: "invite", room: roomName, role: body.data.role, exp: expiresAt });
  return json({ role: body.data.role, path: `/r/${roomName}#invite=${token}`, expiresAt }, 201);
}

function decodePathSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function bearer(request: Request): string | null {
  const header = request.headers.get("Authorization");
  return header?.startsWith("Bearer ") ? header.slice(7) : null;
}

async function parseBody<T extends z.ZodType>(
  request: Request,
  schema: T,
): Promise<{ ok: true; data: z.infer<T> } | { ok: false; response: Response }> {
  let raw: unknown;
  try {
    raw = await request.json();
  } catch {
    return { ok: false, response: apiError(400, "bad_json", "The body is not valid JSON.") };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
    return { ok: false, response: apiError(400, "invalid_request", `${where}${issue.message}`) };
  }
  return { ok: true, data: parsed.data };
}
