import { describe, it, expect } from 'vitest';
import type { TrueState } from '../../src/model.ts';
import { applyCouplings, COUPLING, createCouplingContext } from '../../src/physiology/couplings.ts';
import { Rng } from '../../src/rng.ts';
import { createClinicalEpisode, type ClinicalEpisode } from '../../src/scenarios/library.ts';
import { H, makeModel, mean, MIN, run, T0, windowMean } from './helpers.ts';

const REST: TrueState = { hr: 75, spo2: 97, rr: 16, sbp: 120, dbp: 75, map: 90, temp: 36.8, activity: 0, breathPhase: 0 };
const coupled = (change: Partial<TrueState>, ctx = createCouplingContext()) => {
  const s = { ...REST, ...change };
  applyCouplings(s, REST, ctx);
  return s;
};

/** An episode that only sets the variables given, ramping over `rampMs` (the couplings must do the rest). */
function only(change: Partial<Record<'spo2' | 'sbp' | 'dbp' | 'temp', number>>, onset: number, rampMs: number): ClinicalEpisode {
  const base = createClinicalEpisode('fever', { onset, patientId: 'p', bedId: 'b', rng: new Rng('only') });
  return {
    ...base,
    apply(t, s) {
      const f = Math.min(1, Math.max(0, (t - onset) / rampMs));
      for (const [k, v] of Object.entries(change) as Array<['spo2' | 'sbp' | 'dbp' | 'temp', number]>) s[k] += v * f;
    },
  };
}

describe('applyCouplings', () => {
  it('adds nothing at rest', () => {
    expect(coupled({})).toEqual(REST);
  });

  it('turns fever, hypoxaemia and hypotension into the designed HR and RR responses', () => {
    expect(coupled({ temp: 38.8 }).hr).toBeCloseTo(75 + 2 * COUPLING.feverHrPerC, 9);
    expect(coupled({ temp: 38.8 }).rr).toBeCloseTo(16 + 2 * COUPLING.feverRrPerC, 9);
    // Below the 94 % threshold only.
    expect(coupled({ spo2: 95 })).toEqual({ ...REST, spo2: 95 });
    const hypoxic = coupled({ spo2: 84 });
    expect(hypoxic.rr).toBeCloseTo(16 + 10 * COUPLING.hypoxiaRrPerPct, 9);
    expect(hypoxic.hr).toBeCloseTo(75 + 10 * COUPLING.hypoxiaHrPerPct, 9);
    // MAP 90 → 80: baroreflex tachycardia; a rise in pressure adds nothing.
    expect(coupled({ sbp: 105, dbp: 67.5 }).hr).toBeCloseTo(75 + 10 * COUPLING.baroreflexHrPerMmHg, 9);
    expect(coupled({ sbp: 150, dbp: 90 }).hr).toBe(75);
  });

  it('lets episodes blunt the chemoreflex (opioids) and the sinus-node reflexes (non-sinus rhythm)', () => {
    const opioid = coupled({ spo2: 84 }, { chemoreflex: 0, chronotropy: 1, rsa: 1 });
    expect(opioid.rr).toBe(16);
    expect(opioid.hr).toBe(75);
    const af = coupled({ temp: 38.8, sbp: 100, dbp: 60 }, { chemoreflex: 1, chronotropy: 0, rsa: 0 });
    expect(af.hr).toBe(75);
    expect(af.rr).toBeGreaterThan(16);
  });
});

describe('couplings in the patient model', () => {
  // Paired runs: the same patient (seed) with and without the episode; the difference is the episode's effect.
  function pairedRise(change: Parameters<typeof only>[0], seeds: number) {
    const onset = T0 + 10 * H, ramp = 30 * MIN, from = onset + ramp + 10 * MIN, to = from + 20 * MIN;
    const rise = { hr: [] as number[], rr: [] as number[], temp: [] as number[] };
    for (let i = 0; i < seeds; i++) {
      const plain = run(makeModel(`pair-${i}`), onset - MIN, to, 5_000);
      const sick = run(makeModel(`pair-${i}`, [only(change, onset, ramp)]), onset - MIN, to, 5_000);
      for (const k of ['hr', 'rr', 'temp'] as const) rise[k].push(windowMean(sick, k, from, to) - windowMean(plain, k, from, to));
    }
    return { hr: mean(rise.hr), rr: mean(rise.rr), temp: mean(rise.temp) };
  }

  it('raises HR by ~10 /min per °C when only temperature is set', () => {
    const r = pairedRise({ temp: 2 }, 20);
    expect(r.temp).toBeCloseTo(2, 6);
    expect(r.hr / r.temp).toBeGreaterThan(8);
    expect(r.hr / r.temp).toBeLessThan(12);
    expect(r.rr).toBeGreaterThan(2);
  });

  it('raises RR and HR when only saturation falls, HR when only pressure falls', () => {
    const hypoxic = pairedRise({ spo2: -12 }, 20);
    expect(hypoxic.rr).toBeGreaterThan(3);
    expect(hypoxic.hr).toBeGreaterThan(4);
    const hypotensive = pairedRise({ sbp: -30, dbp: -15 }, 20);
    expect(hypotensive.hr).toBeGreaterThan(0.7 * 20 - 2);
    expect(hypotensive.hr).toBeLessThan(0.7 * 20 + 2);
  });
});
