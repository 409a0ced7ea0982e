/**
 * Personal MCP servers: every call uses the grant of the member it serves.
 *
 * A shared server has one connection, its connector's, lent to others under
 * the access policy (access.ts). A personal server lends nothing: each
 * member authorizes with their own account (grants.ts), and a call acts
 * with the grant of exactly one member —
 * - the runner of a script (never its author),
 * - the one asker of an assistant turn, a Code Mode run, a job (its creator)
 *   or `/mcp call`,
 * - in a turn that answers several askers, the one the call names
 *   (`on_behalf_of`), and then only with that member's approval: the call's
 *   words may come from another asker, and nobody's grant acts on someone
 *   else's words unseen.
 * A call for someone without a grant sends them (only them) an Authorize
 * card and waits for their consent; a scheduled job does not wait, it is
 * paused and its creator told.
 */
import type { MCPServersState } from "agents";
import type { McpServerView } from "../../shared/protocol";
import type { Outcome } from "../room/commands";
import type { Actor, CallContext } from "../room/tools";
import { errorText } from "../errors";
import { authDomain, grantSdkName, GrantWaits, McpGrants, type Grant } from "./grants";
import type { ServerMeta } from "./store";

export interface PersonalHost {
  add(name: string, url: string): Promise<{ id: string; state: string; authUrl?: string }>;
  remove(sdkId: string): Promise<void>;
  state(): MCPServersState;
  /** SDK names being added now: the orphan sweep leaves them alone (McpServers). */
  adding: Set<string>;
  online(memberId: string): boolean;
  /** These scheduled jobs cannot run without `member`'s action: pause them and tell the member. */
  pauseJobs(jobIds: string[], member: Actor, why: string): void;
  /** Push to a member who is away: a call waits for their authorization. */
  notify(memberId: string, serverName: string): void;
  /** The members' `mcp` views changed (a card to show or hide). */
  changed(): void;
  authorizeTimeoutMs: number;
}

type SdkServer = MCPServersState["servers"][string];
export type GrantView = NonNullable<McpServerView["grant"]>;

const RANK: Record<SdkServer["state"], number> = { ready: 5, discovering: 4, connected: 3, connecting: 2, authenticating: 1, failed: 0 };

export class PersonalServers {
  readonly grants: McpGrants;
  private readonly waits = new GrantWaits();
  /** `serverId member`: a call asked this member to authorize; their card shows until the grant is ready. */
  private readonly asked = new Set<string>();

  constructor(
    sql: SqlStorage,
    private readonly host: PersonalHost,
  ) {
    this.grants = new McpGrants(sql);
  }

  /** Every SDK connection that is someone's grant (the orphan sweep keeps them). */
  sdkIds(): Set<string> {
    return new Set(this.grants.all().map((g) => g.sdkId));
  }

  /** The room's server id for a grant's SDK connection (elicitations name the server). */
  serverOf(sdkId: string): string | null {
    return this.grants.bySdkId(sdkId)?.serverId ?? null;
  }

  /** The connection that lists a personal server's tools: its oldest ready grant (every grant sees the same server). */
  listing(meta: ServerMeta): string | null {
    const servers = this.host.state().servers;
    return this.grants.forServer(meta.serverId).find((g) => servers[g.sdkId]?.state === "ready")?.sdkId ?? null;
  }

  /** The server's state as everyone sees it: its best grant's; none yet reads as "needs authorization". */
  stateOf(meta: ServerMeta): SdkServer["state"] {
    const servers = this.host.state().servers;
    let best: SdkServer["state"] = "authenticating";
    let rank = -1;
    for (const g of this.grants.forServer(meta.serverId)) {
      const s = servers[g.sdkId];
      if (s && RANK[s.state] > rank) {
        best = s.state;
        rank = RANK[s.state];
      }
    }
    return best;
  }

  /** One member's own grant as they see it, and their consent URL while it is being authorized. */
  viewFor(meta: ServerMeta, memberId: string): { grant: GrantView; authUrl: string | null } {
    const g = this.grants.get(meta.serverId, memberId);
    const s = g ? this.host.state().servers[g.sdkId] : undefined;
    const asked = this.asked.has(key(meta.serverId, memberId));
    if (!g || !s) return { grant: { state: "none", domain: g?.domain ?? null, since: null, asked }, authUrl: null };
    const state: GrantView["state"] =
      s.state === "ready" ? "ready" : s.state === "authenticating" ? "authenticating" : s.state === "failed" ? "failed" : "connecting";
    return {
      grant: { state, domain: g.domain, since: state === "ready" ? g.createdAt : null, asked: asked && state !== "ready" },
      authUrl: state === "authenticating" ? (s.auth_url ?? null) : null,
    };
  }

  /** The connector's own grant, made by `/mcp add … personal`. */
  recordFirst(meta: Pick<ServerMeta, "serverId">, member: Actor, sdkId: string, authUrl: string | undefined): void {
    this.grants.put({ serverId: meta.serverId, memberId: member.id, sdkId, domain: authDomain(authUrl), createdAt: Date.now() });
  }

  /** `/mcp authorize <server>`: start (or show again) the member's own authorization. */
  async authorize(actor: Actor, meta: ServerMeta): Promise<Outcome> {
    if (actor.role === "viewer") return { ok: false, text: "Viewers cannot use MCP servers." };
    const started = await this.begin(meta, actor);
    if (started === "ready") return { ok: true, text: `Your authorization of ${meta.name} is ready.` };
    this.host.changed();
    return { ok: true, text: `Authorize ${meta.name} with your own account: use the Authorize button (only you see it).` };
  }

  /** `/mcp revoke <server>`: the member's tokens are deleted here, and their next call needs a new consent. */
  async revoke(actor: Actor, meta: ServerMeta): Promise<Outcome> {
    const g = this.grants.get(meta.serverId, actor.id);
    if (!g) return { ok: false, text: `You have not authorized ${meta.name}.` };
    await this.drop(g, `${actor.name} revoked their authorization of ${meta.name}`);
    this.host.changed();
    const where = g.domain ? ` (you can also remove Hearth's access at ${g.domain})` : "";
    return { ok: true, text: `Revoked your authorization of ${meta.name}: its tokens are deleted from this room${where}.` };
  }

  /** What `/mcp grants` lists: the member's own grants in this room. */
  describeFor(memberId: string, nameOf: (serverId: string) => string | null): string {
    const mine = this.grants.forMember(memberId);
    if (mine.length === 0) return "You have authorized no personal MCP server in this room.";
    const servers = this.host.state().servers;
    return mine
      .map((g) => `• ${nameOf(g.serverId) ?? "?"} — ${servers[g.sdkId]?.state ?? "gone"}${g.domain ? ` at ${g.domain}` : ""}, since ${new Date(g.createdAt).toISOString().slice(0, 10)}`)
      .join("\n");
  }

  /**
   * The SDK connection a call for `member` uses: their ready grant. Without
   * one, a job is paused; anyone else is asked (their card, a push when
   * away) and the call waits for their consent, up to MCP_AUTHORIZE_SECONDS
   * — unless `wait` is false (a direct `/mcp call`: the member is asked and
   * calls again).
   */
  async connectionFor(meta: ServerMeta, member: Actor, context: CallContext | undefined, wait = true): Promise<string> {
    const ready = this.readyGrant(meta, member);
    if (ready) return ready;
    const g = this.grants.get(meta.serverId, member.id);
    const s = g ? this.host.state().servers[g.sdkId] : undefined;
    // Restoring after a wake: it will be ready in a moment (or fail).
    if (g && s && s.state !== "failed" && s.state !== "authenticating") return this.waitFor(meta, member);
    const why = g ? `${member.name}'s authorization of ${meta.name} is not usable (${s?.state ?? "gone"})` : `${member.name} has not authorized ${meta.name}`;
    if (context?.jobs?.length) {
      this.host.pauseJobs(context.jobs, member, `it needs ${member.name}'s own authorization of ${meta.name}`);
      throw new Error(`${why}: the scheduled job is paused until they authorize it (\`/mcp authorize ${meta.name}\`) and resume the job.`);
    }
    if ((await this.begin(meta, member)) === "ready") return this.readyGrant(meta, member)!;
    this.asked.add(key(meta.serverId, member.id));
    this.host.changed();
    if (!wait) throw new Error(`${why} yet: authorize it with your own account (the Authorize card), then call again.`);
    if (!this.host.online(member.id)) {
      this.host.notify(member.id, meta.name);
      throw new Error(`${why}; they have been asked to (an Authorize card waits for them in this room).`);
    }
    return this.waitFor(meta, member);
  }

  /** After every SDK state change: waits whose grant became ready go on; a failed one ends them. */
  settle(): void {
    const servers = this.host.state().servers;
    for (const { serverId, memberId } of this.waits.keys()) {
      const g = this.grants.get(serverId, memberId);
      const s = g ? servers[g.sdkId] : undefined;
      if (s?.state === "ready") this.waits.settle(serverId, memberId);
      else if (s?.state === "failed") this.waits.settle(serverId, memberId, new Error(`The authorization failed: ${s.error ?? "unknown error"}`));
    }
    for (const k of this.asked) {
      const [serverId = "", memberId = ""] = k.split(" ");
      const g = this.grants.get(serverId, memberId);
      if (g && servers[g.sdkId]?.state === "ready") this.asked.delete(k);
    }
  }

  /** A member left the room: their grants (and tokens) go with them. */
  async forgetMember(memberId: string): Promise<void> {
    for (const g of this.grants.forMember(memberId)) await this.drop(g, "they left the room");
  }

  /** The server is removed: every member's grant goes. */
  async removeServer(meta: ServerMeta): Promise<void> {
    for (const g of this.grants.forServer(meta.serverId)) await this.drop(g, `${meta.name} was removed`);
  }

  private readyGrant(meta: ServerMeta, member: Actor): string | null {
    const g = this.grants.get(meta.serverId, member.id);
    return g && this.host.state().servers[g.sdkId]?.state === "ready" ? g.sdkId : null;
  }

  /** Waits until the member's grant is ready (settle() ends the wait), then the connection it is. */
  private async waitFor(meta: ServerMeta, member: Actor): Promise<string> {
    const seconds = Math.round(this.host.authorizeTimeoutMs / 1000);
    await this.waits.wait(meta.serverId, member.id, this.host.authorizeTimeoutMs, () => new Error(`${member.name} did not authorize ${meta.name} within ${seconds} s`));
    const ready = this.readyGrant(meta, member);
    if (!ready) throw new Error(`${member.name}'s authorization of ${meta.name} is gone`);
    return ready;
  }

  /**
   * Starts the member's own connection (the SDK registers a client, keeps
   * the PKCE verifier and hands out the consent URL), or reuses one being
   * authorized. A failed or vanished one is removed and started over.
   */
  private async begin(meta: ServerMeta, member: Actor): Promise<"ready" | "authenticating"> {
    const existing = this.grants.get(meta.serverId, member.id);
    if (existing) {
      const s = this.host.state().servers[existing.sdkId];
      if (s?.state === "ready") return "ready";
      if (s && s.state !== "failed") return "authenticating";
      await this.drop(existing, "it is started again");
    }
    if (!meta.url) throw new Error(`${meta.name} has no URL on record; remove it and add it again.`);
    const sdkName = grantSdkName(meta.name, member.id);
    if (this.host.adding.has(sdkName)) return "authenticating";
    this.host.adding.add(sdkName);
    try {
      const result = await this.host.add(sdkName, meta.url);
      this.grants.put({ serverId: meta.serverId, memberId: member.id, sdkId: result.id, domain: authDomain(result.authUrl), createdAt: Date.now() });
      return result.state === "ready" ? "ready" : "authenticating";
    } catch (err) {
      // The SDK keeps a server that failed to connect: it must not linger, reconnecting on every wake.
      for (const [id, s] of Object.entries(this.host.state().servers)) {
        if (s.name === sdkName) await this.host.remove(id).catch(() => {});
      }
      throw new Error(`Cannot start the authorization of ${meta.name}: ${errorText(err)}`);
    } finally {
      this.host.adding.delete(sdkName);
    }
  }

  /** Removes a grant: the SDK deletes its tokens, client and verifiers with the connection. */
  private async drop(g: Grant, why: string): Promise<void> {
    this.grants.delete(g.serverId, g.memberId);
    this.asked.delete(key(g.serverId, g.memberId));
    this.waits.settle(g.serverId, g.memberId, new Error(`The authorization is gone: ${why}`));
    if (this.host.state().servers[g.sdkId]) {
      await this.host.remove(g.sdkId).catch((err: unknown) => console.error("could not remove a grant's MCP connection", errorText(err)));
    }
  }
}

function key(serverId: string, memberId: string): string {
  return `${serverId} ${memberId}`;
}
