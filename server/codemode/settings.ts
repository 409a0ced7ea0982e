/**
 * A room's Code Mode settings, kept with the room (room_meta): the tool
 * mode, the hosts the sandbox may reach (none by default) and its limits.
 * Anyone can see them (`/codemode`); only owners change them.
 *
 * An allowed host must pass the same egress guard as an MCP server's URL
 * (public names only, no private or numeric-trick address; MCP_ALLOW_HOSTS
 * is the exception for development), and is port-aware: "host" means https
 * on 443, "host:port" that port only. SandboxOutbound checks both again on
 * every request.
 */
import type { Actor, Outcome, Runners } from "../room/commands";
import type { RoomKernel } from "../room/kernel";
import type { ToolMode } from "./CodeMode";
import { checkEgress } from "../egress";
import { parseAllowEntry, type OutboundProps, type SandboxRunInfo } from "./allowHosts";
import { DEFAULT_SANDBOX_LIMITS, type SandboxLimits } from "./sandbox";

const LIMIT_RANGES = { timeoutMs: [500, 60_000], outputChars: [500, 100_000] } as const;

export class CodeModeSettings {
  constructor(
    private readonly room: RoomKernel,
    /** MCP_ALLOW_HOSTS: the guard's only exception. */
    private readonly allowHosts: string[] = [],
  ) {}

  mode(): ToolMode {
    return (this.room.members.setting("tool_mode") ?? "auto") as ToolMode;
  }

  hosts(): string[] {
    return JSON.parse(this.room.members.setting("sandbox_hosts") ?? "[]") as string[];
  }

  limits(): SandboxLimits {
    return { ...DEFAULT_SANDBOX_LIMITS, ...(JSON.parse(this.room.members.setting("sandbox_limits") ?? "{}") as Partial<SandboxLimits>) };
  }

  /** The sandbox's network: nothing, or the room's gateway with its allowed hosts and the run to audit requests under. */
  outbound(
    exports: { SandboxOutbound?: (options: { props: OutboundProps }) => Fetcher },
    run: SandboxRunInfo & { room: string },
  ): Fetcher | null {
    const hosts = this.hosts();
    return hosts.length && exports.SandboxOutbound ? exports.SandboxOutbound({ props: { ...run, hosts } }) : null;
  }

  describe(): string {
    const l = this.limits();
    const hosts = this.hosts();
    return (
      `Tool mode: ${this.mode()} (direct, code, or auto: code when the tool catalog is large). ` +
      `Sandbox network: ${hosts.length ? hosts.join(", ") : "off"}. Limits: ${l.timeoutMs} ms, ${l.outputChars} characters of output.`
    );
  }

  commands(): Runners<"codemode"> {
    return { "/codemode": (actor, args) => this.command(actor, args) };
  }

  private command(actor: Actor, args: string): Outcome {
    const [verb = "", ...rest] = args.trim().split(/\s+/).filter(Boolean);
    if (!verb) return { ok: true, text: this.describe() };
    if (actor.role !== "owner") return { ok: false, text: `Only a room owner can change Code Mode. ${this.describe()}` };
    if (verb === "direct" || verb === "code" || verb === "auto") {
      this.room.members.setSetting("tool_mode", verb);
      this.room.postSystem(`${actor.name} set the assistant's tool mode to **${verb}**.`);
      return { ok: true, text: `Tool mode: ${verb}.` };
    }
    if (verb === "allow" || verb === "deny") {
      const parsed = parseAllowEntry(rest[0] ?? "");
      if (!parsed) {
        return {
          ok: false,
          text: "Give a host name with an optional port, e.g. `/codemode allow api.github.com` (https on port 443) or `/codemode allow api.example.com:8443`.",
        };
      }
      const host = parsed.entry;
      // Removing is always possible, even an entry the guard now refuses.
      if (verb === "allow") {
        const decision = checkEgress(parsed.url, this.allowHosts);
        if (!decision.ok) return { ok: false, text: `Cannot allow ${host}: ${decision.message}. ${this.describe()}` };
      }
      const hosts = new Set(this.hosts());
      if (verb === "allow") hosts.add(host);
      else hosts.delete(host);
      this.room.members.setSetting("sandbox_hosts", JSON.stringify([...hosts].sort()));
      this.room.postSystem(`${actor.name} ${verb === "allow" ? "allowed" : "removed"} **${host}** for code run by the assistant.`);
      return { ok: true, text: this.describe() };
    }
    if (verb === "limits") {
      const next = this.limits();
      for (const pair of rest) {
        const [key, value] = pair.split("=");
        const field = key === "timeout" ? "timeoutMs" : key === "output" ? "outputChars" : null;
        const n = Number(value);
        if (!field) return { ok: false, text: "Use `/codemode limits timeout=<ms> output=<characters>`." };
        const [min, max] = LIMIT_RANGES[field];
        if (!Number.isInteger(n) || n < min || n > max) return { ok: false, text: `${key} must be a whole number from ${min} to ${max}.` };
        next[field] = n;
      }
      this.room.members.setSetting("sandbox_limits", JSON.stringify(next));
      return { ok: true, text: this.describe() };
    }
    return { ok: false, text: "Use `/codemode [direct|code|auto]`, `/codemode allow|deny <host>` or `/codemode limits timeout=<ms> output=<chars>`." };
  }
}
