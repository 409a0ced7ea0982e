/**
 * MCP elicitation: a server asks, during a tool call, for input from the
 * person the call is for (a form, or consent to open a URL). The room
 * advertises both modes (onStart configures the SDK's handlers) and routes
 * each request to the call's principal — the member who ran `/mcp call`,
 * or the members a turn or run acts for — and to nobody else's sockets.
 *
 * Which call a request belongs to: the SDK hands the handler only the
 * server id, so every call runs inside `during`, which records it per
 * server and in an AsyncLocalStorage context (the SDK reads the call's
 * response stream, where the request arrives, in the call's async context).
 * Without a context, the server's only caller is used; a request the room
 * cannot attribute is refused, never shown to a guess.
 *
 * The answer goes back over the live MCP request, which lives in this
 * object's memory. Rows are persisted so that a reload shows the form again;
 * a row left by an earlier instance (restart, eviction) cannot be answered
 * any more: it is marked expired, shown as such, and only dismissed.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { MCPClientElicitationHandler } from "agents/mcp";
import { LIMITS } from "../../shared/limits";
import { checkAnswer, elicitationFields, elicitationTarget } from "../../shared/elicitation";
import type { ClientFrame, ErrorFrame, ServerFrame } from "../../shared/protocol";
import type { CallDeadline } from "./deadline";
import { ElicitationStore, type ElicitationRow } from "./elicitationStore";

type ElicitRequest = Parameters<MCPClientElicitationHandler>[0];
type ElicitResult = Awaited<ReturnType<MCPClientElicitationHandler>>;
type AnswerFrame = Extract<ClientFrame, { type: "elicitation_answer" }>;

/** One running tool call, as far as elicitation cares. */
export interface ElicitingCall {
  serverId: string;
  /** `server.tool`, shown on the form. */
  tool: string;
  /** The call's principal: who is asked. */
  memberIds: string[];
  deadline: CallDeadline;
}

export interface ElicitationRoom {
  /** The room's name for an SDK server id. */
  serverName(serverId: string): string | null;
  /** Sends the frame built for each of these members to their sockets only. */
  sendToMembers(memberIds: ReadonlySet<string>, build: (memberId: string) => ServerFrame): void;
  /** A request now waits for these members (their devices hear of it when no tab is open). */
  asked(memberIds: readonly string[], server: string, id: string): void;
  timeoutMs: number;
}

export const EXPIRED_NOTE =
  "The room restarted while this was waiting, and the server's request did not survive it: nothing was sent to the server. Run the call again if you still need it.";

interface Waiting {
  row: ElicitationRow;
  call: ElicitingCall;
  settle(result: ElicitResult): void;
}

type Refusal = { ok: false; error: ErrorFrame };

export class Elicitations {
  private readonly store: ElicitationStore;
  private readonly context = new AsyncLocalStorage<ElicitingCall>();
  private readonly calls = new Map<string, Set<ElicitingCall>>();
  private readonly waiting = new Map<string, Waiting>();

  constructor(
    sql: SqlStorage,
    private readonly room: ElicitationRoom,
  ) {
    this.store = new ElicitationStore(sql);
    // A new instance holds no live request: whatever is still pending was
    // asked of an instance that is gone (docs/architecture.md).
    const affected = this.store.expireAll(EXPIRED_NOTE, Date.now());
    if (affected.size) this.changed(affected);
  }

  /** Runs one tool call so that an elicitation it causes finds its principal. */
  async during<T>(call: ElicitingCall, run: () => Promise<T>): Promise<T> {
    const calls = this.calls.get(call.serverId) ?? new Set();
    this.calls.set(call.serverId, calls.add(call));
    try {
      return await this.context.run(call, run);
    } finally {
      calls.delete(call);
      if (calls.size === 0) this.calls.delete(call.serverId);
    }
  }

  frameFor(memberId: string): ServerFrame {
    return {
      type: "elicitations",
      items: this.store.forMember(memberId).map(({ serverId: _s, memberIds: _m, ...item }) => item),
    };
  }

  /** A member's answer. Refused, with nothing changed, unless it is a valid answer to one of their pending requests. */
  answer(memberId: string, frame: AnswerFrame): { ok: true } | Refusal {
    const found = this.mine(memberId, frame.id);
    if (!found.ok) return found;
    const { row, waiting } = found;
    if (frame.action !== "accept") {
      if (frame.content !== undefined) return refuse("invalid_frame", `A ${frame.action} carries no values.`, frame.id);
      this.finish(waiting, { action: frame.action });
      return { ok: true };
    }
    if (row.mode === "url") {
      if (frame.content !== undefined) return refuse("invalid_frame", "Consent to open a link carries no values.", frame.id);
      this.finish(waiting, { action: "accept" });
      return { ok: true };
    }
    const checked = checkAnswer(row.fields, frame.content ?? {});
    if (!checked.ok) return refuse("invalid_frame", checked.message, frame.id);
    this.finish(waiting, { action: "accept", content: checked.content });
    return { ok: true };
  }

  /** Removes an expired request from the member's list (a pending one must be answered). */
  dismiss(memberId: string, id: string): { ok: true } | Refusal {
    const row = this.store.get(id);
    if (!row || !row.memberIds.includes(memberId)) return refuse("not_found", notYours(id), id);
    if (row.state === "pending") return refuse("invalid_frame", "This request is still waiting: decline or cancel it instead.", id);
    this.store.remove(id);
    this.changed(new Set(row.memberIds));
    return { ok: true };
  }

  private mine(memberId: string, id: string): { ok: true; row: ElicitationRow; waiting: Waiting } | Refusal {
    const row = this.store.get(id);
    if (!row || !row.memberIds.includes(memberId)) return refuse("not_found", notYours(id), id);
    const waiting = this.waiting.get(id);
    if (row.state === "expired" || !waiting) return refuse("not_found", `This request can no longer be answered. ${EXPIRED_NOTE}`, id);
    return { ok: true, row, waiting };
  }

  /** Handles one `elicitation/create` from a server (see elicitationHandlers). */
  async ask(mode: "form" | "url", request: ElicitRequest, serverId: string, signal?: AbortSignal): Promise<ElicitResult> {
    const call = this.callFor(serverId);
    const server = this.room.serverName(serverId);
    if (!call || !server) {
      // Thrown errors go back to the server as a JSON-RPC error: honest, and nobody is shown a request meant for someone else.
      throw new Error("Hearth could not tell which member this request is for, so it was shown to nobody.");
    }
    if (this.store.pendingCount() >= LIMITS.elicitationsPerRoom) throw new Error("Too many requests are waiting for members in this room.");
    const params = request.params as Record<string, unknown>;
    const now = Date.now();
    const row: ElicitationRow = {
      id: crypto.randomUUID(), serverId, server, tool: call.tool, memberIds: call.memberIds, mode,
      message: String(params.message ?? "").slice(0, 2000),
      fields: [], url: null, domain: null,
      createdAt: now, expiresAt: now + this.room.timeoutMs, state: "pending", note: null,
    };
    if (mode === "form") {
      const read = elicitationFields(params.requestedSchema);
      row.fields = read.fields;
      row.note = read.problem;
    } else {
      const target = elicitationTarget(params.url);
      if (!target) throw new Error("Hearth only offers members http(s) links to open.");
      row.url = target.url;
      row.domain = target.domain;
    }
    return new Promise<ElicitResult>((resolve) => {
      const timer = setTimeout(() => this.finish(waiting, { action: "cancel" }), this.room.timeoutMs);
      const onAbort = () => this.finish(waiting, { action: "cancel" });
      const waiting: Waiting = {
        row,
        call,
        settle: (result) => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          resolve(result);
        },
      };
      // The server cancelled, or the call ended: the form goes away.
      signal?.addEventListener("abort", onAbort, { once: true });
      this.store.add(row);
      this.waiting.set(row.id, waiting);
      call.deadline.pause();
      this.changed(new Set(row.memberIds));
      this.room.asked(row.memberIds, server, row.id);
    });
  }

  /** Answers the server once, drops the row and updates the members' lists. */
  private finish(waiting: Waiting, result: ElicitResult): void {
    if (!this.waiting.delete(waiting.row.id)) return;
    this.store.remove(waiting.row.id);
    waiting.call.deadline.resume();
    waiting.settle(result);
    this.changed(new Set(waiting.row.memberIds));
  }

  /** The call this request came from: its async context, else the server's only principal. */
  private callFor(serverId: string): ElicitingCall | null {
    const own = this.context.getStore();
    if (own?.serverId === serverId) return own;
    const calls = [...(this.calls.get(serverId) ?? [])];
    const principals = new Set(calls.map((c) => [...c.memberIds].sort().join("\u0000")));
    return principals.size === 1 ? calls[0]! : null;
  }

  private changed(memberIds: ReadonlySet<string>): void {
    this.room.sendToMembers(memberIds, (memberId) => this.frameFor(memberId));
  }
}

/**
 * The SDK's handlers, one per mode (both are advertised). Configured in the
 * room's constructor, before the SDK restores connections, so that every
 * handshake advertises them; `get` builds the module only when a request comes.
 */
export function elicitationHandlers(get: () => Elicitations): { form: MCPClientElicitationHandler; url: MCPClientElicitationHandler } {
  return {
    form: (request, serverId, signal) => get().ask("form", request, serverId, signal),
    url: (request, serverId, signal) => get().ask("url", request, serverId, signal),
  };
}

function notYours(id: string): string {
  return `You have no pending request ${id}: it was answered already, it timed out, or it was not asked of you.`;
}

function refuse(code: ErrorFrame["code"], message: string, ref: string): Refusal {
  return { ok: false, error: { type: "error", code, message, ref } };
}
