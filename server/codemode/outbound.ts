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
 * Allow entries: allowHosts.ts.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { checkEgress, parseAllowHosts } from "../egress";
import type { AuditEntry } from "../mcp/store";
import { errorText } from "../errors";
import { allowEntry, type OutboundProps } from "./allowHosts";

/** The Worker's bindings (server/env.ts), by their global name: env.ts names every class, so no module imports it. */
type Env = Cloudflare.Env;

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
