/**
 * Ground truth: what really happened to a patient or a device, known for simulated sessions. It is recorded apart
 * from the device messages (a detector never sees it) and is what every detector is scored against.
 */
import { z } from 'zod';
import { BedId, DeviceId, EpochMs, Id, PatientId } from './ids.ts';
import { VitalCode } from './vitals.ts';

export const CLINICAL_EVENT_TYPES = [
  'sepsis',
  'respiratory_failure',
  'fever',
  'hypoxaemia',
  'haemorrhage',
  'opioid_respiratory_depression',
  'tachyarrhythmia',
  'bradycardia',
  'recovery',
] as const;

export const ARTIFACT_EVENT_TYPES = [
  'motion_artifact',
  'probe_off',
  'lead_off',
  'stuck_sensor',
  'radio_dropout',
  'device_removed',
  'low_battery',
  'device_dead',
  'clock_skew',
  'duplicate_sends',
] as const;

/**
 * Clinical events that only importers derive from charted data (e.g. PhysioNet 2012: sustained MAP < 65 mmHg ≥ 1 h),
 * category 'clinical'. Kept apart from CLINICAL_EVENT_TYPES, which are also the simulators' scenario types.
 */
export const DERIVED_EVENT_TYPES = ['hypotension'] as const;

export const GroundTruthType = z.enum([...CLINICAL_EVENT_TYPES, ...ARTIFACT_EVENT_TYPES, ...DERIVED_EVENT_TYPES]);
export type GroundTruthType = z.infer<typeof GroundTruthType>;

export const GroundTruthEvent = z
  .object({
    /** Stable within a session, e.g. "gt-0007". */
    id: Id,
    /** clinical: the patient changed; artifact / technical: the device or the link did. */
    category: z.enum(['clinical', 'artifact', 'technical']),
    type: GroundTruthType,
    patientId: PatientId,
    bedId: BedId,
    /** The device concerned, for artifacts and technical faults. */
    deviceId: DeviceId.optional(),
    onset: EpochMs,
    /** When the full effect is reached (gradual changes). */
    peak: EpochMs.optional(),
    /** End of the episode; null when it lasts to the end of the session. */
    offset: EpochMs.nullable(),
    severity: z.enum(['mild', 'moderate', 'severe']),
    affected: z.array(VitalCode),
    detail: z.string().max(300).optional(),
  })
  .strict();
export type GroundTruthEvent = z.infer<typeof GroundTruthEvent>;
