import { describe, it, expect } from 'vitest';
import { drawBaseline, PatientPhysiology, type TrueVitals } from '../src/physiology.ts';
import { Rng } from '../src/rng.ts';
import { createScenarioEffect, type ScenarioEffect } from '../src/scenarios.ts';

const T0 = 1_760_000_000_000;

/** Population bounds of the resting baselines (physiology.ts, POPULATION). */
const BOUNDS: Record<keyof TrueVitals, [number, number]> = {
  hr: [55, 95],
  spo2: [96, 99.5],
  rr: [12, 19],
  sbp: [105, 150],
  dbp: [60, 90],
  temp: [36.2, 37.5],
};

const BASELINE: TrueVitals = { hr: 80, spo2: 97, rr: 15, sbp: 120, dbp: 75, temp: 36.8 };

function series(p: PatientPhysiology, from: number, n: number, stepMs: number): TrueVitals[] {
  return Array.from({ length: n }, (_, i) => p.at(from + i * stepMs));
}

function meanSd(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, sd: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) };
}

describe('drawBaseline', () => {
  it('stays within the population bounds of every channel', () => {
    const rng = new Rng('population');
    const min = { hr: Infinity, spo2: Infinity, rr: Infinity, sbp: Infinity, dbp: Infinity, temp: Infinity };
    const max = { hr: -Infinity, spo2: -Infinity, rr: -Infinity, sbp: -Infinity, dbp: -Infinity, temp: -Infinity };
    for (let i = 0; i < 5_000; i++) {
      const b = drawBaseline(rng);
      for (const c of Object.keys(BOUNDS) as Array<keyof TrueVitals>) {
        expect(Number.isFinite(b[c])).toBe(true);
        min[c] = Math.min(min[c], b[c]);
        max[c] = Math.max(max[c], b[c]);
      }
    }
    for (const c of Object.keys(BOUNDS) as Array<keyof TrueVitals>) {
      const [lo, hi] = BOUNDS[c];
      expect(min[c], c).toBeGreaterThanOrEqual(lo);
      expect(max[c], c).toBeLessThanOrEqual(hi);
    }
    // 5,000 draws reach both clamps of the narrowest band (spo2: 96..99.5 is -1.9..+2.5 sd).
    expect([min.spo2, max.spo2]).toEqual([96, 99.5]);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(drawBaseline(new Rng('p1'))).toEqual(drawBaseline(new Rng('p1')));
    expect(drawBaseline(new Rng('p1'))).not.toEqual(drawBaseline(new Rng('p2')));
  });
});

describe('PatientPhysiology', () => {
  it('starts at the baseline', () => {
    const p = new PatientPhysiology(BASELINE, new Rng('drift'));
    expect(p.at(T0)).toEqual(BASELINE);
    expect(p.baseline).toEqual(BASELINE);
  });

  it('is deterministic for a seed', () => {
    const a = series(new PatientPhysiology(BASELINE, new Rng('same')), T0, 500, 1_000);
    const b = series(new PatientPhysiology(BASELINE, new Rng('same')), T0, 500, 1_000);
    const c = series(new PatientPhysiology(BASELINE, new Rng('other')), T0, 500, 1_000);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a[499]).not.toEqual(BASELINE);
  });

  it('repeating a time draws no new drift', () => {
    const p = new PatientPhysiology(BASELINE, new Rng('repeat'));
    p.at(T0);
    const first = p.at(T0 + 5_000);
    expect(p.at(T0 + 5_000)).toEqual(first);
  });

  it('drifts within bounds over 24 h at 1 s (Ornstein\u2013Uhlenbeck, HR sd 3 bpm)', () => {
    const p = new PatientPhysiology(BASELINE, new Rng('24h'));
    const hr: number[] = [];
    const sbp: number[] = [];
    const spo2: number[] = [];
    for (let i = 0; i < 86_400; i++) {
      const v = p.at(T0 + i * 1_000);
      hr.push(v.hr);
      sbp.push(v.sbp);
      spo2.push(v.spo2);
    }
    const h = meanSd(hr);
    expect(h.sd).toBeGreaterThan(1.5);
    expect(h.sd).toBeLessThan(5);
    expect(Math.abs(h.mean - BASELINE.hr)).toBeLessThan(1.5);
    // Far less than a random walk would wander: ~6 sd at most.
    expect(Math.max(...hr.map((x) => Math.abs(x - BASELINE.hr)))).toBeLessThan(20);
    const s = meanSd(sbp);
    expect(s.sd).toBeGreaterThan(2);
    expect(s.sd).toBeLessThan(7);
    expect(Math.max(...spo2)).toBeLessThanOrEqual(100);
  });

  it('adds the scenario effect on top of the same drift', () => {
    const effect = createScenarioEffect({ type: 'tachycardia', onsetMs: 10_000, rampMs: 20_000 }, T0)!;
    const plain = series(new PatientPhysiology(BASELINE, new Rng('fx')), T0, 40, 1_000);
    const sick = series(new PatientPhysiology(BASELINE, new Rng('fx'), [effect]), T0, 40, 1_000);
    const hrDelta = sick.map((v, i) => Math.round((v.hr - plain[i]!.hr) * 1e6) / 1e6);
    expect(hrDelta.slice(0, 11)).toEqual(Array.from({ length: 11 }, () => 0));
    expect(hrDelta[20]).toBe(36);
    expect(hrDelta.slice(30)).toEqual(Array.from({ length: 10 }, () => 72));
    expect(sick.map((v) => v.spo2)).toEqual(plain.map((v) => v.spo2));
  });

  it('caps SpO2 at 100 % after effects', () => {
    const boost: ScenarioEffect = {
      episode: { type: 'stable', onset: T0, peak: T0, offset: null, severity: 'mild', affected: ['spo2'] },
      apply: (_t, v) => {
        v.spo2 += 10;
      },
    };
    const p = new PatientPhysiology({ ...BASELINE, spo2: 99 }, new Rng('cap'), [boost]);
    expect(p.at(T0).spo2).toBe(100);
  });
});
