import { describe, expect, it } from 'vitest';
import { dynamicThreshold } from '../../src/scoring/dynamic-threshold.ts';
import { episodesFromFlags, rethreshold } from '../../src/scoring/alert-episodes.ts';
import type { StepVerdict } from '../../src/scoring/error-track.ts';

const noise = (n: number) => Array.from({ length: n }, (_, i) => 1 + 0.1 * Math.sin(i * 1.7) + 0.05 * Math.cos(i * 0.31));

describe('Hundman dynamic threshold', () => {
  it('puts ε between the normal errors and a compact anomalous run', () => {
    const values = noise(200);
    for (let i = 150; i < 156; i++) values[i] = 3;
    const eps = dynamicThreshold(values);
    expect(eps).toBeGreaterThan(Math.max(...noise(200)));
    expect(eps).toBeLessThan(3);
  });

  it('flags nothing in errors without an outlier beyond zMax', () => {
    const values = noise(200);
    const eps = dynamicThreshold(values);
    expect(values.filter((v) => v > eps).length).toBeLessThanOrEqual(values.length * 0.05);
  });

  it('ignores steps without an error (NaN) and returns Infinity with none', () => {
    expect(dynamicThreshold([NaN, NaN])).toBe(Infinity);
    const values = [...noise(100), NaN, ...noise(100)];
    expect(Number.isFinite(dynamicThreshold(values))).toBe(true);
  });
});

const verdict = (index: number, score: number, dynamic = 0): StepVerdict => ({ index, score, threshold: 0, dynamic, exceeded: false, anomalous: false, contributions: new Float64Array(6), direction: new Float64Array(6) });

describe('alert episodes', () => {
  it('holds an alert for holdSteps after the last exceedance, fixed or floored dynamic', () => {
    const v = [0, 5, 0, 0, 0, 0, 0].map((s, i) => verdict(i, s, 1));
    expect(rethreshold(v, { mode: 'fixed', value: 2, holdSteps: 3 })).toEqual([false, true, true, true, false, false, false]);
    // The dynamic threshold (1) is below the score 5 but the floor (6) is not.
    expect(rethreshold(v, { mode: 'dynamic', value: 6, holdSteps: 3 }).some(Boolean)).toBe(false);
    expect(rethreshold(v, { mode: 'dynamic', value: 0, holdSteps: 1 })).toEqual([false, true, false, false, false, false, false]);
  });

  it('starts and ends episodes only at emitted windows, as the cloud sees them', () => {
    const v = [0, 1, 2, 3, 4].map((i) => verdict(i, 0));
    const flags = [false, true, true, false, false];
    // Window 1 was not emitted: the alert starts at window 2; window 3 ends it.
    const eps = episodesFromFlags('p', v, flags, new Set([0, 2, 3, 4]), 60_000);
    expect(eps).toEqual([{ patientId: 'p', code: 'ML_ANOMALY', priority: 'low', start: 120_000, end: 180_000 }]);
  });
});
