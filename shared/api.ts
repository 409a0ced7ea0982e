/** Shapes of the small HTTP API under /api (JSON in, JSON out). */
import { z } from "zod";
import { DisplayName, Role } from "./protocol";
import { PublicRoomName, roomVisibility } from "./rooms";

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
  room: z.string().refine((name) => roomVisibility(name) !== null, "not a room name"),
});
export const TicketResponse = z.object({ ticket: z.string(), expiresAt: z.number() });
export type TicketResponse = z.infer<typeof TicketResponse>;

/** POST /api/rooms/:room/join — redeems an invite (from the link's fragment) for the caller. */
export const JoinRequest = z.strictObject({ invite: z.string().max(2000) });
export const JoinResponse = z.object({ room: z.string(), role: Role });
export type JoinResponse = z.infer<typeof JoinResponse>;

/** POST /api/rooms (session cookie) — create a room. */
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

/** POST /api/rooms/:room/invites (session cookie) — owner only; role member or viewer. */
export const InviteRequest = z.strictObject({ role: Role.exclude(["owner"]) });
export const InviteResponse = z.object({
  role: Role,
  /** Path + fragment, e.g. /r/p_…#invite=… (the fragment never reaches a server log). */
  path: z.string(),
  expiresAt: z.number(),
});
export type InviteResponse = z.infer<typeof InviteResponse>;

/** Every API error: `{ error: { code, message } }` with a 4xx/5xx status. */
export const ApiError = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
