/** Shapes of the small HTTP API under /api (JSON in, JSON out). */
import { z } from "zod";
import { Attachment, DisplayName, Role } from "./protocol";
import { isRoomName, PublicRoomName } from "./rooms";

/**
 * POST /api/session — make the caller's identity (a guest), or rename it
 * when the session cookie is valid. The session itself is only ever in an
 * HttpOnly cookie; no response carries it.
 */
export const SessionRequest = z.strictObject({ name: DisplayName });
/** POST /api/session: who the session cookie now says the caller is. */
export const SessionResponse = z.object({
  member: z.object({ id: z.string(), name: z.string() }),
  /** When the session expires unless used again (each use renews it). */
  expiresAt: z.number(),
});
export type SessionResponse = z.infer<typeof SessionResponse>;
/**
 * GET /api/me: a visitor without a (valid) session is an answer, not an
 * error — `member: null` and why.
 */
export const MeResponse = z.union([SessionResponse, z.object({ member: z.null(), reason: z.string() })]);
export type MeResponse = z.infer<typeof MeResponse>;

/** POST /api/session/exchange — moves a token an older client kept in localStorage into the cookie. */
export const ExchangeRequest = z.strictObject({ token: z.string().max(2000) });

/** POST /api/tickets — a single-use, 60-second pass for one room socket (`?ticket=`), for allowed other origins. */
export const TicketRequest = z.strictObject({
  room: z.string().refine(isRoomName, "not a room name"),
});
export const TicketResponse = z.object({ ticket: z.string(), expiresAt: z.number() });
export type TicketResponse = z.infer<typeof TicketResponse>;

/** POST /api/rooms/:room/join — redeems an invite (from the link's fragment) for the caller. */
export const JoinRequest = z.strictObject({ invite: z.string().max(2000) });
export const JoinResponse = z.object({ room: z.string(), role: Role });
export type JoinResponse = z.infer<typeof JoinResponse>;

/**
 * POST /api/rooms (session cookie) — create a room; the caller owns it.
 * A public room is named by its creator (409 `room_exists` when the name is
 * taken: nobody claims a room by asking for it); a private one gets a
 * random id.
 */
export const CreateRoomRequest = z.discriminatedUnion("visibility", [
  z.strictObject({ visibility: z.literal("public"), name: PublicRoomName }),
  z.strictObject({ visibility: z.literal("private") }),
]);
export const CreateRoomResponse = z.object({
  room: z.string(),
  visibility: z.enum(["public", "private"]),
  path: z.string(),
});
export type CreateRoomResponse = z.infer<typeof CreateRoomResponse>;

/**
 * POST /api/account/unread (session cookie, empty body) — unread and
 * mention counts of the caller's most recently seen rooms (each counted up
 * to LIMITS.unreadCap), for the landing page. Rooms they left are omitted.
 */
export const UnreadRoom = z.object({ room: z.string(), unread: z.number().int().min(0), mentions: z.number().int().min(0) });
export type UnreadRoom = z.infer<typeof UnreadRoom>;
export const UnreadResponse = z.object({ rooms: z.array(UnreadRoom) });
export type UnreadResponse = z.infer<typeof UnreadResponse>;

/** POST /api/rooms/:room/invites (session cookie) — owner only; role member or viewer. */
export const InviteRequest = z.strictObject({
  role: Role.exclude(["owner"]),
  /** How long the link works, in hours (default 336 = 14 days, at most 720). */
  expiresInHours: z.number().int().min(1).max(720).optional(),
  /** How many people may join with it (default: no limit). */
  maxUses: z.number().int().min(1).max(1000).optional(),
});
export const InviteResponse = z.object({
  /** The invite's id: `/invites revoke <id>` ends it. */
  id: z.string(),
  role: Role,
  maxUses: z.number().nullable(),
  /** Path + fragment, e.g. /r/p_…#invite=… (the fragment never reaches a server log). */
  path: z.string(),
  expiresAt: z.number(),
});
export type InviteResponse = z.infer<typeof InviteResponse>;

/** A passkey of the account, as the settings view lists it (never its key). */
export const Passkey = z.object({
  id: z.string(),
  label: z.string(),
  createdAt: z.number(),
  lastUsedAt: z.number().nullable(),
});
export type Passkey = z.infer<typeof Passkey>;

/** A room the member belongs to ("my rooms"). */
export const AccountRoom = z.object({
  room: z.string(),
  role: Role,
  visibility: z.enum(["public", "private"]),
  joinedAt: z.number(),
  seenAt: z.number(),
});
export type AccountRoom = z.infer<typeof AccountRoom>;

/** An outside identity (Cloudflare Access, an OpenID provider) that signs in as this member. */
export const LinkedIdentity = z.object({ issuer: z.string(), provider: z.string(), linkedAt: z.number() });
export type LinkedIdentity = z.infer<typeof LinkedIdentity>;

/** GET /api/oidc — the configured OpenID Connect provider, if any (for "Sign in with …" / "Link …"). */
export const OidcProviderResponse = z.object({ provider: z.object({ name: z.string(), issuer: z.string() }).nullable() });
export type OidcProviderResponse = z.infer<typeof OidcProviderResponse>;

/** GET /api/account — the signed-in member's passkeys, linked identities and rooms. */
export const AccountResponse = z.object({
  member: z.object({ id: z.string(), name: z.string() }),
  passkeys: z.array(Passkey),
  identities: z.array(LinkedIdentity),
  rooms: z.array(AccountRoom),
});
export type AccountResponse = z.infer<typeof AccountResponse>;

/**
 * POST /api/passkeys/register/options, /api/passkeys/login/options — WebAuthn
 * options (JSON, as @simplewebauthn/browser takes them); the challenge also
 * goes into a short-lived HttpOnly cookie that the matching verify checks.
 */
export const PasskeyOptionsResponse = z.object({ options: z.record(z.string(), z.unknown()) });
export type PasskeyOptionsResponse = z.infer<typeof PasskeyOptionsResponse>;

/** POST /api/passkeys/register/verify — the authenticator's answer and a name for the passkey. */
export const PasskeyRegisterRequest = z.strictObject({
  response: z.record(z.string(), z.unknown()),
  label: z.string().trim().min(1).max(40).optional(),
});
export const PasskeyRegisterResponse = z.object({ passkey: Passkey });
export type PasskeyRegisterResponse = z.infer<typeof PasskeyRegisterResponse>;

/** POST /api/passkeys/login/verify — signs this browser in as the passkey's member. */
export const PasskeyLoginRequest = z.strictObject({ response: z.record(z.string(), z.unknown()) });

/** POST /api/passkeys/remove */
export const PasskeyRemoveRequest = z.strictObject({ id: z.string().max(1400) });

/** POST /api/devices/code — a one-time code that signs another device in as this member. */
export const DeviceCodeResponse = z.object({ code: z.string(), expiresAt: z.number() });
export type DeviceCodeResponse = z.infer<typeof DeviceCodeResponse>;
/** POST /api/devices/redeem — answered like POST /api/session. */
export const DeviceRedeemRequest = z.strictObject({ code: z.string().max(32) });

/** GET /api/health, POST /api/logout, POST /api/passkeys/remove — done, nothing more to say. */
export const OkResponse = z.object({ ok: z.literal(true) });
export type OkResponse = z.infer<typeof OkResponse>;

/** Every API error: `{ error: { code, message } }` with a 4xx/5xx status. */
export const ApiError = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** POST /api/rooms/<room>/files: the stored upload, to name in a `send` frame's `attachments`. */
export const UploadResponse = z.object({ file: Attachment });
export type UploadResponse = z.infer<typeof UploadResponse>;

/** An MCP client a member connected to Hearth (the consent page's grant), in Settings → Connected apps. */
export const ConnectedAgent = z.object({
  id: z.string(),
  /** The client's name as the member approved it; self-asserted by the client. */
  client: z.string(),
  /** Its OAuth client id. */
  app: z.string(),
  /** It named an icon when the member consented: `GET /api/agent-icon/<app>`. */
  icon: z.boolean(),
  /** Where its tokens go. */
  redirectHost: z.string().nullable(),
  scopes: z.array(z.string()),
  /** "all" of the member's rooms, or these. */
  rooms: z.union([z.literal("all"), z.array(z.string())]),
  createdAt: z.number(),
});
export type ConnectedAgent = z.infer<typeof ConnectedAgent>;
/** POST /api/account/agents: the caller's connected apps. */
export const AgentsResponse = z.object({ agents: z.array(ConnectedAgent), mcpUrl: z.string() });
export type AgentsResponse = z.infer<typeof AgentsResponse>;
/** POST /api/account/agents/revoke — disconnects one at once: its tokens stop working. */
export const RevokeAgentRequest = z.strictObject({ id: z.string().min(1).max(200) });
