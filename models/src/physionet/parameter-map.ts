/**
 * Which PhysioNet 2012 parameters become catalogue vitals (contracts/src/vitals.ts), and what happens to values the
 * monitor would not have passed on. Units are the challenge's (physionet.org/content/challenge-2012, "Time series");
 * each is checked against the catalogue's UCUM unit when this module loads, so a catalogue change that breaks the
 * mapping fails every test instead of silently rescaling data.
 */
import {
  isPlausible,
  VITALS,
  type Consciousness,
  type SampleQuality,
  type VitalCode,
} from '@vigil/contracts';

/** Which device a value comes from; it names the sample's deviceId (physionet-<RecordID>-<source>). */
export type PhysioNetSource = 'invasive' | 'cuff' | 'monitor';

interface MappedParameter {
  code: VitalCode;
  /** The challenge's unit, in UCUM. */
  ucum: string;
  source: PhysioNetSource;
}

/** Parameters carried as vitals. Invasive and non-invasive pressures stay apart: features.ts prefers the line. */
export const PARAMETER_MAP: Readonly<Record<string, MappedParameter>> = Object.freeze({
  HR: { code: 'hr', ucum: '/min', source: 'monitor' }, // "Heart rate (bpm)"
  RespRate: { code: 'rr', ucum: '/min', source: 'monitor' }, // "Respiration rate (bpm)"
  Temp: { code: 'temp', ucum: 'Cel', source: 'monitor' }, // "Temperature (°C)", core (not skin)
  SysABP: { code: 'abpSys', ucum: 'mm[Hg]', source: 'invasive' }, // "Invasive systolic arterial blood pressure (mmHg)"
  DiasABP: { code: 'abpDia', ucum: 'mm[Hg]', source: 'invasive' },
  MAP: { code: 'abpMean', ucum: 'mm[Hg]', source: 'invasive' },
  NISysABP: { code: 'nibpSys', ucum: 'mm[Hg]', source: 'cuff' }, // "Non-invasive systolic arterial blood pressure (mmHg)"
  NIDiasABP: { code: 'nibpDia', ucum: 'mm[Hg]', source: 'cuff' },
  NIMAP: { code: 'nibpMean', ucum: 'mm[Hg]', source: 'cuff' },
});

for (const [parameter, m] of Object.entries(PARAMETER_MAP)) {
  if (VITALS[m.code].ucum !== m.ucum) {
    throw new Error(`parameter-map: PhysioNet ${parameter} is in ${m.ucum} but catalogue ${m.code} is in ${VITALS[m.code].ucum}`);
  }
}

/**
 * Parameters kept beside the vitals, never mapped to one:
 * - SaO2 is arterial saturation from a blood gas (co-oximetry), sparse and drawn on clinical suspicion; SpO2 is the
 *   continuous pulse-oximetry estimate. They differ in method, timing and error, and the catalogue has no arterial
 *   saturation code, so SaO2 is never `spo2`.
 * - GCS (3–15) is the only consciousness information in the data (see consciousnessFromGcs).
 */
export const ASIDE_PARAMETERS = Object.freeze({
  SaO2: { ucum: '%', min: 0, max: 100 }, // "O2 saturation in hemoglobin (%)"
  GCS: { ucum: '{score}', min: 3, max: 15 }, // "Glasgow Coma Score (3-15)"
});
export type AsideParameter = keyof typeof ASIDE_PARAMETERS;

/** Why a value was dropped (never reaches a sample) or kept with quality 'artifact'. */
export const DROP_REASONS = ['implausible'] as const;
export type DropReason = (typeof DROP_REASONS)[number];
export const ARTIFACT_REASONS = ['zero'] as const;
export type ArtifactReason = (typeof ARTIFACT_REASONS)[number];

/** Rates and pressures whose 0 is the data's marker of a failed or absent reading, not a patient state. */
const ZERO_IS_ARTIFACT: ReadonlySet<VitalCode> = new Set(['hr', 'rr', 'abpSys', 'abpDia', 'abpMean', 'nibpSys', 'nibpDia', 'nibpMean']);

export type ValueVerdict =
  | { kind: 'vital'; code: VitalCode; source: PhysioNetSource; value: number; quality: SampleQuality; artifact?: ArtifactReason }
  | { kind: 'dropped'; code: VitalCode; reason: DropReason }
  | { kind: 'aside'; parameter: AsideParameter; value: number }
  | { kind: 'aside-dropped'; parameter: AsideParameter; reason: DropReason }
  | { kind: 'unmapped' };

/**
 * What one PhysioNet value becomes.
 * - Outside the catalogue's plausible range (negative pressures, Temp −17.8 or 2.3 °C): dropped, as the edge rejects
 *   such a value (PM_ERR_VITAL_IMPLAUSIBLE) before any detector sees it. No unit is guessed (a Temp of 2.3 is not
 *   "probably Fahrenheit").
 * - Exactly 0 for HR, RR or a pressure: inside the catalogue range but the data's failed-reading value (cleaning rules
 *   of the challenge data, github.com/alistairewj/challenge2012: HR, RR and pressures < 1 treated as missing), kept
 *   with quality 'artifact' so windows count it (n, goodShare) while statistics and alarms ignore it, as they ignore
 *   a monitor's artifact flag.
 */
export function classifyValue(parameter: string, value: number): ValueVerdict {
  const mapped = PARAMETER_MAP[parameter];
  if (mapped) {
    if (!isPlausible(mapped.code, value)) return { kind: 'dropped', code: mapped.code, reason: 'implausible' };
    if (value === 0 && ZERO_IS_ARTIFACT.has(mapped.code)) {
      return { kind: 'vital', code: mapped.code, source: mapped.source, value, quality: 'artifact', artifact: 'zero' };
    }
    return { kind: 'vital', code: mapped.code, source: mapped.source, value, quality: 'good' };
  }
  if (parameter === 'SaO2' || parameter === 'GCS') {
    const range = ASIDE_PARAMETERS[parameter];
    // SaO2 of 0 is no more a patient state than an HR of 0; GCS has no 0.
    if (!(value >= range.min && value <= range.max) || (parameter === 'SaO2' && value === 0)) {
      return { kind: 'aside-dropped', parameter, reason: 'implausible' };
    }
    return { kind: 'aside', parameter, value };
  }
  return { kind: 'unmapped' };
}

/**
 * ACVPU from a GCS total: an ASSUMPTION, not a validated conversion. GCS 15 is alert and anything lower is not
 * (NEWS2 scores every non-alert level 3, so only that split moves a score). Levels below follow the published
 * correspondences (McNarry & Goldhill, Anaesthesia 2004;59:34-37: V ≈ GCS 13, P ≈ GCS 8, U ≈ GCS 3); GCS 14 is
 * called new confusion (verbal score 4 is "confused"). Sedated, ventilated ICU patients score low without being
 * unwell in the NEWS2 sense, so callers opt in (buildPhysioNetDataset `consciousnessFromGcs`).
 */
export function consciousnessFromGcs(gcs: number): Consciousness {
  if (gcs >= 15) return 'alert';
  if (gcs >= 14) return 'confusion';
  if (gcs >= 9) return 'voice';
  if (gcs >= 4) return 'pain';
  return 'unresponsive';
}
