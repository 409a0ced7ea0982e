/**
 * Everything the client knows about one room, and the pure reducer that
 * applies server frames and local actions to it. No I/O here: useRoom.ts owns
 * the socket, this file only decides what the state becomes.
 */
import type {
  ChatMessage,
  ErrorFrame,
  PresenceMember,
  Role,
  RoomInfo,
  ServerFrame,
  Typer,
} from "../../shared/protocol";
import { LIMITS } from "../../shared/limits";

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
  typers: Typer[];
  error: { code: string; message: string } | null;
  connection: ConnectionState;
  refused: { code: number; reason: string } | null;
}

export type RoomAction =
  | { type: "frame"; frame: ServerFrame }
  | { type: "send"; id: string; text: string; at: number; replyTo?: number }
  | { type: "retry"; id: string }
  | { type: "discard"; id: string }
  | { type: "history_requested" }
  | { type: "disconnected" }
  | { type: "refused"; code: number; reason: string }
  | { type: "clear_error" };

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
    typers: [],
    error: null,
    connection: "connecting",
    refused: null,
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
      };
    case "refused":
      return {
        ...state,
        connection: "refused",
        refused: { code: action.code, reason: action.reason },
        loadingOlder: false,
        typers: [],
        presence: [],
      };
    case "clear_error":
      return state.error ? { ...state, error: null } : state;
  }
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
      return {
        ...state,
        pending: state.pending.filter((p) => p.id !== frame.id),
        rev: Math.max(state.rev, frame.rev),
      };
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
    case "typing":
      return { ...state, typers: frame.typers };
    case "error":
      return applyError(state, frame);
    default:
      // A frame this client has no view for yet (reminders, command results)
      // must not wipe the state: returning nothing here crashed the room.
      return state;
  }
}

function applyError(state: RoomState, frame: ErrorFrame): RoomState {
  const error = { code: frame.code, message: frame.message };
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
  const confirmed = new Set(
    rows.filter((m) => selfId === undefined || m.author.id === selfId).map((m) => m.id),
  );
  if (confirmed.size === 0) return state;
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

/** Other members typing right now, by the server's `until` deadlines. */
export function activeTypers(state: RoomState, now: number): Typer[] {
  return state.typers.filter((t) => t.until > now && t.id !== state.self?.id);
}
