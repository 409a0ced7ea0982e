/**
 * The benchmark's statistics: nearest-rank percentiles, medians, the median
 * of per-repetition ratios, and the HDR histogram wrapper.
 */
import { describe, expect, it } from "vitest";
import { judge, LatencyHistogram, median, medianRatio, percentile, round } from "../../bench/lib/stats.ts";

describe("percentile (nearest rank)", () => {
  const values = [15, 20, 35, 40, 50];

  it("returns measured values only", () => {
    expect(percentile(values, 30)).toBe(20);
    expect(percentile(values, 40)).toBe(20);
    expect(percentile(values, 50)).toBe(35);
    expect(percentile(values, 100)).toBe(50);
  });

  it("p0 is the minimum and order of input does not matter", () => {
    expect(percentile([50, 15, 40, 20, 35], 0)).toBe(15);
    expect(percentile([50, 15, 40, 20, 35], 99)).toBe(50);
  });

  it("p99 of 1..1000 is 990", () => {
    const xs = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(percentile(xs, 99)).toBe(990);
    expect(percentile(xs, 50)).toBe(500);
  });

  it("ignores NaN and is NaN for no values", () => {
    expect(percentile([NaN, 3, 1], 50)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("median", () => {
  it("odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it("NaN for nothing", () => {
    expect(median([])).toBeNaN();
    expect(median([NaN])).toBeNaN();
  });
});

describe("medianRatio (per repetition, then the median)", () => {
  it("is the median of the per-repetition ratios, not the ratio of medians", () => {
    // Repetition 2 ran on a slow machine: both sides slowed by 10×.
    const a = [12, 120, 13];
    const r = [10, 100, 10];
    expect(medianRatio(a, r)).toBeCloseTo(1.2);
    // The ratio of medians would pair 13 with 10 from different repetitions.
    expect(median(a) / median(r)).toBeCloseTo(1.3);
  });

  it("an outlier repetition does not move it", () => {
    expect(medianRatio([1, 1, 50], [1, 1, 1])).toBe(1);
  });

  it("skips repetitions with a missing side or a zero denominator", () => {
    expect(medianRatio([2, NaN, 3, 4], [1, 1, 0, 2])).toBe(2);
    expect(medianRatio([], [])).toBeNaN();
  });
});

describe("LatencyHistogram", () => {
  it("percentiles within HDR's 3-significant-digit precision", () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i / 10); // 0.1 … 100 ms
    expect(h.count).toBe(1000);
    expect(h.percentile(50)).toBeCloseTo(50, 1);
    expect(h.percentile(99)).toBeCloseTo(99, 1);
    const s = h.summary();
    expect(s.max).toBeCloseTo(100, 1);
    expect(s.mean).toBeCloseTo(50.05, 1);
  });

  it("clamps negative latencies (clock jitter) to 0 and reports NaN when empty", () => {
    const h = new LatencyHistogram();
    expect(h.percentile(99)).toBeNaN();
    h.record(-0.2);
    expect(h.percentile(50)).toBe(0);
  });

  it("adds histograms", () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    a.record(1);
    b.record(3);
    a.add(b);
    expect(a.count).toBe(2);
    expect(a.percentile(100)).toBeCloseTo(3, 2);
  });
});

describe("round", () => {
  it("keeps non-finite values", () => {
    expect(round(1.23456)).toBe(1.235);
    expect(round(NaN)).toBeNaN();
    expect(round(Infinity)).toBe(Infinity);
  });
});

describe("judge (a target on per-repetition figures)", () => {
  it("meets only with three or more repetitions whose spread is inside the margin", () => {
    expect(judge([0.5, 0.6, 0.7], { op: "<=", limit: 1.3 }).verdict).toBe("met");
    expect(judge([2, 2.1, 2.2], { op: "<=", limit: 1.3 }).verdict).toBe("MISSED");
    expect(judge([2, 2.1, 2.2], { op: ">=", limit: 1.5 })).toMatchObject({ verdict: "met", met: true, median: 2.1 });
  });

  it("never meets from one or two samples", () => {
    expect(judge([0.1], { op: "<=", limit: 1.3 })).toMatchObject({ verdict: "n=1 (too few)", met: false });
    expect(judge([0.1, NaN, 0.2], { op: "<=", limit: 1.3 })).toMatchObject({ verdict: "n=2 (too few)", met: false });
  });

  it("calls a figure noisy when its spread is wider than its distance from the target", () => {
    // median 1.1, margin 0.2 to 1.3, spread 0.9: one repetition alone could have said either.
    expect(judge([0.6, 1.1, 1.5], { op: "<=", limit: 1.3 })).toMatchObject({ verdict: "noisy (median meets)", met: false });
    expect(judge([1.0, 1.4, 2.5], { op: ">=", limit: 1.5 })).toMatchObject({ verdict: "noisy (median misses)", met: false });
  });

  it("has no verdict without a target", () => {
    expect(judge([1, 2, 3])).toMatchObject({ verdict: "", met: null, min: 1, max: 3, n: 3 });
  });
});
