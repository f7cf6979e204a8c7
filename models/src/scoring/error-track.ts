/**
 * One patient's per-step errors → smoothed score, threshold, exceedance and alert, step by step. Steps arrive with
 * contiguous absolute indices (the engines feed empty steps for missing windows); every value at step k is a function
 * of a bounded stretch of steps before it (scoring-params.ts), kept in a ring.
 */
import { VITAL_COUNT } from '../features/model-input.ts';
import { dynamicThreshold } from './dynamic-threshold.ts';
import { errorHistorySteps, thresholdSteps, type ScoringParams } from './scoring-params.ts';

export interface StepError {
  /** Mean absolute error over the observed vitals, in normalised units; NaN when no vital was observed. */
  error: number;
  /** Per vital: actual − expected (normalised units), NaN where unobserved. */
  signed: Float32Array;
}

export interface StepVerdict {
  index: number;
  /** Smoothed error (NaN when none of the smoothing steps had an error). */
  score: number;
  threshold: number;
  /** The dynamic threshold before its floor (NaN in fixed mode): lets a calibration sweep floors without rescoring. */
  dynamic: number;
  exceeded: boolean;
  /** Exceeded within the last holdSteps steps. */
  anomalous: boolean;
  /** Per vital (model order): share of the smoothed absolute error, sums to 1 (zeros when no error). */
  contributions: Float64Array;
  /** Per vital: mean signed deviation over the smoothing steps (direction for the explanation); NaN if unobserved. */
  direction: Float64Array;
}

export class ErrorTrack {
  readonly #p: ScoringParams;
  readonly #cap: number;
  readonly #errors: Float64Array;
  readonly #signed: Float32Array[];
  readonly #smoothed: Float64Array;
  readonly #exceeded: Uint8Array;
  readonly #scratch: Float64Array;
  readonly #dirWeight = new Float64Array(VITAL_COUNT);
  /** Absolute index of the last step appended; -Infinity before any. */
  last = -Infinity;

  constructor(params: ScoringParams) {
    this.#p = params;
    this.#cap = errorHistorySteps(params) + 1;
    this.#errors = new Float64Array(this.#cap).fill(NaN);
    this.#signed = Array.from({ length: this.#cap }, () => new Float32Array(VITAL_COUNT).fill(NaN));
    this.#smoothed = new Float64Array(this.#cap).fill(NaN);
    this.#exceeded = new Uint8Array(this.#cap);
    this.#scratch = new Float64Array(thresholdSteps(params));
  }

  #slot(k: number): number {
    return ((k % this.#cap) + this.#cap) % this.#cap;
  }

  /** Append step `index` (must be last + 1, or the first) and return its verdict. */
  append(index: number, step: StepError): StepVerdict {
    if (this.last !== -Infinity && index !== this.last + 1) throw new RangeError(`step ${index} after ${this.last}: steps must be contiguous`);
    const p = this.#p;
    const slot = this.#slot(index);
    this.#errors[slot] = step.error;
    this.#signed[slot]!.set(step.signed);
    this.last = index;
    const reach = (k: number) => this.last - k < this.#cap && k > this.last - this.#cap;

    // Exponentially weighted mean of the last smoothingSteps errors (newest weight alpha), over those present.
    const alpha = p.smoothingAlpha;
    let weight = 1;
    let wSum = 0;
    let eSum = 0;
    const contributions = new Float64Array(VITAL_COUNT);
    const direction = new Float64Array(VITAL_COUNT);
    const dirWeight = this.#dirWeight.fill(0);
    for (let back = 0; back < p.smoothingSteps; back++) {
      const k = index - back;
      if (!reach(k)) break;
      const s = this.#slot(k);
      const e = this.#errors[s]!;
      if (e === e) {
        const w = alpha * weight;
        wSum += w;
        eSum += w * e;
        const signed = this.#signed[s]!;
        for (let v = 0; v < VITAL_COUNT; v++) {
          const d = signed[v]!;
          if (d === d) {
            contributions[v] = contributions[v]! + w * Math.abs(d);
            direction[v] = direction[v]! + w * d;
            dirWeight[v] = dirWeight[v]! + w;
          }
        }
      }
      weight *= 1 - alpha;
    }
    const score = wSum > 0 ? eSum / wSum : NaN;
    this.#smoothed[slot] = score;
    let total = 0;
    for (let v = 0; v < VITAL_COUNT; v++) total += contributions[v]!;
    for (let v = 0; v < VITAL_COUNT; v++) {
      contributions[v] = total > 0 ? contributions[v]! / total : 0;
      direction[v] = dirWeight[v]! > 0 ? direction[v]! / dirWeight[v]! : NaN;
    }

    let threshold: number;
    let dynamic = NaN;
    if (p.threshold.mode === 'fixed') {
      threshold = p.threshold.value;
    } else {
      // The last windowSteps smoothed errors, oldest first: one or two copies out of the ring. windowSteps < cap, so
      // every slot in reach holds its own step, or NaN before the first step (the ring starts filled with NaN).
      const w = p.threshold.windowSteps;
      const first = this.#slot(index - w + 1);
      const head = Math.min(w, this.#cap - first);
      this.#scratch.set(this.#smoothed.subarray(first, first + head), 0);
      if (head < w) this.#scratch.set(this.#smoothed.subarray(0, w - head), head);
      dynamic = dynamicThreshold(this.#scratch, p.threshold);
      threshold = Math.max(p.threshold.floor, dynamic);
    }
    const exceeded = score === score && score > threshold;
    this.#exceeded[slot] = exceeded ? 1 : 0;
    let anomalous = false;
    for (let back = 0; back < p.holdSteps && !anomalous; back++) {
      const k = index - back;
      if (!reach(k)) break;
      anomalous = this.#exceeded[this.#slot(k)] === 1;
    }
    return { index, score, threshold, dynamic, exceeded, anomalous, contributions, direction };
  }
}
