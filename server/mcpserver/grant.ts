/**
 * What a member granted an outside agent (an MCP client) on the consent
 * page: which rooms, which scopes. Stored by the OAuth provider as the
 * grant's props (encrypted at rest) and handed back with every verified
 * access token; the room checks the member's role itself on every call.
 */
import { z } from "zod";

/** The scopes a member can grant, in the order the consent page lists them. */
export const AGENT_SCOPES = ["read", "post", "remind", "scripts"] as const;
export type AgentScope = (typeof AGENT_SCOPES)[number];

export const SCOPE_TEXT: Record<AgentScope, string> = {
  read: "Read messages, threads and search in the chosen rooms",
  post: "Post messages, thread replies and reactions as you (shown “via” the app)",
  remind: "List, set and cancel reminders as you",
  scripts: "Run the room's saved scripts as you (their review and approval rules apply as when you run them)",
};

/** Access tokens live 10 minutes: a leaked one is short-lived, and a revoked grant's refresh fails at once. */
export const ACCESS_TOKEN_TTL_S = 600;

/** A grant covers at most this many chosen rooms (the consent page's list is the member's own rooms anyway). */
export const GRANT_ROOMS_MAX = 50;

/** The props the provider keeps with a grant: never the token, nothing a client chose but its name. */
export const GrantProps = z.object({
  memberId: z.string().min(1),
  /** The client's name as shown on the consent page, for "via <client>". */
  client: z.string().min(1).max(100),
  /** "all": every room the member belongs to when a call is made; else exactly these. */
  rooms: z.union([z.literal("all"), z.array(z.string()).max(GRANT_ROOMS_MAX)]),
  /** The client named an icon when the member consented (members then see it, through http/agentIcon.ts). */
  icon: z.boolean().optional(),
});
export type GrantProps = z.infer<typeof GrantProps>;

export function grantCoversRoom(grant: GrantProps, room: string): boolean {
  return grant.rooms === "all" || grant.rooms.includes(room);
}

/** Who acts in the room for an agent call: the member (by id; the room reads their role and name) and the client. */
export interface AgentPrincipal {
  memberId: string;
  client: string;
  clientId: string;
  scopes: readonly string[];
  /** Whether the client has an icon to show (GrantProps.icon). */
  icon?: boolean;
}
