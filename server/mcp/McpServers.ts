/**
 * External MCP servers per room. The room is the MCP client, through the
 * agents SDK (`addMcpServer`, `removeMcpServer`, `this.mcp`), which persists
 * servers and OAuth tokens in the object's storage and restores the
 * connections after hibernation. This module adds what a *shared* room
 * needs on top:
 *
 * - who connected each server (only they or an owner may remove it), and
 *   who else may use its connection, which carries the connector's
 *   credentials (access.ts): by default every call for someone else needs
 *   the connector's approval, read-only or not;
 * - a per-member view of the state: the OAuth consent URL goes to the member
 *   who added the server and to nobody else; credentials go to no one;
 * - per-tool enable toggles with a fingerprint of the definition, so a tool
 *   that changes its description, schema or annotations (a flip to
 *   read-only would drop its approvals) is disabled until re-enabled;
 * - one assistant name per tool: a tool whose sanitised name collides with
 *   an earlier one is not offered (approval is looked up by name);
 * - adds serialised by name, capped per room, and cleaned up when they fail
 *   (the SDK keeps a failed server and would reconnect it on every wake);
 * - an audit row for every call, and the egress guard before every request.
 */
import { sanitizeToolName } from "@cloudflare/codemode";
import type { MCPServersState } from "agents";
import { SdkHttpError } from "@modelcontextprotocol/client";
import { jsonSchema } from "ai";
import { LIMITS } from "../../shared/limits";
import type { McpServerView, ServerFrame, ToolPart } from "../../shared/protocol";
import { capResult, defineTool, type Actor, type CallContext, type RoomTool, type ToolCallInfo } from "../room/tools";
import type { RoomKernel } from "../room/kernel";
import { accessLabel, callRule, mayApprove } from "./access";
import { ApprovalPolicies, needFor, parsePolicy, policyLabel, USAGE, type PolicyRoom } from "./approvalPolicy";
import { checkEgress } from "../egress";
import { parsePromptArgs, promptText, promptUsage, type PromptArgument } from "./prompts";
import { ACCESS_VALUES, McpStore, type Access, type AuditEntry, type ServerMeta } from "./store";
import { errorText } from "../errors";
import { CallDeadline } from "./deadline";
import type { ElicitingCall } from "./elicitation";
import type { Outcome, Runners } from "../room/commands";
import { PersonalServers, type PersonalHost } from "./personal";
import { personalApproval, personalConsentMissing, servedMember, withOnBehalfSchema, withoutOnBehalf } from "./onBehalf";

/** The SDK calls the room makes for this module (all need the Agent's context; host.ts binds them). */
export interface McpHost {
  allowHosts: string[];
  add(name: string, url: string): Promise<{ id: string; state: string; authUrl?: string }>;
  remove(serverId: string): Promise<void>;
  reconnect(serverId: string): Promise<void>;
  state(): MCPServersState;
  /** `call` names the call for an elicitation it causes (elicitation.ts); its deadline's signal ends it. */
  callTool(serverId: string, name: string, args: Record<string, unknown>, call: Omit<ElicitingCall, "serverId">): Promise<unknown>;
  /** Sends each open socket the view meant for its member. */
  sendPerMember(build: (memberId: string) => ServerFrame): void;
  /** A server's prompt, filled in with `args`, over the connection `sdkId`. */
  getPrompt(sdkId: string, name: string, args: Record<string, string>): Promise<{ messages: Array<{ role: string; content: { type: string; text?: string } }> }>;
  /** The server's completions for a prompt argument being typed. */
  complete(sdkId: string, prompt: string, argument: { name: string; value: string }): Promise<string[]>;
  /** The member's prompt command is their request to the assistant: shown as their message, answered as a turn for them. */
  askAssistant(actor: Actor, shown: string, prompt: string): void;
  /** What personal servers need of the room besides the SDK (personal.ts). */
  personal: Pick<PersonalHost, "online" | "pauseJobs" | "notify" | "authorizeTimeoutMs">;
}

/** A tool as the SDK lists it, with the server it belongs to. */
export type McpToolDefinition = MCPServersState["tools"][number];

/** Who a call is for and who approved it (null: nobody was asked). */
export interface CallParties {
  via: AuditEntry["via"];
  requesters: readonly Actor[];
  approvedBy: { id: string; name: string } | null;
  /** Every approval the call got (an approval policy may need several). */
  approvals?: ReadonlyArray<{ id: string; name: string }>;
  /** The runner and jobs of the call (tools.ts), for personal servers' grants. */
  context?: CallContext;
}

export const CALL_TIMEOUT_MS = 30_000;
const NAME = /^[a-z][a-z0-9_-]{0,31}$/;

export class McpServers {
  private readonly store: McpStore;
  /** Names being added right now: a second add of the same name waits for none and is refused. */
  private readonly adding = new Set<string>();
  /** SDK server ids being removed as orphans (so a state change mid-removal does not remove twice). */
  private readonly removing = new Set<string>();

  private readonly policies: ApprovalPolicies;
  readonly personal: PersonalServers;

  constructor(
    private readonly room: RoomKernel,
    private readonly host: McpHost,
  ) {
    this.store = new McpStore(room.sql);
    this.policies = new ApprovalPolicies(room.sql);
    this.personal = new PersonalServers(room.sql, {
      ...host.personal,
      add: (name, url) => host.add(name, url),
      remove: (id) => host.remove(id),
      state: () => host.state(),
      adding: this.adding,
      changed: () => this.changed(),
    });
  }

  /** The room as approval policies see it now. */
  private get policyRoom(): PolicyRoom {
    return {
      owners: () => this.room.owners(),
      writers: () => this.room.members.list(5_000).members.filter((m) => m.role !== "viewer").map((m) => m.id),
      byName: (name) => this.room.members.byName(name),
    };
  }

  /** The room's name for an SDK server id (null: not one of the room's). */
  nameOf(serverId: string): string | null {
    return this.store.byId(serverId)?.name ?? this.store.byId(this.personal.serverOf(serverId) ?? "")?.name ?? null;
  }

  /**
   * The SDK connection whose list stands for the server's tools, prompts
   * and resources: the server's own (shared), or its oldest ready grant
   * (personal; every member's grant sees the same server).
   */
  private listingId(meta: ServerMeta): string | null {
    return meta.mode === "personal" ? this.personal.listing(meta) : meta.serverId;
  }

  /** The server's tools, keyed by the room's server id whichever connection listed them. */
  private toolsOf(meta: ServerMeta): McpToolDefinition[] {
    const id = this.listingId(meta);
    if (!id) return [];
    return this.host.state().tools.filter((t) => t.serverId === id).map((t) => (id === meta.serverId ? t : { ...t, serverId: meta.serverId }));
  }

  /** Who started the OAuth flow of an SDK connection: a grant's member, or a shared server's connector (callbackGuard.ts). */
  flowStarter(sdkId: string): string | null {
    const grant = this.personal.grants.bySdkId(sdkId);
    if (grant) return grant.memberId;
    return this.store.byId(sdkId)?.addedBy.id ?? null;
  }

  /** A member left: their own grants go (a shared server they connected stays until an owner removes it). */
  async forgetMember(memberId: string): Promise<void> {
    await this.personal.forgetMember(memberId);
    this.changed();
  }

  /** The `/mcp …` commands; each argument is one word except a call's JSON. */
  commands(): Runners<"mcp"> {
    const words = (args: string) => args.split(" ");
    return {
      "/mcp add": (actor, args) => this.add(actor, words(args)[0] ?? "", words(args)[1] ?? "", words(args)[2] ?? ""),
      "/mcp authorize": (actor, args) => this.withPersonal(words(args)[0] ?? "", (meta) => this.personal.authorize(actor, meta)),
      "/mcp revoke": (actor, args) => this.withPersonal(words(args)[0] ?? "", (meta) => this.personal.revoke(actor, meta)),
      "/mcp grants": (actor) => ({ ok: true, text: this.personal.describeFor(actor.id, (id) => this.store.byId(id)?.name ?? null) }),
      "/mcp remove": (actor, args) => this.remove(actor, words(args)[0] ?? ""),
      "/mcp access": (actor, args) => this.setAccess(actor, words(args)[0] ?? "", words(args)[1] ?? ""),
      "/mcp approvals": (actor, args) => this.setApprovals(actor, words(args)[0] ?? "", words(args).slice(1).join(" ")),
      "/mcp list": () => ({ ok: true, text: this.describe() }),
      "/mcp call": (actor, args) => {
        const [target = "", ...rest] = words(args);
        const dot = target.indexOf(".");
        if (dot <= 0) return { ok: false, text: "Use `/mcp call <server>.<tool> {json arguments}`." };
        let input: Record<string, unknown> = {};
        const json = rest.join(" ").trim();
        if (json) {
          try {
            const parsed: unknown = JSON.parse(json);
            if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
            input = parsed as Record<string, unknown>;
          } catch {
            return { ok: false, text: "The arguments must be a JSON object, e.g. `/mcp call everything.echo {\"message\":\"hi\"}`." };
          }
        }
        return this.callDirect(actor, target.slice(0, dot), target.slice(dot + 1), input);
      },
    };
  }

  /**
   * `/<server>:<prompt> [args]`: the server fills in its prompt — with the
   * member's own grant on a personal server; on a shared one only where the
   * connector's connection is the member's to use without asking (it is
   * theirs, or `all`) — and the text goes to the assistant as their request.
   */
  async runPrompt(actor: Actor, serverName: string, promptName: string, argsText: string, shown: string): Promise<Outcome> {
    if (actor.role === "viewer") return { ok: false, text: "Viewers cannot use MCP servers." };
    const found = this.promptOf(serverName, promptName);
    if (!found.ok) return found;
    const { meta, defs } = found;
    const parsed = parsePromptArgs(argsText, defs, promptUsage(serverName, promptName, defs));
    if (!parsed.ok) return parsed;
    try {
      const connection = await this.promptConnection(meta, actor, false);
      const result = await this.host.getPrompt(connection, promptName, parsed.args);
      const text = promptText(result.messages);
      if (!text) return { ok: false, text: `${serverName}:${promptName} came back empty.` };
      this.host.askAssistant(actor, shown, text);
      return { ok: true, text: `Asked the assistant with ${serverName}:${promptName}.` };
    } catch (err) {
      return { ok: false, text: `${serverName}:${promptName}: ${errorText(err)}` };
    }
  }

  /** Completions for a prompt argument, from the server, with the same grant the prompt would use; none when it cannot. */
  async complete(actor: Actor, serverName: string, promptName: string, argument: { name: string; value: string }): Promise<string[]> {
    if (actor.role === "viewer") return [];
    const found = this.promptOf(serverName, promptName);
    if (!found.ok || !found.defs.some((d) => d.name === argument.name)) return [];
    try {
      const connection = await this.promptConnection(found.meta, actor, false);
      return (await this.host.complete(connection, promptName, argument)).slice(0, 20);
    } catch {
      return [];
    }
  }

  private promptOf(serverName: string, promptName: string) {
    const meta = this.store.byName(serverName);
    if (!meta) return { ok: false as const, text: `There is no server called ${serverName}.` };
    const listing = this.listingId(meta);
    const prompt = this.host.state().prompts.find((p) => p.serverId === listing && p.name === promptName);
    if (!prompt) return { ok: false as const, text: `${serverName} has no prompt ${promptName} (or is not ready).` };
    return { ok: true as const, meta, defs: (prompt.arguments ?? []) as PromptArgument[] };
  }

  /** Whose connection a prompt uses: the member's own grant (personal), or the connector's where the member may use it unasked. */
  private async promptConnection(meta: ServerMeta, actor: Actor, wait: boolean): Promise<string> {
    if (meta.mode === "personal") return this.personal.connectionFor(meta, actor, undefined, wait);
    const rule = callRule(meta, true, [actor]);
    if (rule.kind !== "run") {
      throw new Error(`${meta.name} uses ${meta.addedBy.name}'s connection: its prompts are for ${accessLabel(meta)} only when they may use it without asking`);
    }
    return meta.serverId;
  }

  /** `/mcp authorize|revoke <server>`: about the member's own grant to a personal server. */
  private async withPersonal(name: string, act: (meta: ServerMeta) => Promise<Outcome>): Promise<Outcome> {
    const meta = this.store.byName(name);
    if (!meta) return { ok: false, text: `There is no server called ${name}.` };
    if (meta.mode !== "personal") {
      return { ok: false, text: `${name} is shared: it uses ${meta.addedBy.name}'s authorization, and members have none of their own to give or revoke.` };
    }
    try {
      return await act(meta);
    } catch (err) {
      return { ok: false, text: errorText(err) };
    }
  }

  async add(actor: Actor, name: string, url: string, modeWord = ""): Promise<Outcome> {
    if (actor.role === "viewer") return { ok: false, text: "Viewers cannot add MCP servers." };
    if (!NAME.test(name)) return { ok: false, text: "A server name has 1–32 characters: a–z first, then a–z, 0–9, _ or -." };
    if (modeWord !== "" && modeWord !== "shared" && modeWord !== "personal") {
      return { ok: false, text: "Use `/mcp add <name> <url> [shared|personal]`: shared uses your authorization for everyone, personal asks each member for their own." };
    }
    const personal = modeWord === "personal";
    // One personal server per resource: a member's grant is then one per (member, authorization server, resource).
    if (personal && this.store.servers().some((s) => s.mode === "personal" && s.url !== null && sameResource(s.url, url))) {
      return { ok: false, text: `A personal server with that URL is in this room already.` };
    }
    // Checked and marked before the first await: the object runs one event
    // at a time, so two concurrent adds of one name cannot both pass.
    if (this.adding.has(name)) return { ok: false, text: `${name} is being added already: wait for that to finish.` };
    if (this.store.byName(name)) return { ok: false, text: `There is a server called ${name} already.` };
    if (this.store.servers().length + this.adding.size >= LIMITS.mcpServersPerRoom) {
      return { ok: false, text: `A room can connect at most ${LIMITS.mcpServersPerRoom} MCP servers: remove one first.` };
    }
    const decision = checkEgress(url, this.host.allowHosts);
    if (!decision.ok) return { ok: false, text: `Cannot connect ${name}: ${decision.message}.` };
    let result: Awaited<ReturnType<McpHost["add"]>>;
    this.adding.add(name);
    try {
      try {
        result = await this.host.add(name, url);
      } catch (err) {
        // The SDK saved the server before connecting and keeps it after a
        // failure; left alone it would reconnect on every wake, unseen.
        await this.dropOrphans(name);
        this.changed();
        return { ok: false, text: `Cannot connect ${name}: ${errorText(err)}` };
      }
      this.store.addServer({ serverId: result.id, name, addedBy: { id: actor.id, name: actor.name }, createdAt: Date.now() }, personal ? { url } : undefined);
      // The connector's connection is their own grant, like anyone's who authorizes later.
      if (personal) this.personal.recordFirst({ serverId: result.id }, actor, result.id, result.authUrl);
    } finally {
      this.adding.delete(name);
    }
    this.changed();
    this.room.postSystem(
      personal
        ? `${actor.name} connected the personal MCP server **${name}** (${displayUrl(url)}): each member's calls use their own account.`
        : `${actor.name} connected the MCP server **${name}** (${displayUrl(url)}).`,
    );
    return result.state === "authenticating"
      ? { ok: true, text: `${name} needs authorization: use the Authorize button in the MCP panel.` }
      : { ok: true, text: `${name} is connected.` };
  }

  async remove(actor: Actor, name: string): Promise<Outcome> {
    const meta = this.store.byName(name);
    if (!meta) return { ok: false, text: `There is no server called ${name}.` };
    if (actor.role !== "owner" && meta.addedBy.id !== actor.id) {
      return { ok: false, text: `Only ${meta.addedBy.name} (who connected it) or a room owner can remove ${name}.` };
    }
    if (meta.mode === "personal") await this.personal.removeServer(meta);
    if (this.host.state().servers[meta.serverId]) await this.host.remove(meta.serverId);
    this.store.removeServer(meta.serverId);
    this.policies.removeServer(meta.serverId);
    this.changed();
    this.room.postSystem(`${actor.name} removed the MCP server **${name}**.`);
    return { ok: true, text: `Removed ${name}.` };
  }

  /** `/mcp approvals <server>[.<tool>] <policy>`: who decides its calls that need approval (approvalPolicy.ts). */
  setApprovals(actor: Actor, target: string, rule: string): Outcome {
    const dot = target.indexOf(".");
    const [name, tool] = dot > 0 ? [target.slice(0, dot), target.slice(dot + 1)] : [target, ""];
    const meta = this.store.byName(name);
    if (!meta) return { ok: false, text: `There is no server called ${name}. ${USAGE}` };
    if (actor.role !== "owner" && meta.addedBy.id !== actor.id) {
      return { ok: false, text: `Only ${meta.addedBy.name} (who connected it) or a room owner can change who approves ${name}'s calls.` };
    }
    if (meta.mode === "personal") {
      return { ok: false, text: `${name} is personal: each of its calls is decided by the member whose account it uses.` };
    }
    if (tool && !this.toolsOf(meta).some((t) => t.name === tool)) {
      return { ok: false, text: `${name} has no tool called ${tool}.` };
    }
    const parsed = parsePolicy(rule, this.policyRoom);
    if (!parsed.ok) return { ok: false, text: parsed.text };
    this.policies.set(meta.serverId, tool, parsed.policy);
    this.changed();
    const what = tool ? `${name}.${tool}` : name;
    const label = parsed.policy ? policyLabel(parsed.policy) : `${meta.addedBy.name} (who connected it) or an owner`;
    this.room.postSystem(`${actor.name} set who approves calls of **${what}**: ${label}.`);
    return { ok: true, text: `Calls of ${what} that need approval are now decided by ${label}.` };
  }

  /** `/mcp access <server> me|approval|all`: who may use the connector's connection. */
  setAccess(actor: Actor, name: string, value: string): Outcome {
    const meta = this.store.byName(name);
    if (!meta) return { ok: false, text: `There is no server called ${name}.` };
    if (!ACCESS_VALUES.includes(value as Access)) {
      return {
        ok: false,
        text: `Use \`/mcp access ${name} me\` (only ${meta.addedBy.name}), \`approval\` (others with ${meta.addedBy.name}'s approval for each call) or \`all\` (every member).`,
      };
    }
    if (actor.role !== "owner" && meta.addedBy.id !== actor.id) {
      return { ok: false, text: `Only ${meta.addedBy.name} (who connected it) or a room owner can change who may use ${name}.` };
    }
    if (meta.mode === "personal") return { ok: false, text: `${name} is personal: every member uses their own authorization, so there is no connection to lend.` };
    this.store.setAccess(meta.serverId, value as Access);
    this.changed();
    const label = accessLabel({ ...meta, access: value as Access });
    this.room.postSystem(`${actor.name} set who may use the MCP server **${name}**: ${label}.`);
    return { ok: true, text: `${name} can now be used by ${label}.` };
  }

  setToolEnabled(actor: Actor, serverName: string, tool: string, enabled: boolean): Outcome {
    const meta = this.store.byName(serverName);
    if (!meta) return { ok: false, text: `There is no server called ${serverName}.` };
    if (actor.role !== "owner" && meta.addedBy.id !== actor.id) {
      return { ok: false, text: `Only ${meta.addedBy.name} or a room owner can change ${serverName}'s tools.` };
    }
    const definition = this.toolsOf(meta).find((t) => t.name === tool);
    if (!definition) return { ok: false, text: `${serverName} has no tool ${tool}.` };
    // Enabling (re-)approves the definition as it is now.
    this.store.setTool(meta.serverId, tool, { enabled, fingerprint: fingerprint(definition), changed: false });
    this.changed();
    return { ok: true, text: `${enabled ? "Enabled" : "Disabled"} ${serverName}.${tool}.` };
  }

  /** `/mcp call`: a member calls a tool with no model in between. */
  private async callDirect(actor: Actor, serverName: string, tool: string, input: Record<string, unknown>): Promise<Outcome> {
    if (actor.role === "viewer") return { ok: false, text: "Viewers cannot call tools." };
    const found = this.resolve(serverName, tool);
    if (!found.ok) return found;
    const { meta, definition } = found;
    if (meta.mode === "personal") {
      // The caller's own account: calling it is their consent, read-only or not.
      return this.runDirect(meta.serverId, serverName, tool, input, { via: "command", requesters: [actor], approvedBy: isReadOnly(definition) ? null : actor });
    }
    const rule = callRule(meta, isReadOnly(definition), [actor]);
    if (rule.kind === "refuse") return { ok: false, text: `${serverName}.${tool}: ${rule.reason}.` };
    // A policy's decision cannot be taken by one caller alone.
    const policy = rule.kind === "approve" && !rule.connectorOnly ? this.policies.get(meta.serverId, tool) : null;
    if (policy) {
      const need = needFor(policy, this.policyRoom);
      if ((need.required ?? 1) > 1 || !need.approvers.includes(actor.id)) {
        return { ok: false, text: `${serverName}.${tool} needs the approval of ${policyLabel(policy)}: ask @assistant, and they can decide on its card.` };
      }
    }
    // A direct call has nobody to wait for: it goes ahead only when the
    // caller is someone who could approve it.
    if (rule.kind === "approve" && !mayApprove(meta, rule, actor, this.room.owners())) {
      return {
        ok: false,
        text: rule.connectorOnly
          ? `${serverName}.${tool} uses ${meta.addedBy.name}'s connection: a call by someone else needs ${meta.addedBy.name}'s approval. Ask @assistant, and ${meta.addedBy.name} can approve it.`
          : `${serverName}.${tool} is not read-only: only ${meta.addedBy.name} (who connected it) or an owner can call it directly. Ask @assistant, and they can approve it.`,
      };
    }
    const approvedBy = rule.kind === "approve" ? { id: actor.id, name: actor.name } : null;
    return this.runDirect(meta.serverId, serverName, tool, input, { via: "command", requesters: [actor], approvedBy });
  }

  /** A direct call's card: the call through `call`, its answer or error. */
  private async runDirect(serverId: string, serverName: string, tool: string, input: Record<string, unknown>, who: CallParties): Promise<Outcome> {
    const startedAt = Date.now();
    const part: ToolPart = { type: "tool", callId: `cmd-${crypto.randomUUID()}`, tool: `${serverName}.${tool}`, input, state: "running", textOffset: 0, startedAt };
    try {
      const output = await this.call(serverId, serverName, tool, input, who);
      return { ok: true, text: `${serverName}.${tool} answered.`, part: { ...part, state: "done", output, durationMs: Date.now() - startedAt } };
    } catch (err) {
      return { ok: false, text: errorText(err), part: { ...part, state: "error", error: errorText(err), durationMs: Date.now() - startedAt } };
    }
  }

  /**
   * The one path every call takes (assistant, command, code): checks the
   * tool is enabled, unchanged and offered, that the access policy allows
   * this call with this approval (re-checked here, at execution, against
   * the policy and definition as they are now), calls with a timeout,
   * retries once after reconnecting when the transport says the server
   * lost our session, and audits.
   */
  async call(serverId: string, serverName: string, tool: string, input: Record<string, unknown>, who: CallParties): Promise<unknown> {
    const started = Date.now();
    const meta = this.store.byId(serverId);
    // Whose grant acts: the connector's (shared), or the served member's own (personal).
    let grantOf: string | null = null;
    const audit = (outcome: AuditEntry["outcome"], error: string | null) => {
      this.store.audit({
        at: started, server: serverName, tool, args: JSON.stringify(input), via: who.via,
        requestedBy: who.requesters.map((r) => r.name).join(", "), approvedBy: who.approvedBy?.name ?? null, grantOf,
        outcome, durationMs: Date.now() - started, error,
      });
      this.changed();
    };
    const check = this.checkTool(serverId, tool) ?? this.checkPolicy(serverId, tool, input, who);
    if (check) {
      audit("denied", check);
      throw new Error(check);
    }
    let connection = serverId;
    let args = input;
    if (meta?.mode === "personal") {
      const served = servedMember(input, who.requesters, who.context);
      if (!served.ok) throw new Error(served.reason); // checkPolicy refused this already
      args = withoutOnBehalf(input);
      try {
        connection = await this.personal.connectionFor(meta, served.member, who.context, who.via !== "command");
      } catch (err) {
        audit("denied", errorText(err));
        throw err;
      }
      grantOf = served.member.name;
    } else if (meta) {
      grantOf = meta.addedBy.name;
    }
    // The server's time limit stops while one of the principal's members is asked something (deadline.ts).
    const attempt = async () => {
      const deadline = new CallDeadline(CALL_TIMEOUT_MS);
      try {
        return await this.host.callTool(connection, tool, args, { tool: `${serverName}.${tool}`, memberIds: who.requesters.map((r) => r.id), deadline });
      } finally {
        deadline.dispose();
      }
    };
    try {
      let result: unknown;
      try {
        result = await attempt();
      } catch (err) {
        if (!sessionLost(err)) throw err;
        // The transport refused our old session id before the request was
        // accepted (a restarted server): reconnect, then retry once. Nothing
        // ran, so a tool that changes things cannot run twice.
        await this.host.reconnect(connection);
        result = await attempt();
      }
      const { isError, text } = summarise(result);
      if (isError) {
        audit("error", text);
        throw new Error(`${serverName}.${tool} failed: ${text}`);
      }
      audit("ok", null);
      return capResult(result);
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith(`${serverName}.${tool} failed`))) audit("error", errorText(err));
      throw err;
    }
  }

  /** Enabled, unchanged MCP tools as room tools for the assistant. */
  tools(): RoomTool[] {
    const state = this.host.state();
    const out: RoomTool[] = [];
    for (const meta of this.store.servers()) {
      if (meta.mode === "personal") {
        out.push(...this.personalTools(meta));
        continue;
      }
      if (state.servers[meta.serverId]?.state !== "ready") continue;
      for (const t of this.toolsOf(meta)) {
        if (this.checkTool(meta.serverId, t.name)) continue;
        const readOnly = isReadOnly(t);
        out.push(
          defineTool<Record<string, unknown>>({
            name: modelToolName(meta.name, t.name),
            description: `[MCP ${meta.name}] ${t.description ?? t.name}`.slice(0, 1024),
            inputSchema: jsonSchema<Record<string, unknown>>((t.inputSchema ?? { type: "object" }) as Parameters<typeof jsonSchema>[0]),
            readOnly,
            // The connector approves; for a call that serves someone else
            // under `approval`, even a read-only one. (A call the policy
            // refuses asks nobody: `call` refuses it.) The requesters are the
            // turn's — every member it answers — until turns track the
            // requester per call.
            approval: (_input, requestedBy: Actor[]) => {
              const rule = callRule(this.store.byId(meta.serverId) ?? meta, readOnly, requestedBy);
              if (rule.kind !== "approve") return null;
              // Lending the connector's grant is the connector's decision alone (access.ts).
              const policy = rule.connectorOnly ? null : this.policies.get(meta.serverId, t.name);
              return policy ? needFor(policy, this.policyRoom) : { approvers: [meta.addedBy.id] };
            },
            execute: (input, requestedBy: Actor[], call: ToolCallInfo) =>
              this.call(meta.serverId, meta.name, t.name, input ?? {}, { via: "assistant", requesters: requestedBy, approvedBy: call.approvedBy, approvals: call.approvals }),
          }),
        );
      }
    }
    return out;
  }

  /**
   * A personal server's tools: listed for everyone; each call acts with the
   * grant of the one member it serves (personal.ts), who alone consents when
   * it is not a read-only call for them alone. In a turn for several askers
   * the call names that member (`on_behalf_of`, which the server never sees).
   */
  private personalTools(meta: ServerMeta): RoomTool[] {
    return this.toolsOf(meta).flatMap((t) => {
      if (this.checkTool(meta.serverId, t.name)) return [];
      const readOnly = isReadOnly(t);
      return [
        defineTool<Record<string, unknown>>({
          name: modelToolName(meta.name, t.name),
          description: `[MCP ${meta.name}, with each asker's own account] ${t.description ?? t.name}`.slice(0, 1024),
          inputSchema: jsonSchema<Record<string, unknown>>(withOnBehalfSchema(t.inputSchema as Record<string, unknown> | undefined) as Parameters<typeof jsonSchema>[0]),
          readOnly,
          approval: (input, requestedBy: Actor[], context?: CallContext) => personalApproval(servedMember(input, requestedBy, context), readOnly),
          execute: (input, requestedBy: Actor[], call: ToolCallInfo) =>
            this.call(meta.serverId, meta.name, t.name, input ?? {}, {
              via: "assistant", requesters: requestedBy, approvedBy: call.approvedBy, approvals: call.approvals, context: call,
            }),
        }),
      ];
    });
  }

  /**
   * Per member: everyone gets the same view except what is theirs alone —
   * a shared server's consent URL (its adder's), a personal server's grant
   * and consent URL (each member's own).
   */
  changed(): void {
    this.refreshFingerprints();
    this.personal.settle();
    void this.dropOrphans();
    const servers = this.views();
    const audit = this.store.recentAudit(30);
    this.host.sendPerMember((memberId) => ({ type: "mcp", servers: this.forMember(servers, memberId), audit }));
  }

  frameFor(memberId: string): ServerFrame {
    return { type: "mcp", servers: this.forMember(this.views(), memberId), audit: this.store.recentAudit(30) };
  }

  private forMember(views: McpServerView[], memberId: string): McpServerView[] {
    return views.map((v) => {
      if (v.mode === "shared") return { ...v, authUrl: v.addedBy.id === memberId ? v.authUrl : null };
      const meta = this.store.byId(v.id);
      return meta ? { ...v, ...this.personal.viewFor(meta, memberId) } : v;
    });
  }

  private views(): McpServerView[] {
    const state = this.host.state();
    const blocked = this.collisions();
    return this.store.servers().map((meta) => {
      const s = state.servers[meta.serverId];
      const listing = this.listingId(meta);
      const tools = this.toolsOf(meta)
        .map((t) => {
          const setting = this.store.tool(meta.serverId, t.name);
          return {
            name: t.name,
            description: (t.description ?? "").slice(0, LIMITS.mcpDescriptionChars),
            readOnly: isReadOnly(t),
            enabled: setting?.enabled ?? false,
            changed: setting?.changed ?? false,
            blocked: blocked.get(toolKey(meta.serverId, t.name)) ?? null,
          };
        });
      // A server may list thousands of tools: the frame carries a bounded
      // list (those that need attention first) and the count.
      const attention = (t: (typeof tools)[number]) => t.changed || t.blocked !== null;
      const personal = meta.mode === "personal";
      return {
        id: meta.serverId,
        name: meta.name,
        url: personal ? displayUrl(meta.url ?? "") : s ? displayUrl(s.server_url) : "",
        // A personal server is as ready as its best grant; each member's own is in `grant`.
        state: (personal ? this.personal.stateOf(meta) : (s?.state ?? "failed")) as McpServerView["state"],
        error: personal ? null : (s?.error ?? (s ? null : "not connected")),
        addedBy: meta.addedBy,
        access: meta.access,
        mode: meta.mode,
        grant: null,
        approvalPolicies: this.policies.forServer(meta.serverId).map((p) => ({ tool: p.tool || null, label: policyLabel(p.policy) })),
        toolCount: tools.length,
        tools: [...tools.filter(attention), ...tools.filter((t) => !attention(t))].slice(0, LIMITS.mcpToolsListed),
        prompts: state.prompts
          .filter((p) => p.serverId === listing)
          .map((p) => ({
            name: p.name,
            description: (p.description ?? "").slice(0, LIMITS.mcpDescriptionChars),
            arguments: (p.arguments ?? []).map((a) => ({ name: a.name, description: (a.description ?? "").slice(0, 200), required: a.required === true })),
          })),
        resources: state.resources.filter((r) => r.serverId === listing).map((r) => ({ uri: r.uri, name: r.name })),
        authUrl: !personal && s?.state === "authenticating" ? s.auth_url : null,
      };
    });
  }

  /**
   * New tools are enabled with their current fingerprint; a known tool whose
   * definition no longer matches is disabled and flagged (tool poisoning).
   */
  private refreshFingerprints(): void {
    for (const meta of this.store.servers()) {
      for (const t of this.toolsOf(meta)) {
        const current = fingerprint(t);
        const setting = this.store.tool(meta.serverId, t.name);
        if (!setting) this.store.setTool(meta.serverId, t.name, { enabled: true, fingerprint: current, changed: false });
        else if (setting.fingerprint === legacyFingerprint(t)) {
          // Enabled before annotations were part of the fingerprint, and
          // unchanged since in what that approval covered: adopt as is.
          this.store.setTool(meta.serverId, t.name, { ...setting, fingerprint: current });
        } else if (setting.enabled && setting.fingerprint !== current) {
          this.store.setTool(meta.serverId, t.name, { enabled: false, fingerprint: setting.fingerprint, changed: true });
          this.room.postSystem(
            `The tool **${meta.name}.${t.name}** changed its definition (description, schema or annotations such as read-only); it is disabled until ${meta.addedBy.name} or an owner re-enables it.`,
          );
        }
      }
    }
  }

  private checkTool(serverId: string, tool: string): string | null {
    const meta = this.store.byId(serverId);
    const definition = meta && this.toolsOf(meta).find((t) => t.name === tool);
    if (!definition) return `The tool ${tool} is not available (is its server ready?).`;
    const setting = this.store.tool(serverId, tool);
    if (!setting?.enabled) return `The tool ${tool} is disabled in this room.`;
    if (setting.fingerprint !== fingerprint(definition)) return `The tool ${tool} changed its definition and must be re-enabled.`;
    const blocked = this.collisions().get(toolKey(serverId, tool));
    if (blocked) return `The tool ${tool} is not offered: ${blocked}.`;
    return null;
  }

  /** The access policy for this call, as it is now: a refusal, or null. */
  private checkPolicy(serverId: string, tool: string, input: Record<string, unknown>, who: CallParties): string | null {
    const meta = this.store.byId(serverId);
    const definition = meta && this.toolsOf(meta).find((t) => t.name === tool);
    if (!meta || !definition) return `The tool ${tool} is not available.`;
    if (meta.mode === "personal") {
      const served = servedMember(input, who.requesters, who.context);
      if (!served.ok) return `${meta.name}.${tool}: ${served.reason}`;
      const given = [...(who.approvals ?? []), ...(who.approvedBy ? [who.approvedBy] : [])];
      return personalConsentMissing(served, isReadOnly(definition), given)
        ? `${meta.name}.${tool} uses ${served.member.name}'s own account: only ${served.member.name}'s approval counts${who.approvedBy && who.approvedBy.id !== served.member.id ? ` (not ${who.approvedBy.name}'s)` : ""}`
        : null;
    }
    const rule = callRule(meta, isReadOnly(definition), who.requesters);
    if (rule.kind === "refuse") return `${meta.name}.${tool}: ${rule.reason}`;
    // Under an approval policy, its approvers decide, as many as it needs (checked again here, where the call is made).
    const policy = rule.kind === "approve" && !rule.connectorOnly ? this.policies.get(serverId, tool) : null;
    if (policy) {
      const need = needFor(policy, this.policyRoom);
      const given = new Set([...(who.approvals ?? []), ...(who.approvedBy ? [who.approvedBy] : [])].map((a) => a.id).filter((id) => need.approvers.includes(id)));
      const required = Math.min(need.required ?? 1, need.approvers.length);
      return given.size >= Math.max(1, required) ? null : `${meta.name}.${tool} needs the approval of ${policyLabel(policy)}`;
    }
    if (rule.kind === "approve" && !mayApprove(meta, rule, who.approvedBy, this.room.owners())) {
      return rule.connectorOnly
        ? `${meta.name}.${tool} uses ${meta.addedBy.name}'s connection for someone else: only ${meta.addedBy.name}'s approval counts${who.approvedBy ? ` (not ${who.approvedBy.name}'s)` : ""}`
        : `${meta.name}.${tool} needs the approval of ${meta.addedBy.name} or an owner`;
    }
    return null;
  }

  /**
   * Tools whose assistant name (sanitised, capped) is taken by an earlier
   * one — in server order, then the server's own order. The assistant and
   * Code Mode look tools up by that name, so two tools sharing it could have
   * approval decided for one and the other executed: the later one is not
   * offered at all. Compared as Code Mode sanitises names again
   * (`get-sum` and `get_sum` are one name to code). Maps toolKey → why.
   */
  private collisions(): Map<string, string> {
    const taken = new Map<string, string>();
    const blocked = new Map<string, string>();
    for (const meta of this.store.servers()) {
      for (const t of this.toolsOf(meta)) {
        const modelName = modelToolName(meta.name, t.name);
        const key = sanitizeToolName(modelName);
        const owner = taken.get(key);
        if (owner) blocked.set(toolKey(meta.serverId, t.name), `its assistant name ${modelName} is already ${owner}'s`);
        else taken.set(key, `${meta.name}.${t.name}`);
      }
    }
    return blocked;
  }

  /**
   * Removes SDK servers the room has no record of: left by an add that
   * failed (before this cleanup existed, or when the process died mid-add).
   * `name`: only servers of that name; otherwise all but those being added.
   */
  private async dropOrphans(name?: string): Promise<void> {
    const known = new Set([...this.store.servers().map((m) => m.serverId), ...this.personal.sdkIds()]);
    const servers = this.host.state().servers;
    for (const [id, s] of Object.entries(servers)) {
      if (known.has(id) || this.removing.has(id)) continue;
      if (name === undefined ? this.adding.has(s.name) : s.name !== name) continue;
      this.removing.add(id);
      try {
        await this.host.remove(id);
      } catch (err) {
        console.error("could not remove an orphaned MCP server", errorText(err));
      } finally {
        this.removing.delete(id);
      }
    }
  }

  private resolve(serverName: string, tool: string) {
    const meta = this.store.byName(serverName);
    if (!meta) return { ok: false as const, text: `There is no server called ${serverName}.` };
    const definition = this.toolsOf(meta).find((t) => t.name === tool);
    if (!definition) return { ok: false as const, text: `${serverName} has no tool ${tool} (or is not ready).` };
    return { ok: true as const, meta, definition };
  }

  private describe(): string {
    const views = this.views();
    if (views.length === 0) return "No MCP servers in this room. Add one with `/mcp add <name> <https url>`.";
    return views
      .map(
        (v) =>
          `• ${v.name} — ${v.state}${v.error ? ` (${v.error})` : ""}, ${v.toolCount} tools, added by ${v.addedBy.name}, usable by ${accessLabel(v)}`,
      )
      .join("\n");
  }
}

/**
 * A stable hash of what the model and the room are told about a tool:
 * its annotations too, because `readOnlyHint` decides whether a call asks
 * anyone (a flip to read-only would drop every approval).
 */
function fingerprint(tool: Omit<McpToolDefinition, "serverId">): string {
  return fnv1a(JSON.stringify([tool.name, tool.description ?? "", tool.inputSchema ?? null, tool.title ?? null, tool.annotations ?? null]));
}

/** The fingerprint before annotations were part of it (rooms enabled tools with it). */
function legacyFingerprint(tool: Omit<McpToolDefinition, "serverId">): string {
  return fnv1a(JSON.stringify([tool.name, tool.description ?? "", tool.inputSchema ?? null]));
}

function fnv1a(text: string): string {
  // FNV-1a 64-bit over UTF-16 units: fast, synchronous, and collisions need
  // a tool that already controls its own definition, so cryptographic
  // strength buys nothing here.
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16);
}

function isReadOnly(tool: { annotations?: { readOnlyHint?: boolean } }): boolean {
  return tool.annotations?.readOnlyHint === true;
}

function toolKey(serverId: string, tool: string): string {
  return `${serverId}\u0000${tool}`;
}

function modelToolName(server: string, tool: string): string {
  return `${server}__${tool}`.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
}

function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return "";
  }
}

function summarise(result: unknown): { isError: boolean; text: string } {
  const r = result as { isError?: boolean; content?: Array<{ type: string; text?: string }> };
  const text = (r.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join(" ").slice(0, 500);
  return { isError: r.isError === true, text };
}

/**
 * True only when the transport refused the request before the server
 * accepted it because our session is gone: HTTP 404 to a request carrying
 * a session id (MCP Streamable HTTP spec), or the 400 with JSON-RPC -32000
 * "No valid session ID" that the SDK's example servers (server-everything)
 * send instead. Never a tool's own error (those arrive as results or
 * JSON-RPC errors, whatever their text), never a timeout: the request may
 * have run.
 */
function sessionLost(err: unknown): boolean {
  if (!SdkHttpError.isInstance(err)) return false;
  if (err.status === 404) return true;
  if (err.status !== 400) return false;
  try {
    const body = JSON.parse(String(err.data.text ?? "")) as { error?: { code?: unknown; message?: unknown } };
    return body.error?.code === -32000 && /session/i.test(String(body.error.message ?? ""));
  } catch {
    return false;
  }
}


/** Two URLs name the same MCP resource: same origin and path, a trailing slash aside. */
function sameResource(a: string, b: string): boolean {
  try {
    const [x, y] = [new URL(a), new URL(b)];
    return x.origin === y.origin && x.pathname.replace(/\/+$/, "") === y.pathname.replace(/\/+$/, "");
  } catch {
    return false;
  }
}
