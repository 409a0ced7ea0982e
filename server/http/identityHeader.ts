/**
 * How the Worker tells a room who is connecting. The Worker verifies the
 * session (and invite) token, then sets this header on the request it
 * forwards; the room trusts it because only the Worker can reach the room
 * (the binding is not public) and the Worker always overwrites whatever
 * header a client sent under this name.
 */
import type { VerifiedIdentity } from "../room/members";

export const IDENTITY_HEADER = "x-hearth-identity";

export function withIdentity(request: Request, identity: VerifiedIdentity): Request {
  const headers = new Headers(request.headers);
  headers.set(IDENTITY_HEADER, JSON.stringify(identity));
  // The room learns who, never the credential that proved it.
  headers.delete("Cookie");
  return new Request(request, { headers });
}

export function readIdentity(request: Request): VerifiedIdentity | null {
  const raw = request.headers.get(IDENTITY_HEADER);
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as VerifiedIdentity;
    return typeof value.id === "string" && typeof value.name === "string" ? value : null;
  } catch {
    return null;
  }
}
