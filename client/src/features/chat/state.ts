/**
 * The chat slice: the loaded window of messages, own messages not yet
 * confirmed, who is typing, and the room-wide error banner. A pending
 * message stops being pending in one place (confirmIds), when its row or
 * its ack names it.
 */
import type { Attachment, ChatMessage, ErrorCode, Typer } from "../../../../shared/protocol";
import type { FrameReducers } from "../room/slice";
import { inTimeline } from "../threads/state";

/** An own message the server has not confirmed yet. */
export interface PendingMessage {
  id: string;
  text: string;
  /** The message this one answers (asks the assistant again when it is one of its messages). */
  replyTo?: number;
  /** Files uploaded for it (sent by id; shown while it is pending). */
  attachments?: Attachment[];
  createdAt: number;
  state: "pending" | "failed";
  /** Why it failed, when it did. */
  error?: string;
}

export interface ChatState {
  /** Server rows, sorted by seq, contiguous from the oldest loaded one. */
  messages: ChatMessage[];
  pending: PendingMessage[];
  /** Highest room revision seen: the `since` of the next reconnect. */
  rev: number;
  hasMore: boolean;
  /**
   * The loaded window ends before the present (a jump to a search result):
   * newer live rows are left out until the member jumps back (`around`).
   */
  hasNewer: boolean;
  /** The message the last jump went to, highlighted; `n` tells two jumps to one message apart. */
  jump: { seq: number; n: number } | null;
  loadingOlder: boolean;
  typers: Typer[];
  error: { code: ErrorCode; message: string } | null;
}

/** Confirming own messages needs to know who "own" is. */
type WithSelf = ChatState & { self: { id: string } | null };

export const initialChat = (): ChatState => ({
  messages: [],
  pending: [],
  rev: 0,
  hasMore: false,
  hasNewer: false,
  jump: null,
  loadingOlder: false,
  typers: [],
  error: null,
});

export const chatFrames: FrameReducers<
  WithSelf,
  "snapshot" | "catchup" | "page" | "around" | "message" | "message_updated" | "ack" | "draft" | "tool" | "typing"
> = {
  snapshot: (state, frame) =>
    confirmPending(
      {
        ...state,
        messages: sortBySeq(frame.messages),
        hasMore: frame.hasMore,
        hasNewer: false,
        jump: null,
        loadingOlder: false,
        rev: Math.max(frame.rev, maxRev(frame.messages)),
      },
      frame.messages,
    ),
  catchup: (state, frame) =>
    confirmPending(
      {
        ...state,
        messages: mergeLive(state, frame.messages),
        rev: Math.max(state.rev, frame.rev, maxRev(frame.messages)),
      },
      frame.messages,
    ),
  page: (state, frame) => {
    // A page asked for before a gap snapshot replaced the list would leave a
    // hole between its rows and ours.
    if (frame.before !== state.messages[0]?.seq) return { ...state, loadingOlder: false };
    const older = frame.messages.filter((m) => m.seq < frame.before);
    return { ...state, messages: upsert(state.messages, older), hasMore: frame.hasMore, loadingOlder: false };
  },
  // A jump replaces the window; pending own messages stay, and `rev` only
  // moves forward (the window's rows are current as of this answer, and
  // whatever changed since comes live), so reconnect catch-up still works.
  around: (state, frame) =>
    confirmPending(
      {
        ...state,
        messages: sortBySeq(frame.messages.filter(inTimeline)),
        hasMore: frame.hasMore,
        hasNewer: frame.hasNewer,
        jump: frame.seq === null ? null : { seq: frame.seq, n: (state.jump?.n ?? 0) + 1 },
        loadingOlder: false,
        rev: Math.max(state.rev, maxRev(frame.messages)),
      },
      frame.messages,
    ),
  message: (state, frame) => liveRow(state, frame.message),
  message_updated: (state, frame) => liveRow(state, frame.message),
  // Usually the row came first and confirmed it already; a duplicate's ack comes alone.
  ack: (state, frame) => confirmIds({ ...state, rev: Math.max(state.rev, frame.rev) }, [frame.id]),
  draft: (state, frame) =>
    updateRow(state, frame.seq, (m) =>
      // Text beyond what we hold means a missed frame; the final
      // message_updated will bring the whole text, so wait for it.
      frame.offset > m.text.length ? m : { ...m, text: m.text.slice(0, frame.offset) + frame.text },
    ),
  tool: (state, frame) =>
    updateRow(state, frame.seq, (m) => {
      const at = m.parts.findIndex((p) => p.callId === frame.part.callId);
      const parts = at < 0 ? [...m.parts, frame.part] : m.parts.map((p, i) => (i === at ? frame.part : p));
      return { ...m, parts };
    }),
  typing: (state, frame) => ({ ...state, typers: frame.typers }),
};

/** `send`: the message shows at once, pending until the room confirms it. */
export function addPending<S extends ChatState>(state: S, p: Omit<PendingMessage, "state" | "error">): S {
  return { ...state, error: null, pending: [...state.pending, { ...p, state: "pending" }] };
}

/** `retry`: a failed message is pending again (and goes out with the same id). */
export function retryPending<S extends ChatState>(state: S, id: string): S {
  return {
    ...state,
    error: null,
    pending: state.pending.map((p) => {
      if (p.id !== id) return p;
      const { error: _error, ...rest } = p;
      return { ...rest, state: "pending" };
    }),
  };
}

/** `discard`: a failed message the member gave up on. */
export function discardPending<S extends ChatState>(state: S, id: string): S {
  return { ...state, pending: state.pending.filter((p) => p.id !== id) };
}

/** An error that names a pending message fails it; any error shows in the banner. */
export function failPending<S extends ChatState>(state: S, error: NonNullable<ChatState["error"]>, ref: unknown): S {
  if (typeof ref !== "string" || !state.pending.some((p) => p.id === ref)) return { ...state, error };
  return {
    ...state,
    error,
    pending: state.pending.map((p) => (p.id === ref ? { ...p, state: "failed", error: error.message } : p)),
  };
}

function liveRow<S extends WithSelf>(state: S, row: ChatMessage): S {
  return confirmPending({ ...state, messages: mergeLive(state, [row]), rev: Math.max(state.rev, row.rev) }, [row]);
}

/** Streamed changes carry no rev: they patch a row in place and never add one. */
function updateRow<S extends ChatState>(state: S, seq: number, patch: (m: ChatMessage) => ChatMessage): S {
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
function confirmPending<S extends WithSelf>(state: S, rows: readonly ChatMessage[]): S {
  if (state.pending.length === 0) return state;
  const selfId = state.self?.id;
  return confirmIds(state, rows.filter((m) => selfId === undefined || m.author.id === selfId).map((m) => m.id));
}

/** The one place a pending message stops being pending: its row or its ack named it. */
function confirmIds<S extends ChatState>(state: S, ids: readonly string[]): S {
  if (state.pending.length === 0 || ids.length === 0) return state;
  const confirmed = new Set(ids);
  const pending = state.pending.filter((p) => !confirmed.has(p.id));
  return pending.length === state.pending.length ? state : { ...state, pending };
}

/**
 * Live rows (broadcasts, catch-up) older than the oldest loaded row are left
 * out while older history exists: the history page will bring them, and
 * inserting them now would show them next to unrelated neighbours. The same
 * for rows newer than a window jumped into the past.
 */
function mergeLive(state: ChatState, rows: readonly ChatMessage[]): ChatMessage[] {
  const oldest = state.messages[0]?.seq;
  const newest = state.messages.at(-1)?.seq;
  // Thread replies live in their thread (threads/state.ts) unless also sent to the room.
  const timeline = rows.filter(inTimeline);
  let keep = state.hasMore && oldest !== undefined ? timeline.filter((m) => m.seq >= oldest) : timeline;
  // A window jumped into the past holds no newer rows: "jump to the present" loads them.
  if (state.hasNewer && newest !== undefined) keep = keep.filter((m) => m.seq <= newest);
  return upsert(state.messages, keep);
}

/** Merges rows by seq; of two versions of a row the higher rev wins. */
function upsert(current: readonly ChatMessage[], rows: readonly ChatMessage[]): ChatMessage[] {
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
export function unsentMessages(state: ChatState): PendingMessage[] {
  return state.pending.filter((p) => p.state === "pending");
}

/** Other members typing right now, by the server's `until` deadlines. */
export function activeTypers(state: ChatState & { self: { id: string } | null }, now: number): Typer[] {
  return state.typers.filter((t) => t.until > now && t.id !== state.self?.id);
}
