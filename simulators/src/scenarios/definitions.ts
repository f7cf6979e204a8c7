/**
 * The scenario definitions: per clinical type, its phase durations and the components of its effect at full
 * severity, with the clinical reasoning behind each number. library.ts turns a definition into an episode.
 */
import { CLINICAL_EVENT_TYPES, type GroundTruthEvent } from '@vigil/contracts';
import type { CouplingContext } from '../physiology/couplings.ts';
import type { Rng } from '../rng.ts';

export type ClinicalEventType = (typeof CLINICAL_EVENT_TYPES)[number];
export type DeteriorationType = Exclude<ClinicalEventType, 'recovery'>;
export type Severity = GroundTruthEvent['severity'];
export type ClinicalTruth = Omit<GroundTruthEvent, 'id'>;
export type Vital = 'hr' | 'spo2' | 'rr' | 'sbp' | 'dbp' | 'temp';
export type Range = readonly [number, number];

export const DETERIORATION_TYPES = CLINICAL_EVENT_TYPES.filter((t): t is DeteriorationType => t !== 'recovery');

/** Durations of the three phases, ms: onset → peak, peak → improvement begins, improvement → back at baseline. */
export interface EpisodeTiming {
  rampMs: number;
  holdMs: number;
  recoveryMs: number;
}

export interface Component {
  vital: Vital;
  /** Change at full effect of a severe episode; milder ones are scaled by SEVERITY_SCALE. */
  offset?: number;
  /** Or an absolute level reached at full effect, drawn from the range for the severity. */
  target?: Record<Severity, Range>;
  /** Share of the onset→peak ramp over which this component develops (default all of it). */
  during?: Range;
}

export interface ScenarioDefinition {
  timing: { rampMs: Range; holdMs: Range; recoveryMs: Range };
  components: readonly Component[];
  /** Coupling modifiers at full effect (couplings.ts). */
  context?: Partial<CouplingContext>;
  /** Beat-to-beat irregularity of HR at full effect, as a fraction of the rate. */
  irregular?: number;
  label: string;
}

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

/** Offsets are designed for a severe episode; mild and moderate ones are scaled down. */
export const SEVERITY_SCALE: Record<Severity, number> = { mild: 0.4, moderate: 0.7, severe: 1 };
/** Severity mix when none is given (design choice: most deteriorations seen on a ward are mild or moderate). */
export const SEVERITY_WEIGHTS: ReadonlyArray<[Severity, number]> = [['mild', 0.35], ['moderate', 0.4], ['severe', 0.25]];

/**
 * Effects at full severity, before couplings. The comments give the total at the peak on a nominal patient
 * (HR 75, RR 16, SpO2 97.5, BP 125/75, T 36.8) once the couplings are added.
 */
export const SCENARIOS: Readonly<Record<DeteriorationType, ScenarioDefinition>> = {
  // Sepsis develops over hours (Sepsis-3 qSOFA signs: RR ≥ 22, SBP ≤ 100): fever and tachycardia first, then
  // tachypnoea, vasodilatory hypotension and a mild fall in saturation. Severe: T 39.0, HR ~130, RR ~27, SBP ~90.
  sepsis: {
    timing: { rampMs: [4 * H, 8 * H], holdMs: [1 * H, 3 * H], recoveryMs: [4 * H, 8 * H] },
    components: [
      { vital: 'temp', offset: 2.2, during: [0, 0.6] },
      { vital: 'hr', offset: 15, during: [0, 0.7] },
      { vital: 'rr', offset: 8, during: [0.1, 0.9] },
      { vital: 'sbp', offset: -35, during: [0.3, 1] },
      { vital: 'dbp', offset: -20, during: [0.3, 1] },
      { vital: 'spo2', offset: -3, during: [0.4, 1] },
    ],
    label: 'sepsis',
  },
  // Type 1 respiratory failure over 1–3 h: saturation falls, rate rises, work of breathing raises HR.
  // Severe: SpO2 ~86, RR ~30, HR ~90.
  respiratory_failure: {
    timing: { rampMs: [1 * H, 3 * H], holdMs: [30 * MIN, 90 * MIN], recoveryMs: [1 * H, 3 * H] },
    components: [
      { vital: 'spo2', offset: -11 },
      { vital: 'rr', offset: 10, during: [0, 0.8] },
      { vital: 'hr', offset: 8, during: [0.2, 1] },
    ],
    label: 'respiratory failure',
  },
  // Fever rises over 1–2 h; only temperature is set, HR (+10 /°C) and RR follow through the couplings.
  // Severe: T ~39.3, HR ~100.
  fever: {
    timing: { rampMs: [1 * H, 2 * H], holdMs: [1 * H, 4 * H], recoveryMs: [1 * H, 3 * H] },
    components: [{ vital: 'temp', offset: 2.5 }],
    label: 'fever',
  },
  // Acute hypoxaemia over minutes (mucus plug, aspiration, PE, displaced oxygen); RR and HR follow by chemoreflex.
  // Severe: SpO2 ~84, RR ~22, HR ~86.
  hypoxaemia: {
    timing: { rampMs: [1 * MIN, 5 * MIN], holdMs: [5 * MIN, 30 * MIN], recoveryMs: [3 * MIN, 10 * MIN] },
    components: [{ vital: 'spo2', offset: -14 }],
    label: 'acute hypoxaemia',
  },
  // Haemorrhage over 10–30 min (ATLS classes of shock): catecholamine tachycardia early, pressure falls late when
  // compensation fails; baroreflex adds HR as MAP falls. Severe (class III): SBP ~85, HR ~120, RR ~20.
  haemorrhage: {
    timing: { rampMs: [10 * MIN, 30 * MIN], holdMs: [10 * MIN, 30 * MIN], recoveryMs: [20 * MIN, 60 * MIN] },
    components: [
      { vital: 'hr', offset: 25, during: [0, 0.6] },
      { vital: 'sbp', offset: -40, during: [0.3, 1] },
      { vital: 'dbp', offset: -25, during: [0.3, 1] },
      { vital: 'rr', offset: 4, during: [0.3, 1] },
    ],
    label: 'haemorrhage / hypotension',
  },
  // Opioid-induced ventilatory impairment over 10–20 min: rate falls first, saturation follows, HR and BP drift down
  // (vagal, histamine); the hypoxic drive is blunted, so desaturation barely raises RR. Naloxone reverses in minutes.
  opioid_respiratory_depression: {
    timing: { rampMs: [10 * MIN, 20 * MIN], holdMs: [10 * MIN, 30 * MIN], recoveryMs: [2 * MIN, 5 * MIN] },
    components: [
      { vital: 'rr', target: { mild: [8.5, 10], moderate: [6.5, 8], severe: [5, 6.5] }, during: [0, 0.7] },
      { vital: 'spo2', offset: -12, during: [0.3, 1] },
      { vital: 'hr', offset: -6, during: [0.2, 1] },
      { vital: 'sbp', offset: -8, during: [0.2, 1] },
    ],
    context: { chemoreflex: 0.1 },
    label: 'opioid respiratory depression',
  },
  // New atrial fibrillation with rapid ventricular response: within seconds, irregular, no RSA, rate set by the AV
  // node rather than the sinus reflexes; shorter filling lowers systolic pressure.
  tachyarrhythmia: {
    timing: { rampMs: [2 * S, 10 * S], holdMs: [10 * MIN, 60 * MIN], recoveryMs: [5 * S, 30 * S] },
    components: [
      { vital: 'hr', target: { mild: [125, 135], moderate: [135, 155], severe: [155, 180] } },
      { vital: 'sbp', offset: -15 },
      { vital: 'dbp', offset: -8 },
    ],
    context: { chronotropy: 0, rsa: 0 },
    irregular: 0.2,
    label: 'new tachyarrhythmia (AF-like)',
  },
  // Bradycardia (high-grade AV block, sinus arrest with escape) within a minute; cardiac output and BP fall.
  bradycardia: {
    timing: { rampMs: [10 * S, 60 * S], holdMs: [5 * MIN, 30 * MIN], recoveryMs: [10 * S, 60 * S] },
    components: [
      { vital: 'hr', target: { mild: [42, 48], moderate: [36, 42], severe: [30, 36] } },
      { vital: 'sbp', offset: -20 },
      { vital: 'dbp', offset: -10 },
    ],
    context: { chronotropy: 0, rsa: 0.3 },
    label: 'bradycardia',
  },
};

/** Draw the phase durations of a type from its ranges (three draws, always). */
export function drawTiming(type: DeteriorationType, rng: Rng): EpisodeTiming {
  const t = SCENARIOS[type].timing;
  return {
    rampMs: Math.round(rng.uniform(t.rampMs[0], t.rampMs[1])),
    holdMs: Math.round(rng.uniform(t.holdMs[0], t.holdMs[1])),
    recoveryMs: Math.round(rng.uniform(t.recoveryMs[0], t.recoveryMs[1])),
  };
}

export function drawSeverity(rng: Rng): Severity {
  let u = rng.next();
  for (const [severity, weight] of SEVERITY_WEIGHTS) {
    if (u < weight) return severity;
    u -= weight;
  }
  return 'moderate';
}
