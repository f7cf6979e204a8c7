/** Shared by the physiology and scenario tests: seeded patients, paired runs and small statistics. */
import type { SessionPatient } from '@vigil/contracts';
import type { PatientModel, TrueState } from '../../src/model.ts';
import { drawProfile, type ProfileOverrides } from '../../src/physiology/demographics.ts';
import { createPatientModel } from '../../src/physiology/patient-model.ts';
import { Rng } from '../../src/rng.ts';
import type { ClinicalEpisode } from '../../src/scenarios/library.ts';

/** 2025-01-01 00:00 UTC: hour-of-day arithmetic in the tests starts at midnight. */
export const T0 = Date.UTC(2025, 0, 1);
export const MIN = 60_000;
export const H = 60 * MIN;

export function patientOf(i: number | string): SessionPatient {
  return { patientId: `p-${i}`, wardId: 'ward-a', bedId: `bed-${i}` };
}

export function makeModel(seed: string, episodes: readonly ClinicalEpisode[] = [], overrides?: ProfileOverrides): PatientModel {
  const rng = new Rng(seed);
  return createPatientModel({ patient: patientOf(seed), profile: drawProfile(rng.fork('profile'), overrides), rng, episodes });
}

export type Key = 'hr' | 'spo2' | 'rr' | 'sbp' | 'dbp' | 'map' | 'temp';
export const KEYS: readonly Key[] = ['hr', 'spo2', 'rr', 'sbp', 'dbp', 'map', 'temp'];

/** States at from, from + step, … up to `to` inclusive. */
export function run(model: PatientModel, from: number, to: number, stepMs: number): Array<{ t: number; s: TrueState }> {
  const out: Array<{ t: number; s: TrueState }> = [];
  for (let t = from; t <= to; t += stepMs) out.push({ t, s: model.at(t) });
  return out;
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function sd(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

export function slope(xs: readonly number[], ys: readonly number[]): number {
  const mx = mean(xs), my = mean(ys);
  let sxy = 0, sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  return sxy / sxx;
}

export function correlation(xs: readonly number[], ys: readonly number[]): number {
  return (slope(xs, ys) * sd(xs)) / sd(ys);
}

/** Mean of a vital over the samples with t in [from, to]. */
export function windowMean(series: ReadonlyArray<{ t: number; s: TrueState }>, key: Key, from: number, to: number): number {
  return mean(series.filter((x) => x.t >= from && x.t <= to).map((x) => x.s[key]));
}
