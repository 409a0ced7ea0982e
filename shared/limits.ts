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
  /** Unread and mention counts stop here (shown as "99+"): counting never scans more. */
  unreadCap: 100,
  /** Most changes replayed on reconnect; a larger gap gets a fresh snapshot. */
  catchupMax: 500,
  /** How long a typing indicator lives without a refresh (ms). */
  typingTtlMs: 6000,

  // Stored data. A message is one SQLite row, and a Durable Object's SQLite
  // refuses rows over 2 MB: a turn that grew past that could not be saved
  // and left the assistant stuck. These caps keep every row well below it.
  /** Tool cards in one message (a Code Mode run's nested calls included). */
  partsPerMessage: 100,
  /** Characters of one card's input as JSON (a code card's input holds its code). */
  partInputChars: 20_000,
  /** Characters of one card's output as JSON (the model sees at most as much). */
  partOutputChars: 8_000,
  /** Characters of one card's error text. */
  partErrorChars: 1_000,
  /** UTF-8 bytes of a message's text and cards together, as stored. */
  messageBytes: 1_000_000,
  /** Saved scripts in one room (each keeps its versions). */
  scriptsPerRoom: 50,
  /** Versions one script keeps (none is pruned: schedules pin versions). */
  versionsPerScript: 100,
  /** Characters of one script version's code. */
  scriptCodeChars: 20_000,

  /** MCP servers one room may connect (each holds a connection and reconnects on every wake). */
  mcpServersPerRoom: 8,
  /** Tools listed per server in the `mcp` frame; the rest are counted (`toolCount`). */
  mcpToolsListed: 40,
  /** Characters of a tool description in the `mcp` frame. */
  mcpDescriptionChars: 300,
  /** Characters of one value a member types into an MCP elicitation form. */
  elicitationValueChars: 2000,
  /** Fields one elicitation form may have (more are refused as a whole). */
  elicitationFields: 30,
  /** Pending elicitations per room: a server asking more is declined. */
  elicitationsPerRoom: 20,

  /** Characters of one reaction emoji (a flag or a ZWJ family is several). */
  reactionChars: 16,
  /** Different emoji on one message. */
  reactionsPerMessage: 12,
  /** Names listed per emoji on a message (the count is exact beyond). */
  reactorsListed: 20,
  /** Pinned messages in one room. */
  pinsPerRoom: 50,
  /** Characters of a pinned message shown in the pinned list. */
  pinExcerptChars: 200,
  /** Longest slow-mode interval an owner may set (seconds). */
  slowModeMaxSeconds: 6 * 3600,

  /** Bytes of one attached file (the upload is refused beyond, before anything is stored). */
  fileBytes: 10 * 1024 * 1024,
  /** Files attached to one message. */
  filesPerMessage: 4,
  /** Characters of a file's name (longer names are refused; the client shortens them). */
  fileNameChars: 200,
  /** Uploads one member may hold not yet attached to a message (each is an object in R2). */
  pendingUploadsPerMember: 20,
  /** How long a download link the room mints stays valid (ms). */
  fileUrlTtlMs: 5 * 60 * 1000,
  /** Characters of an attached text file the assistant reads (the rest is cut, and it is told so). */
  assistantFileChars: 20 * 1024,
} as const;
