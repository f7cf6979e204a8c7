/**
 * Alarms, modelled on IEC 60601-1-8 (priorities, latching, inactivation states) and IHE PCD ACM
 * (phases and states); see shared/design/CLINICAL.md, "Alarm systems".
 */
import { z } from 'zod';
import { BedId, EpochMs, Id, PatientId, WardId } from './ids.ts';
import type { FeatureVital } from './features.ts';
import { VITAL_CODES, VitalCode } from './vitals.ts';

/** IEC 60601-1-8 priorities: high (red, flashing), medium (yellow, flashing), low (cyan, steady). */
export const AlarmPriority = z.enum(['high', 'medium', 'low']);
export type AlarmPriority = z.infer<typeof AlarmPriority>;
export const PRIORITY_RANK: Readonly<Record<AlarmPriority, number>> = { high: 3, medium: 2, low: 1 };

/** Physiological (patient), technical (equipment, link) or advisory (ML, never a rule replacement). */
export const AlarmKind = z.enum(['physiological', 'technical', 'advisory']);
export type AlarmKind = z.infer<typeof AlarmKind>;

/** Which detector raised it. Rule-based sources never depend on the ML model. */
export const AlarmSource = z.enum(['limit-rule', 'news2', 'lstm', 'edge-limit', 'edge-technical', 'cloud-technical']);
export type AlarmSource = z.infer<typeof AlarmSource>;

/**
 * States: `active` while the condition exists; `latched` when a latching alarm's condition ended but nobody has
 * acknowledged it; `acknowledged` silences an active condition until it ends; `ended` is final.
 */
export const AlarmState = z.enum(['active', 'latched', 'acknowledged', 'ended']);
export type AlarmState = z.infer<typeof AlarmState>;

/**
 * Keys of an ML score's per-vital contributions: a catalogue vital, or one of the model's feature vitals
 * (features.ts), whose sbp and map merge invasive and cuff pressure and so are not catalogue codes. Listed here
 * rather than imported (features.ts → uplink.ts → alarm.ts is an import cycle); `satisfies` fails the type check
 * when the feature vitals change.
 */
const FEATURE_ONLY_VITALS = { sbp: 'sbp', map: 'map' } as const satisfies Record<Exclude<FeatureVital, VitalCode>, string>;
export const CONTRIBUTION_VITALS = [...VITAL_CODES, FEATURE_ONLY_VITALS.sbp, FEATURE_ONLY_VITALS.map] as const;
export const ContributionVital = z.enum(CONTRIBUTION_VITALS);
export type ContributionVital = z.infer<typeof ContributionVital>;

export const AlarmEvidence = z
  .object({
    vital: VitalCode.optional(),
    value: z.number().optional(),
    limit: z.number().optional(),
    comparator: z.enum(['<', '<=', '>', '>=']).optional(),
    /** The event-time window the decision was made on. */
    windowStart: EpochMs.optional(),
    windowEnd: EpochMs.optional(),
    /** Condition delay applied, ms (IEC 60601-1-8 alarm condition delay, disclosed). */
    conditionDelayMs: z.number().int().min(0).optional(),
    /** Per-vital share of an ML score, for advisory alarms (catalogue or feature vitals: hr, sbp, map, …). */
    contributions: z.partialRecord(ContributionVital, z.number()).optional(),
    detail: z.string().max(500).optional(),
  })
  .strict();
export type AlarmEvidence = z.infer<typeof AlarmEvidence>;

export const Alarm = z
  .object({
    /** Deterministic from (patient, rule, onset): a replay of the same data yields the same id. */
    id: Id,
    wardId: WardId,
    bedId: BedId,
    patientId: PatientId,
    priority: AlarmPriority,
    kind: AlarmKind,
    source: AlarmSource,
    /** Stable condition code, e.g. HR_HIGH, SPO2_LOW, SENSOR_OFF. */
    code: z.string().regex(/^[A-Z0-9_]{2,40}$/),
    state: AlarmState,
    latching: z.boolean(),
    message: z.string().max(200),
    /** Event time at which the condition began (first sample over the limit). */
    onsetAt: EpochMs,
    /** Event time at which the condition delay elapsed and the alarm was raised. */
    raisedAt: EpochMs,
    /** Event time of the last transition. */
    updatedAt: EpochMs,
    endedAt: EpochMs.nullable(),
    acknowledgedBy: z.string().max(100).nullable(),
    /** Wall-clock time of the acknowledgement (a person acted; not event time). */
    acknowledgedAt: EpochMs.nullable(),
    evidence: AlarmEvidence,
    /**
     * Audio paused until this wall-clock time (IEC 60601-1-8 "audio paused": time-limited, the visual signal stays).
     * Absent or null: not paused.
     */
    audioPausedUntil: EpochMs.nullable().optional(),
    /** The second role notified because nobody acknowledged in time (IHE ACM escalation), and when (wall clock). */
    escalatedTo: z.enum(['charge_nurse']).nullable().optional(),
    escalatedAt: EpochMs.nullable().optional(),
    /** Device streams whose conditions make up this one episode (grouping: one episode is one alarm). */
    sources: z.array(Id).max(16).optional(),
  })
  .strict();
export type Alarm = z.infer<typeof Alarm>;

/**
 * IHE PCD ACM alarm phases, recorded with every transition: start, update (priority or evidence changed),
 * escalate / de-escalate, end; plus the people's actions.
 */
export const AlarmPhase = z.enum(['start', 'update', 'escalate', 'de-escalate', 'end', 'acknowledge', 'audio-pause', 'audio-resume', 'latch']);
export type AlarmPhase = z.infer<typeof AlarmPhase>;

/** One entry of an alarm's history: what happened, to which state, who did it and when. */
export const AlarmTransition = z
  .object({
    alarmId: Id,
    /** 1, 2, … per alarm. */
    n: z.number().int().min(1),
    phase: AlarmPhase,
    state: AlarmState,
    priority: AlarmPriority,
    /** Event time for detector transitions; wall-clock time for a person's action. */
    at: EpochMs,
    /** 'system', 'edge' or the username of the person who acted. */
    actor: z.string().max(100),
    detail: z.string().max(500).nullable(),
  })
  .strict();
export type AlarmTransition = z.infer<typeof AlarmTransition>;

/** Active alarms first, then by priority, then newest first: the order of an alarm list (IEC 60601-1-8). */
export function compareAlarms(a: Alarm, b: Alarm): number {
  const open = (x: Alarm) => (x.state === 'ended' ? 0 : 1);
  return open(b) - open(a) || PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority] || b.raisedAt - a.raisedAt;
}
