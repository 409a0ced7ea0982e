/** Shapes of the small HTTP API under /api (JSON in, JSON out). */
import { z } from "zod";
import { DisplayName, Role } from "./protocol";
import { PublicRoomName } from "./rooms";

/** POST /api/session — make (or rename) the caller's identity. */
export const SessionRequest = z.strictObject({
  name: DisplayName,
  /** An existing token: keeps the member id, changes the name. */
  token: z.string().optional(),
});
export const SessionResponse = z.object({
  token: z.string(),
  member: z.object({ id: z.string(), name: z.string() }),
  expiresAt: z.number(),
});
export type SessionResponse = z.infer<typeof SessionResponse>;

/** POST /api/rooms (Authorization: Bearer <token>) — create a room. */
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

/** POST /api/rooms/:room/invites (Bearer) — owner only; role member or viewer. */
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
