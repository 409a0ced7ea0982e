/**
 * The room kernel: the few services every capability of a room is handed
 * (chat, membership, the assistant, reminders, MCP, Code Mode, scripts),
 * so that none reaches another through the room class or through the
 * assistant. A capability takes the kernel plus its own few extras; only
 * ChatRoom (the composition root) knows every capability.
 *
 * Durability before visibility lives here once: `post` writes a message and
 * broadcasts it only when the write stored a row (a retried alarm or a
 * resend stores nothing and shows nothing); `settle` writes a message's
 * final state and then shows it.
 */
import type { Attachment, Author, ChatMessage, MessageStatus, PresenceMember, ServerFrame, ToolPart } from "../../shared/protocol";
import { Draft } from "./draft";
import { Membership } from "./members";
import { MessageLog, type MessageInput } from "./messages";
import { roomTools } from "./roomTools";
import { RoomSearch } from "./search";
import { threadChanged, Threads } from "./threads";
import { ToolRegistry, type ApprovalNeed } from "./tools";

export type { Actor } from "./actor";

/** A message a capability posts (not a member's: those come through chat.ts, with their acks). */
export interface NewMessage extends Omit<MessageInput, "now"> {
  /** Cards it shows from the start (a direct tool call's); needs `status`. */
  parts?: ToolPart[];
}

/** What the room provides the kernel with: its name, storage and sockets. */
export interface KernelRoom {
  name: string;
  sql: SqlStorage;
  /** Runs `fn` as one SQLite transaction (the object's `storage.transactionSync`). */
  transaction<T>(fn: () => T): T;
  /** Sends one frame to every member socket (serialised once). */
  broadcast(frame: ServerFrame): void;
  /** Who is online now, each member once. */
  online(): PresenceMember[];
  /** A deleted message carried these files: they go too (files.ts). */
  attachmentsRemoved(attachments: Attachment[]): void;
}

/** The author of Hearth's own notices. */
export const SYSTEM_AUTHOR: Author = { id: "system", name: "Hearth" };

export class RoomKernel {
  readonly name: string;
  readonly sql: SqlStorage;
  /** Every capability's tools, the room's built-ins first. */
  readonly tools = new ToolRegistry();
  #log?: MessageLog;
  #members?: Membership;
  #threads?: Threads;
  #search?: RoomSearch;

  constructor(private readonly room: KernelRoom) {
    this.name = room.name;
    this.sql = room.sql;
    let builtIns: ReturnType<typeof roomTools> | undefined;
    this.tools.register(() =>
      (builtIns ??= roomTools({
        roomName: room.name,
        log: this.log,
        search: this.search,
        online: () => room.online(),
        now: () => Date.now(),
        messageChanged: (message) => {
          this.broadcast({ type: "message_updated", message });
          // A moderated thread reply leaves its parent's count.
          threadChanged(this.threads, message, (frame) => this.broadcast(frame));
        },
      })),
    );
  }

  // Tables are created on first use after each wake (cheap IF NOT EXISTS
  // statements, independent of history size).
  get log(): MessageLog {
    return (this.#log ??= new MessageLog(
      this.sql,
      (attachments) => this.room.attachmentsRemoved(attachments),
      (fn) => this.room.transaction(fn),
    ));
  }
  get members(): Membership {
    return (this.#members ??= new Membership(this.sql, this.name));
  }
  get threads(): Threads {
    return (this.#threads ??= new Threads(this.sql, this.log));
  }
  /** Full-text search of the history (search.ts); the log's triggers keep its index. */
  get search(): RoomSearch {
    // Its table comes with the log's (MessageLog installs the index and triggers).
    void this.log;
    return (this.#search ??= new RoomSearch(this.sql, (id) => this.members.get(id)?.name ?? null));
  }

  broadcast(frame: ServerFrame): void {
    this.room.broadcast(frame);
  }

  online(): PresenceMember[] {
    return this.room.online();
  }

  /** Stores a message and, when a row was stored, shows it to everyone: the message, or null. */
  post(message: NewMessage): ChatMessage | null {
    const stored = this.log.insert({ ...message, now: Date.now() });
    if (stored.status !== "stored") return null;
    const shown = message.parts
      ? this.log.settle(stored.message.seq, message.status ?? "done", stored.message.text, message.parts)
      : stored.message;
    this.broadcast({ type: "message", message: shown });
    threadChanged(this.threads, shown, (frame) => this.broadcast(frame));
    return shown;
  }

  /**
   * A message from Hearth itself, stored like any other so everyone sees it.
   * `setup` marks the "how to connect a model" message, which clients show as a card (docs/protocol.md).
   */
  postSystem(text: string, kind: "system" | "setup" = "system"): void {
    this.post({ id: `${kind}-${crypto.randomUUID()}`, kind: "system", author: SYSTEM_AUTHOR, text });
  }

  /** Writes a message's status, text and cards, then shows the result to everyone. */
  settle(seq: number, status: MessageStatus, text: string, parts: ToolPart[]): ChatMessage {
    const message = this.log.settle(seq, status, text, parts);
    this.broadcast({ type: "message_updated", message });
    return message;
  }

  /** The writer of a message that grows while everyone watches (an answer, a run). */
  draft(seq: number, text: string, parts: ToolPart[]): Draft {
    return new Draft(seq, text, parts, {
      broadcast: (frame) => this.broadcast(frame),
      checkpoint: (t, p) => this.log.checkpoint(seq, t, p),
      now: () => Date.now(),
    });
  }

  owners(): string[] {
    return this.members.owners();
  }

  /** Who may decide a call: the members a tool names, and the room's owners, who always may. */
  approvers(extra: readonly string[] = []): string[] {
    return [...new Set([...extra, ...this.owners()])];
  }

  /**
   * A call's card fields for its approval: who may decide and how many must
   * approve. A policy naming its approvers (`only`) adds no owners; the
   * count never exceeds who can give it.
   */
  approvalFields(need: ApprovalNeed): Pick<ToolPart, "approvers" | "approvalsRequired"> {
    const approvers = need.only ? [...new Set(need.approvers)] : this.approvers(need.approvers);
    const required = Math.min(Math.max(1, need.required ?? 1), Math.max(1, approvers.length));
    return required > 1 ? { approvers, approvalsRequired: required } : { approvers };
  }
}
