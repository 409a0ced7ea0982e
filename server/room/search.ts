/**
 * Searching the room's history through its FTS5 index (searchIndex.ts keeps
 * the index in step with the log): the shared query language turned into
 * one quoted FTS5 expression plus SQL filters, results newest first with a
 * snippet each, and the backfill of rooms older than search.
 */
import { Temporal } from "temporal-polyfill";
import { MENTION_TOKEN } from "../../shared/mentions";
import { ftsExpression, matchRanges, parseSearch, type SearchQuery } from "../../shared/search";
import type { SearchResult } from "../../shared/protocol";
import { toMessage, type MessageRow } from "./messages";
import { indexable } from "./searchIndex";

/** Seqs one backfill batch covers. */
const BACKFILL_BATCH = 500;
/** Batches a search runs before answering (the rest go on in the background). */
const BACKFILL_BATCHES_PER_SEARCH = 4;
/** Results per page. */
export const SEARCH_PAGE = 20;
/** A search with filters and no words looks at this many of the newest messages (no index serves it). */
export const FILTER_SCAN_ROWS = 10_000;
/** Members one word may stand for as a mention. */
const MENTIONED_MEMBERS_MAX = 5;
/** Characters of text around the first match a result shows. */
const SNIPPET_CHARS = 160;
/** Characters before the first match kept in a snippet. */
const SNIPPET_LEAD = 40;

export interface SearchOptions {
  /** The searcher, for `from:me`; none for the assistant. */
  self?: string;
  /** The searcher's IANA time zone, for before:/after: days. */
  timeZone: string;
  /** Results older than this seq (the next page). */
  before?: number;
  limit?: number;
}

export type SearchOutcome =
  | { ok: true; query: SearchQuery; results: SearchResult[]; hasMore: boolean; indexing: boolean }
  | { ok: false; error: string };

export class RoomSearch {
  #draining = false;

  constructor(
    private readonly sql: SqlStorage,
    /** A member's current name, for mentions in snippets. */
    private readonly nameOf: (memberId: string) => string | null,
  ) {}

  /** Rows under this seq are not indexed yet (null: the backfill is done). */
  backfillBelow(): number | null {
    return this.sql.exec<{ below: number }>("SELECT below FROM search_backfill").toArray()[0]?.below ?? null;
  }

  /**
   * Indexes up to `batches` batches of history, newest first; true when
   * nothing is left. Idempotent (INSERT OR REPLACE): a batch cut off by a
   * restart is simply done again.
   */
  backfill(batches: number): boolean {
    for (let i = 0; i < batches; i++) {
      const below = this.backfillBelow();
      if (below === null) return true;
      const from = Math.max(1, below - BACKFILL_BATCH);
      this.sql.exec(
        `INSERT OR REPLACE INTO messages_fts (rowid, text) SELECT seq, text FROM messages m WHERE seq >= ? AND seq < ? AND ${indexable("m")}`,
        from,
        below,
      );
      if (from <= 1) this.sql.exec("DELETE FROM search_backfill");
      else this.sql.exec("UPDATE search_backfill SET below = ?", from);
    }
    return this.backfillBelow() === null;
  }

  /** The rest of the backfill, a batch per task, while the room stays awake (the next search resumes it otherwise). */
  private drainInBackground(): void {
    if (this.#draining) return;
    this.#draining = true;
    const step = () => {
      try {
        if (this.backfill(1)) return void (this.#draining = false);
      } catch (err) {
        this.#draining = false;
        return console.error("search backfill failed", err);
      }
      setTimeout(step, 0);
    };
    setTimeout(step, 0);
  }

  search(text: string, options: SearchOptions): SearchOutcome {
    const parsed = parseSearch(text);
    if (!parsed.ok) return parsed;
    const { query } = parsed;
    // A query refused for its filters does nothing, not even a backfill step.
    const filters = this.filters(query, options);
    if (!filters.ok) return filters;
    const indexing = !this.backfill(BACKFILL_BATCHES_PER_SEARCH);
    if (indexing) this.drainInBackground();
    const limit = options.limit ?? SEARCH_PAGE;
    const before = options.before ?? Number.MAX_SAFE_INTEGER;
    const match = ftsExpression(query, (word) => this.membersNamed(word));
    let rows: MessageRow[];
    try {
      rows = match ? this.matching(match, before, filters, limit) : this.scanning(before, filters, limit);
    } catch (err) {
      // Quoting leaves FTS5 nothing to misread; should it still refuse a query, say so, never the SQL error.
      if (!String(err).includes("fts5")) throw err;
      return { ok: false, error: "That search could not be read: try plain words." };
    }
    const results = rows.slice(0, limit).map((row) => {
      const message = toMessage(row);
      // Without its tool cards: a result is shown as a snippet, and cards can be large (a frame of 20 results stays small).
      return { message: { ...message, parts: [] }, ...this.snippet(message.text, query) };
    });
    return { ok: true, query, results, hasMore: rows.length > limit, indexing };
  }

  private matching(match: string, before: number, filters: { where: string; params: SqlStorageValue[] }, limit: number): MessageRow[] {
    return this.sql
      .exec<MessageRow>(
        `SELECT m.* FROM messages_fts JOIN messages m ON m.seq = messages_fts.rowid
         WHERE messages_fts MATCH ? AND messages_fts.rowid < ? AND ${filters.where}
         ORDER BY messages_fts.rowid DESC LIMIT ?`,
        match,
        before,
        ...filters.params,
        limit + 1,
      )
      .toArray();
  }

  private scanning(before: number, filters: { where: string; params: SqlStorageValue[] }, limit: number): MessageRow[] {
    const newest = this.sql.exec<{ s: number | null }>("SELECT MAX(seq) AS s FROM messages").one().s ?? 0;
    return this.sql
      .exec<MessageRow>(
        `SELECT m.* FROM messages m WHERE m.seq < ? AND m.seq > ? AND ${filters.where} ORDER BY m.seq DESC LIMIT ?`,
        before,
        newest - FILTER_SCAN_ROWS,
        ...filters.params,
        limit + 1,
      )
      .toArray();
  }

  /** Ids of members whose name starts with `word` (a few: a short word would name many), for mentions of them. */
  private membersNamed(word: string): string[] {
    if (word.length < 2) return [];
    const like = `${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.sql
      .exec<{ id: string }>("SELECT id FROM members WHERE name LIKE ? ESCAPE '\\' LIMIT ?", like, MENTIONED_MEMBERS_MAX)
      .toArray()
      .map((r) => r.id);
  }

  /** The conditions besides the words: what every result must be, and the query's filters. */
  private filters(query: SearchQuery, options: SearchOptions): { ok: true; where: string; params: SqlStorageValue[] } | { ok: false; error: string } {
    // The index holds only these rows; a filter-only search scans, so says it again.
    const where = [indexable("m")];
    const params: SqlStorageValue[] = [];
    if (query.from.length) {
      const any: string[] = [];
      for (const name of query.from) {
        if (name.toLowerCase() === "me") {
          if (!options.self) return { ok: false, error: "from:me needs a member to search as." };
          any.push("m.author_id = ?");
          params.push(options.self);
        } else {
          // The name as it was when sent, or a member's name now (a rename keeps their messages findable).
          any.push("(m.author_name = ? COLLATE NOCASE OR m.author_id IN (SELECT id FROM members WHERE name = ? COLLATE NOCASE))");
          params.push(name, name);
        }
      }
      where.push(`(${any.join(" OR ")})`);
    }
    if (query.inThread) where.push("m.thread_of IS NOT NULL");
    if (query.hasFile) where.push(this.hasFileCondition());
    if (query.before) {
      where.push("m.created_at < ?");
      params.push(dayStart(query.before, options.timeZone, 0));
    }
    if (query.after) {
      where.push("m.created_at >= ?");
      params.push(dayStart(query.after, options.timeZone, 1));
    }
    return { ok: true, where: where.join(" AND "), params };
  }

  /**
   * `has:file`: messages with attachments. Rooms have no attachments yet
   * (files are being built); once the messages table has an `attachments`
   * column, this matches rows where it holds any, and until then nothing.
   */
  private hasFileCondition(): string {
    const columns = this.sql.exec<{ name: string }>("PRAGMA table_info(messages)").toArray();
    return columns.some((c) => c.name === "attachments") ? "(m.attachments IS NOT NULL AND m.attachments NOT IN ('', '[]'))" : "0";
  }

  /** A stretch of the text around its first match, mentions as @names, with the matches marked. */
  private snippet(text: string, query: SearchQuery): { snippet: string; highlights: Array<[number, number]> } {
    const shown = text.replace(MENTION_TOKEN, (whole, id: string) => {
      const name = this.nameOf(id);
      return name === null ? whole : `@${name}`;
    });
    const first = matchRanges(shown, query)[0]?.[0] ?? 0;
    const start = shown.length <= SNIPPET_CHARS ? 0 : Math.max(0, Math.min(first - SNIPPET_LEAD, shown.length - SNIPPET_CHARS));
    const end = Math.min(shown.length, start + SNIPPET_CHARS);
    const snippet = `${start > 0 ? "…" : ""}${shown.slice(start, end)}${end < shown.length ? "…" : ""}`;
    return { snippet, highlights: matchRanges(snippet, query) };
  }
}

/** The instant a day starts in a time zone, `plusDays` later (DST-correct, by Temporal). */
function dayStart(day: string, timeZone: string, plusDays: number): number {
  return Temporal.PlainDate.from(day).add({ days: plusDays }).toZonedDateTime({ timeZone }).epochMilliseconds;
}
