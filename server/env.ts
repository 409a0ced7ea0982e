import type { ChatRoom } from "./ChatRoom";
import type { Lobby } from "./lobby/Lobby";
import type { LocalSecret } from "./auth/LocalSecret";
import type { AddressLimiter } from "./http/AddressLimiter";
import type { Account } from "./accounts/Account";
import type { DeviceCodes } from "./accounts/DeviceCodes";
import type { IdentityLink } from "./accounts/IdentityLink";
import type { OAuthHelpers } from "@cloudflare/workers-oauth-provider";

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
  /** R2: the files attached to messages, under rooms/<room>/<id> (room/files.ts). Simulated locally by `wrangler dev`. */
  FILES: R2Bucket;
  /** HMAC key for session and invite tokens. Unset: a generated one is kept in LocalSecret. */
  SESSION_SECRET?: string;
  /** Extra origins allowed to open sockets, comma-separated. */
  ALLOWED_ORIGINS?: string;
  RATE_LIMIT_PER_SECOND?: string;
  RATE_LIMIT_BURST?: string;
  /** Bench only: "1" counts each room's SQLite rows (room/costCounters.ts); never set it in production. */
  HEARTH_COST_COUNTERS?: string;
  /** POST /api/session calls per client address per hour. */
  SESSIONS_PER_ADDRESS_PER_HOUR?: string;
  /** POST /api/rooms calls per client address per hour. */
  ROOMS_PER_ADDRESS_PER_HOUR?: string;

  // The assistant (README → "The assistant").
  /** Workers AI binding: the default model provider when deployed. */
  AI?: Ai;
  /** workers-ai | openai-compatible | none (no model on purpose: `npm start` found none) */
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
  /** Largest attached image the model is shown (bytes); unset or 0: none (for models that take images only). */
  ASSISTANT_IMAGE_BYTES?: string;

  /** Dynamic Worker Loader for Code Mode's sandbox. */
  LOADER?: WorkerLoader;
  /** Local hosts MCP servers may be reached on, e.g. "127.0.0.1:*" (development and tests only). */
  MCP_ALLOW_HOSTS?: string;
  /** How long a member has to answer an MCP server's elicitation before the room cancels it (default 300). */
  MCP_ELICITATION_SECONDS?: string;
  MCP_AUTHORIZE_SECONDS?: string;

  // Notifications (README → "Configuration").
  /** Web Push application server key pair (P-256, base64url); unset: a generated pair is kept in LocalSecret. */
  VAPID_PUBLIC_KEY?: string;
  /** A secret (`wrangler secret put VAPID_PRIVATE_KEY`). */
  VAPID_PRIVATE_KEY?: string;
  /** The contact push services see (mailto: or https: URL). */
  VAPID_SUBJECT?: string;
  /** Local hosts push endpoints may be on, e.g. "127.0.0.1:*" (development and tests only). */
  PUSH_ALLOW_HOSTS?: string;

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

  // Hearth as an MCP server (README → "Connect your MCP client"; server/mcpserver/).
  /** KV: the OAuth provider's clients, grants and (hashed) tokens. Simulated locally by `wrangler dev`. */
  OAUTH_KV: KVNamespace;
  /** Set by the OAuth provider on requests it hands to the consent page and the MCP handler. */
  OAUTH_PROVIDER: OAuthHelpers;
  /** The MCP endpoint's canonical URL, e.g. https://hearth.example.com/mcp (tokens are bound to it); unset: the request's origin + /mcp. */
  MCP_RESOURCE?: string;
}

// The settings' schema and its ConfigError are in config.ts, which needs no
// binding types: modules that read a setting import it without this file
// (and so without every Durable Object class it names).
