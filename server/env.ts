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
}
