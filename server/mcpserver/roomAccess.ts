/**
 * The room's side of Hearth's MCP endpoint: one call of an outside agent
 * acting for a member, checked here, in the room, against what that member
 * may do *now* — the role is read from the members table on every call, so
 * a member demoted to viewer or removed since the grant gets exactly what
 * they would get with a socket (nothing, for someone removed).
 *
 * Writes do not get a path of their own: a post or a reaction becomes the
 * very frame a member's socket would send (`send`, `react`), parsed by the
 * same zod schema and run by the same handler (room/chat.ts: roles, slow
 * mode, threads, mentions, the assistant hearing it), with the agent's
 * client as the sender's `via`. Every call takes a token from the member's
 * agent bucket of the room's rate limiter (one bucket per member, shared by
 * all their agents), and every write leaves a row in the members audit
 * (who, which client, what) that owners read with `/audit`.
 */
import { z } from "zod";
import { LIMITS } from "../../shared/limits";
import type { ChatMessage, ClientFrame, ErrorFrame, ReminderItem, RoomInfo, ScriptItem, SearchResult, ServerFrame } from "../../shared/protocol";
import type { Actor } from "../room/actor";
import type { ConnectionState } from "../room/connectionState";
import type { Membership } from "../room/members";
import type { MessageLog } from "../room/messages";
import type { Threads } from "../room/threads";
import type { RoomSearch } from "../room/search";
import type { Outcome } from "../room/commands";
import { parseClientFrame } from "../room/frames";
import { randomBase32 } from "../ids";
import type { AgentPrincipal, AgentScope } from "./grant";

/** Messages one read returns at most. */
export const READ_PAGE_MAX = 100;

/** What an agent asks of one room (validated again here: the room trusts no caller's shape). */
export const AgentCall = z.discriminatedUnion("op", [
  z.object({ op: z.literal("info") }),
  z.object({
    op: z.literal("read"),
    /** Messages after this seq (oldest first), room and thread replies alike. */
    since: z.number().int().nonnegative().optional(),
    /** The page before this seq (the timeline, or the thread with `thread`). */
    before: z.number().int().positive().optional(),
    /** A thread: its parent's seq. */
    thread: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(READ_PAGE_MAX).optional(),
  }),
  /** What arrived after the member's read marker (their "last here"), without moving it. */
  z.object({ op: z.literal("unread"), limit: z.number().int().min(1).max(READ_PAGE_MAX).optional() }),
  z.object({ op: z.literal("search"), query: z.string().min(1).max(500), before: z.number().int().positive().optional() }),
  z.object({
    op: z.literal("post"),
    text: z.string(),
    thread: z.number().int().positive().optional(),
    alsoToRoom: z.boolean().optional(),
    replyTo: z.number().int().positive().optional(),
  }),
  z.object({ op: z.literal("react"), seq: z.number().int().positive(), emoji: z.string(), on: z.boolean() }),
  z.object({ op: z.literal("reminders") }),
  z.object({ op: z.literal("remind"), who: z.string().min(1).max(80), what: z.string().min(1).max(LIMITS.messageChars), when: z.string().min(1).max(200) }),
  z.object({ op: z.literal("cancel_reminder"), id: z.string().min(1).max(64) }),
  z.object({ op: z.literal("members") }),
  z.object({ op: z.literal("scripts") }),
  z.object({ op: z.literal("run_script"), name: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, "A script name is lowercase letters, digits, _ and -."), input: z.record(z.string(), z.unknown()).optional() }),
]);
export type AgentCall = z.infer<typeof AgentCall>;

export type AgentResult =
  | { ok: true; data: AgentData }
  | { ok: false; code: "not_found" | "forbidden" | "read_only" | "rate_limited" | "invalid" | "refused"; text: string };

export type AgentData =
  | { room: RoomInfo; role: Actor["role"]; lastSeq: number }
  | { messages: ChatMessage[]; hasMore: boolean; readUpTo?: number }
  | { results: SearchResult[]; hasMore: boolean; indexing: boolean }
  | { message: ChatMessage }
  | { reminders: ReminderItem[] }
  | { members: Array<{ id: string; name: string; role: Actor["role"]; online: boolean }> }
  | { scripts: ScriptItem[] }
  | { text: string };

/** Which scope each operation needs. */
const NEEDS: Record<AgentCall["op"], AgentScope> = {
  info: "read",
  read: "read",
  unread: "read",
  search: "read",
  post: "post",
  react: "post",
  reminders: "remind",
  remind: "remind",
  cancel_reminder: "remind",
  members: "read",
  scripts: "read",
  run_script: "scripts",
};

/** The few things of the room an agent call touches; ChatRoom wires them. */
export interface AgentRoom {
  members: Membership;
  log: MessageLog;
  threads: Threads;
  search(): RoomSearch;
  /** The seq a member has read up to (room/readState.ts), or null before their first visit. */
  readUpTo(memberId: string): number | null;
  /** One token of the room's rate limiter under this key (false: over the rate). */
  take(key: string): boolean;
  /** Runs a client frame as `sender` through the room's frame handlers; resolves with what it answered the sender. */
  runFrame(sender: ConnectionState, frame: ClientFrame): Promise<ServerFrame[]>;
  reminders: {
    list(): ReminderItem[];
    create(actor: Actor, input: { kind: "reminder"; target: string; text: string; when: string }): Promise<Outcome>;
    cancel(actor: Actor, id: string): Promise<Outcome>;
  };
  /** Members with an open socket now. */
  online(): ReadonlySet<string>;
  /** The member's agent acted: it shows in presence for a while (room/sockets.ts). */
  agentActed(actor: Actor, principal: AgentPrincipal): void;
  scripts(): ScriptItem[];
  /** Runs a slash command as the member, as if typed (the answer it gives them). */
  command(actor: Actor, text: string): Promise<Outcome>;
  now(): number;
}

/** Members `list_members` returns at most (newest first, as the room's own list). */
const MEMBERS_LISTED = 500;

export class AgentAccess {
  constructor(private readonly room: AgentRoom) {}

  async run(principal: AgentPrincipal, input: unknown): Promise<AgentResult> {
    const parsed = AgentCall.safeParse(input);
    if (!parsed.success) return { ok: false, code: "invalid", text: parsed.error.issues[0]?.message ?? "Malformed call." };
    const call = parsed.data;
    const info = this.room.members.info();
    // The same answer for a room that does not exist and one the member is not in: no probing room names.
    const member = info ? this.room.members.get(principal.memberId) : null;
    if (!info || !member || this.room.members.banned(principal.memberId)) {
      return { ok: false, code: "not_found", text: "You are not a member of that room (or it does not exist)." };
    }
    const scope = NEEDS[call.op];
    if (!principal.scopes.includes(scope)) {
      return { ok: false, code: "forbidden", text: `This connection was not granted the "${scope}" scope; reconnect and approve it.` };
    }
    if (!this.room.take(`agent:${member.id}`)) {
      return { ok: false, code: "rate_limited", text: "Too many requests for this member: slow down and try again." };
    }
    const actor: Actor = member;
    this.room.agentActed(actor, principal);
    switch (call.op) {
      case "info":
        return { ok: true, data: { room: info, role: member.role, lastSeq: this.room.log.lastSeq() } };
      case "read":
        return this.read(call);
      case "unread": {
        // Read, not marked read: the member's own marker follows what *they* saw.
        const upTo = this.room.readUpTo(member.id) ?? 0;
        const limit = call.limit ?? READ_PAGE_MAX;
        const messages = this.room.log.after(upTo, limit + 1);
        return { ok: true, data: { messages: messages.slice(0, limit), hasMore: messages.length > limit, readUpTo: upTo } };
      }
      case "search": {
        const found = this.room.search().search(call.query, {
          self: member.id,
          timeZone: this.room.members.timeZone(member.id) ?? "UTC",
          ...(call.before ? { before: call.before } : {}),
        });
        if (!found.ok) return { ok: false, code: "invalid", text: found.error };
        return { ok: true, data: { results: found.results, hasMore: found.hasMore, indexing: found.indexing } };
      }
      case "post":
        return this.post(principal, actor, call);
      case "react": {
        const replies = await this.room.runFrame(this.sender(principal, actor), { type: "react", seq: call.seq, emoji: call.emoji, on: call.on } as ClientFrame);
        const refused = replies.find(isError);
        if (refused) return refusal(refused);
        const message = this.room.log.bySeq(call.seq);
        this.audit(principal, actor, "agent_react", `${call.on ? "added" : "removed"} ${call.emoji} on message ${call.seq}`);
        return message ? { ok: true, data: { message } } : { ok: false, code: "not_found", text: `There is no message ${call.seq}.` };
      }
      case "reminders":
        return { ok: true, data: { reminders: this.room.reminders.list() } };
      case "remind": {
        const outcome = await this.room.reminders.create(actor, { kind: "reminder", target: call.who, text: call.what, when: call.when });
        if (!outcome.ok) return { ok: false, code: actor.role === "viewer" ? "read_only" : "refused", text: outcome.text };
        this.audit(principal, actor, "agent_remind", outcome.text.slice(0, 200));
        return { ok: true, data: { text: outcome.text } };
      }
      case "members": {
        const online = this.room.online();
        const { members } = this.room.members.list(MEMBERS_LISTED);
        return { ok: true, data: { members: members.map((m) => ({ id: m.id, name: m.name, role: m.role, online: online.has(m.id) })) } };
      }
      case "scripts":
        return { ok: true, data: { scripts: this.room.scripts() } };
      case "run_script": {
        if (actor.role === "viewer") return { ok: false, code: "read_only", text: "Viewers cannot run scripts." };
        // The member's own `/run`: their budget, the version's review, approvals refused as for a run nobody can wait on.
        const outcome = await this.room.command(actor, `/run ${call.name}${call.input ? ` ${JSON.stringify(call.input)}` : ""}`);
        this.audit(principal, actor, "agent_run_script", `${call.name}: ${outcome.ok ? "ran" : "refused"}`);
        return outcome.ok ? { ok: true, data: { text: outcome.text } } : { ok: false, code: "refused", text: outcome.text };
      }
      case "cancel_reminder": {
        if (actor.role === "viewer") return { ok: false, code: "read_only", text: "Viewers cannot change reminders." };
        const outcome = await this.room.reminders.cancel(actor, call.id);
        if (!outcome.ok) return { ok: false, code: "refused", text: outcome.text };
        this.audit(principal, actor, "agent_cancel_reminder", call.id);
        return { ok: true, data: { text: outcome.text } };
      }
    }
  }

  private read(call: Extract<AgentCall, { op: "read" }>): AgentResult {
    const limit = call.limit ?? LIMITS.pageSize;
    const { log, threads } = this.room;
    if (call.thread !== undefined) {
      const parent = log.bySeq(call.thread);
      if (!parent || parent.threadOf != null) return { ok: false, code: "not_found", text: `There is no thread of message ${call.thread}.` };
      if (call.since !== undefined) {
        // A thread is short enough to filter a page of it; replies after `since`, oldest first.
        const page = threads.page(call.thread, null, READ_PAGE_MAX);
        const newer = page.messages.filter((m) => m.seq > call.since!);
        return { ok: true, data: { messages: newer.slice(0, limit), hasMore: newer.length > limit } };
      }
      return { ok: true, data: threads.page(call.thread, call.before ?? null, limit) };
    }
    if (call.since !== undefined) {
      const messages = log.after(call.since, limit + 1);
      return { ok: true, data: { messages: messages.slice(0, limit), hasMore: messages.length > limit } };
    }
    return { ok: true, data: call.before !== undefined ? log.before(call.before, limit) : log.latest(limit) };
  }

  private async post(principal: AgentPrincipal, actor: Actor, call: Extract<AgentCall, { op: "post" }>): Promise<AgentResult> {
    // A server-made id: an agent's retry is a new message, as a person's second click would be.
    const id = `mcp_${randomBase32(16)}`;
    const frame = {
      type: "send",
      id,
      text: call.text,
      ...(call.thread !== undefined ? { threadOf: call.thread } : {}),
      ...(call.alsoToRoom !== undefined ? { alsoToRoom: call.alsoToRoom } : {}),
      ...(call.replyTo !== undefined ? { replyTo: call.replyTo } : {}),
    };
    // The same parse as a socket's frame: size, JSON, the send schema (text length, empty text…).
    const parsed = parseClientFrame(JSON.stringify(frame));
    if (!parsed.ok) return { ok: false, code: "invalid", text: parsed.error.message.replace(/^send: /, "") };
    const replies = await this.room.runFrame(this.sender(principal, actor), parsed.frame);
    const refused = replies.find(isError);
    if (refused) return refusal(refused);
    const stored = this.room.log.byId(id);
    if (!stored) return { ok: false, code: "refused", text: "The room did not store the message." };
    this.audit(principal, actor, "agent_post", `message ${stored.seq}${stored.threadOf != null ? ` in the thread of ${stored.threadOf}` : ""}`);
    return { ok: true, data: { message: stored } };
  }

  /** The member as a frame's sender, marked with the client it came through; never typing, no socket. */
  private sender(principal: AgentPrincipal, actor: Actor): ConnectionState {
    return {
      memberId: actor.id,
      name: actor.name,
      role: actor.role,
      typingUntil: 0,
      timeZone: this.room.members.timeZone(actor.id) ?? "UTC",
      via: principal.client,
      // Only an app with an icon: without one there is nothing for members to load.
      ...(principal.icon ? { viaApp: principal.clientId } : {}),
    };
  }

  private audit(principal: AgentPrincipal, actor: Actor, action: string, what: string): void {
    this.room.members.audit({ actor, action, detail: `via ${principal.client} (client ${principal.clientId}): ${what}` }, this.room.now());
  }
}

function isError(frame: ServerFrame): frame is ErrorFrame {
  return frame.type === "error";
}

/** A frame handler's refusal as the agent's answer (the same words a member's socket would get). */
function refusal(frame: ErrorFrame): AgentResult {
  const code =
    frame.code === "read_only" ? "read_only" : frame.code === "not_found" ? "not_found" : frame.code === "rate_limited" ? "rate_limited" : frame.code === "invalid_frame" ? "invalid" : "refused";
  return { ok: false, code, text: frame.message };
}

/** The room as ChatRoom exposes it (its getters), so the composition root wires this in one line. */
interface RoomParts {
  members: Membership;
  log: MessageLog;
  kernel: { threads: Threads; search: RoomSearch };
  readMarkers: { state(memberId: string): { seq: number } | null };
  limiter: { take(key: string, now: number): boolean };
  reminders: {
    list(): ReminderItem[];
    create(actor: Actor, input: { kind: "reminder"; target: string; text: string; when: string }): Promise<Outcome>;
    act(actor: Actor, id: string, action: "cancel"): Promise<Outcome>;
  };
  scripts: { list(): ScriptItem[] };
}

export function agentAccess(
  room: RoomParts,
  runFrame: AgentRoom["runFrame"],
  extra: Pick<AgentRoom, "online" | "command" | "agentActed">,
): AgentAccess {
  return new AgentAccess({
    members: room.members,
    log: room.log,
    threads: room.kernel.threads,
    search: () => room.kernel.search,
    readUpTo: (memberId) => room.readMarkers.state(memberId)?.seq ?? null,
    take: (key) => room.limiter.take(key, Date.now()),
    runFrame,
    reminders: { list: () => room.reminders.list(), create: (actor, input) => room.reminders.create(actor, input), cancel: (actor, id) => room.reminders.act(actor, id, "cancel") },
    scripts: () => room.scripts.list(),
    ...extra,
    now: () => Date.now(),
  });
}
