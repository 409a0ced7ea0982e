/**
 * The sandbox's only way out, when a room owner allows hosts.
 *
 * A Dynamic Worker's `globalOutbound` decides where its fetch() goes: null
 * blocks everything (the default). With allowed hosts, the room passes this
 * entrypoint instead (via `ctx.exports`, with the hosts as props), so every
 * request from the code is checked here, at request time: the host and port
 * must be on the room's list and the URL must pass the same egress guard as
 * MCP (https, no private address, MCP_ALLOW_HOSTS as the only exception) —
 * so an entry stored before the guard applied to allow entries is still
 * refused. Every request is audited in the room's trail, like a tool call.
 *
 * Allow entries are "host" (https on port 443) or "host:port" (that port
 * only): `/codemode allow api.example.com` does not open
 * api.example.com:8443.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env";
import { checkEgress, parseAllowHosts } from "../mcp/egress";
import type { AuditEntry } from "../mcp/store";
import { errorText } from "../errors";

/** Which run the sandbox's requests belong to, for the audit trail. */
export interface SandboxRunInfo {
  /** Names of the members who started it. */
  requestedBy: string;
  /** What ran: "assistant turn (message 42)", "/run digest". */
  run: string;
}

export interface OutboundProps extends SandboxRunInfo {
  /** Allow entries (see allowEntry). */
  hosts: string[];
  /** The room's Durable Object id, whose audit trail records each request. */
  room: string;
}

export class SandboxOutbound extends WorkerEntrypoint<Env, OutboundProps> {
  override async fetch(request: Request): Promise<Response> {
    const started = Date.now();
    const url = new URL(request.url);
    const target = allowEntry(url);
    const audit = (outcome: AuditEntry["outcome"], status: number | null, error: string | null) =>
      this.audit({
        at: started,
        server: target,
        tool: "fetch",
        // The path only: a query string may carry a key.
        args: JSON.stringify({ run: this.ctx.props.run, method: request.method, path: url.pathname, status }),
        via: "code",
        requestedBy: this.ctx.props.requestedBy,
        approvedBy: null,
        outcome,
        durationMs: Date.now() - started,
        error,
      });
    if (!this.ctx.props.hosts.includes(target)) {
      const text = `refused: ${target} is not allowed by this room (ask an owner: /codemode allow ${target})`;
      await audit("denied", 403, text);
      return new Response(text, { status: 403 });
    }
    const decision = checkEgress(request.url, parseAllowHosts(this.env.MCP_ALLOW_HOSTS));
    if (!decision.ok) {
      await audit("denied", 403, decision.message);
      return new Response(`refused: ${decision.message}`, { status: 403 });
    }
    let response: Response;
    try {
      // Redirects are not followed: the next hop would skip these checks.
      response = await fetch(request, { redirect: "manual" });
    } catch (err) {
      const text = `upstream unreachable: ${errorText(err)}`;
      await audit("error", 502, text);
      return new Response(text, { status: 502 });
    }
    await audit(response.status < 400 ? "ok" : "error", response.status, response.status < 400 ? null : `HTTP ${response.status}`);
    return response;
  }

  /** One row in the room's audit trail; a failure to record never fails the request. */
  private async audit(entry: AuditEntry): Promise<void> {
    try {
      const ns = this.env.ChatRoom;
      await ns.get(ns.idFromString(this.ctx.props.room)).auditSandboxFetch(entry);
    } catch (err) {
      console.error("sandbox fetch audit failed", errorText(err));
    }
  }
}

/** What a URL is allowed by: "host" for port 443, "host:port" otherwise (no scheme: the guard decides that). */
export function allowEntry(url: URL): string {
  const host = url.hostname.replace(/\.+$/, "");
  const port = url.port || (url.protocol === "http:" ? "80" : "443");
  return port === "443" ? host : `${host}:${port}`;
}

/** Host names and IP literals only: no wildcard or other character the URL parser lets through. */
const HOST = /^(?:[a-z0-9_-]+\.)*[a-z0-9_-]+$|^\[[0-9a-f:.]+\]$/;

/**
 * An allow entry as an owner types it ("api.example.com",
 * "https://api.example.com:8443"): the entry, and the URL the egress guard
 * checks for it. Null when it is not a bare host with an optional port.
 */
export function parseAllowEntry(input: string): { entry: string; url: string } | null {
  const text = input.trim().toLowerCase();
  if (!text) return null;
  let url: URL;
  try {
    url = new URL(text.includes("://") ? text : `https://${text}`);
  } catch {
    return null;
  }
  if (url.pathname !== "/" || url.search || url.hash || url.username || url.password) return null;
  const entry = allowEntry(url);
  return HOST.test(entry.replace(/:\d+$/, "")) ? { entry, url: url.href } : null;
}
