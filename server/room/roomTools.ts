/** The room's built-in tools (the kernel registers them first): look around the room, search it, moderate it. */
import { z } from "zod";
import { SEARCH_QUERY_CHARS } from "../../shared/search";
import type { ChatMessage, PresenceMember } from "../../shared/protocol";
import type { MessageLog } from "./messages";
import type { RoomSearch } from "./search";
import { defineTool, type RoomTool } from "./tools";

export interface RoomToolHost {
  roomName: string;
  log: MessageLog;
  search: RoomSearch;
  online(): PresenceMember[];
  now(): number;
  messageChanged(message: ChatMessage): void;
}

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
      description:
        "Search this room's whole history (the same index members search). Words match as prefixes, \"quoted phrases\" exactly; " +
        "filters: from:<name>, in:thread, has:file, before:YYYY-MM-DD, after:YYYY-MM-DD (UTC days). Newest first.",
      inputSchema: z.object({
        query: z.string().min(1).max(SEARCH_QUERY_CHARS).describe("Words, phrases and filters"),
        limit: z.number().int().min(1).max(20).optional().describe("Most results (default 10)"),
      }),
      readOnly: true,
      approval: () => null,
      execute: ({ query, limit }) => {
        const found = host.search.search(query, { timeZone: "UTC", limit: limit ?? 10 });
        // A query it cannot read is the model's to fix: say why, as the tool's error.
        if (!found.ok) throw new Error(found.error);
        return found.results.map(({ message: m }) => ({
          seq: m.seq,
          author: m.author.name,
          at: new Date(m.createdAt).toISOString(),
          text: m.text,
          ...(m.threadOf != null ? { threadOf: m.threadOf } : {}),
        }));
      },
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
