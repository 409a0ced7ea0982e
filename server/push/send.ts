/**
 * Delivers one Web Push message (RFC 8030) to one subscription: encrypted
 * with the subscription's keys (RFC 8291 aes128gcm) and signed with the
 * server's VAPID key, both by @block65/webcrypto-web-push (Web Crypto, so
 * it runs on Workers). The endpoint is a URL a client gave us, so the
 * request goes through the egress guard like every other outbound call
 * (server/egress.ts): no private, loopback or metadata address, https only,
 * unless PUSH_ALLOW_HOSTS lists the host (development and tests).
 */
import { buildPushPayload, type VapidKeys } from "@block65/webcrypto-web-push";
import { checkEgress, guardedFetch } from "../egress";

export interface StoredSubscription {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** What the notification shows; the service worker (client/public/sw.js) reads exactly these. */
export interface PushPayload {
  title: string;
  body: string;
  /** A path of this origin, opened or focused on click. */
  url: string;
  /** Notifications with one tag replace each other (one per message, call or request). */
  tag: string;
}

/** sent: the push service took it; gone: the subscription no longer exists (404/410), forget it; failed: anything else. */
export type PushOutcome = { status: "sent" } | { status: "gone" } | { status: "failed"; reason: string };

/** A push service that does not answer in this long is given up on (the room's wake must end). */
const SEND_TIMEOUT_MS = 10_000;
/** How long the push service keeps an undelivered message: a day-old mention is still worth showing. */
const TTL_SECONDS = 24 * 3600;

export async function sendPush(subscription: StoredSubscription, payload: PushPayload, vapid: VapidKeys, allowHosts: string[]): Promise<PushOutcome> {
  const decision = checkEgress(subscription.endpoint, allowHosts);
  if (!decision.ok) return { status: "failed", reason: decision.message };
  const topic = await topicOf(payload.tag);
  const built = await buildPushPayload(
    // The Topic header lets the push service replace an undelivered message with the same tag.
    { data: { ...payload }, options: { ttl: TTL_SECONDS, urgency: "high", topic } },
    // The library insists on https (RFC 8030 push resources are); an http
    // endpoint gets this far only when PUSH_ALLOW_HOSTS lists its host, for
    // a local test endpoint, which then sees an https audience in its JWT.
    { endpoint: subscription.endpoint.replace(/^http:/, "https:"), expirationTime: null, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
    vapid,
  );
  const response = await guardedFetch(allowHosts)(subscription.endpoint, {
    method: "POST",
    headers: built.headers,
    body: built.body,
    // Push services answer, they do not redirect: a 3xx is a failure, never followed.
    redirect: "manual",
    signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
  });
  await response.body?.cancel();
  if (response.status === 404 || response.status === 410) return { status: "gone" };
  if (response.ok) return { status: "sent" };
  return { status: "failed", reason: `the push service answered ${response.status}` };
}

/** RFC 8030 §5.4: at most 32 base64url characters; a hash keeps tags of different rooms apart. */
async function topicOf(tag: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(tag)));
  return btoa(String.fromCharCode(...digest.slice(0, 24))).replace(/\+/g, "-").replace(/\//g, "_");
}

/** Where a push went, for logs: the push service's host only (the path is the subscription's capability). */
export function endpointHost(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return "(invalid endpoint)";
  }
}
