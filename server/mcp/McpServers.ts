/**
 * External MCP servers per room. The room is the MCP client, through the
 * agents SDK (`addMcpServer`, `removeMcpServer`, `this.mcp`), which persists
 * servers and OAuth tokens in the object's storage and restores the
 * connections after hibernation. This module adds what a *shared* room
 * needs on top:
 *
 * - who connected each server (only they or an owner may remove it, and
 *   their approval is what a non-read-only call needs);
 * - a per-member view of the state: the OAuth consent URL goes to the member
 *   who added the server and to nobody else; credentials go to no one;
 * - per-tool enable toggles with a fingerprint of the definition, so a tool
 *   that changes its description or schema is disabled until re-enabled;
 * - an audit row for every call, and the egress guard before every request.
 */
import { jsonSchema } from "ai";
import type { McpServerView, Role, ServerFrame, ToolPart } from "../../shared/protocol";
import type { RoomTool, ToolCallInfo, TurnRequester } from "../assistant/tools";
import { capResult, defineTool } from "../assistant/tools";
import { checkEgress } from "./egress";
import { McpStore, type AuditEntry } from "./store";
import { errorText } from "../errors";

export interface McpActor {
  id: string;
  name: string;
  role: Role;
}

/** The SDK calls the room makes for this module (all need the Agent's context). */
export interface McpHost {
  sql: SqlStorage;
  allowHosts: string[];
  add(name: string, url: string): Promise<{ id: string; state: string; authUrl?: string }>;
  remove(serverId: string): Promise<void>;
  reconnect(serverId: string): Promise<void>;
  state(): {
    servers: Record<string, { name: string; server_url: string; auth_url: string | null; state: string; error: string | null }>;
    tools: Array<{ serverId: string; name: string; description?: string; inputSchema: unknown; annotations?: { readOnlyHint?: boolean } }>;
    prompts: Array<{ serverId: string; name: string; description?: string }>;
    resources: Array<{ serverId: string; uri: string; name: string }>;
  };
  callTool(serverId: string, name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<unknown>;
  owners(): string[];
  /** Sends each open socket the view meant for its member. */
  sendPerMember(build: (memberId: string) => ServerFrame): void;
  postSystem(text: string): void;
}

export type Outcome = { ok: true; text: string; part?: ToolPart } | { ok: false; text: string; part?: ToolPart };

export const CALL_TIMEOUT_MS = 30_000;
const NAME = /^[a-z][a-z0-9_-]{0,31}$/;

export class McpServers {
  private readonly store: McpStore;

  constructor(private readonly host: McpHost) {
    this.store = new McpStore(host.sql);
  }

  async command(actor: McpActor, args: string): Promise<Outcome> {
    const [verb = "", ...rest] = args.trim().split(/\s+/);
    switch (verb) {
      case "add":
        return this.add(actor, rest[0] ?? "", rest[1] ?? "");
      case "remove":
        return this.remove(actor, rest[0] ?? "");
      case "list":
      case "":
        return { ok: true, text: this.describe() };
      case "call": {
        const target = rest[0] ?? "";
        const dot = target.indexOf(".");
        if (dot <= 0) return { ok: false, text: "Use `/mcp call <server>.<tool> {json arguments}`." };
        let input: Record<string, unknown> = {};
        const json = rest.slice(1).join(" ").trim();
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
      }
      default:
        return { ok: false, text: "Use `/mcp add <name> <url>`, `/mcp remove <name>`, `/mcp list` or `/mcp call <server>.<tool> {json}`." };
    }
  }

  async add(actor: McpActor, name: string, url: string): Promise<Outcome> {
    if (actor.role === "viewer") return { ok: false, text: "Viewers cannot add MCP servers." };
    if (!NAME.test(name)) return { ok: false, text: "A server name has 1–32 characters: a–z first, then a–z, 0–9, _ or -." };
    if (this.store.byName(name)) return { ok: false, text: `There is a server called ${name} already.` };
    const decision = checkEgress(url, this.host.allowHosts);
    if (!decision.ok) return { ok: false, text: `Cannot connect ${name}: ${decision.message}.` };
    let result: Awaited<ReturnType<McpHost["add"]>>;
    try {
      result = await this.host.add(name, url);
    } catch (err) {
      this.changed();
      return { ok: false, text: `Cannot connect ${name}: ${errorText(err)}` };
    }
    this.store.addServer({ serverId: result.id, name, addedBy: { id: actor.id, name: actor.name }, createdAt: Date.now() });
    this.changed();
    this.host.postSystem(`${actor.name} connected the MCP server **${name}** (${displayUrl(url)}).`);
    return result.state === "authenticating"
      ? { ok: true, text: `${name} needs authorization: use the Authorize button in the MCP panel.` }
      : { ok: true, text: `${name} is connected.` };
  }

  async remove(actor: McpActor, name: string): Promise<Outcome> {
    const meta = this.store.byName(name);
    if (!meta) return { ok: false, text: `There is no server called ${name}.` };
    if (actor.role !== "owner" && meta.addedBy.id !== actor.id) {
      return { ok: false, text: `Only ${meta.addedBy.name} (who connected it) or a room owner can remove ${name}.` };
    }
    await this.host.remove(meta.serverId);
    this.store.removeServer(meta.serverId);
    this.changed();
    this.host.postSystem(`${actor.name} removed the MCP server **${name}**.`);
    return { ok: true, text: `Removed ${name}.` };
  }

  setToolEnabled(actor: McpActor, serverName: string, tool: string, enabled: boolean): Outcome {
    const meta = this.store.byName(serverName);
    if (!meta) return { ok: false, text: `There is no server called ${serverName}.` };
    if (actor.role !== "owner" && meta.addedBy.id !== actor.id) {
      return { ok: false, text: `Only ${meta.addedBy.name} or a room owner can change ${serverName}'s tools.` };
    }
    const definition = this.host.state().tools.find((t) => t.serverId === meta.serverId && t.name === tool);
    if (!definition) return { ok: false, text: `${serverName} has no tool ${tool}.` };
    // Enabling (re-)approves the definition as it is now.
    this.store.setTool(meta.serverId, tool, { enabled, fingerprint: fingerprint(definition), changed: false });
    this.changed();
    return { ok: true, text: `${enabled ? "Enabled" : "Disabled"} ${serverName}.${tool}.` };
  }

  /** `/mcp call`: a member calls a tool with no model in between. */
  private async callDirect(actor: McpActor, serverName: string, tool: string, input: Record<string, unknown>): Promise<Outcome> {
    if (actor.role === "viewer") return { ok: false, text: "Viewers cannot call tools." };
    const found = this.resolve(serverName, tool);
    if (!found.ok) return found;
    const { meta, definition } = found;
    const readOnly = definition.annotations?.readOnlyHint === true;
    if (!readOnly && actor.role !== "owner" && meta.addedBy.id !== actor.id) {
      return {
        ok: false,
        text: `${serverName}.${tool} is not read-only: only ${meta.addedBy.name} (who connected it) or an owner can call it directly. Ask @assistant, and they can approve it.`,
      };
    }
    const startedAt = Date.now();
    const part: ToolPart = { type: "tool", callId: `cmd-${crypto.randomUUID()}`, tool: `${serverName}.${tool}`, input, state: "running", textOffset: 0, startedAt };
    try {
      const output = await this.call(meta.serverId, serverName, tool, input, { via: "command", requestedBy: actor.name, approvedBy: null });
      return { ok: true, text: `${serverName}.${tool} answered.`, part: { ...part, state: "done", output, durationMs: Date.now() - startedAt } };
    } catch (err) {
      return { ok: false, text: errorText(err), part: { ...part, state: "error", error: errorText(err), durationMs: Date.now() - startedAt } };
    }
  }

  /**
   * The one path every call takes (assistant, command, code): checks the
   * tool is enabled and unchanged, calls with a timeout, retries once after
   * reconnecting when the server lost our session, and audits.
   */
  async call(
    serverId: string,
    serverName: string,
    tool: string,
    input: Record<string, unknown>,
    who: { via: AuditEntry["via"]; requestedBy: string; approvedBy: string | null },
  ): Promise<unknown> {
    const started = Date.now();
    const audit = (outcome: AuditEntry["outcome"], error: string | null) => {
      this.store.audit({
        at: started, server: serverName, tool, args: JSON.stringify(input), via: who.via, requestedBy: who.requestedBy,
        approvedBy: who.approvedBy, outcome, durationMs: Date.now() - started, error,
      });
      this.changed();
    };
    const check = this.checkTool(serverId, tool);
    if (check) {
      audit("denied", check);
      throw new Error(check);
    }
    try {
      let result: unknown;
      try {
        result = await this.host.callTool(serverId, tool, input, AbortSignal.timeout(CALL_TIMEOUT_MS));
      } catch (err) {
        if (!sessionLost(err)) throw err;
        // A restarted server rejects our old session id: reconnect, then retry once.
        await this.host.reconnect(serverId);
        result = await this.host.callTool(serverId, tool, input, AbortSignal.timeout(CALL_TIMEOUT_MS));
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
      if (state.servers[meta.serverId]?.state !== "ready") continue;
      for (const t of state.tools.filter((x) => x.serverId === meta.serverId)) {
        if (this.checkTool(meta.serverId, t.name)) continue;
        const readOnly = t.annotations?.readOnlyHint === true;
        out.push(
          defineTool<Record<string, unknown>>({
            name: modelToolName(meta.name, t.name),
            description: `[MCP ${meta.name}] ${t.description ?? t.name}`.slice(0, 1024),
            inputSchema: jsonSchema<Record<string, unknown>>((t.inputSchema ?? { type: "object" }) as Parameters<typeof jsonSchema>[0]),
            // Not read-only: the member who connected the server (or an owner) approves.
            approval: () => (readOnly ? null : { approvers: [meta.addedBy.id] }),
            execute: (input, requestedBy: TurnRequester[], call: ToolCallInfo) =>
              this.call(meta.serverId, meta.name, t.name, input ?? {}, {
                via: "assistant",
                requestedBy: requestedBy.map((r) => r.name).join(", "),
                approvedBy: call.approvedBy?.name ?? null,
              }),
          }),
        );
      }
    }
    return out;
  }

  /** Per member: everyone gets the same view except the consent URL, which only the adder gets. */
  changed(): void {
    this.refreshFingerprints();
    const servers = this.views();
    const audit = this.store.recentAudit(30);
    this.host.sendPerMember((memberId) => ({
      type: "mcp",
      servers: servers.map((v) => ({ ...v, authUrl: v.addedBy.id === memberId ? v.authUrl : null })),
      audit,
    }));
  }

  frameFor(memberId: string): ServerFrame {
    return {
      type: "mcp",
      servers: this.views().map((v) => ({ ...v, authUrl: v.addedBy.id === memberId ? v.authUrl : null })),
      audit: this.store.recentAudit(30),
    };
  }

  private views(): McpServerView[] {
    const state = this.host.state();
    return this.store.servers().map((meta) => {
      const s = state.servers[meta.serverId];
      return {
        id: meta.serverId,
        name: meta.name,
        url: s ? displayUrl(s.server_url) : "",
        state: (s?.state ?? "failed") as McpServerView["state"],
        error: s?.error ?? (s ? null : "not connected"),
        addedBy: meta.addedBy,
        tools: state.tools
          .filter((t) => t.serverId === meta.serverId)
          .map((t) => {
            const setting = this.store.tool(meta.serverId, t.name);
            return {
              name: t.name,
              description: t.description ?? "",
              readOnly: t.annotations?.readOnlyHint === true,
              enabled: setting?.enabled ?? false,
              changed: setting?.changed ?? false,
            };
          }),
        prompts: state.prompts.filter((p) => p.serverId === meta.serverId).map((p) => ({ name: p.name, description: p.description ?? "" })),
        resources: state.resources.filter((r) => r.serverId === meta.serverId).map((r) => ({ uri: r.uri, name: r.name })),
        authUrl: s?.state === "authenticating" ? s.auth_url : null,
      };
    });
  }

  /**
   * New tools are enabled with their current fingerprint; a known tool whose
   * definition no longer matches is disabled and flagged (tool poisoning).
   */
  private refreshFingerprints(): void {
    const state = this.host.state();
    for (const meta of this.store.servers()) {
      for (const t of state.tools.filter((x) => x.serverId === meta.serverId)) {
        const current = fingerprint(t);
        const setting = this.store.tool(meta.serverId, t.name);
        if (!setting) this.store.setTool(meta.serverId, t.name, { enabled: true, fingerprint: current, changed: false });
        else if (setting.enabled && setting.fingerprint !== current) {
          this.store.setTool(meta.serverId, t.name, { enabled: false, fingerprint: setting.fingerprint, changed: true });
          this.host.postSystem(
            `The tool **${meta.name}.${t.name}** changed its description or schema; it is disabled until ${meta.addedBy.name} or an owner re-enables it.`,
          );
        }
      }
    }
  }

  private checkTool(serverId: string, tool: string): string | null {
    const state = this.host.state();
    const definition = state.tools.find((t) => t.serverId === serverId && t.name === tool);
    if (!definition) return `The tool ${tool} is not available (is its server ready?).`;
    const setting = this.store.tool(serverId, tool);
    if (!setting?.enabled) return `The tool ${tool} is disabled in this room.`;
    if (setting.fingerprint !== fingerprint(definition)) return `The tool ${tool} changed its definition and must be re-enabled.`;
    return null;
  }

  private resolve(serverName: string, tool: string) {
    const meta = this.store.byName(serverName);
    if (!meta) return { ok: false as const, text: `There is no server called ${serverName}.` };
    const definition = this.host.state().tools.find((t) => t.serverId === meta.serverId && t.name === tool);
    if (!definition) return { ok: false as const, text: `${serverName} has no tool ${tool} (or is not ready).` };
    return { ok: true as const, meta, definition };
  }

  private describe(): string {
    const views = this.views();
    if (views.length === 0) return "No MCP servers in this room. Add one with `/mcp add <name> <https url>`.";
    return views
      .map((v) => `• ${v.name} — ${v.state}${v.error ? ` (${v.error})` : ""}, ${v.tools.length} tools, added by ${v.addedBy.name}`)
      .join("\n");
  }
}

/** A stable hash of what the model is told about a tool. */
function fingerprint(tool: { name: string; description?: string; inputSchema: unknown }): string {
  const text = JSON.stringify([tool.name, tool.description ?? "", tool.inputSchema ?? null]);
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

function sessionLost(err: unknown): boolean {
  return /session|404|not found|-32001/i.test(errorText(err));
}

