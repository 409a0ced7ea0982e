/**
 * Renders a results file as a Markdown table (for docs/benchmarks.md):
 *
 *   node bench/report.ts [bench/results/latest.json]
 */
import { readFileSync } from "node:fs";

interface Row {
  metric: string;
  unit: string;
  A: number | string;
  R: number | string;
  W: number | string;
  S?: number | string;
  peers?: string;
  ratio: number | string;
  spread?: string;
  target: string;
  met: boolean | null;
  /** Newer results: met / MISSED / noisy (…) / n=k (too few). */
  verdict?: string;
  note?: string;
}

const file = process.argv[2] ?? "bench/results/latest.json";
const result = JSON.parse(readFileSync(file, "utf8")) as { meta: { mode: string; startedAt: string; seconds: number }; summary: Row[] };
const cell = (x: unknown) => String(x ?? "").replace(/\|/g, "\\|");
console.log(`Run: ${result.meta.mode}, started ${result.meta.startedAt}, ${result.meta.seconds} s.\n`);
console.log("| metric | unit | A (app) | R (raw DO) | W (node ws) | S (socket.io) | A vs R | spread | target | | A vs W, S |");
console.log("|---|---|---:|---:|---:|---:|---|---|---|---|---|");
for (const r of result.summary) {
  const verdict = r.verdict ?? (r.met === null ? "" : r.met ? "met" : "missed");
  const status = verdict === "met" || verdict === "" ? verdict : `**${verdict.toLowerCase()}**`;
  console.log(`| ${cell(r.metric)} | ${cell(r.unit)} | ${cell(r.A)} | ${cell(r.R)} | ${cell(r.W)} | ${cell(r.S)} | ${cell(r.ratio)} | ${cell(r.spread)} | ${cell(r.target)} | ${status} | ${cell(r.peers)} |`);
}
const notes = result.summary.filter((r) => r.note);
if (notes.length) console.log("");
for (const r of notes) console.log(`- ${r.metric}: ${r.note}`);
