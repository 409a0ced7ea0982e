/**
 * An OAuth callback completes only in the browser of the member who started
 * that flow.
 *
 * The consent URL is a capability: whoever finishes it decides whose account
 * the room's connection acts as. Without this check a member could send
 * their own consent link to someone else ("click to see the doc") and,
 * once that person consented, act with their account — on a shared server
 * as the connector, on a personal one as themselves. The popup's redirect
 * back to the room is a top-level GET, so it carries the session cookie
 * (SameSite=Lax); the Worker turns it into the identity header (index.ts)
 * and the room compares it with who started the flow: the connector of a
 * shared server, the member of a personal grant.
 */
import { readIdentity } from "../http/identityHeader";
import { oauthPopupResponse } from "./oauthPopup";

/** The SDK's `state` is `<nonce>.<server id>` (agents' MCPClientManager). */
function stateServerId(url: URL): string | null {
  const parts = (url.searchParams.get("state") ?? "").split(".");
  return parts.length === 2 && parts[1] ? parts[1] : null;
}

/**
 * A refusal page for a callback completed by anyone but the flow's starter;
 * null for every other request (sockets, and callbacks the SDK will judge).
 */
export function refuseForeignCallback(request: Request, starterOf: (sdkServerId: string) => string | null): Response | null {
  if (request.method !== "GET" || request.headers.get("Upgrade")) return null;
  const url = new URL(request.url);
  if (!url.pathname.endsWith("/callback")) return null;
  const serverId = stateServerId(url);
  const starter = serverId ? starterOf(serverId) : null;
  if (!starter) return null;
  if (readIdentity(request)?.id === starter) return null;
  return oauthPopupResponse({
    authSuccess: false,
    authError: "finish it signed in to Hearth, in this browser, as the member who started this authorization",
  });
}
