import { z } from "zod";
import type { ChatRoom } from "./room/ChatRoom";
import type { Lobby } from "./lobby/Lobby";
import type { LocalSecret } from "./auth/LocalSecret";
import type { AddressLimiter } from "./http/AddressLimiter";
import type { Account } from "./accounts/Account";
import type { DeviceCodes } from "./accounts/DeviceCodes";
import type { IdentityLink } from "./accounts/IdentityLink";

/** Bindings and configuration of the Worker (see wrangler.jsonc and README). */
export interface Env {
  ChatRoom: DurableObjectNamespace<ChatRoom>;
  Lobby: DurableObjectNamespace<Lobby>;
  LocalSecret: DurableObjectNamespace<LocalSecret>;
  /** Per-address limits on creating sessions and rooms (http/AddressLimiter.ts). */
  AddressLimiter: DurableObjectNamespace<AddressLimiter>;
  /** One per member id: passkeys and "my rooms" (accounts/Account.ts). */
  Account: DurableObjectNamespace<Account>;
  /** One instance ("codes"): one-time codes that link another device. */
  DeviceCodes: DurableObjectNamespace<DeviceCodes>;
  /** One per outside identity (hash of issuer + subject): the member it signs in as. */
  IdentityLink: DurableObjectNamespace<IdentityLink>;
  ASSETS?: Fetcher;
  /** HMAC key for session and invite tokens. Unset: a generated one is kept in LocalSecret. */
  SESSION_SECRET?: string;
  /** Extra origins allowed to open sockets, comma-separated. */
  ALLOWED_ORIGINS?: string;
  RATE_LIMIT_PER_SECOND?: string;
  RATE_LIMIT_BURST?: string;
  /** POST /api/session calls per client address per hour. */
  SESSIONS_PER_ADDRESS_PER_HOUR?: string;
  /** POST /api/rooms calls per client address per hour. */
  ROOMS_PER_ADDRESS_PER_HOUR?: string;

  // The assistant (README → "The assistant").
  /** Workers AI binding: the default model provider when deployed. */
  AI?: Ai;
  /** workers-ai | openai-compatible */
  AI_PROVIDER?: string;
  AI_MODEL?: string;
  OPENAI_BASE_URL?: string;
  OPENAI_API_KEY?: string;
  ASSISTANT_NAME?: string;
  ASSISTANT_MAX_STEPS?: string;
  ASSISTANT_CONTEXT_TOKENS?: string;
  ASSISTANT_TOOL_TOKENS?: string;
  ASSISTANT_ROOM_TURNS_PER_MINUTE?: string;
  ASSISTANT_MEMBER_TURNS_PER_MINUTE?: string;
  ASSISTANT_ROOM_TOKENS_PER_DAY?: string;
  ASSISTANT_MEMBER_TOKENS_PER_DAY?: string;
  ASSISTANT_MAX_OUTPUT_TOKENS?: string;
  ASSISTANT_ROOM_RUNS_PER_DAY?: string;

  /** Dynamic Worker Loader for Code Mode's sandbox. */
  LOADER?: WorkerLoader;
  /** Local hosts MCP servers may be reached on, e.g. "127.0.0.1:*" (development and tests only). */
  MCP_ALLOW_HOSTS?: string;

  // Who you are (README → "Who you are").
  /** Cloudflare Access team domain, e.g. https://myteam.cloudflareaccess.com; with ACCESS_AUD, Access JWTs sign members in. */
  ACCESS_TEAM_DOMAIN?: string;
  /** The Access application's audience (AUD) tag. */
  ACCESS_AUD?: string;
  /** OpenID Connect provider (issuer URL); with OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, "Sign in with …" appears. */
  OIDC_ISSUER?: string;
  OIDC_CLIENT_ID?: string;
  /** A secret (`wrangler secret put OIDC_CLIENT_SECRET`). */
  OIDC_CLIENT_SECRET?: string;
  /** The provider's name on the button ("Google", "Okta" …); default: the issuer's host. */
  OIDC_NAME?: string;
  /** Local hosts identity providers (OIDC issuer, Access certs) may be reached on, e.g. "127.0.0.1:*" (development and tests only). */
  IDENTITY_ALLOW_HOSTS?: string;
}

/**
 * The Worker's settings, parsed once per `env` object with one schema, so
 * every reader sees the same values: unset or empty means the default; a
 * value that is not valid is a ConfigError naming the setting (never its
 * value when it is a secret), instead of a silent 0 or NaN. (An empty
 * RATE_LIMIT_PER_SECOND once became 0 tokens and refused every frame.)
 */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Shortest SESSION_SECRET accepted: 256 bits, the HMAC-SHA256 key size. */
export const SESSION_SECRET_MIN_BYTES = 32;

const blank = (v: string | undefined) => v === undefined || v.trim() === "";

/** A whole number ≥ min; unset or empty: the default. */
function whole(min: number, fallback: number) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (blank(v)) return fallback;
      const n = /^\s*\d+\s*$/.test(v!) ? Number(v) : NaN;
      if (!(n >= min)) {
        ctx.addIssue({ code: "custom", message: `must be a whole number ≥ ${min} (got ${JSON.stringify(v)})` });
        return z.NEVER;
      }
      return n;
    });
}

/** A number > 0 (decimals allowed); unset or empty: the default. */
function positive(fallback: number) {
  return z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (blank(v)) return fallback;
      const n = /^\s*(\d+\.?\d*|\.\d+)\s*$/.test(v!) ? Number(v) : NaN;
      if (!(n > 0)) {
        ctx.addIssue({ code: "custom", message: `must be a number > 0 (got ${JSON.stringify(v)})` });
        return z.NEVER;
      }
      return n;
    });
}

const Settings = z.object({
  SESSION_SECRET: z
    .string()
    .optional()
    .transform((v) => (blank(v) ? undefined : v))
    .refine(
      (v) => v === undefined || new TextEncoder().encode(v).length >= SESSION_SECRET_MIN_BYTES,
      `is too short: use at least ${SESSION_SECRET_MIN_BYTES} bytes, e.g. \`openssl rand -hex 32\` (or leave it unset for a generated key)`,
    ),
  RATE_LIMIT_PER_SECOND: positive(5),
  RATE_LIMIT_BURST: whole(1, 20),
  ASSISTANT_MAX_STEPS: whole(1, 5),
  ASSISTANT_CONTEXT_TOKENS: whole(200, 4000),
  ASSISTANT_TOOL_TOKENS: whole(0, 1500),
  ASSISTANT_ROOM_TURNS_PER_MINUTE: whole(0, 10),
  ASSISTANT_MEMBER_TURNS_PER_MINUTE: whole(0, 4),
  ASSISTANT_ROOM_TOKENS_PER_DAY: whole(0, 200_000),
  ASSISTANT_MEMBER_TOKENS_PER_DAY: whole(0, 50_000),
  ASSISTANT_MAX_OUTPUT_TOKENS: whole(16, 1024),
  ASSISTANT_ROOM_RUNS_PER_DAY: whole(0, 200),
  SESSIONS_PER_ADDRESS_PER_HOUR: whole(0, 60),
  ROOMS_PER_ADDRESS_PER_HOUR: whole(0, 20),
});
export type Settings = z.infer<typeof Settings>;

const parsed = new WeakMap<object, Settings>();

/** The validated settings of `env`; throws ConfigError listing every bad one. */
export function settings(env: Env): Settings {
  let result = parsed.get(env);
  if (!result) {
    const outcome = Settings.safeParse(env);
    if (!outcome.success) {
      const problems = outcome.error.issues.map((i) => `${i.path.join(".")} ${i.message}`);
      throw new ConfigError(`The server is misconfigured: ${problems.join("; ")}.`);
    }
    parsed.set(env, (result = outcome.data));
  }
  return result;
}
