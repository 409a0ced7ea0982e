/**
 * Everything the client knows about one room, and the pure reducer that
 * applies server frames and local actions to it. No I/O here: useRoom.ts owns
 * the socket, this file only decides what the state becomes.
 */
import type { z } from "zod";
import type {
  ChatMessage,
  ErrorCode,
  ErrorFrame,
  InviteItem,
  McpAuditView,
  McpServerView,
  PresenceMember,
  ReminderItem,
  Role,
  RoomInfo,
  RoomMember,
  ScriptDetail,
  ScriptItem,
  ServerFrame,
  Typer,
} from "../../../../shared/protocol";
import { LIMITS } from "../../../../shared/limits";

/** An own message the server has not confirmed yet. */
export interface PendingMessage {
  id: string;
  text: string;
  /** The message this one answers (asks the assistant again when it is one of its messages). */
  replyTo?: number;
  createdAt: number;
  state: "pending" | "failed";
  /** Why it failed, when it did. */
  error?: string;
}

export type ConnectionState = "connecting" | "online" | "reconnecting" | "refused";

export type McpAuditEntry = z.infer<typeof McpAuditView>;

/** Where a command was issued, so its answer shows next to it. */
export type CommandOrigin = "composer" | "reminders" | "mcp" | "scripts" | "members" | "settings";

/** A command, reminder action or tool toggle, and the server's answer once it came. */
export interface CommandEntry {
  /** The request's id (the client makes one per command, action or toggle), echoed by its `command_result`. */
  id: string;
  origin: CommandOrigin;
  /** What was asked, for the user ("/remind …", "Cancel", "Disable everything.echo"). */
  label: string;
  state: "pending" | "ok" | "failed";
  /** The server's answer (Markdown with backticks), or why none came. */
  text: string;
  /** Increases with every change, so a repeated answer with the same id still re-renders. */
  n: number;
}

/** Commands kept for display; older ones are dropped. */
export const COMMANDS_KEPT = 20;
/** What `@` offers until the welcome frame names the assistant. */
export const DEFAULT_ASSISTANT_NAME = "assistant";

export interface RoomState {
  self: { id: string; name: string; role: Role } | null;
  room: RoomInfo | null;
  messageChars: number;
  /** Server rows, sorted by seq, contiguous from the oldest loaded one. */
  messages: ChatMessage[];
  pending: PendingMessage[];
  /** Highest room revision seen: the `since` of the next reconnect. */
  rev: number;
  hasMore: boolean;
  loadingOlder: boolean;
  presence: PresenceMember[];
  /** Everyone with a role in the room (the last `members` frame), and how many there are. */
  members: RoomMember[];
  membersTotal: number;
  /** The room's invites (owners only: the room sends `invites` to no one else). */
  invites: InviteItem[];
  typers: Typer[];
  error: { code: ErrorCode; message: string } | null;
  connection: ConnectionState;
  refused: { code: number; reason: string } | null;
  /** The name members @mention to ask the room's AI member (from `welcome`). */
  assistantName: string;
  /** The room's reminders and jobs, as the last `reminders` frame listed them. */
  reminders: ReminderItem[];
  /** The room's MCP servers and recent calls, from the last `mcp` frame. */
  mcp: { servers: McpServerView[]; audit: McpAuditEntry[] };
  /** The room's saved Code Mode scripts (newest version of each), by name, from the last `scripts` frame. */
  scripts: ScriptItem[];
  /** Code fetched on demand (`get_script`), by script name; dropped when a newer version is listed. */
  scriptCode: Record<string, ScriptDetail>;
  /** Recent commands, oldest first. */
  commands: CommandEntry[];
}

export type RoomAction =
  | { type: "frame"; frame: ServerFrame }
  | { type: "send"; id: string; text: string; at: number; replyTo?: number }
  | { type: "retry"; id: string }
  | { type: "discard"; id: string }
  | { type: "history_requested" }
  | { type: "disconnected" }
  | { type: "refused"; code: number; reason: string }
  | { type: "clear_error" }
  | { type: "command_sent"; id: string; origin: CommandOrigin; label: string }
  | { type: "command_unsent"; id: string; reason: string }
  | { type: "dismiss_command"; id: string };

export function initialRoomState(): RoomState {
  return {
    self: null,
    room: null,
    messageChars: LIMITS.messageChars,
    messages: [],
    pending: [],
    rev: 0,
    hasMore: false,
    loadingOlder: false,
    presence: [],
    members: [],
    membersTotal: 0,
    invites: [],
    typers: [],
    error: null,
    connection: "connecting",
    refused: null,
    assistantName: DEFAULT_ASSISTANT_NAME,
    reminders: [],
    mcp: { servers: [], audit: [] },
    scripts: [],
    scriptCode: {},
    commands: [],
  };
}

export function roomReducer(state: RoomState, action: RoomAction): RoomState {
  switch (action.type) {
    case "frame":
      return applyFrame(state, action.frame);
    case "send":
      return {
        ...state,
        error: null,
        pending: [
          ...state.pending,
          {
            id: action.id,
            text: action.text,
            ...(action.replyTo !== undefined ? { replyTo: action.replyTo } : {}),
            createdAt: action.at,
            state: "pending",
          },
        ],
      };
    case "retry":
      return {
        ...state,
        error: null,
        pending: state.pending.map((p) => {
          if (p.id !== action.id) return p;
          const { error: _error, ...rest } = p;
          return { ...rest, state: "pending" };
        }),
      };
    case "discard":
      return { ...state, pending: state.pending.filter((p) => p.id !== action.id) };
    case "history_requested":
      return { ...state, loadingOlder: true };
    case "disconnected":
      // A history request on a dead socket will never be answered, and
      // typing indicators from a connection we no longer hear are stale.
      return {
        ...state,
        connection: state.connection === "refused" ? "refused" : "reconnecting",
        loadingOlder: false,
        typers: [],
        // Their answers would have come on the socket that just closed.
        commands: settlePending(
          state.commands,
          "The connection dropped before the room answered; the command may or may not have run.",
        ),
      };
    case "refused":
      return {
        ...state,
        connection: "refused",
        refused: { code: action.code, reason: action.reason },
        loadingOlder: false,
        typers: [],
        presence: [],
        commands: settlePending(state.commands, "The room refused the connection."),
      };
    case "clear_error":
      return state.error ? { ...state, error: null } : state;
    case "command_sent": {
      const entry: CommandEntry = {
        id: action.id,
        origin: action.origin,
        label: action.label,
        state: "pending",
        text: "",
        n: nextN(state.commands),
      };
      return { ...state, commands: [...state.commands, entry].slice(-COMMANDS_KEPT) };
    }
    case "command_unsent":
      return {
        ...state,
        commands: patchCommand(state.commands, action.id, { state: "failed", text: action.reason }),
      };
    case "dismiss_command":
      return { ...state, commands: state.commands.filter((c) => c.id !== action.id) };
  }
}

function nextN(commands: readonly CommandEntry[]): number {
  return (commands.at(-1)?.n ?? 0) + 1;
}

/** Answers the newest pending entry with `id` (else the newest with `id`); unknown ids are left alone. */
function patchCommand(
  commands: CommandEntry[],
  id: string,
  patch: Pick<CommandEntry, "state" | "text">,
): CommandEntry[] {
  let at = commands.findLastIndex((c) => c.id === id && c.state === "pending");
  if (at < 0) at = commands.findLastIndex((c) => c.id === id);
  if (at < 0) return commands;
  const n = nextN(commands);
  return commands.map((c, i) => (i === at ? { ...c, ...patch, n } : c));
}

function settlePending(commands: CommandEntry[], reason: string): CommandEntry[] {
  if (!commands.some((c) => c.state === "pending")) return commands;
  let n = nextN(commands);
  return commands.map((c) => (c.state === "pending" ? { ...c, state: "failed", text: reason, n: n++ } : c));
}

function applyFrame(state: RoomState, frame: ServerFrame): RoomState {
  switch (frame.type) {
    case "welcome":
      return {
        ...state,
        self: frame.self,
        room: frame.room,
        messageChars: frame.limits.messageChars,
        connection: "online",
        refused: null,
        assistantName: frame.assistant.name,
      };
    case "snapshot":
      return confirmPending(
        {
          ...state,
          messages: sortBySeq(frame.messages),
          hasMore: frame.hasMore,
          loadingOlder: false,
          rev: Math.max(frame.rev, maxRev(frame.messages)),
        },
        frame.messages,
      );
    case "catchup":
      return confirmPending(
        {
          ...state,
          messages: mergeLive(state, frame.messages),
          rev: Math.max(state.rev, frame.rev, maxRev(frame.messages)),
        },
        frame.messages,
      );
    case "page": {
      // A page asked for before a gap snapshot replaced the list would leave a
      // hole between its rows and ours.
      if (frame.before !== state.messages[0]?.seq) return { ...state, loadingOlder: false };
      const older = frame.messages.filter((m) => m.seq < frame.before);
      return {
        ...state,
        messages: upsert(state.messages, older),
        hasMore: frame.hasMore,
        loadingOlder: false,
      };
    }
    case "message":
    case "message_updated":
      return confirmPending(
        {
          ...state,
          messages: mergeLive(state, [frame.message]),
          rev: Math.max(state.rev, frame.message.rev),
        },
        [frame.message],
      );
    case "ack":
      // Usually the row came first and confirmed it already; a duplicate's ack comes alone.
      return confirmIds({ ...state, rev: Math.max(state.rev, frame.rev) }, [frame.id]);
    case "draft":
      return updateRow(state, frame.seq, (m) =>
        // Text beyond what we hold means a missed frame; the final
        // message_updated will bring the whole text, so wait for it.
        frame.offset > m.text.length ? m : { ...m, text: m.text.slice(0, frame.offset) + frame.text },
      );
    case "tool":
      return updateRow(state, frame.seq, (m) => {
        const at = m.parts.findIndex((p) => p.callId === frame.part.callId);
        const parts = at < 0 ? [...m.parts, frame.part] : m.parts.map((p, i) => (i === at ? frame.part : p));
        return { ...m, parts };
      });
    case "presence":
      return { ...state, presence: frame.members };
    case "members": {
      // An owner may have changed this member's role: the list is the room's word on it.
      const mine = state.self && frame.members.find((m) => m.id === state.self!.id);
      const self = mine && mine.role !== state.self!.role ? { ...state.self!, role: mine.role } : state.self;
      return { ...state, self, members: frame.members, membersTotal: frame.total };
    }
    case "invites":
      return { ...state, invites: frame.items };
    case "typing":
      return { ...state, typers: frame.typers };
    case "error":
      return applyError(state, frame);
    case "reminders":
      return { ...state, reminders: [...frame.items].sort((a, b) => a.nextAt - b.nextAt) };
    case "mcp":
      return { ...state, mcp: { servers: frame.servers, audit: frame.audit } };
    case "scripts": {
      const scripts = [...frame.items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      // Code held for a version no longer listed is stale: the panel fetches the new one when opened.
      const scriptCode = Object.fromEntries(
        scripts.flatMap((s) => (state.scriptCode[s.name]?.version === s.version ? [[s.name, state.scriptCode[s.name]!]] : [])),
      );
      return { ...state, scripts, scriptCode };
    }
    case "room":
      return { ...state, room: frame.room };
    case "script":
      return { ...state, scriptCode: { ...state.scriptCode, [frame.script.name]: frame.script } };
    case "command_result": {
      const commands = patchCommand(state.commands, frame.id, { state: frame.ok ? "ok" : "failed", text: frame.text });
      if (commands !== state.commands) return { ...state, commands };
      // An answer to nothing this tab asked (sent before a reload): show it by the composer.
      const entry: CommandEntry = {
        id: frame.id,
        origin: "composer",
        label: "",
        state: frame.ok ? "ok" : "failed",
        text: frame.text,
        n: nextN(state.commands),
      };
      return { ...state, commands: [...state.commands, entry].slice(-COMMANDS_KEPT) };
    }
    default:
      // A frame this client has no view for yet must not wipe the state:
      // returning nothing here crashed the room.
      return state;
  }
}

function applyError(state: RoomState, frame: ErrorFrame): RoomState {
  const error = { code: frame.code, message: frame.message };
  // A refused member action answers its command entry, not the room-wide error banner.
  if (typeof frame.ref === "string" && state.commands.some((c) => c.id === frame.ref && c.origin === "members")) {
    return { ...state, commands: patchCommand(state.commands, frame.ref, { state: "failed", text: frame.message }) };
  }
  if (typeof frame.ref !== "string" || !state.pending.some((p) => p.id === frame.ref)) {
    return { ...state, error };
  }
  return {
    ...state,
    error,
    pending: state.pending.map((p) =>
      p.id === frame.ref ? { ...p, state: "failed", error: frame.message } : p,
    ),
  };
}

/** Streamed changes carry no rev: they patch a row in place and never add one. */
function updateRow(state: RoomState, seq: number, patch: (m: ChatMessage) => ChatMessage): RoomState {
  const at = state.messages.findIndex((m) => m.seq === seq);
  const current = state.messages[at];
  if (!current) return state;
  const next = patch(current);
  if (next === current) return state;
  const messages = [...state.messages];
  messages[at] = next;
  return { ...state, messages };
}

/** Own pending messages whose row arrived are sent: the row replaces them. */
function confirmPending(state: RoomState, rows: readonly ChatMessage[]): RoomState {
  if (state.pending.length === 0) return state;
  const selfId = state.self?.id;
  return confirmIds(state, rows.filter((m) => selfId === undefined || m.author.id === selfId).map((m) => m.id));
}

/** The one place a pending message stops being pending: its row or its ack named it. */
function confirmIds(state: RoomState, ids: readonly string[]): RoomState {
  if (state.pending.length === 0 || ids.length === 0) return state;
  const confirmed = new Set(ids);
  const pending = state.pending.filter((p) => !confirmed.has(p.id));
  return pending.length === state.pending.length ? state : { ...state, pending };
}

/**
 * Live rows (broadcasts, catch-up) older than the oldest loaded row are left
 * out while older history exists: the history page will bring them, and
 * inserting them now would show them next to unrelated neighbours.
 */
function mergeLive(state: RoomState, rows: readonly ChatMessage[]): ChatMessage[] {
  const oldest = state.messages[0]?.seq;
  const keep =
    state.hasMore && oldest !== undefined ? rows.filter((m) => m.seq >= oldest) : rows;
  return upsert(state.messages, keep);
}

/** Merges rows by seq; of two versions of a row the higher rev wins. */
export function upsert(current: readonly ChatMessage[], rows: readonly ChatMessage[]): ChatMessage[] {
  if (rows.length === 0) return current as ChatMessage[];
  const bySeq = new Map(current.map((m) => [m.seq, m]));
  for (const row of rows) {
    const have = bySeq.get(row.seq);
    if (!have || have.rev <= row.rev) bySeq.set(row.seq, row);
  }
  return sortBySeq([...bySeq.values()]);
}

function sortBySeq(rows: readonly ChatMessage[]): ChatMessage[] {
  return [...rows].sort((a, b) => a.seq - b.seq);
}

function maxRev(rows: readonly ChatMessage[]): number {
  return rows.reduce((max, m) => Math.max(max, m.rev), 0);
}

/** Pending messages that should go (again) to the server on a fresh connection. */
export function unsentMessages(state: RoomState): PendingMessage[] {
  return state.pending.filter((p) => p.state === "pending");
}

/** The newest command issued from `origin`, answered or not. */
export function latestCommand(state: RoomState, origin: CommandOrigin): CommandEntry | null {
  return state.commands.findLast((c) => c.origin === origin) ?? null;
}

/** Other members typing right now, by the server's `until` deadlines. */
export function activeTypers(state: RoomState, now: number): Typer[] {
  return state.typers.filter((t) => t.until > now && t.id !== state.self?.id);
}
