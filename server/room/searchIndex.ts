/**
 * Full-text search over the room's history: an SQLite FTS5 index in the
 * room's own database, kept in step with the `messages` table by triggers.
 *
 * Triggers, not calls in MessageLog: every write to a message — an insert,
 * an edit, a delete, an owner's removal, moderation, an assistant answer
 * settling — is an UPDATE or INSERT of `messages`, and SQLite runs the
 * trigger in the same statement, so no writer (today's or a future one)
 * can forget the index, and the index is never ahead of or behind its row.
 *
 * What is indexed: the text of people's and the assistant's messages that
 * exist and are final. A deleted or removed message leaves the index in the
 * same statement that blanks it; an assistant turn still streaming is left
 * out (its checkpoints rewrite the text often) and indexed once it settles.
 *
 * The table is contentless (`content=''`, `contentless_delete=1`): the text
 * is stored once, in `messages`; the index holds only tokens. Snippets are
 * cut from the row itself (search.ts).
 *
 * Rooms older than search are backfilled: `search_backfill.below` is the seq
 * the triggers started at; rows under it are indexed in batches of
 * BACKFILL_BATCH seqs, newest first (the ones people look for), a few per
 * search call and the rest in the background, so that neither a wake nor a
 * search of a huge room waits for the whole history. Until it is done the
 * triggers leave rows under `below` alone (the backfill reads their text as
 * it is when it gets there) and results say `indexing: true`.
 */
/** A row the index holds, for a row alias (`new`, `old`, `m`). */
export const indexable = (r: string) =>
  `${r}.deleted = 0 AND ${r}.kind IN ('user', 'assistant') AND (${r}.status IS NULL OR ${r}.status NOT IN ('streaming', 'waiting'))`;
/** Rows under this seq wait for the backfill. */
const FLOOR = "COALESCE((SELECT below FROM search_backfill), 0)";

/**
 * Creates the index and its triggers on a room's first wake with search
 * (MessageLog's constructor calls it after the messages table exists, when
 * its one schema read on wake finds no index; the check here keeps other
 * callers safe).
 */
export function installSearchIndex(sql: SqlStorage): void {
  if (sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'messages_fts'").toArray().length > 0) return;
  sql.exec("CREATE TABLE IF NOT EXISTS search_backfill (id INTEGER PRIMARY KEY CHECK (id = 1), below INTEGER NOT NULL)");
  // Everything up to now is history to backfill; an empty room has none.
  sql.exec("INSERT OR REPLACE INTO search_backfill (id, below) SELECT 1, MAX(seq) + 1 FROM messages HAVING MAX(seq) IS NOT NULL");
  sql.exec(
    "CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')",
  );
  sql.exec(`CREATE TRIGGER IF NOT EXISTS messages_fts_insert AFTER INSERT ON messages
    WHEN ${indexable("new")} AND new.seq >= ${FLOOR}
    BEGIN INSERT INTO messages_fts (rowid, text) VALUES (new.seq, new.text); END`);
  // Only a change to what is indexed, of a row that is or becomes indexed:
  // a streaming turn's checkpoints, reactions, pins and thread counts write nothing here.
  sql.exec(`CREATE TRIGGER IF NOT EXISTS messages_fts_update AFTER UPDATE OF text, deleted, status, kind ON messages
    WHEN old.seq >= ${FLOOR}
      AND ((${indexable("old")}) OR (${indexable("new")}))
      AND (old.text IS NOT new.text OR old.deleted IS NOT new.deleted OR old.status IS NOT new.status OR old.kind IS NOT new.kind)
    BEGIN
      DELETE FROM messages_fts WHERE rowid = old.seq;
      INSERT INTO messages_fts (rowid, text) SELECT new.seq, new.text WHERE ${indexable("new")};
    END`);
  sql.exec(`CREATE TRIGGER IF NOT EXISTS messages_fts_delete AFTER DELETE ON messages WHEN old.seq >= ${FLOOR}
    BEGIN DELETE FROM messages_fts WHERE rowid = old.seq; END`);
}

