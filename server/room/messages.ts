/**
 * The room's message log, in the Durable Object's SQLite.
 *
 * Two counters order everything:
 * - `seq` (INTEGER PRIMARY KEY, the rowid) is a message's place in the
 *   room. SQLite gives a new row the highest rowid + 1, so a seq is never
 *   reused as long as no row is ever deleted — and none is: deleting or
 *   removing a message blanks its row and keeps it (the tombstone is what
 *   catch-up replays). Not AUTOINCREMENT, which would guarantee the same
 *   for deleted rows by updating `sqlite_sequence` on every insert: one
 *   more row written per message, the meter Cloudflare bills 1,000× a
 *   row read (docs/benchmarks.md, B7). Rooms made with it are rebuilt once
 *   (`dropAutoincrement`).
 * - `rev` is a room-wide change counter: every insert, edit and delete stamps
 *   the row with the next rev. A reconnecting client says the last rev it saw
 *   and gets exactly the rows changed since — new messages and edits alike —
 *   through the index on rev, never a scan of the transcript.
 *
 * Every method is one or two indexed statements: nothing here grows with the
 * length of the history, so joining and waking stay flat as a room ages.
 */
import type { Attachment, Author, ChatMessage, MessageStatus, PinMark, Reaction, ServerFrame, ToolPart } from "../../shared/protocol";
import { LIMITS } from "../../shared/limits";
import { fitForStorage } from "./messageLimits";
import { installSearchIndex } from "./searchIndex";

export interface MessageRow {
  seq: number;
  rev: number;
  id: string;
  kind: string;
  author_id: string;
  author_name: string;
  text: string;
  created_at: number;
  edited_at: number | null;
  deleted: number;
  reply_to: number | null;
  status: string | null;
  parts: string | null;
  thread_of: number | null;
  also_to_room: number;
  thread_count: number;
  thread_last_at: number | null;
  thread_repliers: string | null;
  reactions: string | null;
  pinned: string | null;
  pinned_at: number | null;
  removed_by: string | null;
  mentions: string | null;
  attachments: string | null;
  via: string | null;
  via_app: string | null;
  [key: string]: SqlStorageValue;
}

export const NEXT_REV = "(SELECT COALESCE(MAX(rev), 0) + 1 FROM messages)";

/** Rows an unread count looks at, at most (messages.ts `unreadAfter`). */
const UNREAD_SCAN_ROWS = 2000;

/** The room's timeline: room messages, and thread replies sent to the room too (threads.ts pages the rest). */
const IN_TIMELINE = "(thread_of IS NULL OR also_to_room = 1)";

/** A message to store; `id` is its idempotency key. */
export interface MessageInput {
  id: string;
  kind: ChatMessage["kind"];
  author: Author;
  text: string;
  now: number;
  replyTo?: number | null;
  status?: MessageStatus | null;
  /** A reply in this message's thread (threads.ts checks the parent first). */
  threadOf?: number | null;
  alsoToRoom?: boolean;
  /** Members the text mentions (mentions.ts resolves them). */
  mentions?: string[];
  /** Files it carries (files.ts checked they are the author's to attach). */
  attachments?: Attachment[];
  /** The outside agent (MCP client) that posted it for the author (mcpserver/roomAccess.ts). */
  via?: string;
  /** That client's OAuth id (its icon). */
  viaApp?: string;
}

export type InsertResult =
  | { status: "stored"; message: ChatMessage }
  | { status: "duplicate"; message: ChatMessage }
  | { status: "conflict" };

export type ChangeResult =
  | { status: "changed"; message: ChatMessage }
  | { status: "not_found" }
  | { status: "not_author" };

export class MessageLog {
  /**
   * `removed` hears of every deleted message that carried files (by its
   * author, an owner or moderation), so their objects go with it (files.ts).
   */
  constructor(
    private readonly sql: SqlStorage,
    private readonly removed: (attachments: Attachment[]) => void = () => {},
    /** The object's `transactionSync`: the one-time rebuild below must commit whole. */
    transaction: <T>(fn: () => T) => T,
  ) {
    // One read of the schema on wake for both checks below (sqlite_master has no index: each read scans it).
    const tables = new Map(
      sql.exec<{ name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN ('messages', 'messages_fts')").toArray().map((t) => [t.name, t.sql]),
    );
    dropAutoincrement(sql, transaction, tables.get("messages"));
    sql.exec(`CREATE TABLE IF NOT EXISTS messages (
      seq INTEGER PRIMARY KEY,
      rev INTEGER NOT NULL,
      id TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL,
      author_id TEXT NOT NULL,
      author_name TEXT NOT NULL,
      text TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      edited_at INTEGER,
      deleted INTEGER NOT NULL DEFAULT 0,
      reply_to INTEGER,
      status TEXT,
      parts TEXT
    )`);
    sql.exec("CREATE UNIQUE INDEX IF NOT EXISTS messages_rev ON messages(rev)");
    // Small partial index: finding unfinished assistant turns on wake must
    // not scan the transcript.
    sql.exec(
      "CREATE INDEX IF NOT EXISTS messages_unfinished ON messages(status) WHERE status IN ('streaming', 'waiting')",
    );
    addThreadColumns(sql);
    // Reactions, pins and who removed a message live on its row, so that
    // each change bumps the rev and catch-up replays it like an edit.
    const columns = new Set(sql.exec<{ name: string }>("PRAGMA table_info(messages)").toArray().map((c) => c.name));
    for (const [name, type] of [["reactions", "TEXT"], ["pinned", "TEXT"], ["pinned_at", "INTEGER"], ["removed_by", "TEXT"], ["mentions", "TEXT"], ["attachments", "TEXT"], ["via", "TEXT"], ["via_app", "TEXT"]]) {
      if (!columns.has(name!)) sql.exec(`ALTER TABLE messages ADD COLUMN ${name} ${type}`);
    }
    // Who each message mentions, keyed for both questions asked of it: a
    // message's mentions (replaced on edit) and a member's mentions after
    // their read marker (counted on join and on the landing page).
    sql.exec(`CREATE TABLE IF NOT EXISTS message_mentions (
      seq INTEGER NOT NULL,
      member_id TEXT NOT NULL,
      PRIMARY KEY (seq, member_id)
    ) WITHOUT ROWID`);
    sql.exec("CREATE INDEX IF NOT EXISTS message_mentions_member ON message_mentions(member_id, seq)");
    sql.exec("CREATE INDEX IF NOT EXISTS messages_pinned ON messages(pinned_at) WHERE pinned_at IS NOT NULL");
    // The full-text index follows every write to this table by triggers (searchIndex.ts).
    if (!tables.has("messages_fts")) installSearchIndex(sql);
  }

  /**
   * Stores a message unless its id is already taken. The same id from the
   * same author is a resend (acked again, not stored twice); from another
   * author it is a conflict, so nobody can claim someone else's message.
   */
  insert(input: MessageInput): InsertResult {
    const rows = this.sql
      .exec<MessageRow>(
        `INSERT INTO messages (rev, id, kind, author_id, author_name, text, created_at, reply_to, status, thread_of, also_to_room, mentions, attachments, via, via_app)
         VALUES (${NEXT_REV}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO NOTHING
         RETURNING *`,
        input.id,
        input.kind,
        input.author.id,
        input.author.name,
        input.text,
        input.now,
        input.replyTo ?? null,
        input.status ?? null,
        input.threadOf ?? null,
        input.threadOf != null && input.alsoToRoom ? 1 : 0,
        input.mentions?.length ? JSON.stringify(input.mentions) : null,
        input.attachments?.length ? JSON.stringify(input.attachments) : null,
        input.via ?? null,
        input.via ? (input.viaApp ?? null) : null,
      )
      .toArray();
    if (rows[0]) {
      this.indexMentions(rows[0].seq, [], input.mentions ?? []);
      return { status: "stored", message: toMessage(rows[0]) };
    }
    const existing = this.byId(input.id);
    if (existing && existing.author.id === input.author.id) return { status: "duplicate", message: existing };
    return { status: "conflict" };
  }

  /** An edit replaces the text and, with it, whom the message mentions. */
  edit(seq: number, authorId: string, text: string, now: number, mentions: string[] = []): ChangeResult {
    return this.change(seq, authorId, `text = ?, edited_at = ?, mentions = ?`, [text, now, mentions.length ? JSON.stringify(mentions) : null]);
  }

  /** Deleting keeps a tombstone, so clients that hold the message learn it is gone. */
  delete(seq: number, authorId: string, now: number): ChangeResult {
    return this.change(seq, authorId, `text = '', deleted = 1, edited_at = ?, reactions = NULL, mentions = NULL, attachments = NULL`, [now]);
  }

  /**
   * An owner removes someone's message: the tombstone names them. Any kind
   * but an assistant turn still being written (its turn would write on).
   */
  removeAsOwner(seq: number, by: Author, now: number): ChangeResult {
    const current = this.bySeq(seq);
    if (!current || current.deleted || current.status === "streaming" || current.status === "waiting") return { status: "not_found" };
    const rows = this.sql
      .exec<MessageRow>(
        `UPDATE messages SET text = '', parts = NULL, deleted = 1, edited_at = ?, reactions = NULL, removed_by = ?, mentions = NULL, attachments = NULL, rev = ${NEXT_REV}
         WHERE seq = ? RETURNING *`,
        now,
        JSON.stringify(by),
        seq,
      )
      .toArray();
    this.indexMentions(seq, current.mentions ?? [], []);
    if (current.attachments?.length) this.removed(current.attachments);
    return { status: "changed", message: toMessage(rows[0]!) };
  }

  /** Stores a message's reaction summary (reactions.ts computes it) as a change members catch up on. */
  setReactions(seq: number, reactions: Reaction[]): ChatMessage {
    return this.stamp(seq, "reactions = ?", [reactions.length ? JSON.stringify(reactions) : null]);
  }

  /** Pins (a mark) or unpins (null) a message, as a change members catch up on. */
  setPin(seq: number, pin: PinMark | null): ChatMessage {
    return this.stamp(seq, "pinned = ?, pinned_at = ?", [pin ? JSON.stringify(pin) : null, pin?.at ?? null]);
  }

  /** Pinned messages that still exist, newest pin first (a partial index: as many rows as pins). */
  pinnedMessages(limit: number): ChatMessage[] {
    return this.sql
      .exec<MessageRow>("SELECT * FROM messages WHERE pinned_at IS NOT NULL AND deleted = 0 ORDER BY pinned_at DESC LIMIT ?", limit)
      .toArray()
      .map(toMessage);
  }

  private stamp(seq: number, assignments: string, params: SqlStorageValue[]): ChatMessage {
    const rows = this.sql
      .exec<MessageRow>(`UPDATE messages SET ${assignments}, rev = ${NEXT_REV} WHERE seq = ? RETURNING *`, ...params, seq)
      .toArray();
    return toMessage(rows[0]!);
  }

  /** Removes anyone's message (moderation, after an owner approved it). */
  moderate(seq: number, now: number): ChangeResult {
    const current = this.bySeq(seq);
    if (!current || current.deleted || current.kind !== "user") return { status: "not_found" };
    return this.change(seq, current.author.id, `text = '', deleted = 1, edited_at = ?, mentions = NULL, attachments = NULL`, [now]);
  }

  /**
   * Keeps message_mentions in step with a message's mentions column; writes
   * nothing when they did not change (most edits, every unmentioning delete).
   */
  private indexMentions(seq: number, before: readonly string[], after: readonly string[]): void {
    if (before.length === after.length && before.every((id) => after.includes(id))) return;
    if (before.length) this.sql.exec("DELETE FROM message_mentions WHERE seq = ?", seq);
    for (const id of after) this.sql.exec("INSERT OR IGNORE INTO message_mentions (seq, member_id) VALUES (?, ?)", seq, id);
  }

  /**
   * A member's unread count after their read marker: others' room messages
   * (thread replies only when also sent to the room), counted up to `cap`.
   * The scan walks the primary key from the marker and stops at `cap`
   * matches or UNREAD_SCAN_ROWS rows, whichever comes first, so a join
   * costs the same in a room of a million messages (a member far behind
   * among messages that do not count sees a lower bound, never more).
   */
  unreadAfter(seq: number, memberId: string, cap: number): { unread: number; mentions: number; upTo: number } {
    const upTo = this.lastSeq();
    const unread = this.sql
      .exec<{ n: number }>(
        `SELECT COUNT(*) AS n FROM (SELECT 1 FROM messages WHERE seq > ? AND deleted = 0 AND author_id != ? AND kind != 'system' AND ${IN_TIMELINE} LIMIT ?)`,
        Math.max(seq, upTo - UNREAD_SCAN_ROWS),
        memberId,
        cap,
      )
      .one().n;
    const mentions = this.sql
      .exec<{ n: number }>(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM message_mentions WHERE member_id = ? AND seq > ? LIMIT ?)",
        memberId,
        seq,
        cap,
      )
      .one().n;
    return { unread, mentions, upTo };
  }

  /** The newest message's seq (0 in an empty room). */
  lastSeq(): number {
    return this.sql.exec<{ s: number | null }>("SELECT MAX(seq) AS s FROM messages").one().s ?? 0;
  }

  private change(seq: number, authorId: string, assignments: string, params: SqlStorageValue[]): ChangeResult {
    const current = this.bySeq(seq);
    if (!current || current.deleted) return { status: "not_found" };
    if (current.author.id !== authorId || current.kind !== "user") return { status: "not_author" };
    const rows = this.sql
      .exec<MessageRow>(
        `UPDATE messages SET ${assignments}, rev = ${NEXT_REV} WHERE seq = ? RETURNING *`,
        ...params,
        seq,
      )
      .toArray();
    const message = toMessage(rows[0]!);
    this.indexMentions(seq, current.mentions ?? [], message.mentions ?? []);
    // An edit keeps the files; a delete (the only change that clears them) takes them away.
    if (current.attachments?.length && !message.attachments) this.removed(current.attachments);
    return { status: "changed", message };
  }

  /**
   * Saves an assistant draft without a new rev: members follow the live
   * `draft` frames; this copy is what survives a crash.
   */
  checkpoint(seq: number, text: string, parts: ToolPart[]): void {
    const row = fitForStorage(text, parts);
    this.sql.exec("UPDATE messages SET text = ?, parts = ? WHERE seq = ?", row.text, row.partsJson, seq);
  }

  /** Stores an assistant message's new status (and text), as a change members catch up on. */
  settle(seq: number, status: MessageStatus, text: string, parts: ToolPart[]): ChatMessage {
    const row = fitForStorage(text, parts);
    const rows = this.sql
      .exec<MessageRow>(
        `UPDATE messages SET status = ?, text = ?, parts = ?, rev = ${NEXT_REV} WHERE seq = ? RETURNING *`,
        status,
        row.text,
        row.partsJson,
        seq,
      )
      .toArray();
    return toMessage(rows[0]!);
  }

  /** A (re)joining socket's first frame: a snapshot on first join or past the catch-up bound; otherwise exactly the missed changes. */
  syncFrame(sinceParam: string | null): ServerFrame {
    const since = sinceParam !== null && /^\d{1,15}$/.test(sinceParam) ? Number(sinceParam) : null;
    if (since !== null) {
      const changes = since <= this.currentRev() ? this.changesSince(since) : null;
      if (changes) return { type: "catchup", messages: changes, rev: changes.at(-1)?.rev ?? since };
    }
    return { type: "snapshot", reason: since === null ? "join" : "gap", ...this.latest(), rev: this.currentRev() };
  }

  /** Assistant messages left in a non-final status. */
  unfinished(): ChatMessage[] {
    return this.sql
      .exec<MessageRow>("SELECT * FROM messages WHERE status IN ('streaming', 'waiting') ORDER BY seq")
      .toArray()
      .map(toMessage);
  }

  /** The newest `limit` messages, oldest first (context for the assistant). */
  recent(limit: number): ChatMessage[] {
    return this.latest(limit).messages;
  }

  bySeq(seq: number): ChatMessage | null {
    const row = this.sql.exec<MessageRow>("SELECT * FROM messages WHERE seq = ?", seq).toArray()[0];
    return row ? toMessage(row) : null;
  }

  byId(id: string): ChatMessage | null {
    const row = this.sql.exec<MessageRow>("SELECT * FROM messages WHERE id = ?", id).toArray()[0];
    return row ? toMessage(row) : null;
  }

  /** The newest page (oldest first), and whether older messages exist. */
  latest(limit: number = LIMITS.pageSize): { messages: ChatMessage[]; hasMore: boolean } {
    return this.pageWhere(`WHERE ${IN_TIMELINE}`, [], limit);
  }

  /** Every message after `after` in seq order — thread replies and tombstones too — for an export. */
  after(after: number, limit: number): ChatMessage[] {
    return this.sql.exec<MessageRow>("SELECT * FROM messages WHERE seq > ? ORDER BY seq LIMIT ?", after, limit).toArray().map(toMessage);
  }

  /** The page just before `before` (oldest first). */
  before(before: number, limit: number = LIMITS.pageSize): { messages: ChatMessage[]; hasMore: boolean } {
    return this.pageWhere(`WHERE seq < ? AND ${IN_TIMELINE}`, [before], limit);
  }

  /**
   * The timeline around `seq` (a search result jumped to): up to half a
   * page up to and including it, and up to half a page after, oldest first.
   * Two indexed range reads, whatever the room's length.
   */
  around(seq: number, limit: number = LIMITS.pageSize): { messages: ChatMessage[]; hasMore: boolean; hasNewer: boolean } {
    const half = Math.max(1, Math.floor(limit / 2));
    const older = this.pageWhere(`WHERE seq <= ? AND ${IN_TIMELINE}`, [seq], half);
    const newer = this.sql
      .exec<MessageRow>(`SELECT * FROM messages WHERE seq > ? AND ${IN_TIMELINE} ORDER BY seq LIMIT ?`, seq, half + 1)
      .toArray();
    return {
      messages: [...older.messages, ...newer.slice(0, half).map(toMessage)],
      hasMore: older.hasMore,
      hasNewer: newer.length > half,
    };
  }

  private pageWhere(where: string, params: SqlStorageValue[], limit: number) {
    // One row more than asked tells whether there is another page.
    const rows = this.sql
      .exec<MessageRow>(`SELECT * FROM messages ${where} ORDER BY seq DESC LIMIT ?`, ...params, limit + 1)
      .toArray();
    const hasMore = rows.length > limit;
    return { messages: rows.slice(0, limit).reverse().map(toMessage), hasMore };
  }

  /**
   * Rows changed after `since`, in rev order, or null when more than `max`
   * changed (the caller then sends a fresh snapshot instead).
   */
  changesSince(since: number, max: number = LIMITS.catchupMax): ChatMessage[] | null {
    const rows = this.sql
      .exec<MessageRow>("SELECT * FROM messages WHERE rev > ? ORDER BY rev LIMIT ?", since, max + 1)
      .toArray();
    return rows.length > max ? null : rows.map(toMessage);
  }

  /** The latest revision (0 for an empty room). */
  currentRev(): number {
    const row = this.sql.exec<{ rev: number | null }>("SELECT MAX(rev) AS rev FROM messages").toArray()[0];
    return row?.rev ?? 0;
  }
}

/**
 * Rooms made before B7 (issue 21) declared `seq ... AUTOINCREMENT`. SQLite
 * cannot drop that from a table in place, so the table is rebuilt once,
 * on the first wake with this code: same columns and rows (seq kept, so
 * the search index's rowids and every client's seq and rev stay valid),
 * then its indexes and triggers as they were. `tableSql` is the table's
 * CREATE statement, from the constructor's one schema read. All in one transaction
 * (`transaction`: the object's `transactionSync`): a crash between the drop
 * and the rename must not leave a room whose next wake finds no messages
 * table and makes an empty one. The cost is one row per message once; a
 * room's wake reads the schema once for this and the search index.
 */
export function dropAutoincrement(sql: SqlStorage, transaction: <T>(fn: () => T) => T, tableSql: string | undefined): boolean {
  if (!tableSql || !/\bAUTOINCREMENT\b/i.test(tableSql)) return false;
  // Dropping the table drops its indexes and triggers: keep their definitions to re-create them.
  const dependents = sql
    .exec<{ sql: string }>("SELECT sql FROM sqlite_master WHERE tbl_name = 'messages' AND type IN ('index', 'trigger') AND sql IS NOT NULL")
    .toArray()
    .map((r) => r.sql);
  const create = tableSql
    .replace(/^CREATE TABLE\s+("?)messages\1/i, "CREATE TABLE messages_rebuilt")
    .replace(/\s+AUTOINCREMENT\b/i, "");
  transaction(() => {
    sql.exec(create);
    sql.exec("INSERT INTO messages_rebuilt SELECT * FROM messages");
    sql.exec("DROP TABLE messages");
    sql.exec("ALTER TABLE messages_rebuilt RENAME TO messages");
    for (const statement of dependents) sql.exec(statement);
  });
  return true;
}

/**
 * Rooms made before threads get the columns on their next wake; a partial
 * index keeps a thread's page and count from scanning the room.
 */
function addThreadColumns(sql: SqlStorage): void {
  const columns = new Set(sql.exec<{ name: string }>("PRAGMA table_info(messages)").toArray().map((c) => c.name));
  if (!columns.has("thread_of")) sql.exec("ALTER TABLE messages ADD COLUMN thread_of INTEGER");
  if (!columns.has("also_to_room")) sql.exec("ALTER TABLE messages ADD COLUMN also_to_room INTEGER NOT NULL DEFAULT 0");
  if (!columns.has("thread_count")) sql.exec("ALTER TABLE messages ADD COLUMN thread_count INTEGER NOT NULL DEFAULT 0");
  if (!columns.has("thread_last_at")) sql.exec("ALTER TABLE messages ADD COLUMN thread_last_at INTEGER");
  if (!columns.has("thread_repliers")) sql.exec("ALTER TABLE messages ADD COLUMN thread_repliers TEXT");
  sql.exec("CREATE INDEX IF NOT EXISTS messages_thread ON messages(thread_of, seq) WHERE thread_of IS NOT NULL");
}

export function toMessage(row: MessageRow): ChatMessage {
  return {
    seq: row.seq,
    rev: row.rev,
    id: row.id,
    kind: row.kind as ChatMessage["kind"],
    author: { id: row.author_id, name: row.author_name },
    text: row.text,
    createdAt: row.created_at,
    editedAt: row.edited_at,
    deleted: row.deleted === 1,
    replyTo: row.reply_to,
    status: row.status as MessageStatus | null,
    parts: row.parts ? (JSON.parse(row.parts) as ToolPart[]) : [],
    threadOf: row.thread_of ?? null,
    alsoToRoom: row.also_to_room === 1,
    thread:
      row.thread_count > 0 || row.thread_repliers !== null
        ? { count: row.thread_count, lastAt: row.thread_last_at, repliers: row.thread_repliers ? (JSON.parse(row.thread_repliers) as string[]) : [] }
        : null,
    // Only when set: a message nobody reacted to, pinned or removed looks as it always did.
    ...(row.reactions ? { reactions: JSON.parse(row.reactions) as Reaction[] } : {}),
    ...(row.pinned ? { pinned: JSON.parse(row.pinned) as PinMark } : {}),
    ...(row.removed_by ? { removedBy: JSON.parse(row.removed_by) as Author } : {}),
    ...(row.mentions ? { mentions: JSON.parse(row.mentions) as string[] } : {}),
    ...(row.attachments ? { attachments: JSON.parse(row.attachments) as Attachment[] } : {}),
    ...(row.via ? { via: row.via, ...(row.via_app ? { viaApp: row.via_app } : {}) } : {}),
  };
}
