/**
 * The room's clock for one Code Mode run: it counts the run's time except
 * while a call from the code waits for a person's approval. The time limit
 * is for the code, not for people — an approval has its own wait
 * (`CODE_APPROVAL_WAIT_MS`), and a run that pauses for one must still work
 * when the decision comes after the limit.
 */
export class RunClock {
  #spent = 0;
  #since = Date.now();
  #pauses = 0;
  #resumed: Array<() => void> = [];

  /** Stops the clock until the returned function is called (nested pauses allowed). */
  pause(): () => void {
    if (this.#pauses++ === 0) this.#spent += Date.now() - this.#since;
    let resumed = false;
    return () => {
      if (resumed) return;
      resumed = true;
      if (--this.#pauses > 0) return;
      this.#since = Date.now();
      for (const wake of this.#resumed.splice(0)) wake();
    };
  }

  spentMs(): number {
    return this.#spent + (this.#pauses > 0 ? 0 : Date.now() - this.#since);
  }

  /** Resolves once `ms` of counted time have passed; `cancel` drops the timer. */
  deadline(ms: number): { reached: Promise<void>; cancel(): void } {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let cancelled = false;
    const reached = new Promise<void>((resolve) => {
      const check = () => {
        if (cancelled) return;
        if (this.#pauses > 0) return void this.#resumed.push(check);
        const left = ms - this.spentMs();
        if (left <= 0) return resolve();
        timer = setTimeout(check, left);
      };
      check();
    });
    return { reached, cancel: () => { cancelled = true; clearTimeout(timer ?? null); } };
  }
}
