/**
 * Reading and writing cookies, the one way: the session (auth/sessionCookie.ts),
 * the passkey challenge (http/passkeyApi.ts) and the OIDC flow (http/oidcApi.ts)
 * are all HttpOnly cookies, Secure over https.
 */
export function readCookie(request: Request, name: string): string | null {
  for (const part of (request.headers.get("Cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

/** A Set-Cookie value; `maxAgeMs` 0 deletes the cookie. */
export function cookieHeader(
  url: URL,
  name: string,
  value: string,
  { path, maxAgeMs, sameSite }: { path: string; maxAgeMs: number; sameSite: "Lax" | "Strict" },
): string {
  const secure = url.protocol === "https:" ? "; Secure" : "";
  return `${name}=${value}; Path=${path}; Max-Age=${Math.floor(maxAgeMs / 1000)}; HttpOnly; SameSite=${sameSite}${secure}`;
}
