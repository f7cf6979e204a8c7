/**
 * Demographic profile and resting baselines of a simulated adult inpatient.
 *
 * Each baseline is a linear function of age and sex plus a normal between-patient spread, truncated (by redrawing,
 * not clamping, so no mass piles up at the bounds) to a band inside the NEWS2 zero-point band (CLINICAL.md) with
 * room left for the circadian swing and drift of patient-model.ts: a stable patient scores 0 most of the time.
 * Numbers are rounded population figures; where a figure is a design choice rather than a citation, it says so.
 */
import type { PatientProfile } from '../model.ts';
import type { Rng } from '../rng.ts';

export type Baseline = PatientProfile['baseline'];
export type Sex = PatientProfile['sex'];

export interface ProfileOverrides {
  age?: number;
  sex?: Sex;
  weightKg?: number;
  /** Fixed baseline values (map is always derived from sbp and dbp). */
  baseline?: Partial<Omit<Baseline, 'map'>>;
}

/** Truncation bands of the drawn values. NEWS2 zero-point bands: HR 51–90, RR 12–20, SpO2 ≥ 96, SBP 111–219, T 36.1–38.0. */
export const PROFILE_BOUNDS = {
  age: { min: 18, max: 95 },
  weightKg: { min: 40, max: 180 },
  // Circadian ±5 /min, RSA ±2–4 and drift sd 3 (patient-model.ts) stay mostly inside 51–90 from here.
  hr: { min: 56, max: 85 },
  // Drift sd 1 and circadian ±0.5 around 13–19 stay mostly inside 12–20.
  rr: { min: 13, max: 19 },
  // Drift sd 0.5: a floor of 96.3 keeps a stable patient at ≥ 96 most of the time (SpO2 ≤ 95 scores 1).
  spo2: { min: 96.3, max: 99.5 },
  // Circadian ±5 and drift sd 5 from 115 rarely reach 110 (scores 1).
  sbp: { min: 115, max: 175 },
  dbp: { min: 55, max: 95 },
  // Circadian ±0.3 °C from 36.4 reaches 36.1 at 04:00 at most.
  temp: { min: 36.4, max: 37.4 },
} as const;

/**
 * Design means and spreads, before truncation. Truncation narrows the realised spreads and flattens the slopes;
 * realised over 20 000 draws (mean ± sd): age 64 ± 15 (48 % over 65), HR 75 ± 6 (women +2), RR 16 ± 1.4,
 * SpO2 97.4 ± 0.7, SBP 136 ± 13 (+0.34 mmHg/year), DBP 77 ± 8, MAP 97 ± 8, T 36.7 ± 0.2. The tests check these.
 */
export const PROFILE_MODEL = {
  // Acute medical wards and ICUs are dominated by older adults: a design choice of mean 66, sd 17, 18–95,
  // which puts about half of the patients over 65 (UK acute admissions and ICU case-mix reports say much the same).
  age: { mean: 66, sd: 17 },
  // Roughly even split of adult admissions by sex.
  femaleFraction: 0.5,
  // Health Survey for England 2019, adults: mean weight about 85 kg (men) and 72 kg (women), sd about 15.
  weightKg: { male: 85, female: 72, sd: 15 },
  // NHANES 1999–2008 (Ostchega et al. 2011, NHSR 41): adult resting pulse ~72 /min, women ~3 /min higher; resting
  // rate falls slightly with age. Inpatients run a few beats higher (pain, illness): mean 76 at 60 years.
  hr: { at60: 76, female: 3, perYear: -0.1, sd: 8 },
  // Adult resting 12–20 /min (NEWS2 zero band); ward observation series centre on 16–18. Slight rise with age.
  rr: { at60: 16, perYear: 0.02, sd: 1.8 },
  // Healthy adults 96–99 %; arterial saturation falls slightly with age (Crapo et al. 1999 reference gases).
  spo2: { at50: 97.6, perYear: -0.025, sd: 0.8 },
  // Framingham (Franklin et al. 1997, Circulation 96:308): systolic rises about linearly with age, ~0.5 mmHg/year;
  // men a few mmHg higher. Diastolic rises to a plateau at ~50–60 years and then falls (pulse pressure widens).
  sbp: { at50: 124, perYear: 0.5, male: 3, sd: 14 },
  dbp: { peak: 79, peakAge: 52, perYear2: -0.008, sbpSlope: 0.4, sd: 6 },
  // Obermeyer et al. 2017 (BMJ 359:j5468): mean oral temperature 36.6 °C, lower in older patients; women slightly
  // higher. Core (what this model emits) runs ~0.1–0.2 °C above oral: mean 36.7 °C at 50.
  temp: { at50: 36.7, perYear: -0.004, female: 0.05, sd: 0.2 },
} as const;

/** A normal draw truncated to [min, max] by redrawing (at most 64 times, then clamped). */
function truncatedNormal(rng: Rng, mean: number, sd: number, min: number, max: number): number {
  for (let i = 0; i < 64; i++) {
    const x = rng.normal(mean, sd);
    if (x >= min && x <= max) return x;
  }
  return Math.min(max, Math.max(min, mean));
}

const round = (x: number, decimals: number): number => {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
};

/** Mean arterial pressure from systolic and diastolic (one third of the pulse pressure above diastolic). */
export function meanArterialPressure(sbp: number, dbp: number): number {
  return dbp + (sbp - dbp) / 3;
}

/**
 * Draw a patient from `rng` (deterministic for a given rng state and overrides). Baseline values depend on the final
 * age and sex, so overriding those shifts the baselines as the population model says.
 */
export function drawProfile(rng: Rng, overrides: ProfileOverrides = {}): PatientProfile {
  const m = PROFILE_MODEL;
  const b = PROFILE_BOUNDS;
  const drawnAge = Math.round(truncatedNormal(rng, m.age.mean, m.age.sd, b.age.min, b.age.max));
  const drawnSex: Sex = rng.next() < m.femaleFraction ? 'female' : 'male';
  const age = overrides.age ?? drawnAge;
  const sex = overrides.sex ?? drawnSex;
  const female = sex === 'female' ? 1 : 0;

  const weightMean = female ? m.weightKg.female : m.weightKg.male;
  const drawnWeight = round(truncatedNormal(rng, weightMean, m.weightKg.sd, b.weightKg.min, b.weightKg.max), 1);

  const hr = truncatedNormal(rng, m.hr.at60 + m.hr.female * female + m.hr.perYear * (age - 60), m.hr.sd, b.hr.min, b.hr.max);
  const rr = truncatedNormal(rng, m.rr.at60 + m.rr.perYear * (age - 60), m.rr.sd, b.rr.min, b.rr.max);
  const spo2 = truncatedNormal(rng, m.spo2.at50 + m.spo2.perYear * (age - 50), m.spo2.sd, b.spo2.min, b.spo2.max);
  const sbpMean = m.sbp.at50 + m.sbp.perYear * (age - 50) + m.sbp.male * (1 - female);
  const sbp = overrides.baseline?.sbp ?? truncatedNormal(rng, sbpMean, m.sbp.sd, b.sbp.min, b.sbp.max);
  // (An overridden systolic also moves the diastolic draw, through the correlation below.)
  // Diastolic follows its own age curve plus part of the patient's systolic deviation (correlation ~0.7), and
  // keeps a pulse pressure of at least 25 mmHg.
  const dbpMean = m.dbp.peak + m.dbp.perYear2 * (age - m.dbp.peakAge) ** 2 + m.dbp.sbpSlope * (sbp - sbpMean);
  const dbp = truncatedNormal(rng, dbpMean, m.dbp.sd, b.dbp.min, Math.min(b.dbp.max, sbp - 25));
  const temp = truncatedNormal(rng, m.temp.at50 + m.temp.perYear * (age - 50) + m.temp.female * female, m.temp.sd, b.temp.min, b.temp.max);

  const o = overrides.baseline ?? {};
  const baseline = {
    hr: o.hr ?? hr,
    spo2: o.spo2 ?? spo2,
    rr: o.rr ?? rr,
    sbp,
    dbp: o.dbp ?? dbp,
    map: 0,
    temp: o.temp ?? temp,
  };
  baseline.map = meanArterialPressure(baseline.sbp, baseline.dbp);
  return { age, sex, weightKg: overrides.weightKg ?? drawnWeight, baseline };
}
