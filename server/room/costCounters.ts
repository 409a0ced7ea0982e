/**
 * Bench-only cost counters (issue 21, part 4): what a room costs on
 * Cloudflare is counted in SQLite rows read and written, storage bytes,
 * requests and awake time. The first two are the cursor's own
 * `rowsRead` / `rowsWritten`, the figures Cloudflare bills; this module
 * wraps the object's `ctx.storage.sql.exec` so that every cursor — the
 * room's modules' and the agents SDK's (its scheduler, its state tables)
 * alike — is counted.
 *
 * Off unless the Worker runs with `HEARTH_COST_COUNTERS=1` (only the bench
 * sets it): production never wraps `exec`, and the RPC that reads the
 * counters (`ChatRoom.costCounters`) refuses when the flag is off, so no
 * member can learn a room's activity from it.
 *
 * Counters live at module level, keyed by the object's id, so they survive
 * an eviction (the isolate outlives its objects in workerd); a woken
 * instance keeps adding to the same record.
 */

export interface CostCounters {
  rowsRead: number;
  rowsWritten: number;
  /** Statements run through `exec`. */
  statements: number;
  /** `ctx.storage.sql.databaseSize` when read: the bytes billed as stored data. */
  databaseSize: number;
  /** Instances constructed (1 + wakes from hibernation). */
  constructions: number;
  /** Per statement text (whitespace collapsed, first 120 characters): what reads and writes which rows. */
  byStatement: Record<string, { runs: number; rowsRead: number; rowsWritten: number }>;
}

interface Record_ {
  cursors: Array<{ query: string; cursor: SqlStorageCursor<Record<string, SqlStorageValue>> }>;
  byStatement: CostCounters["byStatement"];
  rowsRead: number;
  rowsWritten: number;
  statements: number;
  constructions: number;
}

const records = new Map<string, Record_>();
const wrapped = new WeakSet<object>();

/** The flag: exactly "1" turns the counters on. */
export function costCountersEnabled(env: { HEARTH_COST_COUNTERS?: string }): boolean {
  return env.HEARTH_COST_COUNTERS === "1";
}

function recordFor(id: string): Record_ {
  let r = records.get(id);
  if (!r) records.set(id, (r = { cursors: [], byStatement: {}, rowsRead: 0, rowsWritten: 0, statements: 0, constructions: 0 }));
  return r;
}

/**
 * Wraps this object's `sql.exec` (call from the constructor, before
 * anything else touches SQL). A cursor's counts grow as it is iterated, so
 * cursors are kept and summed when the counters are read.
 */
export function installCostCounters(ctx: DurableObjectState): void {
  const r = recordFor(ctx.id.toString());
  r.constructions++;
  const sql = ctx.storage.sql;
  if (wrapped.has(sql)) return;
  wrapped.add(sql);
  const exec = sql.exec.bind(sql);
  (sql as { exec: typeof sql.exec }).exec = ((query: string, ...bindings: SqlStorageValue[]) => {
    const cursor = exec(query, ...bindings);
    r.cursors.push({ query, cursor });
    r.statements++;
    return cursor;
  }) as typeof sql.exec;
}

/** The counters so far (totals since the object was first built in this isolate). */
export function readCostCounters(ctx: DurableObjectState): CostCounters {
  const r = recordFor(ctx.id.toString());
  // Fold finished cursors into the totals; cursors are consumed synchronously
  // by every caller here, so by the time an RPC reads, they are done.
  for (const { query, cursor } of r.cursors) {
    r.rowsRead += cursor.rowsRead;
    r.rowsWritten += cursor.rowsWritten;
    const key = query.replace(/\s+/g, " ").trim().slice(0, 120);
    const s = (r.byStatement[key] ??= { runs: 0, rowsRead: 0, rowsWritten: 0 });
    s.runs++;
    s.rowsRead += cursor.rowsRead;
    s.rowsWritten += cursor.rowsWritten;
  }
  r.cursors = [];
  return {
    rowsRead: r.rowsRead,
    rowsWritten: r.rowsWritten,
    statements: r.statements,
    databaseSize: ctx.storage.sql.databaseSize,
    constructions: r.constructions,
    byStatement: structuredClone(r.byStatement),
  };
}
