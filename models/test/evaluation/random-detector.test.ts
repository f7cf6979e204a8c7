import { describe, expect, it } from 'vitest';
import { evaluateDetector } from '../../src/evaluation/event-metrics.ts';
import { randomDetector, randomDetectorLike, seededRandom } from '../../src/evaluation/random-detector.ts';
import { alarm, DAY, H, MIN, series, T0, ward } from './fixtures.ts';

describe('seededRandom', () => {
  it('is deterministic per seed, uniform in [0, 1)', () => {
    const a = seededRandom('x');
    const b = seededRandom('x');
    const c = seededRandom('y');
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.49); // sd of the mean ≈ 0.0029
    expect(mean).toBeLessThan(0.51);
  });
});

describe('randomDetector', () => {
  // 200 patients × 10 days = 2,000 patient-days.
  const many = Array.from({ length: 200 }, (_, i) => series(`p${i}`, [], 10 * DAY, T0 + i * H));

  it('alarms at the requested rate per patient-day', () => {
    const alarms = randomDetector(many, { ratePerPatientDay: 4, durationMs: 20 * MIN, seed: 's' });
    // Poisson: 8,000 expected, sd ≈ 89; 4 % is 3.6 sd.
    expect(alarms.length).toBeGreaterThan(8000 * 0.96);
    expect(alarms.length).toBeLessThan(8000 * 1.04);
    // Counts per patient-day are Poisson: variance ≈ mean.
    const perDay = new Map<string, number>();
    for (const a of alarms) {
      const s = many.find((x) => x.patientId === a.patientId)!;
      const key = `${a.patientId}:${Math.floor((a.start - s.start) / DAY)}`;
      perDay.set(key, (perDay.get(key) ?? 0) + 1);
    }
    const counts = Array.from({ length: 2000 }, (_, i) => perDay.get(`p${Math.floor(i / 10)}:${i % 10}`) ?? 0);
    const mean = counts.reduce((s, x) => s + x, 0) / counts.length;
    const variance = counts.reduce((s, x) => s + (x - mean) ** 2, 0) / (counts.length - 1);
    expect(variance / mean).toBeGreaterThan(0.85);
    expect(variance / mean).toBeLessThan(1.15);
  });

  it('keeps alarms inside each series, with the requested duration cut at its end', () => {
    const alarms = randomDetector(many.slice(0, 20), { ratePerPatientDay: 30, durationMs: 2 * H, seed: 's', code: 'RND' });
    for (const a of alarms) {
      const s = many.find((x) => x.patientId === a.patientId)!;
      expect(a.start).toBeGreaterThanOrEqual(s.start);
      expect(a.start).toBeLessThan(s.end);
      expect(a.end).toBe(a.start + 2 * H < s.end ? a.start + 2 * H : null);
      expect(a.code).toBe('RND');
    }
    expect(alarms.some((a) => a.end === null)).toBe(true);
  });

  it('is deterministic from the seed and independent of series order', () => {
    const options = { ratePerPatientDay: 3, durationMs: 10 * MIN, seed: 'seed-1' };
    const a = randomDetector(many.slice(0, 30), options);
    expect(randomDetector(many.slice(0, 30).reverse(), options)).toEqual(a);
    expect(randomDetector(many.slice(0, 30), { ...options, seed: 'seed-2' })).not.toEqual(a);
    expect(randomDetector(many.slice(0, 30), { ...options, ratePerPatientDay: 0 })).toEqual([]);
  });

  it('matches another detector’s rate and median duration', () => {
    const s = ward(); // 2 patient-days
    const model = [alarm('p1', T0, T0 + 10 * MIN), alarm('p1', T0 + H, T0 + H + 30 * MIN), alarm('p2', T0, T0 + 20 * MIN), alarm('p2', T0 + 2 * H, T0 + 2 * H + 40 * MIN)];
    const { options, alarms } = randomDetectorLike(model, s, 'r');
    expect(options).toEqual({ ratePerPatientDay: 2, durationMs: 25 * MIN, seed: 'r' });
    expect(() => evaluateDetector('random', alarms, s)).not.toThrow();
  });
});
