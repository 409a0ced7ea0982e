/** The HTTP API under /api: every response is validated against shared/api.ts. */
import { z } from "zod";
import { OidcProviderResponse,
  AccountResponse,
  AgentsResponse,
  UnreadResponse,
  ApiError,
  DeviceCodeResponse,
  PasskeyOptionsResponse,
  PasskeyRegisterResponse,
  type Passkey,
  CreateRoomResponse,
  InviteRequest,
  InviteResponse,
  JoinResponse,
  MeResponse,
  SessionResponse,
} from "../../shared/api";

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}

/**
 * One API call. The session cookie goes along by itself (same origin); the
 * page never holds a token.
 */
async function call<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<z.infer<S>> {
  const init: RequestInit =
    body === undefined
      ? { method: "GET" }
      : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiRequestError(0, "network", "The server could not be reached. Check your connection.");
  }
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const err = ApiError.safeParse(json);
    if (err.success) throw new ApiRequestError(res.status, err.data.error.code, err.data.error.message);
    throw new ApiRequestError(res.status, "http_error", `The server answered ${res.status}.`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    console.warn(`${init.method} ${path}: unexpected response`, json, parsed.error);
    throw new ApiRequestError(res.status, "bad_response", "The server sent an unexpected answer.");
  }
  return parsed.data;
}

export function postSession(name: string): Promise<SessionResponse> {
  return call("/api/session", { name }, SessionResponse);
}

export function getMe(): Promise<MeResponse> {
  return call("/api/me", undefined, MeResponse);
}

/** Moves a token an older client kept in localStorage into the cookie. */
export function postExchange(token: string): Promise<SessionResponse> {
  return call("/api/session/exchange", { token }, SessionResponse);
}

export function postLogout(): Promise<unknown> {
  return call("/api/logout", {}, z.object({ ok: z.literal(true) }));
}

export function postPrivateRoom(): Promise<CreateRoomResponse> {
  return call("/api/rooms", { visibility: "private" }, CreateRoomResponse);
}

/** Creates the public room `name`, owned by the caller (409 `room_exists` when taken). */
export function postPublicRoom(name: string): Promise<CreateRoomResponse> {
  return call("/api/rooms", { visibility: "public", name }, CreateRoomResponse);
}

/** The body of POST /api/rooms/:room/invites, as the server validates it. */
type InviteBody = z.infer<typeof InviteRequest>;

export function postInvite(
  room: string,
  role: InviteBody["role"],
  options: Omit<InviteBody, "role"> = {},
): Promise<InviteResponse> {
  const body: InviteBody = { role, ...options };
  return call(`/api/rooms/${encodeURIComponent(room)}/invites`, body, InviteResponse);
}

/** Redeems an invite from a link's fragment: the room remembers the role. */
export function postJoin(room: string, invite: string): Promise<JoinResponse> {
  return call(`/api/rooms/${encodeURIComponent(room)}/join`, { invite }, JoinResponse);
}

/** The configured OpenID Connect provider, or null. */
export function getOidcProvider(): Promise<OidcProviderResponse> {
  return call("/api/oidc", undefined, OidcProviderResponse);
}

export function postUnread(): Promise<UnreadResponse> {
  return call("/api/account/unread", {}, UnreadResponse);
}

/** Settings → Connected apps: the MCP clients this member allowed (server/http/agentsApi.ts). */
export function postAgents(): Promise<AgentsResponse> {
  return call("/api/account/agents", {}, AgentsResponse);
}

export function postAgentRevoke(id: string): Promise<unknown> {
  return call("/api/account/agents/revoke", { id }, z.object({ ok: z.literal(true) }));
}

export function getAccount(): Promise<AccountResponse> {
  return call("/api/account", undefined, AccountResponse);
}

export function postPasskeyOptions(purpose: "register" | "login"): Promise<{ options: Record<string, unknown> }> {
  return call(`/api/passkeys/${purpose}/options`, {}, PasskeyOptionsResponse);
}

export function postPasskeyRegister(response: unknown, label?: string): Promise<{ passkey: Passkey }> {
  return call("/api/passkeys/register/verify", label ? { response, label } : { response }, PasskeyRegisterResponse);
}

export function postPasskeyLogin(response: unknown): Promise<SessionResponse> {
  return call("/api/passkeys/login/verify", { response }, SessionResponse);
}

export function postPasskeyRemove(id: string): Promise<unknown> {
  return call("/api/passkeys/remove", { id }, z.object({ ok: z.literal(true) }));
}

export function postDeviceCode(): Promise<DeviceCodeResponse> {
  return call("/api/devices/code", {}, DeviceCodeResponse);
}

export function postDeviceRedeem(code: string): Promise<SessionResponse> {
  return call("/api/devices/redeem", { code }, SessionResponse);
}
