/**
 * A beside the Node peers (W: plain `ws`, S: Socket.IO): the median of the
 * per-repetition ratios A/W and A/S, shown next to A/R. No target applies —
 * the peers keep everything in one process's memory, without storage or
 * hibernation — so these are for orientation, not judged.
 */
import { median, round } from "./stats.ts";

const ratio = (a: number[], b: number[]) => a.map((x, i) => (Number.isFinite(x) && Number.isFinite(b[i]!) && b[i] !== 0 ? x / b[i]! : NaN));

export function peerRatios(a: number[], w: number[], s: number[]): string {
  const m = (xs: number[]) => {
    const ok = xs.filter(Number.isFinite);
    return ok.length ? String(round(median(ok), 2)) : "–";
  };
  return `A/W ${m(ratio(a, w))}, A/S ${m(ratio(a, s))}`;
}
