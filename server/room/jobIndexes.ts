/**
 * Indexes for the agents SDK's job table, which reminders and approval
 * expiries are scheduled in (issue 21, B7).
 *
 * `cf_agents_jobs` (agents 0.32, `JobQueue`) is keyed by id only, and every
 * alarm asks it by time: the due jobs (`time <= now ORDER BY time`) and,
 * before and after each job, the next alarm (`MIN(time)` over ready,
 * exclusive and running jobs). Without an index on time each of those is a
 * full scan: B7 measured 7 × pending + 20 rows read per fire (89 at 10
 * pending, 7,019 at 1,000), so a room's bill grew with pending × fires.
 * With these, each is an index seek that stops at its first row.
 *
 * What they cost: only `time` is indexed for every job, an index entry
 * when a job is scheduled and when it is done (B7 still counts 2 rows
 * written per fire, as before). The other three are partial indexes over
 * rows Hearth never makes (exclusive, recovery-loop) or only while an
 * interval job runs: nothing for a reminder. SQLite uses a partial index
 * for a query whose WHERE implies the index's, which the SDK's queries do
 * word for word (checked with EXPLAIN QUERY PLAN).
 *
 * The SDK creates its table lazily, on first use, so this runs on every
 * construction (cheap: `IF NOT EXISTS` is answered from the parsed schema)
 * and does nothing until the table exists; a new room's first onStart
 * makes the SDK create it first (ChatRoom.onStart). Should an SDK release
 * rebuild the table, the next wake indexes it again; should it add its
 * own index, these are redundant but harmless.
 */
const INDEXES = [
  "CREATE INDEX IF NOT EXISTS hearth_jobs_time ON cf_agents_jobs(time)",
  "CREATE INDEX IF NOT EXISTS hearth_jobs_exclusive ON cf_agents_jobs(time) WHERE exclusive = 1",
  "CREATE INDEX IF NOT EXISTS hearth_jobs_recovery ON cf_agents_jobs(time) WHERE recovery_loop = 1",
  "CREATE INDEX IF NOT EXISTS hearth_jobs_running ON cf_agents_jobs(execution_started_at) WHERE singleflight = 1 AND running = 1",
];

/** Creates the indexes once the SDK's job table exists; true when they are in place. */
export function indexJobTable(sql: SqlStorage): boolean {
  try {
    for (const statement of INDEXES) sql.exec(statement);
    return true;
  } catch (err) {
    // No job has been scheduled in this room yet: nothing to index.
    if (String(err).includes("no such table")) return false;
    throw err;
  }
}
