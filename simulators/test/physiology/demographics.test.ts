import { describe, it, expect } from 'vitest';
import { drawProfile, meanArterialPressure, PROFILE_BOUNDS } from '../../src/physiology/demographics.ts';
import { Rng } from '../../src/rng.ts';
import { mean, sd, slope } from './helpers.ts';

/** NEWS2 zero-point bands (CLINICAL.md). */
const NEWS2_ZERO = { hr: [51, 90], rr: [12, 20], spo2: [96, 100], sbp: [111, 219], temp: [36.1, 38.0] } as const;

const rng = new Rng('demographics');
const cohort = Array.from({ length: 8000 }, () => drawProfile(rng));
const of = (f: (p: (typeof cohort)[number]) => number, subset = cohort) => subset.map(f);

describe('drawProfile', () => {
  it('keeps every baseline of a stable patient inside the NEWS2 zero-point bands', () => {
    for (const [k, [lo, hi]] of Object.entries(NEWS2_ZERO) as Array<[keyof typeof NEWS2_ZERO, readonly [number, number]]>) {
      const xs = of((p) => p.baseline[k]);
      expect(Math.min(...xs), k).toBeGreaterThanOrEqual(lo);
      expect(Math.max(...xs), k).toBeLessThanOrEqual(hi);
    }
    const bad = cohort.filter(
      (p) =>
        p.baseline.dbp > p.baseline.sbp - 25 ||
        p.baseline.dbp < PROFILE_BOUNDS.dbp.min ||
        Math.abs(p.baseline.map - meanArterialPressure(p.baseline.sbp, p.baseline.dbp)) > 1e-9 ||
        !Number.isInteger(p.age) || p.age < 18 || p.age > 95 ||
        p.weightKg < 40 || p.weightKg > 180,
    );
    expect(bad).toEqual([]);
  });

  it('draws an adult inpatient mix skewed older, half women', () => {
    const ages = of((p) => p.age);
    expect(mean(ages)).toBeGreaterThan(62);
    expect(mean(ages)).toBeLessThan(67);
    expect(sd(ages)).toBeGreaterThan(13);
    expect(sd(ages)).toBeLessThan(17);
    const over65 = ages.filter((a) => a > 65).length / ages.length;
    expect(over65).toBeGreaterThan(0.42);
    expect(over65).toBeLessThan(0.55);
    expect(ages.filter((a) => a < 30).length / ages.length).toBeLessThan(0.05);
    const women = cohort.filter((p) => p.sex === 'female');
    expect(women.length / cohort.length).toBeGreaterThan(0.47);
    expect(women.length / cohort.length).toBeLessThan(0.53);
    const men = cohort.filter((p) => p.sex === 'male');
    expect(mean(of((p) => p.weightKg, men)) - mean(of((p) => p.weightKg, women))).toBeGreaterThan(10);
  });

  it.each([
    // vital, realised mean and sd documented in demographics.ts, tolerance of the mean
    ['hr', 75, 6.2, 1],
    ['rr', 16, 1.4, 0.3],
    ['spo2', 97.4, 0.7, 0.15],
    ['sbp', 136, 12.7, 2],
    ['dbp', 77, 8, 1.5],
    ['map', 97, 7.8, 1.5],
    ['temp', 36.7, 0.18, 0.05],
  ] as const)('%s baselines have the designed mean %d and sd %d', (k, m, s, tol) => {
    const xs = of((p) => p.baseline[k]);
    expect(Math.abs(mean(xs) - m)).toBeLessThan(tol);
    expect(sd(xs)).toBeGreaterThan(s * 0.85);
    expect(sd(xs)).toBeLessThan(s * 1.15);
  });

  it('makes the baselines depend on the profile as designed', () => {
    const ages = of((p) => p.age);
    // Systolic rises with age (0.5 mmHg/year before truncation), resting HR falls slightly.
    expect(slope(ages, of((p) => p.baseline.sbp))).toBeGreaterThan(0.25);
    expect(slope(ages, of((p) => p.baseline.sbp))).toBeLessThan(0.5);
    expect(slope(ages, of((p) => p.baseline.hr))).toBeLessThan(-0.02);
    expect(slope(ages, of((p) => p.baseline.spo2))).toBeLessThan(-0.01);
    // Pulse pressure widens with age.
    const pp = of((p) => p.baseline.sbp - p.baseline.dbp);
    expect(slope(ages, pp)).toBeGreaterThan(0.2);
    const women = cohort.filter((p) => p.sex === 'female');
    const men = cohort.filter((p) => p.sex === 'male');
    const hrGap = mean(of((p) => p.baseline.hr, women)) - mean(of((p) => p.baseline.hr, men));
    expect(hrGap).toBeGreaterThan(1);
    expect(hrGap).toBeLessThan(3.5);
  });

  it('honours overrides, and an older patient gets a higher systolic baseline', () => {
    const old = Array.from({ length: 1000 }, () => drawProfile(rng, { age: 88, sex: 'female' }));
    const young = Array.from({ length: 1000 }, () => drawProfile(rng, { age: 25, sex: 'female' }));
    expect(old.every((p) => p.age === 88 && p.sex === 'female')).toBe(true);
    expect(mean(old.map((p) => p.baseline.sbp)) - mean(young.map((p) => p.baseline.sbp))).toBeGreaterThan(12);
    const fixed = drawProfile(new Rng('fixed'), { weightKg: 70, baseline: { hr: 60, sbp: 150, dbp: 90 } });
    expect(fixed.weightKg).toBe(70);
    expect(fixed.baseline).toMatchObject({ hr: 60, sbp: 150, dbp: 90, map: 110 });
  });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(drawProfile(new Rng('same'))).toEqual(drawProfile(new Rng('same')));
    expect(drawProfile(new Rng('same'))).not.toEqual(drawProfile(new Rng('other')));
  });
});
