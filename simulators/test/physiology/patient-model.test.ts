import { describe, it, expect } from 'vitest';
import type { TrueState } from '../../src/model.ts';
import { CIRCADIAN } from '../../src/physiology/patient-model.ts';
import { createClinicalEpisode, type ClinicalEpisode } from '../../src/scenarios/library.ts';
import { Rng } from '../../src/rng.ts';
import { correlation, H, makeModel, mean, MIN, run, sd, slope, T0 } from './helpers.ts';

/** A hand-made episode for the clamp tests. */
function push(change: Partial<TrueState>): ClinicalEpisode {
  const truth = createClinicalEpisode('fever', { onset: T0, patientId: 'p', bedId: 'b', rng: new Rng('x') }).truth;
  return {
    type: 'fever', truth, truths: [truth], end: Infinity,
    nominalPeakDelta: { hr: 0, rr: 0, spo2: 0, sbp: 0, dbp: 0, map: 0, temp: 0 },
    apply(_t, s) {
      for (const [k, v] of Object.entries(change) as Array<[keyof TrueState, number]>) s[k] += v;
    },
  };
}

describe('createPatientModel', () => {
  it('is deterministic for a seed and call times, at 1 s and at 250 Hz, and differs between seeds', () => {
    for (const step of [1000, 4]) {
      const a = run(makeModel('same'), T0, T0 + 2000 * step, step);
      const b = run(makeModel('same'), T0, T0 + 2000 * step, step);
      const c = run(makeModel('other'), T0, T0 + 2000 * step, step);
      expect(a).toEqual(b);
      expect(a.map((x) => x.s.hr)).not.toEqual(c.map((x) => x.s.hr));
    }
  });

  it('follows a 24 h rhythm: HR ±5, SBP ±5, T ±0.3 °C, lowest at 04:00, highest at 16:00 (UTC)', () => {
    const fits: Record<'hr' | 'sbp' | 'temp', { a: number[]; b: number[]; y: number[] }> = {
      hr: { a: [], b: [], y: [] }, sbp: { a: [], b: [], y: [] }, temp: { a: [], b: [], y: [] },
    };
    const night: number[] = [], afternoon: number[] = [];
    for (let i = 0; i < 120; i++) {
      const series = run(makeModel(`circ-${i}`), T0, T0 + 24 * H - MIN, MIN);
      for (const k of ['hr', 'sbp', 'temp'] as const) {
        const m = mean(series.map((x) => x.s[k]));
        for (const { t, s } of series) {
          const w = (2 * Math.PI * (t - T0)) / (24 * H);
          fits[k].a.push(Math.cos(w));
          fits[k].b.push(Math.sin(w));
          fits[k].y.push(s[k] - m);
        }
      }
      const hourOf = (t: number) => (t - T0) / H;
      night.push(mean(series.filter((x) => Math.abs(hourOf(x.t) - 4) <= 1).map((x) => x.s.hr)));
      afternoon.push(mean(series.filter((x) => Math.abs(hourOf(x.t) - 16) <= 1).map((x) => x.s.hr)));
    }
    for (const k of ['hr', 'sbp', 'temp'] as const) {
      // cos and sin over whole days are orthogonal with variance 1/2: each coefficient is a simple projection.
      const ca = (2 * mean(fits[k].y.map((y, i) => y * fits[k].a[i]!)));
      const cb = (2 * mean(fits[k].y.map((y, i) => y * fits[k].b[i]!)));
      const amplitude = Math.hypot(ca, cb);
      const peakHour = (((Math.atan2(cb, ca) * 24) / (2 * Math.PI)) + 24) % 24;
      expect(amplitude / CIRCADIAN[k], k).toBeGreaterThan(0.85);
      expect(amplitude / CIRCADIAN[k], k).toBeLessThan(1.15);
      expect(Math.abs(peakHour - 16), k).toBeLessThan(0.75);
    }
    const gap = mean(afternoon) - mean(night);
    expect(gap).toBeGreaterThan(8);
    expect(gap).toBeLessThan(12);
  });

  it('carries respiratory sinus arrhythmia: HR rises with inspiration, less in older patients', () => {
    const correlations: number[] = [];
    const amplitude = (age: number) =>
      Array.from({ length: 20 }, (_, i) => {
        const series = run(makeModel(`rsa-${age}-${i}`, [], { age }), T0, T0 + 3 * MIN, 100);
        const x = series.map(({ s }) => Math.sin(2 * Math.PI * s.breathPhase));
        const y = series.map(({ s }) => s.hr);
        correlations.push(correlation(x, y));
        // Breathing advances at rr/60 cycles per second: count the breaths in 3 minutes.
        const breaths = series.filter((p, j) => j > 0 && p.s.breathPhase < series[j - 1]!.s.breathPhase).length;
        expect(Math.abs(breaths - 3 * mean(series.map(({ s }) => s.rr)))).toBeLessThanOrEqual(1.5);
        return slope(x, y);
      });
    const young = mean(amplitude(25));
    const old = mean(amplitude(85));
    expect(young).toBeGreaterThan(2.5);
    expect(young).toBeLessThan(4.5);
    expect(old).toBeGreaterThan(1.2);
    expect(old).toBeLessThan(2.6);
    expect(young - old).toBeGreaterThan(1);
    // Per patient, drift and the odd activity bout blur it, but the breathing-linked part dominates.
    expect(Math.min(...correlations)).toBeGreaterThan(0);
    expect(correlations.sort((a, b) => a - b)[correlations.length >> 1]).toBeGreaterThan(0.7);
  });

  it('drifts by the same law at any cadence (exact OU over the actual interval)', () => {
    // Var[x(t+Δ) − x(t)] = 2σ²(1 − e^(−Δ/τ)): temperature σ 0.1 °C, τ 1 h, Δ 10 min → sd 0.0554.
    const expected = Math.sqrt(2 * 0.01 * (1 - Math.exp(-600 / 3600)));
    const cadences: Record<string, (i: number) => number[]> = {
      '1 s': () => Array.from({ length: 600 }, (_, j) => (j + 1) * 1000),
      '10 min at once': () => [600_000],
      irregular: (i) => {
        const r = new Rng(`gaps-${i}`);
        const ts: number[] = [];
        for (let t = 0; t < 600_000; t += Math.ceil(r.uniform(1, 30_000))) ts.push(t);
        return [...ts.slice(1), 600_000];
      },
    };
    for (const [name, times] of Object.entries(cadences)) {
      const deltas = Array.from({ length: 300 }, (_, i) => {
        const m = makeModel(`ou-${i}`);
        const first = m.at(T0 + 8 * H).temp;
        let last = first;
        for (const dt of times(i)) last = m.at(T0 + 8 * H + dt).temp;
        return last - first;
      });
      expect(sd(deltas) / expected, name).toBeGreaterThan(0.8);
      expect(sd(deltas) / expected, name).toBeLessThan(1.2);
    }
  });

  it('has occasional activity bouts that raise HR by 5–15 /min, rarer at night', () => {
    let active = 0, total = 0, nightActive = 0, dayActive = 0;
    const rise: number[] = [];
    for (let i = 0; i < 60; i++) {
      const series = run(makeModel(`act-${i}`), T0, T0 + 24 * H, 10_000);
      series.forEach(({ t, s }, j) => {
        total++;
        if (s.activity <= 0) return;
        active++;
        const hour = (t - T0) / H;
        if (hour < 8) nightActive++;
        else if (hour >= 12 && hour < 20) dayActive++;
        const before = series[j - 60];
        if (before && before.s.activity === 0 && s.activity >= 0.05) rise.push(s.hr - before.s.hr);
      });
    }
    expect(active / total).toBeGreaterThan(0.005);
    expect(active / total).toBeLessThan(0.06);
    expect(nightActive).toBeLessThan(dayActive / 2);
    expect(mean(rise)).toBeGreaterThan(4);
    expect(mean(rise)).toBeLessThan(14);
  });

  it('clamps to physiological limits and derives MAP from SBP and DBP', () => {
    const high = makeModel('clamp', [push({ spo2: 20, hr: 500, temp: 10 })]).at(T0);
    expect(high.spo2).toBe(100);
    expect(high.hr).toBe(250);
    expect(high.temp).toBe(43);
    const low = makeModel('clamp', [push({ sbp: -500, dbp: -500, rr: -50 })]).at(T0);
    expect(low.sbp).toBe(40);
    expect(low.dbp).toBe(20);
    expect(low.rr).toBe(3);
    for (const { s } of run(makeModel('map'), T0, T0 + H, 10_000)) {
      expect(s.map).toBeCloseTo(s.dbp + (s.sbp - s.dbp) / 3, 9);
      expect(s.breathPhase).toBeGreaterThanOrEqual(0);
      expect(s.breathPhase).toBeLessThan(1);
    }
  });

  it('tolerates a call earlier than the last without advancing', () => {
    const a = makeModel('order');
    const b = makeModel('order');
    for (const t of [T0, T0 + 5_000, T0 + 10_000]) a.at(t);
    for (const t of [T0, T0 + 5_000, T0 + 10_000]) b.at(t);
    expect(() => b.at(T0 + 7_000)).not.toThrow();
    expect(b.at(T0 + 10_000)).toEqual(a.at(T0 + 10_000));
    expect(b.at(T0 + 20_000)).toEqual(a.at(T0 + 20_000));
  });

  it('reports the ground truth of its episodes', () => {
    const episode = createClinicalEpisode('recovery', { onset: T0 + H, patientId: 'p-truth', bedId: 'bed-truth', rng: new Rng('t') });
    const model = makeModel('truth', [episode]);
    expect(model.truth()).toEqual(episode.truths);
    expect(model.truth().map((r) => r.type)).toEqual([episode.truths[0]!.type, 'recovery']);
  });
});
