/**
 * The fan-out batching policy (server/room/fanout.ts) on fake sockets and a
 * hand-driven timer: what goes out at once, what is batched, bounds, order,
 * and which sockets get what. The real room is covered in
 * test/workers/fanout.test.ts.
 */
import { describe, expect, it } from "vitest";
import { framesOf, WireFrame } from "../../shared/protocol";
import { batchText, Fanout, Newest, type FanoutPolicy } from "../../server/room/fanout";

class Sock {
  readonly got: string[] = [];
  constructor(readonly id: string) {}
  send(text: string): void {
    this.got.push(text);
  }
  /** What it received, batches unwrapped, as frame names. */
  frames(): string[] {
    return this.got.flatMap((t) => {
      const j = JSON.parse(t) as { type: string; n?: string; frames?: Array<{ n: string }> };
      return j.type === "batch" ? j.frames!.map((f) => f.n) : [j.n!];
    });
  }
}

const f = (n: string) => JSON.stringify({ type: "message", n });

function room(ids = ["a", "b", "c"], policy: Partial<FanoutPolicy> = {}) {
  const sockets = ids.map((id) => new Sock(id));
  const timers: Array<() => void> = [];
  const clock = { t: 0 };
  const fanout = new Fanout<Sock>(
    { sockets: () => sockets, idOf: (s) => s.id, setTimeout: (fn) => timers.push(fn), now: () => clock.t },
    { windowMs: 4, maxFrames: 64, maxBytes: 64 * 1024, ...policy },
  );
  /** The window's timer fires. */
  const tick = () => timers.shift()!();
  /** The synchronous turn ends (a new incoming event). */
  const nextTurn = () => Promise.resolve();
  return { sockets, fanout, tick, nextTurn, timers, clock };
}

describe("fan-out batching", () => {
  it("a quiet room sends every frame at once, as itself, and the answers of one turn too", async () => {
    const { sockets, fanout, nextTurn, tick, timers } = room();
    fanout.broadcast(f("m1"));
    fanout.sendTo(sockets[0]!, f("ack1"));
    for (const s of sockets) expect(s.got).toEqual(s.id === "a" ? [f("m1"), f("ack1")] : [f("m1")]);
    // The window ends with nothing queued: the room is quiet again.
    await nextTurn();
    tick();
    expect(timers).toEqual([]);
    fanout.broadcast(f("m2"));
    expect(sockets[1]!.got).toEqual([f("m1"), f("m2")]);
  });

  it("frames within the window go out as one batch per socket at its end, in order, serialised once", async () => {
    const { sockets, fanout, nextTurn, tick } = room();
    fanout.broadcast(f("m1"));
    await nextTurn();
    fanout.broadcast(f("m2"));
    await nextTurn();
    fanout.broadcast(f("m3"));
    expect(sockets[0]!.got).toEqual([f("m1")]);
    tick();
    const batch = batchText([f("m2"), f("m3")]);
    for (const s of sockets) expect(s.got).toEqual([f("m1"), batch]);
    expect(JSON.parse(batch)).toEqual({ type: "batch", frames: [{ type: "message", n: "m2" }, { type: "message", n: "m3" }] });
    // Still busy, so a new window opened; it ends empty and the room is quiet.
    tick();
    fanout.broadcast(f("m4"));
    expect(sockets[2]!.frames()).toEqual(["m1", "m2", "m3", "m4"]);
  });

  it("a window whose timer starves behind a backlog still ends on the clock, at the next frame", async () => {
    const { sockets, fanout, nextTurn, clock, tick } = room(["a"]);
    fanout.broadcast(f("m0"));
    await nextTurn();
    clock.t = 2;
    fanout.broadcast(f("m1"));
    await nextTurn();
    clock.t = 5; // past the 4 ms window, the timer has not run
    fanout.broadcast(f("m2"));
    // m1 went out when m2 came (m2 starts the next window's queue).
    expect(sockets[0]!.frames()).toEqual(["m0", "m1"]);
    tick(); // the first window's late timer: stale, does nothing
    expect(sockets[0]!.frames()).toEqual(["m0", "m1"]);
    tick(); // the second window's
    expect(sockets[0]!.frames()).toEqual(["m0", "m1", "m2"]);
    // A frame long after a window ended with nothing queued goes out at once.
    tick();
    clock.t = 100;
    fanout.broadcast(f("m3"));
    expect(sockets[0]!.frames()).toEqual(["m0", "m1", "m2", "m3"]);
  });

  it("a single queued frame goes out as itself, not as a batch of one", async () => {
    const { sockets, fanout, nextTurn, tick } = room();
    fanout.broadcast(f("m1"));
    await nextTurn();
    fanout.broadcast(f("m2"));
    tick();
    expect(sockets[0]!.got).toEqual([f("m1"), f("m2")]);
  });

  it("a queue that reaches the frame or byte bound goes out at once", async () => {
    const { sockets, fanout, nextTurn } = room(["a"], { maxFrames: 3 });
    fanout.broadcast(f("m0"));
    await nextTurn();
    for (const n of ["m1", "m2", "m3", "m4"]) fanout.broadcast(f(n));
    expect(sockets[0]!.got).toEqual([f("m0"), batchText([f("m1"), f("m2"), f("m3")])]);

    const bytes = room(["a"], { maxBytes: 2 * f("m1").length + 1 });
    bytes.fanout.broadcast(f("m0"));
    await bytes.nextTurn();
    for (const n of ["m1", "m2", "m3"]) bytes.fanout.broadcast(f(n));
    // m3 would pass the bound: m1+m2 go first, m3 waits for the window.
    expect(bytes.sockets[0]!.got).toEqual([f("m0"), batchText([f("m1"), f("m2")])]);
    bytes.tick();
    expect(bytes.sockets[0]!.frames()).toEqual(["m0", "m1", "m2", "m3"]);
  });

  it("frames for one socket keep their place among broadcasts; sockets that get the same frames share one text", async () => {
    const { sockets, fanout, nextTurn, tick } = room(["a", "b", "c"]);
    const [a, b, c] = sockets as [Sock, Sock, Sock];
    fanout.broadcast(f("m0"));
    await nextTurn();
    fanout.broadcast(f("m1"));
    fanout.sendTo(a, f("ack1"));
    fanout.broadcast(f("m2"), new Set(["c"]));
    fanout.sendTo(b, f("ack2"));
    fanout.broadcast(f("m3"));
    tick();
    expect(a.frames()).toEqual(["m0", "m1", "ack1", "m2", "m3"]);
    expect(b.frames()).toEqual(["m0", "m1", "m2", "ack2", "m3"]);
    expect(c.frames()).toEqual(["m0", "m1", "m3"]);
    expect(a.got).toHaveLength(2); // one batch each
  });

  it("an addressed socket the room does not list still gets its frames, in order", async () => {
    const { fanout, nextTurn, tick } = room(["a"]);
    const stray = new Sock("z");
    fanout.broadcast(f("m0"));
    await nextTurn();
    fanout.sendTo(stray, f("r1"));
    fanout.sendTo(stray, f("r2"));
    tick();
    expect(stray.got).toEqual([f("r1"), f("r2")]);
  });

  it("flush(skip) sends the queue now to everyone but a joining socket", async () => {
    const { sockets, fanout, nextTurn } = room(["a", "joiner"]);
    fanout.broadcast(f("m0"));
    await nextTurn();
    fanout.broadcast(f("m1"));
    fanout.flush("joiner");
    expect(sockets[0]!.frames()).toEqual(["m0", "m1"]);
    expect(sockets[1]!.frames()).toEqual(["m0"]);
  });

  it("a socket whose send throws (closing) does not stop the others", () => {
    const { sockets, fanout } = room(["a", "b"]);
    sockets[0]!.send = () => {
      throw new Error("closed");
    };
    fanout.broadcast(f("m0"));
    expect(sockets[1]!.got).toEqual([f("m0")]);
  });
});

describe("the batch frame", () => {
  it("is a protocol frame whose frames a client applies in order; batches do not nest and carry at least two", () => {
    const typing = { type: "typing", typers: [] };
    const presence = { type: "presence", members: [] };
    const wire = WireFrame.parse(JSON.parse(batchText([JSON.stringify(typing), JSON.stringify(presence)])));
    expect(framesOf(wire)).toEqual([typing, presence]);
    expect(framesOf(WireFrame.parse(typing))).toEqual([typing]);
    expect(WireFrame.safeParse({ type: "batch", frames: [typing] }).success).toBe(false);
    expect(WireFrame.safeParse({ type: "batch", frames: [typing, { type: "batch", frames: [typing, typing] }] }).success).toBe(false);
    expect(WireFrame.safeParse({ type: "batch", frames: [typing, { type: "nonsense" }] }).success).toBe(false);
  });
});

describe("newest-only coalescing (the lobby's lists)", () => {
  it("sends a quiet change at once and only the newest of a burst at the window's end", () => {
    const timers: Array<() => void> = [];
    const sent: string[] = [];
    const lists = new Newest((fn) => timers.push(fn), 25);
    lists.send(() => sent.push("v1"));
    lists.send(() => sent.push("v2"));
    lists.send(() => sent.push("v3"));
    expect(sent).toEqual(["v1"]);
    timers.shift()!();
    expect(sent).toEqual(["v1", "v3"]);
    timers.shift()!(); // empty window: quiet again
    expect(timers).toEqual([]);
    lists.send(() => sent.push("v4"));
    expect(sent).toEqual(["v1", "v3", "v4"]);
  });
});
