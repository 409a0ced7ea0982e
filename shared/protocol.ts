/**
 * The wire protocol between the browser and a room: one zod schema per frame.
 *
 * Both sides import this file. The server parses every client frame with
 * `ClientFrame` before anything else happens; the client parses every server
 * frame with `ServerFrame`, so a protocol drift shows up as a clear error
 * instead of a UI that silently shows nothing. docs/protocol.md documents
 * every frame with an example; keep the two in step.
 */
import { z } from "zod";
import { LIMITS } from "./limits";
import { SEARCH_QUERY_CHARS } from "./search";

// ---------------------------------------------------------------------------
// Building blocks

/** A client-generated idempotency key: resending the same id stores once. */
export const MessageId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, "id must be 8–64 characters of A–Z a–z 0–9 _ -");

export const Seq = z.number().int().positive();

export const Role = z.enum(["owner", "member", "viewer"]);
export type Role = z.infer<typeof Role>;

export const DisplayName = z
  .string()
  .transform((s) => s.normalize("NFC").replace(/\s+/g, " ").trim())
  .pipe(
    z
      .string()
      .min(1, "a display name cannot be empty")
      .max(LIMITS.displayName, `a display name has at most ${LIMITS.displayName} characters`)
      // Control and format characters (bidi overrides, zero-width joiners)
      // let a name impersonate another one on screen.
      .refine((s) => !/[\p{Cc}\p{Cf}]/u.test(s), "a display name cannot contain control characters"),
  );

/**
 * Trailing whitespace and leading blank lines removed, in linear time. (A
 * regex like /\s+$/ backtracks: 60,000 spaces followed by a letter took
 * about 9 s of the room's only thread.) String.prototype.trim* strip
 * exactly the characters `\s` matches.
 */
export function trimMessage(s: string): string {
  const end = s.trimEnd();
  const indent = end.length - end.trimStart().length;
  const lastBreak = indent > 0 ? end.lastIndexOf("\n", indent - 1) : -1;
  return lastBreak >= 0 ? end.slice(lastBreak + 1) : end;
}

/**
 * Message text: trailing whitespace trimmed, never empty, capped in length.
 * The raw length is checked before any work on the text: up to twice the
 * cap is allowed in, for text followed by a run of whitespace.
 */
export const MessageText = z
  .string()
  .max(LIMITS.messageChars * 2, `a message has at most ${LIMITS.messageChars} characters`)
  .transform(trimMessage)
  .pipe(
    z
      .string()
      .min(1, "a message cannot be empty")
      .max(LIMITS.messageChars, `a message has at most ${LIMITS.messageChars} characters`),
  );

/**
 * The text of a message that carries files: the same rules, but it may be
 * empty (a screenshot alone). SendFrame says a message needs one or the other.
 */
export const OptionalMessageText = z
  .string()
  .max(LIMITS.messageChars * 2, `a message has at most ${LIMITS.messageChars} characters`)
  .transform(trimMessage)
  .pipe(z.string().max(LIMITS.messageChars, `a message has at most ${LIMITS.messageChars} characters`));

/** An upload's id, made by the room (room/files.ts). */
export const FileId = z.string().regex(/^f_[a-z2-7]{20}$/, "not a file id");

/** A file attached to a message, as every member sees it (the bytes are fetched by id: docs/protocol.md). */
export const Attachment = z.object({
  id: FileId,
  name: z.string(),
  type: z.string(),
  size: z.number().int().nonnegative(),
  /** Images: pixel size the uploader's browser measured (a layout hint, not checked). */
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
});
export type Attachment = z.infer<typeof Attachment>;

export const Author = z.object({ id: z.string(), name: z.string() });
export type Author = z.infer<typeof Author>;

export const MessageKind = z.enum(["user", "system", "assistant", "reminder", "tool"]);

/**
 * Where an assistant message stands. `streaming` while the model writes,
 * `waiting` while a tool call awaits approval; the rest are final.
 */
export const MessageStatus = z.enum(["streaming", "waiting", "done", "stopped", "interrupted", "failed"]);
export type MessageStatus = z.infer<typeof MessageStatus>;

/** One tool call of an assistant turn, shown to everyone as a card. */
export const ToolPart = z.object({
  type: z.literal("tool"),
  callId: z.string(),
  tool: z.string(),
  input: z.unknown(),
  state: z.enum(["running", "awaiting_approval", "done", "error", "denied"]),
  output: z.unknown().optional(),
  error: z.string().optional(),
  /** Position in the message text where the call happened (for interleaving). */
  textOffset: z.number().int().nonnegative(),
  startedAt: z.number(),
  durationMs: z.number().optional(),
  /** Member ids that may approve or deny (only while awaiting approval). */
  approvers: z.array(z.string()).optional(),
  /** How many of `approvers` must approve (the call's approval policy); 1 when absent. Any one denial denies. */
  approvalsRequired: z.number().int().positive().optional(),
  /** Approvals given so far, with who and when (for a policy needing several). */
  approvals: z.array(z.object({ id: z.string(), name: z.string(), at: z.number() })).optional(),
  /** When an undecided call is denied (ms since epoch). */
  expiresAt: z.number().optional(),
  decidedBy: z.object({ id: z.string(), name: z.string() }).optional(),
  /** For calls made from inside a Code Mode run: the code card's callId. */
  parentCallId: z.string().optional(),
});
export type ToolPart = z.infer<typeof ToolPart>;

/** A thread as its parent shows it: undeleted replies, their newest time, and the last few distinct repliers (newest first). */
export const ThreadSummary = z.object({
  count: z.number().int().nonnegative(),
  lastAt: z.number().nullable(),
  repliers: z.array(z.string()),
});
export type ThreadSummary = z.infer<typeof ThreadSummary>;
/**
 * A reaction: one emoji — exactly one grapheme that is a pictograph or a
 * flag, so a "reaction" cannot carry text, bidi overrides or a wall of
 * symbols.
 */
export const ReactionEmoji = z
  .string()
  .min(1)
  .max(LIMITS.reactionChars, `an emoji has at most ${LIMITS.reactionChars} characters`)
  .refine(isOneEmoji, "a reaction is a single emoji");

export function isOneEmoji(s: string): boolean {
  if (!/\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(s)) return false;
  if (/[\p{Cc}\s]/u.test(s)) return false;
  const segments = new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(s);
  let count = 0;
  for (const _ of segments) if (++count > 1) return false;
  return count === 1;
}

/** One emoji's reactions on a message: how many, and who (the first LIMITS.reactorsListed). */
export const Reaction = z.object({
  emoji: z.string(),
  count: z.number().int().positive(),
  by: z.array(Author),
});
export type Reaction = z.infer<typeof Reaction>;

export const PinMark = z.object({ by: Author, at: z.number() });
export type PinMark = z.infer<typeof PinMark>;

/** A stored message as every member sees it. */
export const ChatMessage = z.object({
  /** Position in the room, assigned by the server, strictly increasing. */
  seq: Seq,
  /** Room-wide change counter: bumped by every insert, edit and delete. */
  rev: Seq,
  /** The client's idempotency key (server-made for system messages). */
  id: z.string(),
  kind: MessageKind,
  author: Author,
  text: z.string(),
  createdAt: z.number(),
  editedAt: z.number().nullable(),
  deleted: z.boolean(),
  /** The message this one answers, if any. */
  replyTo: Seq.nullable(),
  /** Assistant messages only; null for people's and system messages. */
  status: MessageStatus.nullable(),
  /** Tool calls of an assistant message, in call order. */
  parts: z.array(ToolPart),
  /** Threads: the parent's seq when this is a thread reply (null: a room message). Optional so older payloads parse. */
  threadOf: Seq.nullable().optional(),
  /** A thread reply also shown in the room's timeline ("also send to room"). */
  alsoToRoom: z.boolean().optional(),
  /** On a thread's parent: its replies so far (null: no thread). */
  thread: ThreadSummary.nullable().optional(),
  /** Emoji reactions, in the order each emoji was first used (absent: none). */
  reactions: z.array(Reaction).optional(),
  /** Who pinned it and when (absent or null: not pinned). */
  pinned: PinMark.nullable().optional(),
  /** On a tombstone an owner made: who removed someone else's message (absent or null: the author did, or nobody). */
  removedBy: Author.nullable().optional(),
  /**
   * Members this message mentions, by id (absent: none). The text holds each
   * as a `<@memberId>` token, so a rename never breaks a mention; clients show
   * the member's current name.
   */
  mentions: z.array(z.string()).optional(),
  /** Files attached when it was sent (absent: none; a deleted message loses them). */
  attachments: z.array(Attachment).optional(),
  /**
   * Posted by an outside agent acting for the author through Hearth's MCP
   * endpoint: the client's name as the member approved it (absent: the
   * member wrote it themselves). Set by the server only; no frame carries it in.
   */
  via: z.string().max(100).optional(),
  /** With `via`, when the app named an icon: its OAuth client id; the icon is `GET /api/agent-icon/<viaApp>` (server/http/agentIcon.ts). */
  viaApp: z.string().max(512).optional(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

export const PresenceMember = z.object({
  id: z.string(),
  name: z.string(),
  role: Role,
  /** Open connections (tabs) of this member; the member is listed once. 0: only an outside agent of theirs is here. */
  connections: z.number().int().nonnegative(),
  /**
   * Outside agents (MCP clients) acting for this member right now: the name
   * they were granted under, their OAuth client id, and `icon` when they
   * named one (`GET /api/agent-icon/<app>`).
   */
  agents: z.array(z.object({ name: z.string(), app: z.string(), icon: z.boolean().optional() })).optional(),
});
export type PresenceMember = z.infer<typeof PresenceMember>;

export const Typer = z.object({
  id: z.string(),
  name: z.string(),
  /** Epoch ms after which the indicator should disappear without news. */
  until: z.number(),
});
export type Typer = z.infer<typeof Typer>;

// ---------------------------------------------------------------------------
// Client → server

export const SendFrame = z
  .strictObject({
    type: z.literal("send"),
    id: MessageId,
    /** May be empty when `attachments` are given. */
    text: OptionalMessageText,
    /** Ids of the sender's own uploads to this room not yet attached (POST /api/rooms/<room>/files). */
    attachments: z.array(FileId).min(1).max(LIMITS.filesPerMessage, `a message carries at most ${LIMITS.filesPerMessage} files`).optional(),
    /** Replying to an assistant message asks the assistant, like a mention. */
    replyTo: Seq.optional(),
    /** A reply in the thread of this room message (not itself a thread reply). */
    threadOf: Seq.optional(),
    /** With threadOf: show the reply in the room's timeline too. */
    alsoToRoom: z.boolean().optional(),
  })
  .refine((f) => f.text !== "" || (f.attachments?.length ?? 0) > 0, { message: "a message cannot be empty", path: ["text"] });
export const EditFrame = z.strictObject({
  type: z.literal("edit"),
  seq: Seq,
  text: MessageText,
});
export const DeleteFrame = z.strictObject({
  type: z.literal("delete"),
  seq: Seq,
});
export const HistoryFrame = z.strictObject({
  type: z.literal("history"),
  before: Seq,
  limit: z.number().int().min(1).max(LIMITS.pageMax).optional(),
});
/** Asks for a thread's replies: the newest page, or the page before `before`. Answered by `thread_page`. */
export const ThreadHistoryFrame = z.strictObject({
  type: z.literal("thread_history"),
  threadOf: Seq,
  before: Seq.optional(),
  limit: z.number().int().min(1).max(LIMITS.pageMax).optional(),
});
export const TypingFrame = z.strictObject({
  type: z.literal("typing"),
  active: z.boolean(),
});
export const SetNameFrame = z.strictObject({
  type: z.literal("set_name"),
  name: DisplayName,
});

/** Adds (`on`) or removes this member's reaction to message `seq`; either is idempotent. */
export const ReactFrame = z.strictObject({
  type: z.literal("react"),
  seq: Seq,
  emoji: ReactionEmoji,
  on: z.boolean(),
});
/** Pins (`on`) or unpins message `seq`: owners, and members when the room's `membersMayPin` is set. */
export const PinFrame = z.strictObject({
  type: z.literal("pin"),
  seq: Seq,
  on: z.boolean(),
});

/** A slash command typed in the composer (the list is shared/commands.ts). */
export const CommandFrame = z.strictObject({
  type: z.literal("command"),
  id: MessageId,
  text: z.string().min(1).max(LIMITS.messageChars),
});
/**
 * A request id the client picks, echoed by the `command_result` that
 * answers it, so each answer finds the click it belongs to (two actions on
 * one reminder or tool are two requests).
 */
const RequestId = z.string().min(1).max(64);
export const ReminderAction = z.enum(["cancel", "snooze", "pause", "resume"]);
export type ReminderAction = z.infer<typeof ReminderAction>;
export const SnoozeChoice = z.enum(["10m", "1h", "tomorrow"]);
export type SnoozeChoice = z.infer<typeof SnoozeChoice>;
export const ReminderActionFrame = z.strictObject({
  type: z.literal("reminder_action"),
  id: RequestId,
  /** The reminder's id (from the `reminders` frame). */
  reminder: z.string().min(1).max(64),
  action: ReminderAction,
  /** For snooze: how long. */
  snooze: SnoozeChoice.optional(),
});
/** The member's IANA time zone (the browser reports it on connect as `tz`). */
export const SetTimeZoneFrame = z.strictObject({
  type: z.literal("set_timezone"),
  timeZone: z.string().min(1).max(64),
});

/** Enables or disables one MCP tool (its connector or an owner). */
export const McpToolFrame = z.strictObject({
  type: z.literal("mcp_tool"),
  id: RequestId,
  server: z.string().min(1).max(64),
  tool: z.string().min(1).max(200),
  enabled: z.boolean(),
});

/** Asks for completions of a prompt argument being typed (`/<server>:<prompt> name=…`); answered by `mcp_completion`. */
export const McpCompleteFrame = z.strictObject({
  type: z.literal("mcp_complete"),
  id: RequestId,
  server: z.string().min(1).max(64),
  prompt: z.string().min(1).max(64),
  argument: z.string().min(1).max(64),
  value: z.string().max(200),
});

/** Stops the assistant turn writing message `seq`; the partial answer is kept. */
export const StopFrame = z.strictObject({
  type: z.literal("stop"),
  seq: Seq,
});
/** Asks for one saved script's code (the `scripts` frame lists only summaries). */
export const GetScriptFrame = z.strictObject({
  type: z.literal("get_script"),
  name: z.string().min(1).max(40),
  /** A version listed earlier; the newest when omitted. */
  version: z.number().int().positive().optional(),
});
/** Decides a tool call that awaits approval. */
export const ApproveFrame = z.strictObject({
  type: z.literal("approve"),
  seq: Seq,
  callId: z.string().min(1).max(200),
  approved: z.boolean(),
});

/**
 * An owner's (or, for `leave`, anyone's) change to who belongs to the room.
 * `member` is a member id (from the `members` frame). Answered with a
 * `command_result` carrying `id`, or an `error` frame with `ref: id`.
 */
export const MemberAction = z.enum(["set_role", "remove", "ban", "unban", "leave"]);
export type MemberAction = z.infer<typeof MemberAction>;
export const MemberActionFrame = z.strictObject({
  type: z.literal("member_action"),
  id: RequestId,
  action: MemberAction,
  member: z.string().min(1).max(64).optional(),
  /** For set_role: the new role. */
  role: z.enum(["owner", "member", "viewer"]).optional(),
});

/**
 * An owner changes the room's settings (either or both). Answered with a
 * `command_result` carrying `id`, or an `error` frame with `ref: id`; every
 * member then gets a `room` frame.
 */
export const RoomSettingsFrame = z.strictObject({
  type: z.literal("room_settings"),
  id: z.string().min(1).max(64),
  visibility: z.enum(["public", "private"]).optional(),
  membersMayInvite: z.boolean().optional(),
  membersMayPin: z.boolean().optional(),
  /** Seconds a member (not an owner) waits between messages; 0 turns slow mode off. */
  slowModeSeconds: z.number().int().min(0).max(LIMITS.slowModeMaxSeconds).optional(),
});

/**
 * The name people @mention to ask the assistant (also its messages' author
 * name): lowercase, so that a mention matches however it is typed.
 */
export const AssistantName = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, "2–32 lowercase letters, digits, - or _, starting with a letter");
/** Where a room's own model runs. */
export const ModelProvider = z.enum(["workers-ai", "openai-compatible"]);
export type ModelProvider = z.infer<typeof ModelProvider>;
/** An OpenAI-compatible server's base URL (…/v1): no credentials, query or fragment — keys go in `apiKey`. */
const ModelBaseUrl = z.url({ protocol: /^https?$/ }).max(500);

/**
 * An owner changes the room's assistant (any subset of fields). `provider`
 * "default" returns the room to the Worker's configuration and forgets the
 * room's model, URL and key. `apiKey` is write-only: a new key, or null to
 * forget it; omitted keeps the stored one (never sent back to anyone).
 * Answered with a `command_result` (or an `error` with `ref: id`); every
 * member then gets an `assistant` frame.
 */
export const AssistantSettingsFrame = z.strictObject({
  type: z.literal("assistant_settings"),
  id: RequestId,
  provider: z.enum(["default", "workers-ai", "openai-compatible"]).optional(),
  model: z.string().trim().min(1).max(200).optional(),
  baseUrl: ModelBaseUrl.optional(),
  apiKey: z.string().trim().min(1).max(500).nullable().optional(),
  /** null: the model's own default. */
  temperature: z.number().min(0).max(2).nullable().optional(),
  /** null: the Worker's ASSISTANT_MAX_OUTPUT_TOKENS, which is also the most a room may set. */
  maxOutputTokens: z.number().int().min(16).max(1_000_000).nullable().optional(),
  name: AssistantName.optional(),
  /** Added to the assistant's system prompt as the owners' instructions. */
  instructions: z.string().max(4000).optional(),
});
export type AssistantSettingsInput = Omit<z.input<typeof AssistantSettingsFrame>, "type" | "id">;

/**
 * An owner asks which models a provider offers (for the settings view).
 * Without `apiKey`, the room's stored key is used only for the stored URL's
 * origin. Answered with a `models` frame, or an `error` with `ref: id`.
 */
export const ListModelsFrame = z.strictObject({
  type: z.literal("list_models"),
  id: RequestId,
  provider: ModelProvider,
  baseUrl: ModelBaseUrl.optional(),
  apiKey: z.string().trim().min(1).max(500).optional(),
});

/**
 * A member's answer to an MCP server's elicitation (the `elicitations`
 * frame lists theirs): `accept` with the values the form asked for,
 * `decline`, or `cancel`. The server gets exactly this answer, once.
 * Refused (an `error` frame with `ref: id`, nothing changed) when the id is
 * not one of this member's pending requests, was answered already, or the
 * values do not match the request's schema.
 */
export const ElicitationValue = z.union([z.string().max(LIMITS.elicitationValueChars), z.number(), z.boolean(), z.array(z.string().max(200)).max(50)]);
export const ElicitationAnswerFrame = z.strictObject({
  type: z.literal("elicitation_answer"),
  id: z.string().min(1).max(64),
  action: z.enum(["accept", "decline", "cancel"]),
  content: z.record(z.string().max(64), ElicitationValue).optional(),
});
/** Removes a request the room could no longer answer (shown as expired) from this member's list. */
export const ElicitationDismissFrame = z.strictObject({
  type: z.literal("elicitation_dismiss"),
  id: z.string().min(1).max(64),
});

/** How much of a room reaches a member as notifications: every message, mentions and what waits for them (the default), or nothing. */
export const NotifyLevel = z.enum(["all", "mentions", "none"]);
export type NotifyLevel = z.infer<typeof NotifyLevel>;
/** Sets this member's notification level in this room; answered by a `notifications` frame to their sockets. */
export const NotifySettingsFrame = z.strictObject({
  type: z.literal("notify_settings"),
  level: NotifyLevel,
});
/** base64url without padding, as `PushSubscription.toJSON()` gives the keys. */
const PushKey = z.string().min(1).max(200).regex(/^[A-Za-z0-9_-]+={0,2}$/, "a key is base64url");
/**
 * This device's Web Push subscription (`PushSubscription.toJSON()` without
 * `expirationTime`), for pushes while none of the member's tabs is open. At
 * most 5 per member; the same endpoint replaces its earlier keys. The keys
 * are never sent back to any client.
 */
export const PushSubscribeFrame = z.strictObject({
  type: z.literal("push_subscribe"),
  endpoint: z.string().min(1).max(2048),
  keys: z.strictObject({ p256dh: PushKey, auth: PushKey }),
});
/** Forgets this member's subscription with this endpoint (the device turned push off). */
export const PushUnsubscribeFrame = z.strictObject({
  type: z.literal("push_unsubscribe"),
  endpoint: z.string().min(1).max(2048),
});

/**
 * This member has read the room's timeline up to `seq`. Markers only move
 * forward (an older seq changes nothing); every socket of the member gets
 * the new `read_state`, so their other devices clear their counts too.
 */
export const ReadFrame = z.strictObject({
  type: z.literal("read"),
  seq: Seq,
});

/**
 * Searches the room's history (the query language is shared/search.ts).
 * Answered by `search_results` with the same `id`, or an `error` with
 * `ref: id` when the query cannot be read. `before`: the next page, results
 * older than that seq.
 */
export const SearchFrame = z.strictObject({
  type: z.literal("search"),
  id: RequestId,
  query: z.string().min(1).max(SEARCH_QUERY_CHARS),
  before: Seq.optional(),
});
/**
 * Asks for the timeline around message `seq` (a search result to jump to),
 * answered by an `around` frame that replaces the client's loaded window.
 * Without `seq`: the newest page (back to the present).
 */
export const HistoryAroundFrame = z.strictObject({
  type: z.literal("history_around"),
  seq: Seq.optional(),
});

export const ClientFrame = z.discriminatedUnion("type", [
  SendFrame,
  EditFrame,
  DeleteFrame,
  HistoryFrame,
  ThreadHistoryFrame,
  TypingFrame,
  SetNameFrame,
  StopFrame,
  ApproveFrame,
  CommandFrame,
  ReminderActionFrame,
  SetTimeZoneFrame,
  McpToolFrame,
  McpCompleteFrame,
  GetScriptFrame,
  MemberActionFrame,
  RoomSettingsFrame,
  AssistantSettingsFrame,
  ListModelsFrame,
  ElicitationAnswerFrame,
  ElicitationDismissFrame,
  ReactFrame,
  PinFrame,
  NotifySettingsFrame,
  PushSubscribeFrame,
  PushUnsubscribeFrame,
  ReadFrame,
  SearchFrame,
  HistoryAroundFrame,
]);
export type ClientFrame = z.infer<typeof ClientFrame>;
export type ClientFrameInput = z.input<typeof ClientFrame>;
export const CLIENT_FRAME_TYPES = ClientFrame.options.map((o) => o.shape.type.value);

// ---------------------------------------------------------------------------
// Server → client

export const ErrorCode = z.enum([
  "bad_json",
  "binary_not_supported",
  "too_large",
  "unknown_type",
  "invalid_frame",
  "rate_limited",
  "read_only",
  "not_found",
  "not_author",
  "duplicate_id",
  "no_turn",
  "not_approver",
  "unauthorized",
  "forbidden",
  "last_owner",
  "internal",
  "slow_mode",
  "too_many",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/**
 * What kind of room this is, as its owners set it: public rooms are listed
 * in the lobby and anyone signed in may join as a member; private rooms
 * admit only members and holders of an invite. `membersMayInvite` lets
 * members (not only owners) create invite links.
 */
export const RoomInfo = z.object({
  name: z.string(),
  visibility: z.enum(["public", "private"]),
  membersMayInvite: z.boolean(),
  /** Members (not only owners) may pin messages. */
  membersMayPin: z.boolean().optional(),
  /** Seconds between one member's messages (owners exempt); 0 or absent: off. */
  slowModeSeconds: z.number().int().nonnegative().optional(),
});
export type RoomInfo = z.infer<typeof RoomInfo>;

/**
 * The room's assistant as every member sees it: its name, which model
 * answers and how it is set. Never the API key — only whether one is set.
 */
export const AssistantInfo = z.object({
  name: z.string(),
  /** "default": the Worker's configuration; "room": an owner chose this room's model. */
  source: z.enum(["default", "room"]),
  provider: z.enum(["workers-ai", "openai-compatible", "none"]),
  /** The model's id at its provider, when one is set. */
  model: z.string().nullable(),
  /** Which model answers, as people read it ("llama3.2 at 127.0.0.1:11434"); null: none is connected. */
  label: z.string().nullable(),
  /** Why no model is connected, when label is null. */
  problem: z.string().nullable(),
  /** The room's OpenAI-compatible URL (source "room" only). */
  baseUrl: z.string().nullable(),
  keySet: z.boolean(),
  temperature: z.number().nullable(),
  /** Most tokens one model call may write; the room may lower it down to 16, never raise it above `maxOutputTokensCap`. */
  maxOutputTokens: z.number().int(),
  maxOutputTokensCap: z.number().int(),
  instructions: z.string(),
  /** Who changed the settings last. */
  updatedBy: z.object({ id: z.string(), name: z.string() }).nullable(),
  updatedAt: z.number().nullable(),
});
export type AssistantInfo = z.infer<typeof AssistantInfo>;

/**
 * What the assistant is doing, live: `calling` names the tool
 * (`server.tool` for MCP tools), `approval` waits for a person's decision.
 */
export const AssistantActivity = z.enum(["not_connected", "idle", "thinking", "writing", "calling", "approval"]);
export type AssistantActivity = z.infer<typeof AssistantActivity>;
export const AssistantStatus = z.object({
  activity: AssistantActivity,
  tool: z.string().nullable(),
  /** The message being written, while a turn runs or waits. */
  seq: z.number().nullable(),
});
export type AssistantStatus = z.infer<typeof AssistantStatus>;

export const WelcomeFrame = z.object({
  type: z.literal("welcome"),
  self: z.object({ id: z.string(), name: z.string(), role: Role }),
  room: RoomInfo,
  limits: z.object({ messageChars: z.number(), frameBytes: z.number(), pageMax: z.number() }),
  /** The room's AI member: the name members @mention, its model and settings. */
  assistant: AssistantInfo,
  assistantStatus: AssistantStatus,
});
/** The assistant's settings changed (an owner, or the Worker's configuration after a deploy); sent to every member. */
export const AssistantFrame = z.object({
  type: z.literal("assistant"),
  assistant: AssistantInfo,
});
/** What the assistant is doing changed; sent to every member. */
export const AssistantStatusFrame = z.object({
  type: z.literal("assistant_status"),
  status: AssistantStatus,
});
/** The answer to `list_models`, for its sender only. */
export const ModelsFrame = z.object({
  type: z.literal("models"),
  id: z.string(),
  models: z.array(z.string()),
});
/** The room's settings changed (see RoomInfo); sent to every member. */
export const RoomFrame = z.object({
  type: z.literal("room"),
  room: RoomInfo,
});

/** Replace everything the client holds: first join, or a gap too big to fill. */
export const SnapshotFrame = z.object({
  type: z.literal("snapshot"),
  reason: z.enum(["join", "gap"]),
  messages: z.array(ChatMessage),
  hasMore: z.boolean(),
  rev: z.number().int().nonnegative(),
});
/** Exactly the changes after the client's `since` revision, in rev order. */
export const CatchupFrame = z.object({
  type: z.literal("catchup"),
  messages: z.array(ChatMessage),
  rev: z.number().int().nonnegative(),
});
/** An older page, answering a `history` frame. */
export const PageFrame = z.object({
  type: z.literal("page"),
  before: Seq,
  messages: z.array(ChatMessage),
  hasMore: z.boolean(),
});
/**
 * The timeline around one message, answering `history_around`: up to a
 * page before it (oldest first), it, and up to a page after. `hasMore`:
 * older messages exist; `hasNewer`: newer ones exist that this window does
 * not hold (the client shows "Jump to the present").
 */
export const AroundFrame = z.object({
  type: z.literal("around"),
  /** The request's seq; null for the newest page. */
  seq: Seq.nullable(),
  messages: z.array(ChatMessage),
  hasMore: z.boolean(),
  hasNewer: z.boolean(),
});
/** One search hit: the message as it is now, and a stretch of its text with the matches marked. */
export const SearchResult = z.object({
  message: ChatMessage,
  /** Plain text (mentions shown as @names), never markup. */
  snippet: z.string(),
  /** [start, end) ranges of `snippet` the query matched, in order. */
  highlights: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])),
});
export type SearchResult = z.infer<typeof SearchResult>;
/** Answers a `search`, to the asking socket only: newest first. */
export const SearchResultsFrame = z.object({
  type: z.literal("search_results"),
  id: z.string(),
  query: z.string(),
  /** The request's `before`, null for the first page. */
  before: Seq.nullable(),
  results: z.array(SearchResult),
  hasMore: z.boolean(),
  /** Older history is still being indexed (a room older than search): results may miss some. */
  indexing: z.boolean(),
});
/** A page of one thread (oldest first), answering `thread_history`, with its parent as it is now. */
export const ThreadPageFrame = z.object({
  type: z.literal("thread_page"),
  threadOf: Seq,
  /** The request's `before`; null for the newest page. */
  before: Seq.nullable(),
  parent: ChatMessage,
  messages: z.array(ChatMessage),
  hasMore: z.boolean(),
});
export const MessageFrame = z.object({ type: z.literal("message"), message: ChatMessage });
export const MessageUpdatedFrame = z.object({
  type: z.literal("message_updated"),
  message: ChatMessage,
});
export const AckFrame = z.object({
  type: z.literal("ack"),
  id: z.string(),
  seq: Seq,
  rev: Seq,
  /** True when this id had been stored before: nothing new was broadcast. */
  duplicate: z.boolean(),
});
/**
 * Streamed assistant text: replace the message's text from `offset` on with
 * `text`. Live frames append (offset = current length); a member who joins
 * mid-turn gets one frame with offset 0 and everything so far.
 */
export const DraftFrame = z.object({
  type: z.literal("draft"),
  seq: Seq,
  offset: z.number().int().nonnegative(),
  text: z.string(),
});
/** A tool card was added or changed. */
export const ToolFrame = z.object({
  type: z.literal("tool"),
  seq: Seq,
  part: ToolPart,
});
/** An MCP server of the room as members see it (never its credentials). */
export const McpServerView = z.object({
  id: z.string(),
  name: z.string(),
  /** Origin and path only: query strings may carry keys. */
  url: z.string(),
  state: z.enum(["connecting", "authenticating", "connected", "discovering", "ready", "failed"]),
  error: z.string().nullable(),
  addedBy: Author,
  /**
   * Who may use the connector's connection (and its credentials):
   * `me` only the connector; `approval` everyone, each call by someone else
   * approved by the connector; `all` every member (read-only tools without
   * asking).
   */
  access: z.enum(["me", "approval", "all"]),
  /**
   * `shared`: calls use the connector's grant (under `access`); `personal`:
   * each member authorizes with their own account and every call uses the
   * grant of the member it serves.
   */
  mode: z.enum(["shared", "personal"]),
  /**
   * A personal server only: this member's own grant (each member's frame
   * carries theirs alone). `asked`: a call waits for them to authorize — the
   * private Authorize card; `domain`: where the consent page is.
   */
  grant: z
    .object({
      state: z.enum(["none", "authenticating", "connecting", "ready", "failed"]),
      domain: z.string().nullable(),
      since: z.number().nullable(),
      asked: z.boolean(),
    })
    .nullable(),
  /** Approval policies (`/mcp approvals`): the server's own (`tool` null) and per tool; none: the connector or an owner decides. */
  approvalPolicies: z.array(z.object({ tool: z.string().nullable(), label: z.string() })),
  /** How many tools the server has; `tools` lists at most LIMITS.mcpToolsListed of them. */
  toolCount: z.number().int().nonnegative(),
  tools: z.array(
    z.object({
      name: z.string(),
      description: z.string(),
      readOnly: z.boolean(),
      enabled: z.boolean(),
      /** Disabled because its description, schema or annotations changed. */
      changed: z.boolean(),
      /** Why the tool is not offered at all (its assistant name collides with another tool's), or null. */
      blocked: z.string().nullable(),
    }),
  ),
  /** Each is a slash command `/<server>:<name>`; its arguments complete from the server. */
  prompts: z.array(
    z.object({
      name: z.string(),
      description: z.string(),
      arguments: z.array(z.object({ name: z.string(), description: z.string(), required: z.boolean() })),
    }),
  ),
  resources: z.array(z.object({ uri: z.string(), name: z.string() })),
  /**
   * The OAuth consent URL: of a shared server, sent only to the member who
   * added it; of a personal one, each member gets only their own.
   */
  authUrl: z.string().nullable(),
});
export type McpServerView = z.infer<typeof McpServerView>;
export const McpAuditView = z.object({
  at: z.number(),
  server: z.string(),
  tool: z.string(),
  args: z.string(),
  via: z.enum(["assistant", "command", "code"]),
  requestedBy: z.string(),
  approvedBy: z.string().nullable(),
  /** Whose grant the call used (null: none, e.g. denied first). */
  grantOf: z.string().nullable().optional(),
  outcome: z.enum(["ok", "error", "denied"]),
  durationMs: z.number(),
  error: z.string().nullable(),
});
/** The server's completions for an `mcp_complete` (to its sender only; empty when it has none or may not ask). */
export const McpCompletionFrame = z.object({
  type: z.literal("mcp_completion"),
  id: RequestId,
  values: z.array(z.string().max(200)).max(20),
});

/** The room's MCP servers and recent calls; on join and after every change. */
export const McpFrame = z.object({
  type: z.literal("mcp"),
  servers: z.array(McpServerView),
  audit: z.array(McpAuditView),
});

/**
 * A saved Code Mode script (newest version) as the scripts panel lists it:
 * a summary without the code, so that joining costs the same however much
 * code a room keeps. The code comes on demand (`get_script` → `script`).
 */
export const ScriptItem = z.object({
  name: z.string(),
  version: z.number().int().positive(),
  savedBy: Author,
  savedAt: z.number(),
  /** Characters of code. */
  size: z.number().int().nonnegative(),
});
export type ScriptItem = z.infer<typeof ScriptItem>;
/** The room's saved scripts (at most LIMITS.scriptsPerRoom); on join and after every save. */
export const ScriptsFrame = z.object({
  type: z.literal("scripts"),
  items: z.array(ScriptItem),
});
/** One version's code, answering `get_script` (to the asker only). */
export const ScriptFrame = z.object({
  type: z.literal("script"),
  script: ScriptItem.extend({ code: z.string() }),
});
export type ScriptDetail = z.infer<typeof ScriptFrame>["script"];

/** A reminder or scheduled job as the panel shows it. */
export const ReminderItem = z.object({
  id: z.string(),
  kind: z.enum(["reminder", "job"]),
  text: z.string(),
  target: z.object({ type: z.enum(["member", "room"]), id: z.string().nullable(), name: z.string() }),
  creator: Author,
  /** "once", "every weekday at 09:00", 'on cron "0 9 * * 1"'. */
  repeat: z.string(),
  recurring: z.boolean(),
  /** The zone the times are computed in (the creator's). */
  timeZone: z.string(),
  /** Epoch ms of the next firing. */
  nextAt: z.number(),
  paused: z.boolean(),
});
export type ReminderItem = z.infer<typeof ReminderItem>;
/** The room's reminders and jobs; sent on join and after every change. */
export const RemindersFrame = z.object({
  type: z.literal("reminders"),
  items: z.array(ReminderItem),
});
/** The answer to a `command`, for its sender only. */
export const CommandResultFrame = z.object({
  type: z.literal("command_result"),
  id: z.string(),
  ok: z.boolean(),
  text: z.string(),
});
export const PresenceFrame = z.object({
  type: z.literal("presence"),
  members: z.array(PresenceMember),
});
export const TypingStateFrame = z.object({
  type: z.literal("typing"),
  typers: z.array(Typer),
});
export const ErrorFrame = z.object({
  type: z.literal("error"),
  code: ErrorCode,
  message: z.string(),
  /** The offending frame's `id`, `seq` or `type`, when it had one. */
  ref: z.union([z.string(), z.number()]).optional(),
  /** For `slow_mode`: when (epoch ms) this member may send again. */
  retryAt: z.number().optional(),
});

/** One governed invite (owners only: see the `invites` frame and `/invites`). */
export const InviteItem = z.object({
  id: z.string(),
  role: z.enum(["member", "viewer"]),
  createdBy: z.object({ id: z.string(), name: z.string() }),
  createdAt: z.number(),
  expiresAt: z.number(),
  /** null: no use limit. */
  maxUses: z.number().int().positive().nullable(),
  uses: z.number().int().nonnegative(),
  status: z.enum(["active", "revoked", "expired", "used_up"]),
});
export type InviteItem = z.infer<typeof InviteItem>;
/** The room's invites, newest first; sent to owners' sockets only. */
export const InvitesFrame = z.object({
  type: z.literal("invites"),
  items: z.array(InviteItem),
});

/** Everyone with a role in the room, online or not. */
export const RoomMember = z.object({
  id: z.string(),
  name: z.string(),
  role: Role,
  joinedAt: z.number(),
  /** Online when the frame was sent; `presence` frames keep it current. */
  online: z.boolean(),
});
export type RoomMember = z.infer<typeof RoomMember>;
export const MembersFrame = z.object({
  type: z.literal("members"),
  members: z.array(RoomMember),
  /** How many members the room has (the list holds at most LIMITS-style 1000, most recent first). */
  total: z.number().int().nonnegative(),
});

/**
 * One field of an elicitation form, read from the request's JSON Schema
 * (the MCP spec allows flat primitive properties only). `kind` says which
 * input shows it; `secret`: the name or format asks for a password, token
 * or key, which Hearth never collects through a form (no input is shown);
 * `unsupported`: a property the spec does not allow (the reason is shown).
 */
export const ElicitationField = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  required: z.boolean(),
  kind: z.enum(["string", "number", "integer", "boolean", "enum", "multi", "unsupported"]),
  format: z.enum(["email", "uri", "date", "date-time"]).nullable(),
  minLength: z.number().nullable(),
  maxLength: z.number().nullable(),
  minimum: z.number().nullable(),
  maximum: z.number().nullable(),
  minItems: z.number().nullable(),
  maxItems: z.number().nullable(),
  /** For enum and multi: the values and what to call them. */
  options: z.array(z.object({ value: z.string(), label: z.string() })),
  default: ElicitationValue.nullable(),
  secret: z.boolean(),
  /** Why the field cannot be filled in (secret or unsupported), for the member. */
  problem: z.string().nullable(),
});
export type ElicitationField = z.infer<typeof ElicitationField>;
/** A request an MCP server made of one member, while a call they caused ran. */
export const ElicitationItem = z.object({
  id: z.string(),
  /** The room's name for the server that asks. */
  server: z.string(),
  /** The tool call it came from, e.g. `everything.trigger-elicitation-request` (null: not known). */
  tool: z.string().nullable(),
  mode: z.enum(["form", "url"]),
  message: z.string(),
  fields: z.array(ElicitationField),
  /** URL mode: where the server wants the member to go, and its host (shown before consent). */
  url: z.string().nullable(),
  domain: z.string().nullable(),
  createdAt: z.number(),
  /** When the room cancels it unanswered. */
  expiresAt: z.number(),
  /** expired: the room restarted and the server's request is gone; it can only be dismissed. */
  state: z.enum(["pending", "expired"]),
  note: z.string().nullable(),
});
export type ElicitationItem = z.infer<typeof ElicitationItem>;
/** This member's MCP elicitation requests; on join and whenever theirs change (nobody else's socket gets it). */
export const ElicitationsFrame = z.object({
  type: z.literal("elicitations"),
  items: z.array(ElicitationItem),
});

/** A pinned message as the pinned list shows it (an excerpt: the list costs the same however long the messages). */
export const PinnedItem = z.object({
  seq: Seq,
  author: Author,
  excerpt: z.string(),
  pinnedBy: Author,
  pinnedAt: z.number(),
});
export type PinnedItem = z.infer<typeof PinnedItem>;
/** The room's pinned messages, newest pin first; on join and after every pin, unpin, edit or delete of a pinned message. */
export const PinsFrame = z.object({
  type: z.literal("pins"),
  items: z.array(PinnedItem),
});

/**
 * This member's notification settings in this room: on join and after each
 * change, to their own sockets only. `subscriptions` counts their devices
 * with push on (never their endpoints or keys); `vapidPublicKey` is the
 * server's application key for `PushManager.subscribe` (null: push is not
 * available here).
 */
export const NotificationsFrame = z.object({
  type: z.literal("notifications"),
  level: NotifyLevel,
  subscriptions: z.number().int().nonnegative(),
  vapidPublicKey: z.string().nullable(),
});

/**
 * The member's read marker and what is unread after it (others' timeline
 * messages; mentions of them), counted up to LIMITS.unreadCap, as of the
 * room's message `upTo`: a client adds what arrives after that itself. Sent
 * to the member alone on join and after each `read` of theirs.
 */
export const ReadStateFrame = z.object({
  type: z.literal("read_state"),
  seq: z.number().int().min(0),
  unread: z.number().int().min(0),
  mentions: z.number().int().min(0),
  upTo: z.number().int().min(0),
});
export type ReadState = Omit<z.infer<typeof ReadStateFrame>, "type">;

export const ServerFrame = z.discriminatedUnion("type", [
  WelcomeFrame,
  SnapshotFrame,
  CatchupFrame,
  PageFrame,
  ThreadPageFrame,
  MessageFrame,
  MessageUpdatedFrame,
  AckFrame,
  DraftFrame,
  ToolFrame,
  RemindersFrame,
  CommandResultFrame,
  McpFrame,
  McpCompletionFrame,
  ScriptsFrame,
  ScriptFrame,
  PresenceFrame,
  TypingStateFrame,
  ErrorFrame,
  MembersFrame,
  InvitesFrame,
  RoomFrame,
  AssistantFrame,
  AssistantStatusFrame,
  ModelsFrame,
  ElicitationsFrame,
  PinsFrame,
  NotificationsFrame,
  ReadStateFrame,
  AroundFrame,
  SearchResultsFrame,
]);
export type ServerFrame = z.infer<typeof ServerFrame>;

/** The most frames one `batch` carries (the room's fan-out sends a longer queue at once). */
export const BATCH_MAX_FRAMES = 64;

/**
 * Several server frames in one WebSocket message: a busy room coalesces
 * what it queued within a few milliseconds (server/room/fanout.ts). A
 * client applies the frames in order, exactly as if each had come alone.
 * Batches never nest; a quiet room never sends one.
 */
export const BatchFrame = z.object({
  type: z.literal("batch"),
  frames: z.array(ServerFrame).min(2).max(BATCH_MAX_FRAMES),
});
export type BatchFrame = z.infer<typeof BatchFrame>;

/** What one WebSocket message from a room is: a frame, or a batch of frames. Clients parse with this. */
export const WireFrame = z.union([BatchFrame, ServerFrame]);
export type WireFrame = z.infer<typeof WireFrame>;

/** The frames a message carries, in order. */
export function framesOf(wire: WireFrame): ServerFrame[] {
  return wire.type === "batch" ? wire.frames : [wire];
}
export type ErrorFrame = z.infer<typeof ErrorFrame>;

/** WebSocket close codes the room uses to refuse a connection (4000–4999 are the app's). */
export const CloseCode = {
  unauthorized: 4401,
  forbidden: 4403,
  notFound: 4404,
  /** An owner removed or banned this member: the reason says which; do not reconnect. */
  removed: 4410,
} as const;
