/**
 * The sandbox's only way out, when a room owner allows hosts.
 *
 * A Dynamic Worker's `globalOutbound` decides where its fetch() goes: null
 * blocks everything (the default). With allowed hosts, the room passes this
 * entrypoint instead (via `ctx.exports`, with the hosts as props), so every
 * request from the code is checked here: the host must be on the room's
 * list and pass the same egress guard as MCP (https, no private address).
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env";
import { checkEgress, parseAllowHosts } from "../mcp/egress";
import { errorText } from "../errors";

export interface OutboundProps {
  hosts: string[];
}

export class SandboxOutbound extends WorkerEntrypoint<Env, OutboundProps> {
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const host = url.hostname.toLowerCase();
    if (!this.ctx.props.hosts.includes(host)) {
      return new Response(`refused: ${host} is not allowed by this room (ask an owner: /codemode allow ${host})`, { status: 403 });
    }
    const decision = checkEgress(request.url, parseAllowHosts(this.env.MCP_ALLOW_HOSTS));
    if (!decision.ok) return new Response(`refused: ${decision.message}`, { status: 403 });
    try {
      // Redirects are not followed: the next hop would skip these checks.
      return await fetch(request, { redirect: "manual" });
    } catch (err) {
      return new Response(`upstream unreachable: ${errorText(err)}`, { status: 502 });
    }
  }
}

/** Host names as owners type them: bare, lowercase, no scheme or path. */
export function normaliseHost(input: string): string | null {
  const text = input.trim().toLowerCase();
  try {
    const url = new URL(text.includes("://") ? text : `https://${text}`);
    return url.pathname === "/" && !url.search && !url.username ? url.hostname : null;
  } catch {
    return null;
  }
}
