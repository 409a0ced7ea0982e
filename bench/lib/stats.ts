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

/** A target on one figure: the figure must be ≤ or ≥ `limit`. */
export interface Threshold {
  op: "<=" | ">=";
  limit: number;
}

/** Fewer repetitions than this never make a target "met" (one sample says nothing about noise). */
export const MIN_REPS = 3;

export interface Judgement {
  /** Median of the per-repetition values. */
  median: number;
  min: number;
  max: number;
  /** Finite per-repetition values. */
  n: number;
  /**
   * met / missed: at least MIN_REPS values, and their spread (max − min) is
   * no wider than the median's distance from the limit, so another run of
   * the same code would very likely give the same verdict. noisy: the
   * spread is wider than that margin; the median's side is said too.
   * "n=k": fewer than MIN_REPS values (never met). "" when no target applies.
   */
  verdict: string;
  /** true only for "met"; false for a clear miss or a noisy/too-few figure under a target; null without a target. */
  met: boolean | null;
}

/** Judges per-repetition values of one figure against a target (see Judgement). */
export function judge(values: readonly number[], target?: Threshold): Judgement {
  const xs = values.filter((v) => Number.isFinite(v));
  const med = median(xs);
  const min = xs.length ? Math.min(...xs) : NaN;
  const max = xs.length ? Math.max(...xs) : NaN;
  const base = { median: med, min, max, n: xs.length };
  if (!target) return { ...base, verdict: "", met: null };
  if (xs.length < MIN_REPS) return { ...base, verdict: `n=${xs.length} (too few)`, met: false };
  const ok = target.op === "<=" ? med <= target.limit : med >= target.limit;
  const margin = Math.abs(med - target.limit);
  if (max - min > margin) return { ...base, verdict: `noisy (median ${ok ? "meets" : "misses"})`, met: false };
  return { ...base, verdict: ok ? "met" : "MISSED", met: ok };
}

/** "min–max" of a judgement, for the table. */
export function spreadText(j: Pick<Judgement, "min" | "max" | "n">, digits = 2): string {
  if (j.n === 0) return "";
  if (j.n === 1) return `n=1`;
  return `${round(j.min, digits)}–${round(j.max, digits)} (n=${j.n})`;
}
