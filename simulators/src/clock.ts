/**
 * The simulation's virtual clock. Event time advances in fixed steps; how it maps to the wall clock is the mode:
 *   realtime     — one simulated second per wall second (live demos, tests against a running edge)
 *   accelerated  — `speed` simulated seconds per wall second (e.g. 720: 24 h in 2 min)
 *   fast         — no waiting at all (session files for training and evaluation sets)
 * Because every generator is driven by this event time only, the output is the same in every mode.
 */
export type ClockMode = { kind: 'realtime' } | { kind: 'accelerated'; speed: number } | { kind: 'fast' };

export interface VirtualClock {
  readonly mode: ClockMode;
  /** Simulated time at which the run starts (ms). */
  readonly start: number;
  /** Wall-clock time at which simulated time `t` is due (fast mode: always now). */
  due(t: number): number;
  /** Resolve once simulated time `t` has been reached on the wall clock (immediately in fast mode). */
  waitUntil(t: number): Promise<void>;
}

export function parseSpeed(text: string): ClockMode {
  if (text === 'max' || text === 'fast') return { kind: 'fast' };
  const speed = Number(text);
  if (!Number.isFinite(speed) || speed <= 0) throw new Error(`invalid speed ${JSON.stringify(text)}: a positive number (1 = real time) or "max"`);
  return speed === 1 ? { kind: 'realtime' } : { kind: 'accelerated', speed };
}

/**
 * `wallStart` is the wall-clock time that corresponds to `start` (default: now). A live ward whose start is "now,
 * aligned to the step" passes `start` itself, so that step `t` is due exactly at wall time `t`.
 */
export function createClock(mode: ClockMode, start: number, wallNow: () => number = Date.now, wallStart: number = wallNow()): VirtualClock {
  const speed = mode.kind === 'accelerated' ? mode.speed : 1;
  const due = (t: number) => (mode.kind === 'fast' ? wallNow() : wallStart + (t - start) / speed);
  return {
    mode,
    start,
    due,
    waitUntil(t: number): Promise<void> {
      if (mode.kind === 'fast') return Promise.resolve();
      const wait = due(t) - wallNow();
      return wait <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, wait));
    },
  };
}
