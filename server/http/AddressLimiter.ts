/**
 * Per-address limits on what is free to create: sessions (POST
 * /api/session) and rooms (POST /api/rooms). Without them the per-member
 * assistant budgets cap nothing — a new session is a new member.
 *
 * One Durable Object per client address keeps, per kind, the times of the
 * requests in the last window (a sliding log; limits are small, so is the
 * log) in its storage, so counts survive eviction and every isolate of the
 * Worker sees the same ones.
 *
 * The address is `CF-Connecting-IP`, which Cloudflare's edge always sets.
 * Under `wrangler dev` it is 127.0.0.1 or absent: absent counts as the one
 * address "unknown", so it is limited like any other, never a way around.
 * IPv6 addresses count per /64 (one subscriber's prefix), else one machine
 * would have 2^64 budgets.
 */
import { DurableObject } from "cloudflare:workers";
import { settings, type Settings, type SettingsSource } from "../config";

/** The limits and the objects that count against them. */
export interface LimiterEnv extends SettingsSource {
  AddressLimiter: DurableObjectNamespace<AddressLimiter>;
}
import { apiError } from "./respond";

const HOUR = 3_600_000;

export type LimitKind = "session" | "room";

export class AddressLimiter extends DurableObject<unknown> {
  /** Counts one request of `kind`; refused with the seconds until one is free again. */
  take(kind: LimitKind, limit: number, windowMs: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = Date.now();
    const kv = this.ctx.storage.kv;
    const times = (kv.get<number[]>(kind) ?? []).filter((t) => t > now - windowMs);
    if (times.length >= limit) {
      kv.put(kind, times);
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((times[0]! + windowMs - now) / 1000)) };
    }
    times.push(now);
    kv.put(kind, times);
    return { ok: true };
  }
}

/** The key a request is counted under (see the file comment). */
export function clientAddress(request: Request): string {
  const ip = request.headers.get("CF-Connecting-IP")?.trim();
  if (!ip) return "unknown";
  return ip.includes(":") ? ipv6Prefix64(ip) : ip;
}

function ipv6Prefix64(ip: string): string {
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

const LIMITS = {
  session: { setting: "SESSIONS_PER_ADDRESS_PER_HOUR", what: "sessions" },
  room: { setting: "ROOMS_PER_ADDRESS_PER_HOUR", what: "rooms" },
} as const satisfies Record<LimitKind, { setting: keyof Settings; what: string }>;

/** Null when the request may go on; otherwise the 429 to send. */
export async function limitByAddress(request: Request, env: LimiterEnv, kind: LimitKind): Promise<Response | null> {
  const { setting, what } = LIMITS[kind];
  const limit = settings(env)[setting];
  const outcome = await env.AddressLimiter.getByName(clientAddress(request)).take(kind, limit, HOUR);
  if (outcome.ok) return null;
  const response = apiError(
    429,
    "rate_limited",
    `Too many new ${what} from your address: at most ${limit} an hour. Try again in ${outcome.retryAfterSeconds} seconds.`,
  );
  response.headers.set("Retry-After", String(outcome.retryAfterSeconds));
  return response;
}
