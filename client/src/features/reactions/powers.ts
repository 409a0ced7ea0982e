import type { Role, RoomInfo } from "../../../../shared/protocol";
import type { MessagePowers } from "./MessageTools";

/** What a role may do to messages in this room: the room's own rules (server/room/pins.ts, chat.ts), shown up front. */
export function messagePowers(role: Role | undefined, room: RoomInfo | null | undefined): MessagePowers {
  const writer = role === "owner" || role === "member";
  return {
    react: writer,
    pin: role === "owner" || (role === "member" && room?.membersMayPin === true),
    remove: role === "owner",
  };
}
