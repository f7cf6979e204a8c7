/**
 * The vitals catalogue: every numeric the platform carries, with its codes, units and plausible range.
 *
 * Codes are from the project's clinical reference (shared/design/CLINICAL.md):
 * LOINC for the observation, IEEE 11073-10101 (MDC) for the device nomenclature, UCUM for units.
 * @see https://loinc.org  @see https://ucum.org
 */
import { z } from 'zod';

export const VITAL_CODES = [
  'hr',
  'spo2',
  'rr',
  'abpSys',
  'abpDia',
  'abpMean',
  'nibpSys',
  'nibpDia',
  'nibpMean',
  'temp',
  'skinTemp',
  'activity',
  'battery',
  'sao2',
] as const;

export const VitalCode = z.enum(VITAL_CODES);
export type VitalCode = z.infer<typeof VitalCode>;

export const MdcCode = z.object({
  /** Numeric code, partition × 2^16 + term code. */
  code: z.number().int().positive(),
  /** Reference identifier, e.g. MDC_ECG_HEART_RATE. */
  ref: z.string().regex(/^MDC_[A-Z0-9_]+$/),
});
export type MdcCode = z.infer<typeof MdcCode>;

export const VitalDefinition = z.object({
  code: VitalCode,
  label: z.string(),
  shortLabel: z.string(),
  /** LOINC code, or null where LOINC has no code for the measurement (e.g. accelerometer activity). */
  loinc: z.string().regex(/^\d{1,7}-\d$/).nullable(),
  mdc: MdcCode.nullable(),
  /** Other MDC codes that carry the same vital from another source. */
  mdcAlternatives: z.array(MdcCode.extend({ when: z.string() })),
  ucum: z.string(),
  displayUnit: z.string(),
  decimals: z.number().int().min(0).max(3),
  /**
   * Physiologically possible range: a value outside it is not a patient state but a device or transmission
   * fault, and is rejected at the edge. Deliberately wide; alarm limits are a separate, much narrower thing.
   */
  plausible: z.object({ min: z.number(), max: z.number() }),
  /** Adult normal range, for display shading and simulator baselines. */
  normal: z.object({ min: z.number(), max: z.number() }),
  group: z.enum(['cardiac', 'respiratory', 'pressure', 'temperature', 'device']),
});
export type VitalDefinition = z.infer<typeof VitalDefinition>;

const mdc = (code: number, ref: string): MdcCode => ({ code, ref });

// Blood-pressure LOINC codes (8480-6 systolic, 8462-4 diastolic, 8478-0 mean) are shared by the invasive and
// non-invasive numerics; MDC tells them apart (CLINICAL.md, vital-sign codes).
const definitions: VitalDefinition[] = [
  {
    code: 'hr', label: 'Heart rate', shortLabel: 'HR', loinc: '8867-4',
    mdc: mdc(147842, 'MDC_ECG_HEART_RATE'),
    mdcAlternatives: [{ ...mdc(149530, 'MDC_PULS_OXIM_PULS_RATE'), when: 'pulse rate from a pulse oximeter' }],
    ucum: '/min', displayUnit: 'bpm', decimals: 0,
    plausible: { min: 0, max: 350 }, normal: { min: 51, max: 90 }, group: 'cardiac',
  },
  {
    code: 'spo2', label: 'SpO\u2082', shortLabel: 'SpO\u2082', loinc: '59408-5',
    mdc: mdc(150456, 'MDC_PULS_OXIM_SAT_O2'), mdcAlternatives: [],
    ucum: '%', displayUnit: '%', decimals: 0,
    plausible: { min: 0, max: 100 }, normal: { min: 96, max: 100 }, group: 'respiratory',
  },
  {
    code: 'rr', label: 'Respiratory rate', shortLabel: 'RR', loinc: '9279-1',
    mdc: mdc(151562, 'MDC_RESP_RATE'), mdcAlternatives: [],
    ucum: '/min', displayUnit: '/min', decimals: 0,
    plausible: { min: 0, max: 120 }, normal: { min: 12, max: 20 }, group: 'respiratory',
  },
  {
    code: 'abpSys', label: 'Arterial systolic BP', shortLabel: 'ART S', loinc: '8480-6',
    mdc: mdc(150037, 'MDC_PRESS_BLD_ART_ABP_SYS'), mdcAlternatives: [],
    ucum: 'mm[Hg]', displayUnit: 'mmHg', decimals: 0,
    plausible: { min: 0, max: 300 }, normal: { min: 111, max: 139 }, group: 'pressure',
  },
  {
    code: 'abpDia', label: 'Arterial diastolic BP', shortLabel: 'ART D', loinc: '8462-4',
    mdc: mdc(150038, 'MDC_PRESS_BLD_ART_ABP_DIA'), mdcAlternatives: [],
    ucum: 'mm[Hg]', displayUnit: 'mmHg', decimals: 0,
    plausible: { min: 0, max: 250 }, normal: { min: 60, max: 89 }, group: 'pressure',
  },
  {
    code: 'abpMean', label: 'Arterial mean BP', shortLabel: 'ART M', loinc: '8478-0',
    mdc: mdc(150039, 'MDC_PRESS_BLD_ART_ABP_MEAN'), mdcAlternatives: [],
    ucum: 'mm[Hg]', displayUnit: 'mmHg', decimals: 0,
    plausible: { min: 0, max: 280 }, normal: { min: 70, max: 105 }, group: 'pressure',
  },
  {
    code: 'nibpSys', label: 'Non-invasive systolic BP', shortLabel: 'NBP S', loinc: '8480-6',
    mdc: mdc(150021, 'MDC_PRESS_BLD_NONINV_SYS'), mdcAlternatives: [],
    ucum: 'mm[Hg]', displayUnit: 'mmHg', decimals: 0,
    plausible: { min: 0, max: 300 }, normal: { min: 111, max: 139 }, group: 'pressure',
  },
  {
    code: 'nibpDia', label: 'Non-invasive diastolic BP', shortLabel: 'NBP D', loinc: '8462-4',
    mdc: mdc(150022, 'MDC_PRESS_BLD_NONINV_DIA'), mdcAlternatives: [],
    ucum: 'mm[Hg]', displayUnit: 'mmHg', decimals: 0,
    plausible: { min: 0, max: 250 }, normal: { min: 60, max: 89 }, group: 'pressure',
  },
  {
    code: 'nibpMean', label: 'Non-invasive mean BP', shortLabel: 'NBP M', loinc: '8478-0',
    mdc: mdc(150023, 'MDC_PRESS_BLD_NONINV_MEAN'), mdcAlternatives: [],
    ucum: 'mm[Hg]', displayUnit: 'mmHg', decimals: 0,
    plausible: { min: 0, max: 280 }, normal: { min: 70, max: 105 }, group: 'pressure',
  },
  {
    code: 'temp', label: 'Body temperature', shortLabel: 'Temp', loinc: '8310-5',
    mdc: mdc(150364, 'MDC_TEMP_BODY'), mdcAlternatives: [],
    ucum: 'Cel', displayUnit: '\u00b0C', decimals: 1,
    plausible: { min: 25, max: 45 }, normal: { min: 36.1, max: 38 }, group: 'temperature',
  },
  {
    // Skin temperature runs a few degrees below core; it is trended, never scored as body temperature.
    code: 'skinTemp', label: 'Skin temperature', shortLabel: 'Skin T', loinc: '39106-0',
    mdc: mdc(150388, 'MDC_TEMP_SKIN'), mdcAlternatives: [],
    ucum: 'Cel', displayUnit: '\u00b0C', decimals: 1,
    plausible: { min: 15, max: 45 }, normal: { min: 32, max: 35.5 }, group: 'temperature',
  },
  {
    // Movement intensity from the wearable's accelerometer (vector magnitude minus gravity). No LOINC or MDC
    // numeric describes it, so both are null rather than borrowed from a different measurement.
    code: 'activity', label: 'Activity', shortLabel: 'Act', loinc: null, mdc: null, mdcAlternatives: [],
    ucum: '[g]', displayUnit: 'g', decimals: 2,
    plausible: { min: 0, max: 16 }, normal: { min: 0, max: 0.5 }, group: 'device',
  },
  {
    code: 'battery', label: 'Battery charge', shortLabel: 'Batt', loinc: null,
    mdc: mdc(67996, 'MDC_ATTR_VAL_BATT_CHARGE'), mdcAlternatives: [],
    ucum: '%', displayUnit: '%', decimals: 0,
    plausible: { min: 0, max: 100 }, normal: { min: 20, max: 100 }, group: 'device',
  },
  {
    // Arterial saturation from a blood gas (co-oximetry): sparse, drawn on clinical suspicion, and measured by another
    // method than pulse oximetry. Imported recordings (PhysioNet 2012 SaO2) carry it; it is never read as spo2, so no
    // SpO2 limit, NEWS2 SpO2 score or feature ever sees it. LOINC 2708-6 "Oxygen saturation in Arterial blood";
    // MDC_SAT_O2_ART 150324 ("arterial oxygen saturation, no method").
    code: 'sao2', label: 'SaO\u2082 (arterial, blood gas)', shortLabel: 'SaO\u2082', loinc: '2708-6',
    mdc: mdc(150324, 'MDC_SAT_O2_ART'), mdcAlternatives: [],
    ucum: '%', displayUnit: '%', decimals: 0,
    plausible: { min: 0, max: 100 }, normal: { min: 95, max: 100 }, group: 'respiratory',
  },
];

/** The catalogue, keyed by code; validated once at load so a typo here fails every test. */
export const VITALS: Readonly<Record<VitalCode, VitalDefinition>> = Object.freeze(
  Object.fromEntries(definitions.map((d) => [d.code, VitalDefinition.parse(d)])) as Record<VitalCode, VitalDefinition>,
);

/** True when the value could come from a living adult patient and a working sensor. */
export function isPlausible(code: VitalCode, value: number): boolean {
  const { min, max } = VITALS[code].plausible;
  return Number.isFinite(value) && value >= min && value <= max;
}

/** Format a value with the catalogue's decimals and display unit, e.g. "37.2 °C". */
export function formatVital(code: VitalCode, value: number, withUnit = true): string {
  const def = VITALS[code];
  const text = value.toFixed(def.decimals);
  return withUnit ? `${text} ${def.displayUnit}` : text;
}
