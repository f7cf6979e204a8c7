/** Synthetic feature windows for unit tests: smooth vitals with seeded noise, an optional excursion. */
import { FEATURE_VITALS, type FeatureVital, type WindowFeatures } from '@vigil/contracts';
import type { PatientSeries } from '../../src/data/series.ts';
import { SeededRandom } from '../../src/util/seeded-random.ts';

const BASE: Record<FeatureVital, number> = { hr: 75, spo2: 97, rr: 16, sbp: 125, map: 90, temp: 36.9 };
const SD: Record<FeatureVital, number> = { hr: 4, spo2: 1, rr: 1.5, sbp: 6, map: 5, temp: 0.2 };
export const SLIDE = 60_000;

export function syntheticWindow(end: number, levels: Partial<Record<FeatureVital, number | null>>): WindowFeatures {
  const vitals = {} as WindowFeatures['vitals'];
  for (const v of FEATURE_VITALS) {
    const level = levels[v] ?? null;
    vitals[v] = { n: level === null ? 0 : 300, nGood: level === null ? 0 : 300, level, min: level, max: level, last: level, slopePerMin: null, sd: null, missingness: level === null ? 1 : 0, goodShare: level === null ? 0 : 1 };
  }
  return { start: end - 300_000, end, vitals };
}

export function syntheticSeries(patientId: string, seed: string, steps: number, options: { startIndex?: number; excursion?: { at: number; hr: number }; gaps?: number[] } = {}): PatientSeries {
  const rng = new SeededRandom(seed);
  const first = options.startIndex ?? 29_000_000;
  const windows: WindowFeatures[] = [];
  for (let k = 0; k < steps; k++) {
    if (options.gaps?.includes(k)) continue;
    const levels: Partial<Record<FeatureVital, number>> = {};
    for (const v of FEATURE_VITALS) levels[v] = BASE[v] + SD[v] * (Math.sin((k + rng.next() * 3) / 40) + (rng.next() - 0.5));
    if (options.excursion && k >= options.excursion.at) levels.hr = levels.hr! + options.excursion.hr;
    windows.push(syntheticWindow((first + k) * SLIDE, levels));
  }
  return { patientId, source: 'simulator', start: windows[0]!.start, end: windows.at(-1)!.end, windowMs: 300_000, slideMs: SLIDE, windows, truth: [], limitAlarms: [], news2Alarms: [], news2Scores: [] };
}
