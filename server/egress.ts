/**
 * Where a room may connect on members' behalf (SSRF guard).
 *
 * A member can point the room at any URL, and the room then makes requests
 * from inside the platform. Only public https endpoints are allowed:
 * loopback, private, link-local, CGNAT, metadata, multicast, reserved and
 * unspecified addresses are refused, in every spelling — the WHATWG URL
 * parser already turns decimal, octal, hex and short IPv4 forms
 * (2130706433, 0177.0.0.1, 0x7f.1, 127.1) into dotted quads, and IPv6
 * addresses that carry an IPv4 one (mapped, compatible, translated, NAT64,
 * 6to4, Teredo) are unwrapped and checked as IPv4.
 * Local names (localhost, *.local, *.internal …) are refused too. The only
 * way to reach a local server is MCP_ALLOW_HOSTS (e.g. "127.0.0.1:*"), for
 * development and tests. Every refusal names its rule.
 *
 * Names are not resolved here (Workers have no DNS API); on Cloudflare,
 * outbound fetches cannot reach private networks anyway. The guard runs on
 * the server URL, on every redirect hop and on every OAuth discovery/token
 * request, because the MCP transport and its OAuth helpers fetch through
 * `guardedFetch` (which also keeps credentials from following a redirect
 * to another origin).
 */

export type EgressDecision = { ok: true } | { ok: false; rule: string; message: string };

const MAX_REDIRECTS = 5;

export function parseAllowHosts(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

export function checkEgress(rawUrl: string, allowHosts: string[] = []): EgressDecision {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return refuse("invalid_url", `${JSON.stringify(rawUrl)} is not a URL`);
  }
  if (url.username || url.password) return refuse("credentials_in_url", "URLs with user:password@ are refused; use headers");
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === "https:" ? "443" : url.protocol === "http:" ? "80" : "");
  if (allowed(host, port, allowHosts)) {
    return url.protocol === "https:" || url.protocol === "http:" ? { ok: true } : refuse("scheme", `${url.protocol} is not http(s)`);
  }
  if (url.protocol !== "https:") return refuse("https_only", `only https URLs are allowed (got ${url.protocol.replace(":", "")})`);

  const v4 = parseIPv4(host);
  if (v4 !== null) return checkIPv4(v4, host);
  if (host.startsWith("[")) return checkIPv6(host.slice(1, -1));
  return checkName(host);
}

/** Entries are "host:port" or "host:*" (IPv6 as "[::1]:*"); a bare host means any port. */
function allowed(host: string, port: string, allowHosts: string[]): boolean {
  return allowHosts.some((entry) => {
    const i = entry.lastIndexOf(":");
    const [h, p] = i > 0 && !entry.endsWith("]") ? [entry.slice(0, i), entry.slice(i + 1)] : [entry, "*"];
    return h === host && (p === "*" || p === port);
  });
}

function refuse(rule: string, message: string): EgressDecision {
  return { ok: false, rule, message: `refused by the egress guard (${rule}): ${message}` };
}

const LOCAL_NAMES = ["localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "metadata.google.internal", "metadata"];
const LOCAL_SUFFIXES = [".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".lan", ".intranet", ".corp"];

function checkName(host: string): EgressDecision {
  const name = host.replace(/\.+$/, "");
  if (!name) return refuse("invalid_host", "empty host name");
  if (LOCAL_NAMES.includes(name) || LOCAL_SUFFIXES.some((s) => name.endsWith(s))) {
    return refuse("local_name", `${host} names a local machine`);
  }
  if (!name.includes(".")) return refuse("local_name", `${host} is a single-label (local) name`);
  return { ok: true };
}

/** Dotted quad → 32-bit number (the URL parser has already canonicalised every IPv4 spelling). */
function parseIPv4(host: string): number | null {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return null;
  const octets = parts.map(Number);
  if (octets.some((o) => o > 255)) return null;
  return ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
}

const V4_RULES: Array<[string, number, number]> = [
  ["unspecified", ip("0.0.0.0"), 8],
  ["private", ip("10.0.0.0"), 8],
  ["cgnat", ip("100.64.0.0"), 10],
  ["loopback", ip("127.0.0.0"), 8],
  ["metadata", ip("169.254.169.254"), 32],
  ["link_local", ip("169.254.0.0"), 16],
  ["private", ip("172.16.0.0"), 12],
  ["reserved", ip("192.0.0.0"), 24],
  ["documentation", ip("192.0.2.0"), 24],
  ["private", ip("192.168.0.0"), 16],
  ["benchmarking", ip("198.18.0.0"), 15],
  ["documentation", ip("198.51.100.0"), 24],
  ["documentation", ip("203.0.113.0"), 24],
  ["multicast", ip("224.0.0.0"), 4],
  ["reserved", ip("240.0.0.0"), 4],
];

function ip(dotted: string): number {
  return parseIPv4(dotted)!;
}

function checkIPv4(addr: number, shown: string): EgressDecision {
  for (const [rule, base, bits] of V4_RULES) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((addr & mask) >>> 0 === (base & mask) >>> 0) return refuse(rule, `${shown} is a ${rule.replace("_", "-")} address`);
  }
  return { ok: true };
}

/**
 * Expands an IPv6 literal to 8 hextets. The URL parser has already printed
 * it in compressed hex (an IPv4 tail like ::ffff:127.0.0.1 becomes
 * ::ffff:7f00:1), so only hex groups and one "::" can appear.
 */
function expandIPv6(text: string): number[] | null {
  if (!/^[0-9a-f:]+$/.test(text)) return null;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const l = halves[0] ? halves[0].split(":") : [];
  const r = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - l.length - r.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return null;
  const groups = [...l, ...Array<string>(missing).fill("0"), ...r].map((x) => parseInt(x, 16));
  return groups.every((x) => Number.isInteger(x) && x <= 0xffff) ? groups : null;
}

function checkIPv6(text: string): EgressDecision {
  const g = expandIPv6(text.toLowerCase());
  if (!g) return refuse("invalid_host", `[${text}] is not an IPv6 address`);
  const shown = `[${text}]`;
  if (g.every((x) => x === 0)) return refuse("unspecified", `${shown} is the unspecified address`);
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return refuse("loopback", `${shown} is the loopback address`);
  // 64:ff9b:1::/48 is NAT64 for the operator's own use (RFC 8215), with the
  // IPv4 address at a prefix-dependent place: refused whole.
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return refuse("nat64_local", `${shown} is a local-use NAT64 address`);
  // IPv6 forms that carry an IPv4 address: the IPv4 inside is checked, so
  // a wrapped 127.0.0.1 or 10.x is refused like the bare address.
  const wrapped = wrappedIPv4(g);
  if (wrapped) {
    const inner = checkIPv4(wrapped.addr, shown);
    if (!inner.ok) return refuse(`${wrapped.kind}_${inner.rule}`, `${shown} wraps an IPv4 address that is refused (${inner.rule})`);
  }
  if ((g[0]! & 0xfe00) === 0xfc00) return refuse("unique_local", `${shown} is a unique-local (private) address`);
  if ((g[0]! & 0xffc0) === 0xfe80) return refuse("link_local", `${shown} is a link-local address`);
  // fec0::/10: deprecated (RFC 3879) but still routed inside some sites.
  if ((g[0]! & 0xffc0) === 0xfec0) return refuse("site_local", `${shown} is a site-local address`);
  if ((g[0]! & 0xff00) === 0xff00) return refuse("multicast", `${shown} is a multicast address`);
  if (g[0] === 0x2001 && g[1] === 0xdb8) return refuse("documentation", `${shown} is a documentation address`);
  return { ok: true };
}

/**
 * The IPv4 address inside an IPv6 one, for the forms that embed it:
 * ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), ::ffff:0:a.b.c.d
 * (translated, RFC 2765), 64:ff9b::/96 (NAT64, RFC 6052), 2002:AABB:CCDD::/48
 * (6to4, RFC 3056) and 2001:0::/32 (Teredo, RFC 4380: the client's address
 * is stored inverted in the last 32 bits).
 */
function wrappedIPv4(g: number[]): { kind: string; addr: number } | null {
  const v4 = (hi: number, lo: number) => ((hi << 16) | lo) >>> 0;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && (g[5] === 0xffff || g[5] === 0)) return { kind: "ipv4_mapped", addr: v4(g[6]!, g[7]!) };
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return { kind: "ipv4_translated", addr: v4(g[6]!, g[7]!) };
  if (g[0] === 0x64 && g[1] === 0xff9b) return { kind: "nat64", addr: v4(g[6]!, g[7]!) };
  if (g[0] === 0x2002) return { kind: "6to4", addr: v4(g[1]!, g[2]!) };
  if (g[0] === 0x2001 && g[1] === 0) return { kind: "teredo", addr: v4(g[6]! ^ 0xffff, g[7]! ^ 0xffff) };
  return null;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Request headers that carry no credential and may go on to another
 * origin: the CORS-safelisted ones and user-agent. Everything else —
 * Authorization, Cookie, Mcp-Session-Id, a server's custom API-key header —
 * stays with the origin it was meant for.
 */
const CROSS_ORIGIN_HEADERS = new Set(["accept", "accept-language", "content-language", "user-agent"]);

/** Headers that describe a body, dropped with it when a redirect turns the request into a GET. */
const BODY_HEADERS = ["content-type", "content-length", "content-encoding", "content-language", "content-location"];

/**
 * fetch for MCP connections: checks every URL against the guard and never
 * sends a request the guard refused.
 *
 * The caller's `redirect` mode is honoured. The MCP SDK asks for "manual"
 * and follows only same-origin redirects itself (through this fetch, so
 * each hop is checked); "manual" returns the 3xx as it is and "error"
 * throws on one. With "follow" (the default), hops are followed here, at
 * most MAX_REDIRECTS, each checked, each with the caller's abort signal,
 * with the Fetch standard's method rules (303, and 301/302 after POST,
 * become a GET without a body). Credentials never cross origins: on a
 * redirect to another origin every header but CROSS_ORIGIN_HEADERS is
 * dropped, and a request whose body would be sent again (307/308, e.g. a
 * token request carrying a code or client secret) is refused instead.
 */
export function guardedFetch(allowHosts: string[]): typeof fetch {
  const check = (url: string) => {
    const decision = checkEgress(url, allowHosts);
    if (!decision.ok) throw new EgressError(decision.rule, decision.message);
  };
  return async (input: RequestInfo | URL, init?: RequestInit) => {
    // workerd's Request knows only "follow" and "manual", so the caller's
    // mode is read here and every hop is sent as "manual".
    const mode = init?.redirect ?? (input instanceof Request ? input.redirect : "follow");
    const request = new Request(input, { ...init, redirect: "manual" });
    check(request.url);
    if (mode !== "follow") {
      const response = await fetch(request);
      if (mode === "error" && isRedirect(response)) {
        await response.body?.cancel();
        const { origin, pathname } = new URL(request.url);
        throw new TypeError(`fetch failed: ${origin}${pathname} answered with a redirect (${response.status}) and redirect mode is "error"`);
      }
      return response;
    }
    const signal = request.signal;
    let url = request.url;
    let method = request.method;
    const headers = new Headers(request.headers);
    // Buffered, so a 307/308 to the same origin can send it again.
    let body: ArrayBuffer | null = request.body ? await request.arrayBuffer() : null;
    for (let hop = 0; ; hop++) {
      const response = await fetch(url, { method, headers, body, signal, redirect: "manual" });
      const location = isRedirect(response) ? response.headers.get("Location") : null;
      if (!location) return response;
      await response.body?.cancel();
      if (hop >= MAX_REDIRECTS) throw new EgressError("too_many_redirects", `refused by the egress guard (too_many_redirects): more than ${MAX_REDIRECTS} redirects`);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new EgressError("invalid_url", "refused by the egress guard (invalid_url): the redirect's Location is not a URL");
      }
      if ((response.status === 303 && method !== "GET" && method !== "HEAD") || ((response.status === 301 || response.status === 302) && method === "POST")) {
        method = "GET";
        body = null;
        for (const name of BODY_HEADERS) headers.delete(name);
      }
      const from = new URL(url).origin;
      if (next.origin !== from) {
        if (body !== null) {
          throw new EgressError(
            "cross_origin_redirect",
            `refused by the egress guard (cross_origin_redirect): ${from} redirected a ${method} with a body to ${next.origin}; it is not sent to another origin`,
          );
        }
        for (const name of [...headers.keys()]) if (!CROSS_ORIGIN_HEADERS.has(name)) headers.delete(name);
      }
      url = next.href;
      check(url);
    }
  };
}

function isRedirect(response: Response): boolean {
  return REDIRECT_STATUSES.has(response.status);
}

export class EgressError extends Error {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
    this.name = "EgressError";
  }
}
