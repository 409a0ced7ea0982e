/**
 * The threads slice: the one thread open beside the room, its replies as
 * far back as loaded, and its parent as it is now. Thread replies reach
 * every socket like room messages (`message`, `message_updated`, catch-up,
 * streamed drafts); `followThread` files those of the open thread here,
 * while the chat slice keeps them out of the room's timeline unless they
 * were also sent to the room.
 */
import type { ChatMessage, ServerFrame } from "../../../../shared/protocol";
import type { FrameReducers } from "../room/slice";

export interface OpenThread {
  /** The parent's seq: the thread's name on the wire (`threadOf`). */
  parent: number;
  /** The parent message, once the first page brought it (or it was loaded in the room). */
  parentMessage: ChatMessage | null;
  /** Replies, sorted by seq, contiguous from the oldest loaded one. */
  messages: ChatMessage[];
  hasMore: boolean;
  loading: boolean;
}

export interface ThreadsState {
  thread: OpenThread | null;
}

export const initialThreads = (): ThreadsState => ({ thread: null });

/** Is this row part of the room's timeline? (Thread replies only when also sent to the room.) */
export function inTimeline(m: ChatMessage): boolean {
  return m.threadOf == null || m.alsoToRoom === true;
}

export const threadFrames: FrameReducers<ThreadsState, "thread_page"> = {
  thread_page: (state, frame) => {
    const open = state.thread;
    if (!open || open.parent !== frame.threadOf) return state;
    // A page for an older request than the one we hold would leave a hole: only the
    // newest page (before null) or the page just before our oldest row fits.
    const oldest = open.messages[0]?.seq;
    if (frame.before !== null && frame.before !== oldest) return { ...state, thread: { ...open, loading: false } };
    const messages = frame.before === null ? upsert([], frame.messages) : upsert(open.messages, frame.messages);
    return { ...state, thread: { ...open, parentMessage: frame.parent, messages, hasMore: frame.hasMore, loading: false } };
  },
};

/** Opening a thread: empty until its first page comes (`parentMessage` from the room when loaded). */
export function openThread<S extends ThreadsState>(state: S, parent: ChatMessage | number): S {
  const seq = typeof parent === "number" ? parent : parent.seq;
  const parentMessage = typeof parent === "number" ? null : parent;
  return { ...state, thread: { parent: seq, parentMessage, messages: [], hasMore: false, loading: true } };
}

export function closeThread<S extends ThreadsState>(state: S): S {
  return state.thread ? { ...state, thread: null } : state;
}

export function threadOlderRequested<S extends ThreadsState>(state: S): S {
  return state.thread ? { ...state, thread: { ...state.thread, loading: true } } : state;
}

/**
 * After any frame: rows of the open thread (new, changed, caught up) and
 * streamed changes to them land in the thread too; so does the parent's
 * new summary.
 */
export function followThread<S extends ThreadsState>(state: S, frame: ServerFrame): S {
  const open = state.thread;
  if (!open) return state;
  switch (frame.type) {
    case "message":
    case "message_updated":
      return withRows(state, open, [frame.message]);
    case "catchup":
      return withRows(state, open, frame.messages);
    case "draft":
      return patchRow(state, open, frame.seq, (m) =>
        frame.offset > m.text.length ? m : { ...m, text: m.text.slice(0, frame.offset) + frame.text },
      );
    case "tool":
      return patchRow(state, open, frame.seq, (m) => {
        const at = m.parts.findIndex((p) => p.callId === frame.part.callId);
        return { ...m, parts: at < 0 ? [...m.parts, frame.part] : m.parts.map((p, i) => (i === at ? frame.part : p)) };
      });
    default:
      return state;
  }
}

function withRows<S extends ThreadsState>(state: S, open: OpenThread, rows: readonly ChatMessage[]): S {
  const parent = rows.filter((m) => m.seq === open.parent).at(-1);
  const replies = rows.filter((m) => m.threadOf === open.parent);
  if (!parent && replies.length === 0) return state;
  const parentMessage = parent && (!open.parentMessage || open.parentMessage.rev <= parent.rev) ? parent : open.parentMessage;
  return { ...state, thread: { ...open, parentMessage, messages: upsert(open.messages, replies) } };
}

function patchRow<S extends ThreadsState>(state: S, open: OpenThread, seq: number, patch: (m: ChatMessage) => ChatMessage): S {
  const at = open.messages.findIndex((m) => m.seq === seq);
  if (at < 0) return state;
  const messages = [...open.messages];
  messages[at] = patch(messages[at]!);
  return { ...state, thread: { ...open, messages } };
}

/** Merges rows by seq; of two versions of a row the higher rev wins. */
function upsert(current: readonly ChatMessage[], rows: readonly ChatMessage[]): ChatMessage[] {
  const bySeq = new Map(current.map((m) => [m.seq, m]));
  for (const row of rows) {
    const have = bySeq.get(row.seq);
    if (!have || have.rev <= row.rev) bySeq.set(row.seq, row);
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}
