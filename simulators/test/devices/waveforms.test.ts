import { describe, expect, it } from 'vitest';
import { WaveformChunk } from '@vigil/contracts';
import { createWaveformSynth, ECG_HZ, PLETH_HZ } from '../../src/devices/waveforms.ts';
import type { TrueState } from '../../src/model.ts';
import { Rng } from '../../src/rng.ts';
import { MIN, problems, RESTING, run, SEC, T0, WEARABLE, waves } from './helpers.ts';

/** R peaks: local maxima above 600 µV, at least 200 ms apart. */
function rPeaks(values: number[], hz: number): number[] {
  const peaks: number[] = [];
  for (let i = 1; i < values.length - 1; i++) {
    const v = values[i]!;
    if (v > 600 && v >= values[i - 1]! && v > values[i + 1]! && (peaks.length === 0 || i - peaks[peaks.length - 1]! > 0.2 * hz)) peaks.push(i);
  }
  return peaks;
}

function render(seconds: number, state: (t: number) => Partial<TrueState>, motion = 0) {
  const synth = createWaveformSynth({ start: T0, rng: new Rng('wave'), ecg: true, pleth: true });
  const ecg: number[] = [], pleth: number[] = [];
  for (let k = 1; k <= seconds; k++) {
    const t = T0 + k * SEC;
    const s = { ...RESTING, ...state(t) };
    const out = synth.render(t, { ...s, breathPhase: (((t - T0) / 60_000) * s.rr) % 1 }, motion);
    ecg.push(...out.ecg!.values);
    pleth.push(...out.pleth!.values);
  }
  return { ecg, pleth };
}

describe('waveforms', () => {
  it('ICU: one ECG chunk of 250 values and one pleth chunk of 125 per second, contiguous, valid', () => {
    const { records } = run({ ms: 5 * MIN, options: { waveforms: true } });
    expect(problems(records)).toEqual([]);
    const w = waves(records);
    const ecg = w.filter((c) => c.kind === 'ecg');
    const pleth = w.filter((c) => c.kind === 'pleth');
    expect(ecg).toHaveLength(300);
    expect(pleth).toHaveLength(300);
    expect(ecg.every((c, i) => c.hz === ECG_HZ && c.values.length === 250 && c.t === T0 + i * SEC && c.sentAt === c.t + SEC)).toBe(true);
    expect(pleth.every((c, i) => c.hz === PLETH_HZ && c.values.length === 125 && c.t === T0 + i * SEC)).toBe(true);
    for (const c of w.slice(0, 20)) expect(WaveformChunk.safeParse(stripSentAt(c)).success).toBe(true);
    expect(pleth.every((c) => c.values.every((v) => Number.isInteger(v) && v >= 0 && v <= 4095))).toBe(true);
  });

  it('wearable: pleth only', () => {
    const w = waves(run({ device: WEARABLE, ms: MIN, options: { waveforms: true } }).records);
    expect(new Set(w.map((c) => c.kind))).toEqual(new Set(['pleth']));
    expect(w).toHaveLength(60);
  });

  for (const hr of [45, 80, 140]) {
    it(`ECG shows HR ${hr} as ${hr} ± 1 R peaks a minute`, () => {
      const { ecg } = render(62, () => ({ hr }));
      const minute = ecg.slice(ECG_HZ, 61 * ECG_HZ); // a whole minute away from the start
      expect(Math.abs(rPeaks(minute, ECG_HZ).length - hr)).toBeLessThanOrEqual(1);
      // A PQRST complex: R about 1.2 mV, S below baseline.
      expect(Math.max(...minute)).toBeGreaterThan(1000);
      expect(Math.max(...minute)).toBeLessThan(1600);
      expect(Math.min(...minute)).toBeLessThan(-150);
    });
  }

  it('ECG follows a change of HR within the next seconds', () => {
    const { ecg } = render(122, (t) => ({ hr: t <= T0 + 61 * SEC ? 60 : 120 }));
    expect(Math.abs(rPeaks(ecg.slice(0, 60 * ECG_HZ), ECG_HZ).length - 60)).toBeLessThanOrEqual(1);
    expect(Math.abs(rPeaks(ecg.slice(62 * ECG_HZ, 122 * ECG_HZ), ECG_HZ).length - 120)).toBeLessThanOrEqual(1);
  });

  it('asystole (HR 0) gives a flat ECG', () => {
    const { ecg } = render(10, () => ({ hr: 0 }));
    expect(rPeaks(ecg.slice(2 * ECG_HZ), ECG_HZ)).toEqual([]);
  });

  it('pleth pulses at the heart rate, with amplitude following perfusion (pulse pressure)', () => {
    const swing = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
    const good = render(20, () => ({ sbp: 130, dbp: 70 })).pleth.slice(5 * PLETH_HZ);
    const poor = render(20, () => ({ sbp: 85, dbp: 70 })).pleth.slice(5 * PLETH_HZ);
    expect(swing(good)).toBeGreaterThan(2.5 * swing(poor));
    // Count upward crossings of the mid-level: one per beat (80 /min → 20 in 15 s, ±1).
    const mid = (Math.max(...good) + Math.min(...good)) / 2;
    let crossings = 0;
    for (let i = 1; i < good.length; i++) if (good[i - 1]! < mid && good[i]! >= mid) crossings++;
    expect(Math.abs(crossings - 20)).toBeLessThanOrEqual(1);
  });

  it('motion swamps the pleth', () => {
    const still = render(10, () => ({})).pleth;
    const moving = render(10, () => ({}), 1).pleth;
    const roughness = (xs: number[]) => xs.slice(1).reduce((a, x, i) => a + Math.abs(x - xs[i]!), 0) / xs.length;
    expect(roughness(moving)).toBeGreaterThan(10 * roughness(still));
  });

  it('renders a day of ECG and pleth fast', () => {
    const synth = createWaveformSynth({ start: T0, rng: new Rng('speed'), ecg: true, pleth: true });
    const state: TrueState = { ...RESTING, breathPhase: 0 };
    const began = performance.now();
    for (let k = 1; k <= 3 * 3600; k++) synth.render(T0 + k * SEC, state, 0);
    expect(performance.now() - began).toBeLessThan(1000); // 3 h here; a whole day measures ~0.8 s on the dev machine
  });
});

function stripSentAt<T extends { sentAt: number }>(c: T): Omit<T, 'sentAt'> {
  const { sentAt: _, ...rest } = c;
  return rest;
}
