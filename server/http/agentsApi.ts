/**
 * Settings → Connected apps: the MCP clients a member allowed on the
 * consent page (server/mcpserver/consent.ts), listed and revoked through the
 * OAuth provider's own grant helpers. Revoking deletes the grant and its
 * tokens, so the app's next call is refused (401) and its refresh fails,
 * and tells the rooms it covered to end the app's open subscriptions
 * (mcpserver/follow.ts), which were checked only when they opened.
 */
import { AgentsResponse, RevokeAgentRequest, type ConnectedAgent, type OkResponse } from "../../shared/api";
import type { SessionClaims } from "../auth/tokens";
import { mcpResource, oauthHelpers } from "../mcpserver/oauth";
import { parseBody } from "./body";
import { apiError, json } from "./respond";

/** Grants listed at most (a member connects a handful of apps). */
const GRANTS_MAX = 100;

export async function listAgents(request: Request, env: Cloudflare.Env, caller: SessionClaims): Promise<Response> {
  const grants = await oauthHelpers(request, env).listUserGrants(caller.sub, { limit: GRANTS_MAX });
  const agents: ConnectedAgent[] = grants.items.map((g) => {
    const meta = (g.metadata ?? {}) as { client?: unknown; redirectHost?: unknown; rooms?: unknown; icon?: unknown };
    const rooms = meta.rooms === "all" || (Array.isArray(meta.rooms) && meta.rooms.every((r) => typeof r === "string")) ? (meta.rooms as ConnectedAgent["rooms"]) : [];
    return {
      id: g.id,
      client: typeof meta.client === "string" ? meta.client : g.clientId,
      app: g.clientId,
      icon: meta.icon === true,
      redirectHost: typeof meta.redirectHost === "string" ? meta.redirectHost : null,
      scopes: g.scope,
      rooms,
      createdAt: g.createdAt * 1000,
    };
  });
  return json({ agents, mcpUrl: mcpResource(request, env) } satisfies AgentsResponse);
}

export async function revokeAgent(request: Request, env: Cloudflare.Env, caller: SessionClaims): Promise<Response> {
  const body = await parseBody(request, RevokeAgentRequest);
  if (!body.ok) return body.response;
  const oauth = oauthHelpers(request, env);
  // Only the caller's own grants: another member's id is "not found", never revoked.
  const grants = await oauth.listUserGrants(caller.sub, { limit: GRANTS_MAX });
  const grant = grants.items.find((g) => g.id === body.data.id);
  if (!grant) return apiError(404, "not_found", "You have no connected app with that id.");
  await oauth.revokeGrant(body.data.id, caller.sub);
  await endSubscriptions(env, caller.sub, grant.clientId, (grant.metadata ?? {}) as { rooms?: unknown });
  return json({ ok: true } satisfies OkResponse);
}

/** Rooms told at once, as the landing page's unread counts. */
const PARALLEL = 8;

async function endSubscriptions(env: Cloudflare.Env, memberId: string, clientId: string, meta: { rooms?: unknown }): Promise<void> {
  const rooms =
    meta.rooms === "all"
      ? (await env.Account.getByName(memberId).rooms()).map((r) => r.room)
      : Array.isArray(meta.rooms)
        ? meta.rooms.filter((r): r is string => typeof r === "string")
        : [];
  for (let i = 0; i < rooms.length; i += PARALLEL) {
    await Promise.all(
      rooms.slice(i, i + PARALLEL).map((room) =>
        // The grant is gone already: a room that fails to hear it still ends the stream when its token expires.
        env.ChatRoom.getByName(room).agentGrantRevoked(memberId, clientId).catch((err: unknown) => console.error(`could not tell room ${room} of a revoked grant`, err)),
      ),
    );
  }
}
