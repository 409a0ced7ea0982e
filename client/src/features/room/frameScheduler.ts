/**
 * Streamed drafts render at most once per animation frame. A model reply
 * arrives as many small `draft` frames, often several per 16 ms; each one
 * dispatched alone is a render of the room and of the streaming row that
 * the screen never shows. Drafts wait here for the next animation frame and
 * go to the reducer together — React batches dispatches made in one task
 * into one render. Any other frame first flushes the waiting drafts, so the
 * reducer still sees every frame in the order the server sent it (a final
 * `message_updated` after its drafts, never before).
 */

/** A hidden tab runs no animation frames: drafts still land this soon. */
const HIDDEN_FLUSH_MS = 250;

export interface FrameScheduler<F> {
  push(frame: F): void;
  /** Applies anything waiting now (e.g. before the socket goes away). */
  flush(): void;
  dispose(): void;
}

export function frameScheduler<F extends { type: string }>(
  apply: (frame: F) => void,
  {
    deferred = (f) => f.type === "draft",
    commit = (run) => run(),
  }: {
    /** Which frames may wait for the animation frame. */
    deferred?: (frame: F) => boolean;
    /** Wraps applying the drafts of one animation frame (the room passes flushSync: rendered before that frame is painted). */
    commit?: (run: () => void) => void;
  } = {},
): FrameScheduler<F> {
  let waiting: F[] = [];
  let raf: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const cancel = () => {
    if (raf !== undefined) cancelAnimationFrame(raf);
    if (timer !== undefined) clearTimeout(timer);
    raf = timer = undefined;
  };
  /** `inFrame`: called by the animation frame (commit there); otherwise the frames join whatever renders next. */
  const flush = (inFrame = false) => {
    cancel();
    const frames = waiting;
    waiting = [];
    if (frames.length === 0) return;
    if (inFrame) commit(() => frames.forEach(apply));
    else frames.forEach(apply);
  };

  return {
    push(frame) {
      if (!deferred(frame)) {
        flush();
        apply(frame);
        return;
      }
      waiting.push(frame);
      if (raf === undefined) {
        raf = requestAnimationFrame(() => flush(true));
        timer = setTimeout(() => flush(), HIDDEN_FLUSH_MS);
      }
    },
    flush: () => flush(),
    dispose() {
      cancel();
      waiting = [];
    },
  };
}
