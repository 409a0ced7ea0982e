/** Caps shared by the server (enforced) and the client (shown before sending). */
export const LIMITS = {
  /** Characters in one message. */
  messageChars: 4000,
  /** Characters in a display name. */
  displayName: 32,
  /**
   * Characters in one client frame. A 4,000-character message JSON-escaped
   * as \uXXXX pairs stays below this; anything larger is refused unparsed.
   */
  frameChars: 64 * 1024,
  /** Messages in the page sent on join and the default `history` page. */
  pageSize: 50,
  /** Largest page a client may ask for. */
  pageMax: 100,
  /** Most changes replayed on reconnect; a larger gap gets a fresh snapshot. */
  catchupMax: 500,
  /** How long a typing indicator lives without a refresh (ms). */
  typingTtlMs: 6000,
} as const;
