/**
 * Normalisation of window levels to z-scores, fitted on training data and saved with the model, so that serving
 * scales exactly as training did. Robust statistics (median, IQR / 1.349 ≈ sd for a normal distribution) because
 * the training windows still hold artifacts that the signal-quality filter let through.
 */
import { FEATURE_VITALS, type FeatureVital, type WindowFeatures } from '@vigil/contracts';
import { z } from 'zod';

export const Normalisation = z
  .object({
    centre: z.record(z.enum(FEATURE_VITALS), z.number()),
    scale: z.record(z.enum(FEATURE_VITALS), z.number().positive()),
  })
  .strict();
export type Normalisation = z.infer<typeof Normalisation>;

/** z-scores beyond this are clipped: a level 8 robust sd from the centre is abnormal whatever its exact size. */
export const Z_CLIP = 8;

/** Floor of each vital's scale, in its unit: a cohort with almost no spread must not turn noise into anomalies. */
const MIN_SCALE: Readonly<Record<FeatureVital, number>> = { hr: 3, spo2: 0.5, rr: 1, sbp: 4, map: 3, temp: 0.1 };

/** Nominal adult [centre, spread] per vital (CLINICAL.md NEWS2 "score 0" bands' middles), for absent vitals only. */
const NOMINAL: Readonly<Record<FeatureVital, [number, number]>> = { hr: [75, 12], spo2: [97, 1.5], rr: [16, 3], sbp: [125, 15], map: [90, 10], temp: [36.9, 0.4] };

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Fit median and robust scale per vital over every window level present. */
export function fitNormalisation(windows: Iterable<WindowFeatures>): Normalisation {
  const values = Object.fromEntries(FEATURE_VITALS.map((v) => [v, [] as number[]])) as Record<FeatureVital, number[]>;
  for (const w of windows) {
    for (const v of FEATURE_VITALS) {
      const level = w.vitals[v]?.level;
      if (level !== null && level !== undefined && Number.isFinite(level)) values[v].push(level);
    }
  }
  const centre = {} as Record<FeatureVital, number>;
  const scale = {} as Record<FeatureVital, number>;
  for (const v of FEATURE_VITALS) {
    const sorted = Float64Array.from(values[v]).sort();
    if (sorted.length < 10) {
      // A vital the data never (or hardly) carry, e.g. SpO2 in PhysioNet 2012: a nominal adult centre and spread, so
      // its input stays defined; it is then always flagged unobserved and never enters an error.
      centre[v] = NOMINAL[v][0];
      scale[v] = NOMINAL[v][1];
      continue;
    }
    centre[v] = quantile(sorted, 0.5);
    scale[v] = Math.max(MIN_SCALE[v], (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / 1.349);
  }
  return { centre, scale };
}

export function zScore(norm: Normalisation, vital: FeatureVital, level: number): number {
  const z = (level - norm.centre[vital]) / norm.scale[vital];
  return z > Z_CLIP ? Z_CLIP : z < -Z_CLIP ? -Z_CLIP : z;
}
