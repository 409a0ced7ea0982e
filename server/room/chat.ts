/**
 * What each chat frame does. Every handler gets a frame that already passed
 * its zod schema and a sender whose membership was checked on connect; the
 * handler enforces the role and ownership rules, writes first, and only then
 * tells anyone (durability before visibility — the Durable Object's output
 * gate would hold the frames until the write is durable anyway).
 */
import { LIMITS } from "../../shared/limits";
import type { ChatMessage, ServerFrame } from "../../shared/protocol";
import type { ConnectionState } from "./connectionState";
import { errorFrame, type FrameHandler } from "./frames";
import type { Membership } from "./members";
import type { MessageLog } from "./messages";
import { threadChanged, type Threads } from "./threads";
import type { SlowMode } from "./slowMode";
import type { ResolvedMentions } from "./mentions";
import type { Files } from "./files";

/** The few things of the room a handler may touch, for the frame's sender. */
export interface ChatContext {
  /** The sender's attachment; `updateSender` keeps it current. */
  sender: ConnectionState;
  log: MessageLog;
  threads: Threads;
  members: Membership;
  now(): number;
  /** Sends to every open socket of the room (one serialisation). */
  broadcast(frame: ServerFrame): void;
  /** Sends to the socket the frame came from. */
  reply(frame: ServerFrame): void;
  /** Replaces the sender's attachment. */
  updateSender(state: ConnectionState): void;
  presenceChanged(): void;
  /** Everyone's members view is sent again (a rename changes it). */
  membersChanged(): void;
  typingChanged(): void;
  /** A new message from a member was stored and broadcast (the assistant listens). */
  messageStored(message: ChatMessage, sender: ConnectionState): void;
  /** The members a text mentions, with plain `@name`s turned into tokens (mentions.ts). */
  mentionsIn(text: string): ResolvedMentions;
  /** The room's slow mode (owners set the interval). */
  slowMode: SlowMode;
  /** A message was edited or deleted (the pinned list follows when it was pinned). */
  messageChanged(message: ChatMessage): void;
  /** An owner removed someone else's message (for the members audit). */
  removedByOwner(message: ChatMessage): void;
  /** The room's uploads: a message's attachments are claimed and attached here. */
  files: Pick<Files, "claim" | "attach">;
}

/** The frames this module owns; the room maps the others (ChatRoom's `handlers`). */
type ChatFrameType = "send" | "edit" | "delete" | "history" | "thread_history" | "typing" | "set_name";

type Handler<T extends ChatFrameType> = FrameHandler<T, ChatContext>;

const send: Handler<"send"> = (ctx, frame) => {
  const { sender } = ctx;
  if (sender.role === "viewer") return ctx.reply(errorFrame("read_only", "Viewers can read but not post.", frame.id));
  if (frame.threadOf !== undefined) {
    const thread = ctx.threads.check(frame.threadOf);
    // A resend of a reply already stored is acked below even if the parent was deleted since.
    if (!thread.ok && !ctx.log.byId(frame.id)) return ctx.reply(errorFrame(thread.code, thread.text, frame.id));
  }
  const retryAt = ctx.slowMode.retryAt(sender, ctx.now());
  // A resend of a stored message is acked again, slow mode or not.
  if (retryAt !== null && !ctx.log.byId(frame.id)) {
    const seconds = Math.ceil((retryAt - ctx.now()) / 1000);
    return ctx.reply({
      ...errorFrame("slow_mode", `Slow mode is on: you may send again in ${seconds} s.`, frame.id),
      retryAt,
    });
  }
  let attachments: ReturnType<Files["claim"]> | undefined;
  // A resend is acked below: its files are attached to it already.
  if (frame.attachments && !ctx.log.byId(frame.id)) {
    attachments = ctx.files.claim(sender.memberId, frame.attachments);
    if (!attachments.ok) return ctx.reply(errorFrame("not_found", attachments.text, frame.id));
  }
  const mentioned = ctx.mentionsIn(frame.text);
  const result = ctx.log.insert({
    id: frame.id,
    kind: "user",
    author: { id: sender.memberId, name: sender.name },
    text: mentioned.text,
    mentions: mentioned.ids,
    now: ctx.now(),
    replyTo: frame.replyTo ?? null,
    threadOf: frame.threadOf ?? null,
    alsoToRoom: frame.alsoToRoom ?? false,
    attachments: attachments?.ok ? attachments.attachments : undefined,
    ...(sender.via ? { via: sender.via, ...(sender.viaApp ? { viaApp: sender.viaApp } : {}) } : {}),
  });
  if (result.status === "conflict") {
    return ctx.reply(errorFrame("duplicate_id", "This message id is already used by another message.", frame.id));
  }
  const { message } = result;
  if (result.status === "stored") {
    if (frame.attachments) ctx.files.attach(frame.attachments, message.seq);
    ctx.slowMode.sent(sender.memberId, message.createdAt);
    ctx.broadcast({ type: "message", message });
    threadChanged(ctx.threads, message, ctx.broadcast);
    if (sender.typingUntil > 0) {
      ctx.updateSender({ ...sender, typingUntil: 0 });
      ctx.typingChanged();
    }
  }
  ctx.reply({ type: "ack", id: frame.id, seq: message.seq, rev: message.rev, duplicate: result.status === "duplicate" });
  if (result.status === "stored") ctx.messageStored(message, sender);
};

const edit: Handler<"edit"> = (ctx, frame) => {
  const { sender } = ctx;
  if (sender.role === "viewer") return ctx.reply(errorFrame("read_only", "Viewers cannot edit messages.", frame.seq));
  const mentioned = ctx.mentionsIn(frame.text);
  changed(ctx, ctx.log.edit(frame.seq, sender.memberId, mentioned.text, ctx.now(), mentioned.ids), frame.seq);
};

const remove: Handler<"delete"> = (ctx, frame) => {
  const { sender } = ctx;
  if (sender.role === "viewer") return ctx.reply(errorFrame("read_only", "Viewers cannot delete messages.", frame.seq));
  const target = ctx.log.bySeq(frame.seq);
  // Owners remove anyone's message; the tombstone says which owner did.
  if (sender.role === "owner" && target && (target.author.id !== sender.memberId || target.kind !== "user")) {
    const result = ctx.log.removeAsOwner(frame.seq, { id: sender.memberId, name: sender.name }, ctx.now());
    changed(ctx, result, frame.seq);
    if (result.status === "changed") {
      ctx.removedByOwner(result.message);
      threadChanged(ctx.threads, result.message, ctx.broadcast);
    }
    return;
  }
  const result = ctx.log.delete(frame.seq, sender.memberId, ctx.now());
  changed(ctx, result, frame.seq);
  if (result.status === "changed") threadChanged(ctx.threads, result.message, ctx.broadcast);
};

function changed(ctx: ChatContext, result: ReturnType<MessageLog["edit"]>, seq: number) {
  if (result.status === "not_found") return ctx.reply(errorFrame("not_found", `There is no message ${seq}.`, seq));
  if (result.status === "not_author") {
    return ctx.reply(errorFrame("not_author", "Only the author can change a message.", seq));
  }
  ctx.broadcast({ type: "message_updated", message: result.message });
  ctx.messageChanged(result.message);
}

const history: Handler<"history"> = (ctx, frame) => {
  const page = ctx.log.before(frame.before, frame.limit ?? LIMITS.pageSize);
  ctx.reply({ type: "page", before: frame.before, ...page });
};

const threadHistory: Handler<"thread_history"> = (ctx, frame) => {
  const parent = ctx.log.bySeq(frame.threadOf);
  if (!parent || parent.threadOf != null) {
    return ctx.reply(errorFrame("not_found", `There is no thread of message ${frame.threadOf}.`, frame.threadOf));
  }
  const page = ctx.threads.page(frame.threadOf, frame.before ?? null, frame.limit ?? LIMITS.pageSize);
  ctx.reply({ type: "thread_page", threadOf: frame.threadOf, before: frame.before ?? null, parent, ...page });
};

const typing: Handler<"typing"> = (ctx, frame) => {
  const { sender } = ctx;
  if (sender.role === "viewer") return ctx.reply(errorFrame("read_only", "Viewers cannot type.", "typing"));
  const typingUntil = frame.active ? ctx.now() + LIMITS.typingTtlMs : 0;
  const wasShowing = sender.typingUntil > ctx.now();
  ctx.updateSender({ ...sender, typingUntil });
  // "Stopped" from someone not shown as typing changes nothing others see.
  if (frame.active || wasShowing) ctx.typingChanged();
};

const setName: Handler<"set_name"> = (ctx, frame) => {
  const { sender } = ctx;
  if (frame.name === sender.name) return;
  ctx.members.rename(sender.memberId, frame.name);
  ctx.updateSender({ ...sender, name: frame.name });
  ctx.presenceChanged();
  ctx.membersChanged();
};

export const chatHandlers: { [T in ChatFrameType]: Handler<T> } = {
  send,
  edit,
  delete: remove,
  history,
  thread_history: threadHistory,
  typing,
  set_name: setName,
};
