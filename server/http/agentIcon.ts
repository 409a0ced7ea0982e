/**
 * An outside agent's icon, from Hearth's own origin: `GET
 * /api/agent-icon/<client id>` for a signed-in member.
 *
 * An MCP client names its icon when it registers (`logo_uri`, RFC 7591), a
 * URL on a host the client chose. Readers' browsers never load it from
 * there: an image fetched by every member who sees "via <app>" would tell
 * that host who read the room and when (the reason message images become
 * links, client/src/markdown.ts). The Worker fetches it instead, through
 * the egress guard (public https only; `MCP_ALLOW_HOSTS` for local
 * development, as for the rooms' MCP servers), keeps it only if its bytes
 * are a PNG, JPEG, GIF or WebP of at most ICON_MAX_BYTES — never SVG, which
 * can carry script — and serves it under its sniffed type with nosniff and
 * a CSP that allows nothing. The edge cache keeps it for a day.
 */
import { guardedFetch, parseAllowHosts } from "../egress";
import { oauthHelpers } from "../mcpserver/oauth";

// A registered client's id, or (percent-encoded) the https URL a metadata-document client goes by.
const ICON_PATH = /^\/api\/agent-icon\/([A-Za-z0-9_.~%-]{1,1024})$/;
const CLIENT_ID_MAX = 512;
export const ICON_MAX_BYTES = 64 * 1024;
const FETCH_TIMEOUT_MS = 5000;
const CACHE_SECONDS = 86_400;

/** The client id an icon path names, or null. */
export function agentIconClient(path: string): string | null {
  const raw = ICON_PATH.exec(path)?.[1];
  if (!raw) return null;
  try {
    const id = decodeURIComponent(raw);
    return id.length <= CLIENT_ID_MAX ? id : null;
  } catch {
    return null;
  }
}

export async function agentIcon(request: Request, env: Cloudflare.Env, clientId: string): Promise<Response> {
  // One entry per client for everyone: an icon is the same for every reader, and it is not a secret.
  const key = new Request(`${new URL(request.url).origin}/api/agent-icon/${encodeURIComponent(clientId)}`);
  const cache = (caches as unknown as { default: Cache }).default;
  const hit = await cache.match(key);
  // A fresh Response: the caller appends a renewed session cookie to its headers.
  if (hit) return new Response(hit.body, hit);
  // A metadata-document client's record is fetched from its URL, and may fail to resolve.
  const client = await oauthHelpers(request, env)
    .lookupClient(clientId)
    .catch(() => null);
  const icon = client?.logoUri ? await fetchIcon(client.logoUri, parseAllowHosts(env.MCP_ALLOW_HOSTS)) : null;
  const response = icon
    ? new Response(icon.bytes, { headers: { "Content-Type": icon.type, ...ICON_HEADERS, "Cache-Control": `private, max-age=${CACHE_SECONDS}` } })
    : new Response("This app has no icon Hearth can show.", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", ...ICON_HEADERS, "Cache-Control": "private, max-age=3600" } });
  // The edge copy is shared; the browser's stays private (the route needs a session).
  const shared = new Response(response.clone().body, response);
  shared.headers.set("Cache-Control", `public, max-age=${icon ? CACHE_SECONDS : 3600}`);
  await cache.put(key, shared).catch(() => {});
  return response;
}

const ICON_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Content-Security-Policy": "default-src 'none'; sandbox",
  "Cross-Origin-Resource-Policy": "same-origin",
};

async function fetchIcon(url: string, allowHosts: string[]): Promise<{ bytes: Uint8Array; type: string } | null> {
  try {
    // No cookie, no token: the guard's fetch sends only what is set here.
    const response = await guardedFetch(allowHosts)(url, { headers: { Accept: "image/png, image/jpeg, image/gif, image/webp" }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok || !response.body) return null;
    const bytes = await readAtMost(response.body, ICON_MAX_BYTES);
    if (!bytes) return null;
    const type = rasterType(bytes);
    return type ? { bytes, type } : null;
  } catch (err) {
    console.warn(`agent icon: ${url.slice(0, 200)} could not be fetched`, err instanceof Error ? err.message : err);
    return null;
  }
}

/** The body, or null when it is longer than `max` (reading stops there). */
async function readAtMost(body: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array | null> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** The image type the bytes are, by their signature (what the server said they are does not count). */
export function rasterType(b: Uint8Array): string | null {
  const starts = (sig: number[], from = 0) => sig.every((v, i) => b[from + i] === v);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (starts([0xff, 0xd8, 0xff])) return "image/jpeg";
  if (starts([0x47, 0x49, 0x46, 0x38])) return "image/gif";
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return "image/webp";
  return null;
}
