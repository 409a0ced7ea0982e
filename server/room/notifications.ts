/**
 * Notifications: who in the room hears about what, and Web Push to those
 * who are not here.
 *
 * Each member picks a level per room (`all` messages, `mentions` — the
 * default: mentions of them and what waits for them — or `none`). A member
 * with an open socket is told by the room's own frames (the client shows a
 * browser notification while its tab is hidden); a member with no open
 * socket gets a Web Push on each device they subscribed, sent by the room
 * while it is awake for the event itself (a message, an alarm, a tool call
 * or an MCP request). Sends run in `waitUntil` and never fail what caused
 * them; a subscription the push service calls gone (404/410) is deleted.
 *
 * Payloads are short and carry no secrets: the room's name, who wrote, a
 * short excerpt of what they wrote, the tool's name for an approval (never
 * its input), and the room's path.
 */
import type { VapidKeys } from "@block65/webcrypto-web-push";
import type { ChatMessage, ClientFrame, NotifyLevel, ServerFrame, ToolPart } from "../../shared/protocol";
import { endpointHost, sendPush, type PushPayload } from "../push/send";
import { PushSubscriptions, type SubscribeOutcome } from "../push/subscriptions";
import type { Membership } from "./members";
import { mentionsAsNames } from "./mentions";

export const DEFAULT_LEVEL: NotifyLevel = "mentions";
/** A notification's body stays short: it is a pointer into the room, not a copy of it. */
export const BODY_CHARS = 180;

/** A targeted event: who it is about is decided by the caller. */
export interface Note {
  body: string;
  /** Unique per event; one event's notifications replace each other on a device. */
  tag: string;
}

export interface NotificationsRoom {
  name: string;
  sql: SqlStorage;
  members: Membership;
  /** Member ids with at least one open socket in the room now. */
  online(): Iterable<string>;
  sendToMembers(memberIds: ReadonlySet<string>, build: (memberId: string) => ServerFrame): void;
  waitUntil(work: Promise<unknown>): void;
  vapid(): Promise<VapidKeys>;
  /** PUSH_ALLOW_HOSTS: local push endpoints allowed (development and tests). */
  allowHosts: string[];
}

type SubscribeFrame = Extract<ClientFrame, { type: "push_subscribe" }>;

export class Notifications {
  readonly subscriptions: PushSubscriptions;
  /** Events already pushed by this instance (an approval's card is re-sent as approvals come in). */
  readonly #pushed = new Set<string>();

  constructor(private readonly room: NotificationsRoom) {
    room.sql.exec("CREATE TABLE IF NOT EXISTS notify_levels (member_id TEXT PRIMARY KEY, level TEXT NOT NULL)");
    this.subscriptions = new PushSubscriptions(room.sql);
  }

  level(memberId: string): NotifyLevel {
    const row = this.room.sql.exec<{ level: NotifyLevel }>("SELECT level FROM notify_levels WHERE member_id = ?", memberId).toArray()[0];
    return row?.level ?? DEFAULT_LEVEL;
  }

  setLevel(memberId: string, level: NotifyLevel): void {
    this.room.sql.exec(
      "INSERT INTO notify_levels (member_id, level) VALUES (?, ?) ON CONFLICT(member_id) DO UPDATE SET level = excluded.level",
      memberId,
      level,
    );
    this.settingsChanged(memberId);
  }

  subscribe(memberId: string, frame: SubscribeFrame): SubscribeOutcome {
    const outcome = this.subscriptions.add(memberId, { endpoint: frame.endpoint, ...frame.keys }, this.room.allowHosts, Date.now());
    if (outcome.ok) this.settingsChanged(memberId);
    return outcome;
  }

  unsubscribe(memberId: string, endpoint: string): void {
    // Forgetting what is not there changes nothing, but the answer still says how things stand.
    this.subscriptions.remove(memberId, endpoint);
    this.settingsChanged(memberId);
  }

  /** The member left or was removed. */
  forget(memberId: string): void {
    this.subscriptions.forget(memberId);
    this.room.sql.exec("DELETE FROM notify_levels WHERE member_id = ?", memberId);
  }

  /** Sends all the member's sockets their settings (after each change). */
  settingsChanged(memberId: string): void {
    const ids = new Set([memberId]);
    this.sendSettings(memberId, (frame) => this.room.sendToMembers(ids, () => frame));
  }

  /**
   * Sends a joining socket the member's settings: that socket only — the
   * member's other tabs have them already, and a member with many tabs
   * must not make each join cost a frame per tab.
   */
  settingsFor(memberId: string, send: (frame: ServerFrame) => void): void {
    this.sendSettings(memberId, (frame) => {
      try {
        send(frame);
      } catch {
        // The socket closed while the key was fetched: nothing to tell it.
      }
    });
  }

  /** The frame needs the VAPID public key, which may take a LocalSecret call the first time. */
  private sendSettings(memberId: string, send: (frame: ServerFrame) => void): void {
    this.room.waitUntil(
      this.room.vapid().then(
        (keys) => send(this.frame(memberId, keys.publicKey ?? null)),
        (err: unknown) => {
          console.error(`room ${this.room.name}: no VAPID key, push is off`, err instanceof Error ? err.message : err);
          send(this.frame(memberId, null));
        },
      ),
    );
  }

  frame(memberId: string, vapidPublicKey: string | null): ServerFrame {
    return { type: "notifications", level: this.level(memberId), subscriptions: this.subscriptions.count(memberId), vapidPublicKey };
  }

  /**
   * A message was stored and shown. Members at `all` hear of every message
   * by someone else; members it mentions hear of it unless at `none`.
   */
  messagePosted(message: ChatMessage): void {
    if (message.deleted || !PUSHED_KINDS.has(message.kind) || message.status === "streaming" || message.status === "waiting") return;
    const tag = `message:${message.seq}`;
    // Who first: in most rooms nobody is subscribed, and a message costs one indexed read here.
    const recipients = this.messageRecipients(message);
    if (recipients.size === 0 || !this.once(tag)) return;
    const mentioned = new Set(message.mentions ?? []);
    const text = this.plain(message.text);
    const thread = message.threadOf != null ? " (in a thread)" : "";
    this.push(recipients, (id) => ({
      // A reminder's text says whom it is for already ("⏰ @bob: stretch").
      body: clip(message.kind === "reminder" ? text : `${message.author.name}${mentioned.has(id) ? " mentioned you" : ""}${thread}: ${text}`),
      tag,
    }));
  }

  /** Who a push for this message goes to: away, subscribed, not its author, and at `all` or mentioned at `mentions`. */
  messageRecipients(message: Pick<ChatMessage, "author" | "mentions">): Set<string> {
    const mentioned = new Set(message.mentions ?? []);
    const recipients = new Set<string>();
    for (const id of this.offlineSubscribers()) {
      if (id === message.author.id) continue;
      const level = this.level(id);
      if (level === "all" || (level === "mentions" && mentioned.has(id))) recipients.add(id);
    }
    return recipients;
  }

  /** Something waits for these members (an approval, a server's question): pushed unless their level is `none`. */
  notify(memberIds: Iterable<string>, note: Note): void {
    this.push(this.targetRecipients(memberIds), () => ({ body: clip(note.body), tag: note.tag }));
  }

  /** Who of these members a targeted push goes to: away, subscribed, not at `none`. */
  targetRecipients(memberIds: Iterable<string>): Set<string> {
    const subscribers = this.offlineSubscribers();
    return new Set([...memberIds].filter((id) => subscribers.has(id) && this.level(id) !== "none"));
  }

  /** An MCP server asks these members for input (the form itself is in the room). */
  elicitationAsked(memberIds: readonly string[], server: string, id: string): void {
    this.notify(memberIds, { body: `${server} is waiting for your input.`, tag: `elicitation:${id}` });
  }

  /**
   * Frames the kernel sends to everyone: messages the room's capabilities
   * post (the assistant's answers, once done) and tool cards, of which one
   * awaiting approval is pushed to the approvers who have not given theirs.
   */
  frameShown(frame: ServerFrame): void {
    if (frame.type === "message") return this.messagePosted(frame.message);
    // An answer is posted empty while it streams; it is worth a push once it is written.
    if (frame.type === "message_updated" && frame.message.kind === "assistant" && frame.message.status === "done") {
      return this.messagePosted(frame.message);
    }
    if (frame.type === "tool" && frame.part.state === "awaiting_approval") this.approvalWaiting(frame.seq, frame.part);
  }

  private approvalWaiting(seq: number, part: ToolPart): void {
    const given = new Set((part.approvals ?? []).map((a) => a.id));
    const tag = `approval:${seq}:${part.callId}`;
    const waiting = (part.approvers ?? []).filter((id) => !given.has(id) && this.once(`${tag}:${id}`));
    // The tool's name only: its input may hold private data.
    this.notify(waiting, { body: `${part.tool.replace("__", ".")} is waiting for your approval.`, tag });
  }

  /** True the first time this instance sees `key`. */
  private once(key: string): boolean {
    if (this.#pushed.has(key)) return false;
    if (this.#pushed.size > 1000) this.#pushed.clear();
    this.#pushed.add(key);
    return true;
  }

  /** Members with a push subscription, still in the room, and no open socket. */
  private offlineSubscribers(): Set<string> {
    const out = new Set<string>();
    const subscribers = this.subscriptions.subscribers();
    // Most rooms have none: the sockets are not read at all then.
    if (subscribers.size === 0) return out;
    const online = new Set(this.room.online());
    for (const id of subscribers) {
      if (!online.has(id) && this.room.members.get(id)) out.add(id);
    }
    return out;
  }

  /** Mention tokens as names, whitespace collapsed. */
  private plain(text: string): string {
    return mentionsAsNames(text, (id) => this.room.members.get(id)?.name ?? null).replace(/\s+/g, " ").trim();
  }

  private push(recipients: ReadonlySet<string>, note: (memberId: string) => Note): void {
    if (recipients.size === 0) return;
    const title = `Hearth · ${this.room.name}`;
    const url = `/r/${encodeURIComponent(this.room.name)}`;
    for (const id of recipients) {
      const { body, tag } = note(id);
      const payload: PushPayload = { title, body, url, tag: `${this.room.name}:${tag}` };
      for (const subscription of this.subscriptions.of(id)) this.room.waitUntil(this.deliver(subscription, payload));
    }
  }

  /** Never throws: a push that fails is logged (host only: the endpoint's path is a capability) and dropped. */
  private async deliver(subscription: Parameters<typeof sendPush>[0], payload: PushPayload): Promise<void> {
    try {
      const outcome = await sendPush(subscription, payload, await this.room.vapid(), this.room.allowHosts);
      if (outcome.status === "gone") this.subscriptions.drop(subscription.endpoint);
      if (outcome.status === "failed") console.warn(`room ${this.room.name}: push to ${endpointHost(subscription.endpoint)} failed: ${outcome.reason}`);
    } catch (err) {
      console.warn(`room ${this.room.name}: push to ${endpointHost(subscription.endpoint)} failed: ${err instanceof Error ? err.name : "error"}`);
    }
  }
}

/**
 * Kinds worth a push: people's and the assistant's messages, and reminders
 * (which mention their target: room-wide ones reach members at `all`).
 * Hearth's notices and tool rows never.
 */
const PUSHED_KINDS = new Set<ChatMessage["kind"]>(["user", "assistant", "reminder"]);

function clip(text: string): string {
  return text.length > BODY_CHARS ? `${text.slice(0, BODY_CHARS - 1)}…` : text;
}
