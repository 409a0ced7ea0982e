/**
 * Room names. Public rooms are named by people (`/r/general`); private rooms
 * get an unguessable id (`/r/p_…`, 130 random bits) that no public name can
 * take, because public names never contain an underscore.
 */
import { z } from "zod";

export const PUBLIC_ROOM_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const PRIVATE_ROOM_PATTERN = /^p_[a-z2-7]{26}$/;

export const PublicRoomName = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .pipe(
    z
      .string()
      .regex(
        PUBLIC_ROOM_PATTERN,
        "a room name has 1–40 characters: lowercase letters, digits and inner hyphens",
      ),
  );

export type RoomVisibility = "public" | "private";

export function roomVisibility(name: string): RoomVisibility | null {
  if (PUBLIC_ROOM_PATTERN.test(name)) return "public";
  if (PRIVATE_ROOM_PATTERN.test(name)) return "private";
  return null;
}

/** The WebSocket path of a room, as routed by the agents SDK. */
export function roomSocketPath(room: string): string {
  return `/agents/chat-room/${encodeURIComponent(room)}`;
}
