/**
 * Window features: per-vital statistics over one event-time window [start, end). One module for serving (the cloud's
 * stream processor) and training (models/), so a model never sees features computed differently from those it was
 * trained on.
 */
import { z } from 'zod';
import { EpochMs } from './ids.ts';
import { SampleQuality } from './uplink.ts';
import { VitalCode } from './vitals.ts';

export const FEATURE_VITALS = ['hr', 'spo2', 'rr', 'sbp', 'map', 'temp'] as const;
export const FeatureVital = z.enum(FEATURE_VITALS);
export type FeatureVital = z.infer<typeof FeatureVital>;

/**
 * Catalogue vitals that carry each feature vital, preferred first: an arterial line measures beat to beat and is
 * the reference when a patient has one, so invasive pressure wins over the cuff. skinTemp is never used: it runs
 * several degrees below core temperature (vitals.ts) and would read as hypothermia.
 */
const SOURCES: Readonly<Record<FeatureVital, readonly VitalCode[]>> = {
  hr: ['hr'],
  spo2: ['spo2'],
  rr: ['rr'],
  sbp: ['abpSys', 'nibpSys'],
  map: ['abpMean', 'nibpMean'],
  temp: ['temp'],
};

/**
 * The value a sample gives a feature vital, or undefined. The first source present with good quality wins, else the
 * first source present (so an arterial artifact does not hide a good cuff reading in the same sample, as in
 * limit-rules.ts). Quality defaults to 'good' when absent; non-finite values count as absent.
 */
export function featureValueOf(
  vital: FeatureVital,
  vitals: Partial<Record<VitalCode, number>>,
  quality: Partial<Record<VitalCode, SampleQuality>>,
): { value: number; quality: SampleQuality } | undefined {
  let fallback: { value: number; quality: SampleQuality } | undefined;
  for (const code of SOURCES[vital]) {
    const value = vitals[code];
    if (value === undefined || !Number.isFinite(value)) continue;
    const q = quality[code] ?? 'good';
    if (q === 'good') return { value, quality: q };
    fallback ??= { value, quality: q };
  }
  return fallback;
}

const Share = z.number().min(0).max(1);

/** Statistics of one feature vital in one window. Only good values enter the statistics; `n` counts every value. */
export const VitalFeatures = z
  .object({
    /** Values present, any quality. */
    n: z.number().int().min(0),
    nGood: z.number().int().min(0),
    /** Mean of the good values. */
    level: z.number().nullable(),
    min: z.number().nullable(),
    max: z.number().nullable(),
    /** Last good value by time (ties at one time: the largest value, so that the choice is order-free). */
    last: z.number().nullable(),
    /** Least-squares slope of good values against time, per minute; null with < 2 good values or one time only. */
    slopePerMin: z.number().nullable(),
    /** Sample standard deviation (n − 1) of the good values; null with < 2. */
    sd: z.number().nullable(),
    /** Share of expected slots in the window holding no good value. */
    missingness: Share,
    /** nGood / n; 0 when n = 0. */
    goodShare: Share,
  })
  .strict();
export type VitalFeatures = z.infer<typeof VitalFeatures>;

/** Every feature vital is present; an absent one has n 0, null statistics and missingness 1. */
export const WindowFeatures = z
  .object({ start: EpochMs, end: EpochMs, vitals: z.record(FeatureVital, VitalFeatures) })
  .strict();
export type WindowFeatures = z.infer<typeof WindowFeatures>;

/** One timestamped sample; an UplinkSample is one (extra keys are stripped, not rejected). */
export const FeatureSample = z.object({
  t: z.number(),
  vitals: z.partialRecord(VitalCode, z.number()),
  quality: z.partialRecord(VitalCode, SampleQuality),
});
export type FeatureSample = z.infer<typeof FeatureSample>;

/**
 * Expected interval between values, ms, for missingness: 1 Hz bedside numerics. Sources with another rate pass
 * their own (e.g. 5000 for wearables, 3_600_000 for hourly PhysioNet data).
 */
export const DEFAULT_EXPECTED_INTERVAL_MS: Readonly<Record<FeatureVital, number>> = Object.freeze({
  hr: 1000, // 1 s
  spo2: 1000,
  rr: 1000,
  sbp: 1000,
  map: 1000,
  temp: 1000,
});

interface Point {
  t: number;
  value: number;
  quality: SampleQuality;
}

/** A total order on points: time, then value, then quality. Points equal under it are indistinguishable. */
function comparePoints(a: Point, b: Point): number {
  return a.t - b.t || a.value - b.value || (a.quality < b.quality ? -1 : a.quality > b.quality ? 1 : 0);
}

const MS_PER_MIN = 60_000;

function vitalFeatures(points: Point[], start: number, end: number, intervalMs: number): VitalFeatures {
  // Sorting makes every sum below run in one order, so results are bit-identical whatever the arrival order
  // (a replay after a crash must reproduce the features exactly).
  points.sort(comparePoints);
  const good = points.filter((p) => p.quality === 'good');
  const n = points.length;
  const nGood = good.length;

  const slots = Math.max(1, Math.round((end - start) / intervalMs));
  const filled = new Set<number>();
  // The last slot absorbs a remainder when the window is not a whole number of intervals.
  for (const p of good) filled.add(Math.min(slots - 1, Math.floor((p.t - start) / intervalMs)));
  const missingness = 1 - filled.size / slots;
  const goodShare = n === 0 ? 0 : nGood / n;

  const first = good[0];
  const final = good[nGood - 1];
  if (first === undefined || final === undefined) {
    return { n, nGood, level: null, min: null, max: null, last: null, slopePerMin: null, sd: null, missingness, goodShare };
  }

  let sum = 0;
  let sumT = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const p of good) {
    sum += p.value;
    sumT += (p.t - start) / MS_PER_MIN;
    if (p.value < min) min = p.value;
    if (p.value > max) max = p.value;
  }
  const level = sum / nGood;
  const meanT = sumT / nGood;

  // Centred sums (mean first, then deviations) avoid the cancellation of the one-pass Σx² − n·x̄² formula.
  let sxx = 0;
  let stt = 0;
  let stx = 0;
  for (const p of good) {
    const dx = p.value - level;
    const dt = (p.t - start) / MS_PER_MIN - meanT;
    sxx += dx * dx;
    stt += dt * dt;
    stx += dt * dx;
  }
  const sd = nGood < 2 ? null : Math.sqrt(sxx / (nGood - 1));
  // "One time only" is tested on the data, not on stt, which rounding can leave a hair above zero.
  const slopePerMin = nGood < 2 || first.t === final.t ? null : stx / stt;
  return { n, nGood, level, min, max, last: final.value, slopePerMin, sd, missingness, goodShare };
}

/**
 * Features of one window [start, end): a sample counts when start ≤ t < end. Deterministic: the result is
 * bit-identical for any order of `samples`.
 */
export function computeWindowFeatures(
  samples: readonly FeatureSample[],
  window: { start: number; end: number },
  options: { expectedIntervalMs?: Partial<Record<FeatureVital, number>> } = {},
): WindowFeatures {
  const { start, end } = window;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end <= start) {
    throw new RangeError(`window must be integer epoch ms with start < end, got [${start}, ${end})`);
  }
  const intervals = { ...DEFAULT_EXPECTED_INTERVAL_MS, ...options.expectedIntervalMs };
  const points = Object.fromEntries(FEATURE_VITALS.map((v) => [v, [] as Point[]])) as Record<FeatureVital, Point[]>;
  for (const s of samples) {
    if (!(s.t >= start && s.t < end)) continue;
    for (const vital of FEATURE_VITALS) {
      const found = featureValueOf(vital, s.vitals, s.quality);
      // + 0 turns -0 into 0: the two compare equal, so their order (and min/max's pick) would depend on arrival.
      if (found) points[vital].push({ t: s.t, value: found.value + 0, quality: found.quality });
    }
  }
  const vitals = {} as Record<FeatureVital, VitalFeatures>;
  for (const vital of FEATURE_VITALS) {
    const interval = intervals[vital];
    if (!(interval > 0) || !Number.isFinite(interval)) throw new RangeError(`expectedIntervalMs.${vital} must be > 0, got ${interval}`);
    vitals[vital] = vitalFeatures(points[vital], start, end, interval);
  }
  return { start, end, vitals };
}

type FeatureStat = 'level' | 'min' | 'max' | 'slopePerMin' | 'sd' | 'missingness' | 'goodShare' | 'last';

/**
 * A flat vector for models, vital-major: for each vital in `vitals` order, each stat in `stats` order. The default is
 * [hr.level, hr.slopePerMin, hr.sd, hr.missingness, spo2.level, …, temp.missingness] (24 values). null where
 * unknown: imputation is the model's decision, not the feature store's.
 */
export function featureVector(
  features: WindowFeatures,
  vitals: readonly FeatureVital[] = FEATURE_VITALS,
  stats: readonly FeatureStat[] = ['level', 'slopePerMin', 'sd', 'missingness'],
): (number | null)[] {
  return vitals.flatMap((v) => stats.map((s) => features.vitals[v][s]));
}
