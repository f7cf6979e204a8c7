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
  /** Resolve once simulated time `t` has been reached on the wall clock (immediately in fast mode). */
  waitUntil(t: number): Promise<void>;
}

export function parseSpeed(text: string): ClockMode {
  if (text === 'max' || text === 'fast') return { kind: 'fast' };
  const speed = Number(text);
  if (!Number.isFinite(speed) || speed <= 0) throw new Error(`invalid speed ${JSON.stringify(text)}: a positive number (1 = real time) or "max"`);
  return speed === 1 ? { kind: 'realtime' } : { kind: 'accelerated', speed };
}

export function createClock(mode: ClockMode, start: number, wallNow: () => number = Date.now): VirtualClock {
  const wallStart = wallNow();
  const speed = mode.kind === 'accelerated' ? mode.speed : 1;
  return {
    mode,
    start,
    waitUntil(t: number): Promise<void> {
      if (mode.kind === 'fast') return Promise.resolve();
      const due = wallStart + (t - start) / speed;
      const wait = due - wallNow();
      return wait <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, wait));
    },
  };
}
