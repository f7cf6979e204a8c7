/**
 * A patient's true state over event time:
 *
 *   baseline (demographics.ts) + circadian rhythm + slow Ornstein–Uhlenbeck drift + activity bouts
 *   → clinical episodes (scenarios/library.ts) → couplings (couplings.ts) → respiratory sinus arrhythmia → clamps
 *
 * Deterministic for a seed and a sequence of call times, at any cadence (1 Hz numerics, 250 Hz waveforms,
 * irregular): the drift uses the exact OU discretisation over the actual interval, breathing advances by
 * rr/60 × dt, and activity bouts are scheduled on their own clock, not per call. Local time is taken as UTC.
 */
import type { SessionPatient } from '@vigil/contracts';
import type { PatientModel, PatientProfile, TrueState } from '../model.ts';
import type { Rng } from '../rng.ts';
import type { ClinicalEpisode } from '../scenarios/library.ts';
import { applyCouplings, createCouplingContext, resetCouplingContext, type CouplingReference } from './couplings.ts';

export interface PatientModelOptions {
  patient: SessionPatient;
  profile: PatientProfile;
  /** The patient's own stream; the model forks 'drift', 'breath' and 'activity' from it. */
  rng: Rng;
  episodes?: readonly ClinicalEpisode[];
}

/**
 * Circadian half-amplitudes (peak minus mean), nadir at 04:00 and peak at 16:00 local time. Core temperature
 * swings ~0.5–1 °C peak to trough with its minimum in the early morning (Refinetti & Menaker 1992, Physiol Behav
 * 51:613); heart rate and blood pressure fall at night (ambulatory "dipping", ~10 % systolic), blunted in hospital
 * patients whose sleep is disturbed: ±5 /min, ±5/±3 mmHg. RR varies little: ±0.5 /min.
 */
export const CIRCADIAN = { nadirHour: 4, hr: 5, sbp: 5, dbp: 3, rr: 0.5, temp: 0.3 } as const;

/**
 * Ornstein–Uhlenbeck drift per vital: stationary sd and correlation time τ (design choices giving minute-to-hour
 * wander of the size seen in resting ward series). Order: hr, spo2, rr, sbp, dbp, temp. Diastolic also follows
 * half of the systolic drift (the two move together).
 */
export const DRIFT = {
  sd: [3, 0.5, 1, 5, 2.5, 0.1],
  tauS: [300, 120, 180, 600, 600, 3600],
  dbpFollowsSbp: 0.5,
} as const;

/**
 * Activity of a bed-bound patient: mostly still, with short bouts (turning, sitting up, washing) that raise HR by
 * 5–15 /min. Bouts arrive as a Poisson process of up to 0.75 per hour in the afternoon, a fifth of that at 04:00.
 */
export const ACTIVITY = {
  maxPerHour: 0.75,
  nightFactor: 0.2,
  durationS: [30, 300],
  intensityG: [0.05, 0.4],
  hr: [5, 15],
  rr: [1, 4],
  sbp: [3, 8],
  /** Ramp in and out, s. */
  rampS: 15,
} as const;

/** Physiological limits of a living patient; beyond them a value is a fault, not a state. */
export const LIMITS = {
  hr: [20, 250], spo2: [50, 100], rr: [3, 60], sbp: [40, 260], dbp: [20, 200], temp: [32, 43],
} as const;

/** RSA half-amplitude, /min: ~4 in young adults, falling with age (vagal tone), 1.5 at least; per-patient ±20 %. */
function rsaAmplitude(age: number): number {
  return Math.max(1.5, 4 - 0.03 * (age - 18));
}

const TWO_PI = 2 * Math.PI;
const HOUR_MS = 3_600_000;

const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

export function createPatientModel(options: PatientModelOptions): PatientModel {
  const { patient, profile } = options;
  const episodes = options.episodes ?? [];
  const nEpisodes = episodes.length;
  const b = profile.baseline;
  const driftRng = options.rng.fork('drift');
  const breathRng = options.rng.fork('breath');
  const activityRng = options.rng.fork('activity');

  const rsaAmp = rsaAmplitude(profile.age) * breathRng.uniform(0.8, 1.2);
  let phase = breathRng.next();

  // OU state and coefficients for the last dt (recomputed only when dt changes: a fixed cadence pays no exp()).
  const drift = new Float64Array(6);
  const decay = new Float64Array(6);
  const kick = new Float64Array(6);
  let coefDt = -1;
  let lastT = Number.NaN;
  let lastRr = b.rr;

  // Activity bout in progress (or the last one) and the next candidate arrival (thinning of a Poisson process).
  const meanGapMs = HOUR_MS / ACTIVITY.maxPerHour;
  let nextCandidate = Number.NaN;
  let boutStart = -Infinity, boutEnd = -Infinity, boutG = 0, boutHr = 0, boutRr = 0, boutSbp = 0;

  const before: CouplingReference = { temp: 0, map: 0 };
  const ctx = createCouplingContext();

  /** −1 at 04:00, +1 at 16:00 (UTC hours of t). */
  function circadian(t: number): number {
    return -Math.cos((TWO_PI * ((t / HOUR_MS) - CIRCADIAN.nadirHour)) / 24);
  }

  function scheduleActivity(t: number): void {
    while (nextCandidate <= t) {
      const c = nextCandidate;
      nextCandidate = c - meanGapMs * Math.log(1 - activityRng.next());
      if (c < boutEnd) continue;
      const rate = 1 - (1 - ACTIVITY.nightFactor) * (1 - circadian(c)) / 2;
      if (activityRng.next() >= rate) continue;
      const k = activityRng.next();
      boutStart = c;
      boutEnd = c + 1000 * activityRng.uniform(ACTIVITY.durationS[0], ACTIVITY.durationS[1]);
      boutG = ACTIVITY.intensityG[0] + k * (ACTIVITY.intensityG[1] - ACTIVITY.intensityG[0]);
      boutHr = ACTIVITY.hr[0] + k * (ACTIVITY.hr[1] - ACTIVITY.hr[0]);
      boutRr = ACTIVITY.rr[0] + k * (ACTIVITY.rr[1] - ACTIVITY.rr[0]);
      boutSbp = ACTIVITY.sbp[0] + k * (ACTIVITY.sbp[1] - ACTIVITY.sbp[0]);
    }
  }

  function at(t: number): TrueState {
    if (Number.isNaN(lastT)) {
      // Start in the stationary distribution of the drift, so the first hour looks like every other.
      for (let i = 0; i < 6; i++) drift[i] = DRIFT.sd[i]! * driftRng.normal();
      nextCandidate = t - meanGapMs * Math.log(1 - activityRng.next());
      lastT = t;
    }
    // Calls earlier than the last one (two consumers slightly out of step) see the deterministic parts at their own
    // time but advance nothing.
    const dtS = t > lastT ? (t - lastT) / 1000 : 0;
    const stale = t < lastT;
    if (dtS > 0) {
      lastT = t;
      if (dtS !== coefDt) {
        coefDt = dtS;
        for (let i = 0; i < 6; i++) {
          // Exact OU update: x' = x·e^(−dt/τ) + sd·sqrt(1 − e^(−2dt/τ))·N(0,1)
          const e = Math.exp(-dtS / DRIFT.tauS[i]!);
          decay[i] = e;
          kick[i] = DRIFT.sd[i]! * Math.sqrt(1 - e * e);
        }
      }
      for (let i = 0; i < 6; i++) drift[i] = drift[i]! * decay[i]! + kick[i]! * driftRng.normal();
      phase += (lastRr / 60) * dtS;
      phase -= Math.floor(phase);
      scheduleActivity(t);
    }

    const c = circadian(t);
    let act = 0;
    if (t >= boutStart && t < boutEnd) {
      const rampMs = ACTIVITY.rampS * 1000;
      act = Math.min(1, (t - boutStart) / rampMs, (boutEnd - t) / rampMs);
    }
    const sbp0 = b.sbp + CIRCADIAN.sbp * c + drift[3]! + boutSbp * act;
    const dbp0 = b.dbp + CIRCADIAN.dbp * c + drift[4]! + DRIFT.dbpFollowsSbp * drift[3]!;
    const state: TrueState = {
      hr: b.hr + CIRCADIAN.hr * c + drift[0]! + boutHr * act,
      spo2: b.spo2 + drift[1]!,
      rr: b.rr + CIRCADIAN.rr * c + drift[2]! + boutRr * act,
      sbp: sbp0,
      dbp: dbp0,
      map: 0,
      temp: b.temp + CIRCADIAN.temp * c + drift[5]!,
      activity: boutG * act,
      breathPhase: phase,
    };

    let rsaGain = 1;
    if (nEpisodes > 0) {
      before.temp = state.temp;
      before.map = dbp0 + (sbp0 - dbp0) / 3;
      resetCouplingContext(ctx);
      for (let i = 0; i < nEpisodes; i++) episodes[i]!.apply(t, state, ctx);
      applyCouplings(state, before, ctx);
      rsaGain = ctx.rsa;
    }

    const rr = clamp(state.rr, LIMITS.rr[0], LIMITS.rr[1]);
    // Respiratory sinus arrhythmia: HR highest in mid-inspiration (phase 0.25). Its amplitude falls as breathing
    // gets faster (Hirsch & Bishop 1981, Am J Physiol 241:H620): scaled by 15/rr, within 0.3–1.3.
    const rsaRate = clamp(15 / rr, 0.3, 1.3);
    state.hr = clamp(state.hr + rsaGain * rsaAmp * rsaRate * Math.sin(TWO_PI * phase), LIMITS.hr[0], LIMITS.hr[1]);
    state.rr = rr;
    if (!stale) lastRr = rr;
    state.spo2 = clamp(state.spo2, LIMITS.spo2[0], LIMITS.spo2[1]);
    state.sbp = clamp(state.sbp, LIMITS.sbp[0], LIMITS.sbp[1]);
    state.dbp = clamp(state.dbp, LIMITS.dbp[0], state.sbp - 10);
    state.map = state.dbp + (state.sbp - state.dbp) / 3;
    state.temp = clamp(state.temp, LIMITS.temp[0], LIMITS.temp[1]);
    return state;
  }

  return {
    patient,
    profile,
    at,
    truth: () => episodes.flatMap((e) => e.truths.map((r) => ({ ...r, affected: [...r.affected] }))),
  };
}
