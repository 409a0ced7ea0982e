/**
 * Streamed drafts are applied once per animation frame, never out of order
 * with the frames around them.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { frameScheduler } from "../../client/src/features/room/frameScheduler";

type F = { type: string; n: number };

let frameCallbacks: FrameRequestCallback[] = [];
/** Runs the animation frame the browser would paint next. */
function nextFrame() {
  const due = frameCallbacks;
  frameCallbacks = [];
  for (const cb of due) cb(0);
}

beforeEach(() => {
  frameCallbacks = [];
  vi.useFakeTimers();
  vi.stubGlobal("requestAnimationFrame", (cb: FrameRequestCallback) => frameCallbacks.push(cb));
  vi.stubGlobal("cancelAnimationFrame", (id: number) => {
    frameCallbacks[id - 1] = () => {};
  });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("frameScheduler", () => {
  it("holds drafts until the next animation frame and applies them together, in order", () => {
    const applied: number[] = [];
    const s = frameScheduler<F>((f) => applied.push(f.n));
    for (let n = 1; n <= 5; n++) s.push({ type: "draft", n });
    expect(applied).toEqual([]);
    expect(frameCallbacks).toHaveLength(1);
    nextFrame();
    expect(applied).toEqual([1, 2, 3, 4, 5]);
  });

  it("flushes waiting drafts before any other frame", () => {
    const applied: string[] = [];
    const s = frameScheduler<F>((f) => applied.push(`${f.type}${f.n}`));
    s.push({ type: "draft", n: 1 });
    s.push({ type: "draft", n: 2 });
    s.push({ type: "message_updated", n: 3 });
    expect(applied).toEqual(["draft1", "draft2", "message_updated3"]);
    nextFrame();
    expect(applied).toHaveLength(3);
  });

  it("still applies drafts when no animation frame comes (a hidden tab)", () => {
    const applied: number[] = [];
    const s = frameScheduler<F>((f) => applied.push(f.n));
    s.push({ type: "draft", n: 1 });
    vi.advanceTimersByTime(300);
    expect(applied).toEqual([1]);
  });

  it("drops what waits once disposed", () => {
    const applied: number[] = [];
    const s = frameScheduler<F>((f) => applied.push(f.n));
    s.push({ type: "draft", n: 1 });
    s.dispose();
    nextFrame();
    vi.advanceTimersByTime(300);
    expect(applied).toEqual([]);
  });
});

describe("frameScheduler's commit", () => {
  it("wraps only the animation frame's drafts (the room renders them before that frame is painted)", () => {
    const log: string[] = [];
    const s = frameScheduler<F>((f) => log.push(`${f.type}${f.n}`), {
      commit: (run) => {
        log.push("commit(");
        run();
        log.push(")");
      },
    });
    s.push({ type: "draft", n: 1 });
    s.push({ type: "draft", n: 2 });
    nextFrame();
    s.push({ type: "draft", n: 3 });
    s.push({ type: "ack", n: 4 });
    expect(log).toEqual(["commit(", "draft1", "draft2", ")", "draft3", "ack4"]);
  });
});
