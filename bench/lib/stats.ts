/**
 * Statistics for the benchmark: latency histograms and ratio summaries.
 *
 * Latencies go into HDR histograms (hdr-histogram-js) in microseconds, with
 * 3 significant digits: recording is O(1) and memory is bounded however many
 * samples a run produces, and percentiles are exact to 0.1 %. Percentiles of
 * small plain arrays (a handful of wake-up times, per-repetition figures)
 * use the nearest-rank method, which never invents a value that was not
 * measured.
 *
 * Every headline figure is a ratio between two servers measured in the same
 * repetition (A/R, A/W). On a shared, noisy machine a slow repetition slows
 * both servers of that repetition; the median over repetitions of those
 * per-repetition ratios then discards the outlier repetitions instead of
 * averaging them in.
 */
import hdr from "hdr-histogram-js";

/** Highest latency we can record: 10 minutes, in µs (anything slower is a failure anyway). */
const HIGHEST_US = 600_000_000;

export interface LatencySummary {
  count: number;
  /** Milliseconds. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** An HDR histogram of latencies, fed in milliseconds, stored in microseconds. */
export class LatencyHistogram {
  private readonly h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    // Plain JS (not the WebAssembly build): no async init, nothing to free.
    useWebAssembly: false,
  });

  /** Records one latency in milliseconds; negative values (clock jitter) count as 0. */
  record(ms: number): void {
    const us = Math.round(ms * 1000);
    this.h.recordValue(Math.min(HIGHEST_US, Math.max(0, us)));
  }

  get count(): number {
    return this.h.totalCount;
  }

  /** The latency (ms) at percentile p (0–100). */
  percentile(p: number): number {
    return this.h.totalCount === 0 ? NaN : this.h.getValueAtPercentile(p) / 1000;
  }

  add(other: LatencyHistogram): void {
    this.h.add(other.h);
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      p50: round(this.percentile(50)),
      p90: round(this.percentile(90)),
      p99: round(this.percentile(99)),
      max: round(this.count === 0 ? NaN : this.h.maxValue / 1000),
      mean: round(this.count === 0 ? NaN : this.h.mean / 1000),
    };
  }
}

/**
 * Nearest-rank percentile of a plain array (p in 0–100): the smallest value
 * with at least p % of the values at or below it. NaN for an empty array.
 */
export function percentile(values: readonly number[], p: number): number {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return NaN;
  const sorted = [...finite].sort((a, b) => a - b);
  if (p <= 0) return sorted[0]!;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** The median; for an even count, the mean of the two middle values. */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/**
 * Median over repetitions of the per-repetition ratio numerator/denominator.
 * Repetitions where either side is missing, not finite, or the denominator
 * is 0 are skipped (a ratio there means nothing), so one failed repetition
 * does not poison the summary.
 */
export function medianRatio(numerators: readonly number[], denominators: readonly number[]): number {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(numerators.length, denominators.length); i++) {
    const n = numerators[i]!;
    const d = denominators[i]!;
    if (Number.isFinite(n) && Number.isFinite(d) && d !== 0) ratios.push(n / d);
  }
  return median(ratios);
}

/** Rounds for display and JSON: 3 significant decimals is plenty for every figure here. */
export function round(x: number, digits = 3): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
