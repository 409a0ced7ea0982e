/** Frames of the lobby socket (`/parties/lobby/main`): the server only talks. */
import { z } from "zod";

export const LobbyRoom = z.object({
  name: z.string(),
  /** Distinct members online now. */
  online: z.number().int().nonnegative(),
  /** Epoch ms of the last presence change. */
  activeAt: z.number(),
});
export type LobbyRoom = z.infer<typeof LobbyRoom>;

export const LobbyFrame = z.object({
  type: z.literal("rooms"),
  rooms: z.array(LobbyRoom),
});
export type LobbyFrame = z.infer<typeof LobbyFrame>;

export const LOBBY_PATH = { party: "lobby", room: "main" } as const;
