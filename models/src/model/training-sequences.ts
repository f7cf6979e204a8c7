/**
 * Training sequences from series: dense steps (features/model-input.ts, as in serving) cut into fixed-length
 * sequences from NORMAL stretches only — a sequence touching a clinical event (onset to offset + margin) is left out,
 * so the model learns what stable patients look like (artifacts stay in: real wards have them).
 */
import type { PatientSeries } from '../data/series.ts';
import { denseSteps, INPUT_SIZE, stepIndex, VITAL_COUNT } from '../features/model-input.ts';
import type { Normalisation } from '../features/normalisation.ts';
import type { ModelKind } from './architecture.ts';
import { SeededRandom } from '../util/seeded-random.ts';

export interface SequenceOptions {
  kind: ModelKind;
  /** Steps per sequence (model input length). */
  steps: number;
  /** Steps between the starts of consecutive sequences of one patient. */
  stride: number;
  /** Keep at most this many sequences (a seeded random subset). */
  maxSequences: number;
  seed: string;
  /** Margin after an event's offset still excluded, ms (recovery tails). */
  eventMarginMs?: number;
}

export interface SequenceSet {
  count: number;
  /** count × steps × INPUT_SIZE. */
  x: Float32Array;
  /** count × steps × (2 · VITAL_COUNT): targets then masks (architecture.ts maskedMse). */
  y: Float32Array;
}

function excludedIntervals(s: PatientSeries, marginMs: number): Array<[number, number]> {
  return s.truth.filter((e) => e.category === 'clinical' && e.type !== 'recovery').map((e) => [e.onset, (e.offset ?? s.end) + marginMs]);
}

export function buildSequences(series: readonly PatientSeries[], norm: Normalisation, options: SequenceOptions): SequenceSet {
  const L = options.steps;
  const forecaster = options.kind === 'forecaster';
  // A forecaster sequence needs one step more: inputs 0..L-1, targets 1..L.
  const span = forecaster ? L + 1 : L;
  const margin = options.eventMarginMs ?? 30 * 60_000;
  const refs: Array<{ s: number; from: number }> = [];
  const stepsOf: Array<ReturnType<typeof denseSteps>> = [];
  series.forEach((s, si) => {
    if (s.windows.length === 0) return void stepsOf.push([]);
    const first = stepIndex(s.windows[0]!.end, s.slideMs);
    const last = stepIndex(s.windows.at(-1)!.end, s.slideMs);
    stepsOf.push(denseSteps(s.windows, s.slideMs, first, last, norm));
    const excluded = excludedIntervals(s, margin);
    for (let from = 0; from + span <= last - first + 1; from += options.stride) {
      const t0 = (first + from) * s.slideMs - s.windowMs;
      const t1 = (first + from + span - 1) * s.slideMs;
      if (excluded.some(([a, b]) => t0 < b && t1 >= a)) continue;
      // A sequence with nothing observed in most steps teaches nothing.
      let observed = 0;
      for (let k = 0; k < span; k++) if (stepsOf[si]![from + k]!.mask.some((m) => m === 1)) observed++;
      if (observed < span / 2) continue;
      refs.push({ s: si, from });
    }
  });
  const rng = new SeededRandom(`${options.seed}:sequences`);
  rng.shuffle(refs);
  const chosen = refs.slice(0, options.maxSequences);
  const out = 2 * VITAL_COUNT;
  const x = new Float32Array(chosen.length * L * INPUT_SIZE);
  const y = new Float32Array(chosen.length * L * out);
  chosen.forEach(({ s, from }, n) => {
    const steps = stepsOf[s]!;
    for (let t = 0; t < L; t++) {
      x.set(steps[from + t]!.x, (n * L + t) * INPUT_SIZE);
      const target = steps[from + t + (forecaster ? 1 : 0)]!;
      y.set(target.y, (n * L + t) * out);
      y.set(target.mask, (n * L + t) * out + VITAL_COUNT);
    }
  });
  return { count: chosen.length, x, y };
}
