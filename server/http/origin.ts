/**
 * Cross-site WebSocket hijacking guard. Browsers always send Origin on a
 * WebSocket upgrade and let any page open a socket to any host, so the
 * Worker accepts only its own origin plus configured extra ones. Clients
 * that send no Origin are not browsers; they still need a session. The
 * same check guards every API POST against cross-site request forgery,
 * since the session cookie would otherwise ride along.
 */
export function originAllowed(request: Request, extraOrigins: string | undefined): boolean {
  const origin = request.headers.get("Origin");
  if (origin === null) return true;
  if (origin === new URL(request.url).origin) return true;
  return extraOriginList(extraOrigins).includes(origin);
}

function extraOriginList(extraOrigins: string | undefined): string[] {
  return (extraOrigins ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * CORS for the API: an origin listed in ALLOWED_ORIGINS may call it with
 * the session cookie (credentials), e.g. to get a socket ticket. Nobody
 * else gets CORS headers, so their pages cannot read any answer.
 */
export function corsHeaders(request: Request, extraOrigins: string | undefined): Array<[string, string]> {
  const origin = request.headers.get("Origin");
  if (!origin || !extraOriginList(extraOrigins).includes(origin)) return [];
  return [
    ["Access-Control-Allow-Origin", origin],
    ["Access-Control-Allow-Credentials", "true"],
    ["Access-Control-Allow-Methods", "GET, POST"],
    ["Access-Control-Allow-Headers", "content-type"],
    ["Vary", "Origin"],
  ];
}
