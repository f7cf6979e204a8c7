/**
 * The replay's virtual clock: session event time, advancing at `speed` × wall time (1 = real time, 60 = an hour a
 * minute) or, at 'max', jumping to each message as soon as the pipeline has taken the previous ones.
 *
 * `now()` is what a replay's edge gateway uses as its clock (skew and lateness checks see session time), and what the
 * status reports as the position. Waits are cancellable: pause, seek and stop interrupt them.
 */
import type { ReplaySpeed } from '@vigil/contracts';

export interface VirtualClockOptions {
  start: number;
  speed: ReplaySpeed;
  /** Wall clock, ms (tests inject one). */
  wallNow?: () => number;
}

export class ReplayCancelled extends Error {
  constructor() {
    super('replay wait cancelled');
  }
}

export class VirtualClock {
  #speed: ReplaySpeed;
  #paused = false;
  /** Event time at the anchor, and the wall time of the anchor (running at a finite speed). */
  #anchorT: number;
  #anchorWall: number;
  /** Upper bound of the clock while running: it never runs past the next message it waits for. */
  #limit: number;
  readonly #wallNow: () => number;
  #wake: (() => void) | undefined;
  #cancel: ((err: Error) => void) | undefined;

  constructor(options: VirtualClockOptions) {
    this.#wallNow = options.wallNow ?? Date.now;
    this.#speed = options.speed;
    this.#anchorT = options.start;
    this.#anchorWall = this.#wallNow();
    this.#limit = options.start;
  }

  get speed(): ReplaySpeed {
    return this.#speed;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Current virtual time. */
  now(): number {
    if (this.#paused || this.#speed === 'max') return this.#anchorT;
    const t = this.#anchorT + Math.floor((this.#wallNow() - this.#anchorWall) * this.#speed);
    return Math.min(t, this.#limit);
  }

  /** Set the clock (seek, or a message taken at 'max'). */
  set(t: number): void {
    this.#anchorT = t;
    this.#anchorWall = this.#wallNow();
    this.#limit = Math.max(this.#limit, t);
  }

  setSpeed(speed: ReplaySpeed): void {
    this.set(this.now());
    this.#speed = speed;
    this.#wake?.();
  }

  pause(): void {
    if (this.#paused) return;
    this.set(this.now());
    this.#paused = true;
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.set(this.#anchorT);
    this.#wake?.();
  }

  /** Interrupt the current wait (seek, stop): it rejects with `err`. */
  cancel(err: Error = new ReplayCancelled()): void {
    this.#cancel?.(err);
  }

  /**
   * Resolve once the virtual clock has reached `t` (immediately at 'max' or when already there). While paused, the
   * wait holds; a speed change re-plans it.
   */
  async waitUntil(t: number): Promise<void> {
    this.#limit = Math.max(this.#limit, t);
    for (;;) {
      const speed = this.#speed;
      if (!this.#paused && (speed === 'max' || this.now() >= t)) break;
      const ms = this.#paused || speed === 'max' ? 3_600_000 : Math.max(1, Math.ceil((t - this.now()) / speed));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(done, Math.min(ms, 1_000)); // re-check at least once a second (speed may change)
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#wake = done;
        this.#cancel = (err) => {
          clearTimeout(timer);
          reject(err);
        };
      }).finally(() => {
        this.#wake = undefined;
        this.#cancel = undefined;
      });
    }
    // At a finite speed the clock keeps running from its anchor, so the time the pipeline takes does not add up.
    if (this.#speed === 'max') this.set(t);
  }
}
