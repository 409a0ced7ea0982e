import type { ChatRoom } from "./room/ChatRoom";
import type { Lobby } from "./lobby/Lobby";
import type { LocalSecret } from "./auth/LocalSecret";

/** Bindings and configuration of the Worker (see wrangler.jsonc and README). */
export interface Env {
  ChatRoom: DurableObjectNamespace<ChatRoom>;
  Lobby: DurableObjectNamespace<Lobby>;
  LocalSecret: DurableObjectNamespace<LocalSecret>;
  ASSETS?: Fetcher;
  /** HMAC key for session and invite tokens. Unset: a generated one is kept in LocalSecret. */
  SESSION_SECRET?: string;
  /** Extra origins allowed to open sockets, comma-separated. */
  ALLOWED_ORIGINS?: string;
  RATE_LIMIT_PER_SECOND?: string;
  RATE_LIMIT_BURST?: string;

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

  /** Dynamic Worker Loader for Code Mode's sandbox. */
  LOADER?: WorkerLoader;
  /** Local hosts MCP servers may be reached on, e.g. "127.0.0.1:*" (development and tests only). */
  MCP_ALLOW_HOSTS?: string;
}
