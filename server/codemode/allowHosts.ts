/**
 * The hosts a room lets its sandbox reach, as entries and as the run's
 * props. Allow entries are "host" (https on port 443) or "host:port" (that
 * port only): `/codemode allow api.example.com` does not open
 * api.example.com:8443. SandboxOutbound (outbound.ts) checks every request
 * against them.
 */

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
