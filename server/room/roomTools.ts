/** The room's built-in tools (the kernel registers them first): look around the room, search it, moderate it. */
import { z } from "zod";
import type { ChatMessage, PresenceMember } from "../../shared/protocol";
import type { MessageLog } from "./messages";
import { defineTool, type RoomTool } from "./tools";

export interface RoomToolHost {
  roomName: string;
  log: MessageLog;
  online(): PresenceMember[];
  now(): number;
  messageChanged(message: ChatMessage): void;
}

/** How far back search looks: bounded, so a call never scans a huge transcript. */
const SEARCH_WINDOW = 2_000;

export function roomTools(host: RoomToolHost): RoomTool[] {
  return [
    defineTool({
      name: "room_info",
      description: "Who is online in this room (names and roles) and the current date and time (UTC).",
      inputSchema: z.object({}),
      readOnly: true,
      approval: () => null,
      execute: () => ({
        room: host.roomName,
        now: new Date(host.now()).toISOString(),
        online: host.online().map((m) => ({ name: m.name, role: m.role })),
      }),
    }),
    defineTool({
      name: "search_messages",
      description: `Find recent messages of this room containing a phrase (case-insensitive; the last ${SEARCH_WINDOW} messages).`,
      inputSchema: z.object({
        query: z.string().min(1).max(200).describe("Text to look for"),
        limit: z.number().int().min(1).max(20).optional().describe("Most results (default 10)"),
      }),
      readOnly: true,
      approval: () => null,
      execute: ({ query, limit }) =>
        host.log.search(query, limit ?? 10, SEARCH_WINDOW).map((m) => ({
          seq: m.seq,
          author: m.author.name,
          at: new Date(m.createdAt).toISOString(),
          text: m.text,
        })),
    }),
    defineTool({
      name: "delete_message",
      description:
        "Delete a member's message (moderation, e.g. spam). Needs a room owner's approval; give the message's seq and a short reason.",
      inputSchema: z.object({
        seq: z.number().int().positive().describe("The message's seq number"),
        reason: z.string().min(1).max(200),
      }),
      // Owners approve; nobody else can, not even the requester.
      approval: () => ({ approvers: [] }),
      execute: ({ seq, reason }) => {
        const result = host.log.moderate(seq, host.now());
        if (result.status !== "changed") throw new Error(`There is no message ${seq} that can be deleted.`);
        host.messageChanged(result.message);
        return { deleted: seq, reason };
      },
    }),
  ];
}
