/**
 * Room names. Rooms created public are named by people (`/r/general`);
 * rooms created private get an unguessable id (`/r/p_…`, 130 random bits)
 * that no chosen name can take, because chosen names never contain an
 * underscore. The name says how a room was created, not what it is now: an
 * owner can make a named room private or a private one public later, so the
 * room's own record (members.ts) decides who may enter.
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

/** "named": chosen by a person; "generated": a private room's random id. */
export type RoomNameKind = "named" | "generated";

export function roomNameKind(name: string): RoomNameKind | null {
  if (PUBLIC_ROOM_PATTERN.test(name)) return "named";
  if (PRIVATE_ROOM_PATTERN.test(name)) return "generated";
  return null;
}

export function isRoomName(name: string): boolean {
  return roomNameKind(name) !== null;
}

/** The WebSocket path of a room, as routed by the agents SDK. */
export function roomSocketPath(room: string): string {
  return `/agents/chat-room/${encodeURIComponent(room)}`;
}
