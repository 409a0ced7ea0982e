/**
 * Durable Objects prices (Workers Paid, beyond the included amounts), as
 * quoted in docs/benchmarks.md with their source and date. Dollars per unit.
 */
import type { CostResult } from "../scenarios/cost.ts";
import { round } from "./stats.ts";

export const PRICES = {
  /** $0.15 per million requests; incoming WebSocket messages count 20:1. */
  perRequest: 0.15 / 1e6,
  websocketMessagesPerRequest: 20,
  /** $12.50 per million GB-s, charged for 128 MB whatever is used. */
  perGbSecond: 12.5 / 1e6,
  gbPerObject: 0.128,
  /** SQLite: $0.001 per million rows read, $1.00 per million rows written, $0.20 per GB-month stored. */
  perRowRead: 0.001 / 1e6,
  perRowWritten: 1.0 / 1e6,
  perGbMonth: 0.2,
};

export interface CostLine {
  item: string;
  perMillion: Record<string, number>;
}

/**
 * Dollars per million messages in a 50-member room, per history size:
 * requests (each send is one incoming WebSocket message = 1/20 request;
 * the fan-out to 50 members is outgoing and not billed), duration (the
 * send → ack time as the upper bound of the object's active time per
 * message, × 128 MB), rows read and written, and one month of storing
 * what a million messages add.
 */
export function costTable(cost: CostResult): { header: string[]; rows: string[][] } {
  const header = ["per 1M messages, 50-member room", ...cost.samples.map((s) => `history ${s.history}`)];
  const line = (name: string, f: (s: CostResult["samples"][number]) => number) => [name, ...cost.samples.map((s) => `$${round(f(s), 4)}`)];
  const requests = () => (1e6 / PRICES.websocketMessagesPerRequest) * PRICES.perRequest;
  const duration = (s: CostResult["samples"][number]) => ((1e6 * s.perMessage.ackMs) / 1000) * PRICES.gbPerObject * PRICES.perGbSecond;
  const read = (s: CostResult["samples"][number]) => 1e6 * s.perMessage.rowsRead * PRICES.perRowRead;
  const written = (s: CostResult["samples"][number]) => 1e6 * s.perMessage.rowsWritten * PRICES.perRowWritten;
  const stored = (s: CostResult["samples"][number]) => ((1e6 * Math.max(0, s.perMessage.bytes)) / 1e9) * PRICES.perGbMonth;
  const rows = [
    line("requests (1 incoming WS message = 1/20 request)", requests),
    line("duration (send→ack bound × 128 MB)", duration),
    line("SQLite rows read", read),
    line("SQLite rows written", written),
    line("storage, one month of what they add", stored),
    line("total", (s) => requests() + duration(s) + read(s) + written(s) + stored(s)),
  ];
  return { header, rows };
}

/** The counted figures behind the table, one line per operation. */
export function costFigures(cost: CostResult): string[] {
  const out: string[] = [];
  for (const s of cost.samples) {
    out.push(
      `history ${s.history}: per message ${s.perMessage.rowsRead} rows read, ${s.perMessage.rowsWritten} written (${s.perMessage.statements} statements, ${s.perMessage.bytes} B stored, send→ack ${s.perMessage.ackMs} ms); per join ${s.perJoin.rowsRead} read / ${s.perJoin.rowsWritten} written; per assistant turn ${s.perTurn.rowsRead} read / ${s.perTurn.rowsWritten} written${s.perTurn.complete ? "" : " (reply INCOMPLETE)"}; database ${s.databaseSize} B`,
    );
    for (const x of s.perMessage.byStatement) out.push(`    per message: ${x.rowsRead} read, ${x.rowsWritten} written by ${x.runs}× ${x.statement}`);
  }
  const [lo, hi] = [cost.samples[0], cost.samples[cost.samples.length - 1]];
  if (lo && hi && lo !== hi)
    out.push(`rows read per message, history ${hi.history} / ${lo.history}: ${round(hi.perMessage.rowsRead / Math.max(lo.perMessage.rowsRead, 1e-9), 2)} (target O(1): ≈ 1); rows written per message ${hi.perMessage.rowsWritten} (target ≤ 3)`);
  for (const f of cost.fires) {
    out.push(`scheduler fire with ${f.pending} pending schedules: ${f.rowsRead} rows read, ${f.rowsWritten} written`);
    for (const x of f.byStatement) out.push(`    ${x.rowsRead} read, ${x.rowsWritten} written by ${x.runs}× ${x.statement}`);
  }
  if (cost.fires.length === 2) out.push(`rows read per fire, ${cost.fires[1]!.pending} / ${cost.fires[0]!.pending} pending: ${round(cost.fires[1]!.rowsRead / Math.max(cost.fires[0]!.rowsRead, 1), 2)} (target O(1): ≈ 1)`);
  return out;
}

export function printCost(cost: CostResult): void {
  const { header, rows } = costTable(cost);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (c: string[]) => c.map((x, i) => x.padEnd(widths[i]!)).join(" | ");
  console.log(`\nB7 cost on Cloudflare (Durable Objects prices in docs/benchmarks.md; rows are counted, one repetition: deterministic)`);
  console.log(fmt(header));
  console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
  for (const r of rows) console.log(fmt(r));
  for (const f of costFigures(cost)) console.log(`  ${f}`);
}
