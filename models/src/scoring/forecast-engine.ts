/**
 * Per-step errors of the forecaster, advanced one step at a time (incremental serving), batched across patients.
 *
 * A causal LSTM could run forever from admission, but then a verdict would depend on the whole stay and a restored
 * or replayed detector could not reproduce it from a bounded history. Instead a new chain (LSTM state from zero)
 * starts at every absolute step that is a multiple of P = chainPeriod, and each chain lives 2P steps; the forecast
 * for step k + 1 comes from the older of the two chains alive at k, so its context is P + 1 … 2P steps — exactly
 * the range of contexts the model was trained on (sequences of 2P steps, a forecast at every step). Each step
 * costs two LSTM cell steps per patient instead of recomputing a 2P-step window.
 */
import type { Step } from '../features/model-input.ts';
import { VITAL_COUNT } from '../features/model-input.ts';
import type { StepError } from './error-track.ts';
import { lstmStep, type LstmStepWeights } from './lstm-step.ts';

interface Chain {
  start: number;
  h: Float32Array;
  c: Float32Array;
}

export interface ForecastState {
  chains: Chain[];
  /** Forecast of the next step's normalised levels, from the older chain; null before any step. */
  prediction: Float32Array | null;
}

export function errorOf(step: Step, expected: Float32Array | null): StepError {
  const signed = new Float32Array(VITAL_COUNT).fill(NaN);
  if (!expected) return { error: NaN, signed };
  let sum = 0;
  let n = 0;
  for (let v = 0; v < VITAL_COUNT; v++) {
    if (step.mask[v] !== 1) continue;
    const d = step.y[v]! - expected[v]!;
    signed[v] = d;
    sum += Math.abs(d);
    n++;
  }
  return { error: n > 0 ? sum / n : NaN, signed };
}

export class ForecastEngine {
  readonly period: number;
  readonly #w: LstmStepWeights;

  constructor(weights: LstmStepWeights, chainPeriod: number) {
    this.#w = weights;
    this.period = chainPeriod;
  }

  /** Steps of model context before an error is pure: the older chain's longest life. */
  get warmupSteps(): number {
    return 2 * this.period;
  }

  /** Feeding must start where a chain starts. */
  alignStart(index: number): number {
    return Math.floor(index / this.period) * this.period;
  }

  newState(): ForecastState {
    return { chains: [], prediction: null };
  }

  /** Feed step `indices[r]` to `states[r]` for every row r; returns each row's error at that step. */
  feed(states: ForecastState[], indices: readonly number[], steps: readonly Step[]): StepError[] {
    const { units, inputSize, outputSize } = this.#w;
    const errors = states.map((s, r) => errorOf(steps[r]!, s.prediction));
    const rows: Array<{ state: ForecastState; chain: Chain; x: Float32Array }> = [];
    states.forEach((state, r) => {
      const k = indices[r]!;
      while (state.chains.length > 0 && state.chains[0]!.start <= k - 2 * this.period) state.chains.shift(); // start order
      if (k % this.period === 0 || state.chains.length === 0) state.chains.push({ start: k, h: new Float32Array(units), c: new Float32Array(units) });
      for (const chain of state.chains) rows.push({ state, chain, x: steps[r]!.x });
    });
    const n = rows.length;
    const x = new Float32Array(n * inputSize);
    const h = new Float32Array(n * units);
    const c = new Float32Array(n * units);
    rows.forEach((row, i) => {
      x.set(row.x, i * inputSize);
      h.set(row.chain.h, i * units);
      c.set(row.chain.c, i * units);
    });
    const out = lstmStep(this.#w, n, x, h, c);
    // Written back in place: this runs for every patient at every step, and allocation showed up as GC time.
    rows.forEach((row, i) => {
      row.chain.h.set(out.h.subarray(i * units, (i + 1) * units));
      row.chain.c.set(out.c.subarray(i * units, (i + 1) * units));
      // Chains are in start order, so the first row of a state is its older chain: it gives the forecast.
      if (row.chain === row.state.chains[0]) {
        row.state.prediction ??= new Float32Array(outputSize);
        row.state.prediction.set(out.y.subarray(i * outputSize, (i + 1) * outputSize));
      }
    });
    return errors;
  }
}
