/**
 * A patient's true physiological state over event time: a per-patient baseline, slow Ornstein–Uhlenbeck drift
 * around it, and the offsets of whatever clinical scenario is under way. Devices sample this state and add their own
 * noise and quantisation.
 */
import type { Rng } from './rng.ts';
import type { ScenarioEffect } from './scenarios.ts';

export interface TrueVitals {
  hr: number;
  spo2: number;
  rr: number;
  sbp: number;
  dbp: number;
  temp: number;
}

type Channel = keyof TrueVitals;
const CHANNELS: readonly Channel[] = ['hr', 'spo2', 'rr', 'sbp', 'dbp', 'temp'];

/** Adult resting baselines (mean, sd across patients), within the NEWS2 zero-score bands (CLINICAL.md). */
const POPULATION: Record<Channel, { mean: number; sd: number; min: number; max: number }> = {
  hr: { mean: 76, sd: 8, min: 55, max: 95 },
  spo2: { mean: 97.5, sd: 0.8, min: 96, max: 99.5 },
  rr: { mean: 15, sd: 1.8, min: 12, max: 19 },
  sbp: { mean: 124, sd: 10, min: 105, max: 150 },
  dbp: { mean: 76, sd: 6, min: 60, max: 90 },
  temp: { mean: 36.8, sd: 0.25, min: 36.2, max: 37.5 },
};

/** OU drift per channel: stationary sd and correlation time (seconds). */
const DRIFT: Record<Channel, { sd: number; tauS: number }> = {
  hr: { sd: 3, tauS: 120 },
  spo2: { sd: 0.5, tauS: 90 },
  rr: { sd: 1, tauS: 60 },
  sbp: { sd: 4, tauS: 300 },
  dbp: { sd: 2.5, tauS: 300 },
  temp: { sd: 0.08, tauS: 1800 },
};

export function drawBaseline(rng: Rng): TrueVitals {
  const out = {} as TrueVitals;
  for (const c of CHANNELS) {
    const p = POPULATION[c];
    out[c] = Math.min(p.max, Math.max(p.min, rng.normal(p.mean, p.sd)));
  }
  return out;
}

export class PatientPhysiology {
  readonly baseline: TrueVitals;
  readonly #rng: Rng;
  readonly #drift: TrueVitals = { hr: 0, spo2: 0, rr: 0, sbp: 0, dbp: 0, temp: 0 };
  readonly #effects: ScenarioEffect[];
  #lastT: number | undefined;

  constructor(baseline: TrueVitals, rng: Rng, effects: ScenarioEffect[] = []) {
    this.baseline = baseline;
    this.#rng = rng;
    this.#effects = effects;
  }

  /** Advance to event time `t` (ms) and return the true values then. Calls must be in increasing `t`. */
  at(t: number): TrueVitals {
    const dtS = this.#lastT === undefined ? 0 : Math.max(0, (t - this.#lastT) / 1000);
    this.#lastT = t;
    const out = {} as TrueVitals;
    for (const c of CHANNELS) {
      const { sd, tauS } = DRIFT[c];
      if (dtS > 0) {
        // Exact OU update: x' = x·e^(−dt/τ) + sd·sqrt(1 − e^(−2dt/τ))·N(0,1)
        const decay = Math.exp(-dtS / tauS);
        this.#drift[c] = this.#drift[c] * decay + sd * Math.sqrt(1 - decay * decay) * this.#rng.normal();
      }
      out[c] = this.baseline[c] + this.#drift[c];
    }
    for (const effect of this.#effects) effect.apply(t, out);
    out.spo2 = Math.min(100, out.spo2);
    return out;
  }
}
