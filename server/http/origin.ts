/**
 * Cross-site WebSocket hijacking guard. Browsers always send Origin on a
 * WebSocket upgrade and let any page open a socket to any host, so the
 * Worker accepts only its own origin plus configured extra ones. Clients
 * that send no Origin are not browsers; they still need a session token.
 */
export function originAllowed(request: Request, extraOrigins: string | undefined): boolean {
  const origin = request.headers.get("Origin");
  if (origin === null) return true;
  if (origin === new URL(request.url).origin) return true;
  const extra = (extraOrigins ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return extra.includes(origin);
}
