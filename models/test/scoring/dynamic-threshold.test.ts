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

  it('gives exactly the ε of trying each z in turn (the paper’s procedure), on random errors with gaps and ties', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
    let differing = 0;
    for (let t = 0; t < 3_000; t++) {
      const values = Array.from({ length: 10 + Math.floor(rnd() * 300) }, (_, i) => {
        const v = rnd() < 0.05 ? NaN : rnd() < 0.03 ? 3 + rnd() * 5 : rnd();
        return t % 3 === 0 && i % 7 < 3 ? Math.round(v * 4) / 4 : v; // ties on the candidates' grid
      });
      if (dynamicThreshold(values) !== naiveThreshold(values)) differing++;
    }
    expect(differing).toBe(0);
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

/** Hundman's procedure written out: each z in turn, the sets above and below counted afresh (the reference). */
function naiveThreshold(values: number[], o = { zMin: 2, zMax: 10, zStep: 0.5 }): number {
  const present = values.filter((v) => v === v);
  if (present.length === 0) return Infinity;
  const mean = present.reduce((a, b) => a + b, 0) / present.length;
  const sd = Math.sqrt(present.reduce((a, v) => a + (v - mean) * (v - mean), 0) / present.length);
  if (!(sd > 0) || !(mean > 0)) return mean + o.zMax * sd;
  let best = -Infinity;
  let epsilon = mean + o.zMax * sd;
  for (let z = o.zMin; z <= o.zMax + 1e-9; z += o.zStep) {
    const eps = mean + z * sd;
    const below = present.filter((v) => v <= eps);
    const above = present.length - below.length;
    let runs = 0;
    values.forEach((v, i) => {
      const prev = values[i - 1];
      if (v > eps && !(prev !== undefined && prev > eps)) runs++;
    });
    if (above === 0 || below.length === 0) continue;
    const belowMean = below.reduce((a, b) => a + b, 0) / below.length;
    const belowSd = Math.sqrt(below.reduce((a, v) => a + (v - belowMean) * (v - belowMean), 0) / below.length);
    const score = ((mean - belowMean) / mean + (sd - belowSd) / sd) / (above + runs * runs);
    if (score > best) {
      best = score;
      epsilon = eps;
    }
  }
  return epsilon;
}
