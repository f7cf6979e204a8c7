/**
 * REST request and response bodies of the cloud API beyond the ward snapshot (rest.ts). The cloud's route table
 * (cloud/src/api/routes.ts) names these schemas; the OpenAPI document is generated from them, so the document, the
 * validation and the TypeScript types cannot drift apart.
 */
import { z } from 'zod';
import { Alarm, AlarmKind, AlarmPriority, AlarmState, AlarmTransition } from './alarm.ts';
import { WindowFeatures } from './features.ts';
import { BedId, EpochMs, Id, PatientId, WardId } from './ids.ts';
import { LimitRule } from './limit-rules.ts';
import { Consciousness, News2Result } from './news2.ts';
import { BedState } from './ward-state.ts';
import { VITAL_CODES, VitalCode } from './vitals.ts';

/** Query numbers arrive as strings. */
const qInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const qTime = z.coerce.number().int().min(0).max(8.64e15);

export const WardParams = z.object({ wardId: WardId }).strict();
export const PatientParams = z.object({ patientId: PatientId }).strict();
export const AlarmParams = z.object({ alarmId: Id }).strict();

/** History resolutions: full-rate samples (hot data only) or rollups of 1 min, 15 min or 1 h. */
export const Resolution = z.enum(['raw', '1m', '15m', '1h']);
export type Resolution = z.infer<typeof Resolution>;
export const RESOLUTION_MS: Readonly<Record<Exclude<Resolution, 'raw'>, number>> = { '1m': 60_000, '15m': 900_000, '1h': 3_600_000 };

export const TimeRangeQuery = z
  .object({ from: qTime.optional(), to: qTime.optional() })
  .strict();

export const VitalsHistoryQuery = z
  .object({
    from: qTime.optional(),
    to: qTime.optional(),
    /** Omitted: chosen from the range (raw up to 15 min, 1m up to 24 h, then 15m, 1h). */
    resolution: Resolution.optional(),
    vitals: z
      .string()
      .regex(new RegExp(`^(${VITAL_CODES.join('|')})(,(${VITAL_CODES.join('|')}))*$`))
      .optional()
      .describe('comma-separated vital codes; default all'),
  })
  .strict();
export type VitalsHistoryQuery = z.infer<typeof VitalsHistoryQuery>;

/** Columnar, as uPlot wants it: one time axis, and per vital mean / min / max arrays (null where no value). */
export const VitalSeries = z
  .object({ mean: z.array(z.number().nullable()), min: z.array(z.number().nullable()), max: z.array(z.number().nullable()) })
  .strict();
export const VitalsHistoryResponse = z
  .object({
    patientId: PatientId,
    from: EpochMs,
    to: EpochMs,
    resolution: Resolution,
    t: z.array(EpochMs),
    vitals: z.partialRecord(VitalCode, VitalSeries),
  })
  .strict();
export type VitalsHistoryResponse = z.infer<typeof VitalsHistoryResponse>;

/** One NEWS2 result over one event-time window; a late sample can revise it (revision + 1, never a new alarm). */
export const News2Score = z
  .object({ patientId: PatientId, start: EpochMs, end: EpochMs, revision: z.number().int().min(0), result: News2Result })
  .strict();
export type News2Score = z.infer<typeof News2Score>;
export const News2HistoryResponse = z.object({ scores: z.array(News2Score) }).strict();

export const FeatureWindowRecord = z
  .object({ patientId: PatientId, revision: z.number().int().min(0), features: WindowFeatures })
  .strict();
export type FeatureWindowRecord = z.infer<typeof FeatureWindowRecord>;
export const FeatureHistoryResponse = z.object({ windows: z.array(FeatureWindowRecord) }).strict();

/** Observations NEWS2 needs that no device measures: consciousness (ACVPU), oxygen, and the SpO2 scale. */
export const ObservationRequest = z
  .object({
    /** Event time the observation refers to; default now. */
    t: qTime.optional(),
    consciousness: Consciousness.optional(),
    onOxygen: z.boolean().optional(),
    /** Scale 2 only for confirmed hypercapnic respiratory failure (CLINICAL.md). */
    spo2Scale: z.union([z.literal(1), z.literal(2)]).optional(),
  })
  .strict()
  .refine((o) => o.consciousness !== undefined || o.onOxygen !== undefined || o.spo2Scale !== undefined, 'at least one observation');
export type ObservationRequest = z.infer<typeof ObservationRequest>;
export const Observation = z
  .object({
    patientId: PatientId,
    t: EpochMs,
    consciousness: Consciousness.nullable(),
    onOxygen: z.boolean().nullable(),
    spo2Scale: z.union([z.literal(1), z.literal(2)]).nullable(),
    by: z.string(),
  })
  .strict();
export type Observation = z.infer<typeof Observation>;

export const PatientSummary = z
  .object({ patientId: PatientId, wardId: WardId, bedId: BedId, news2: News2Score.nullable(), updatedAt: EpochMs })
  .strict();
export const PatientListResponse = z.object({ patients: z.array(PatientSummary) }).strict();
export const PatientDetailResponse = z
  .object({
    patientId: PatientId,
    wardId: WardId,
    bedId: BedId,
    bed: BedState,
    news2: News2Score.nullable(),
    observations: z.array(Observation),
    limits: z.array(LimitRule),
    limitsCustomised: z.boolean(),
    alarms: z.array(Alarm),
  })
  .strict();
export type PatientDetailResponse = z.infer<typeof PatientDetailResponse>;

export const PatientLimitsResponse = z.object({ patientId: PatientId, customised: z.boolean(), rules: z.array(LimitRule) }).strict();
export const PatientLimitsRequest = z.object({ rules: z.array(LimitRule).max(50) }).strict();

export const AlarmListQuery = z
  .object({
    wardId: WardId.optional(),
    patientId: PatientId.optional(),
    state: z.union([AlarmState, z.literal('open')]).optional().describe("'open' = every state but ended"),
    priority: AlarmPriority.optional(),
    kind: AlarmKind.optional(),
    from: qTime.optional(),
    to: qTime.optional(),
    limit: qInt(1, 1000).optional(),
    /** Opaque cursor from the previous page's `next`. */
    before: z.string().max(100).optional(),
  })
  .strict();
export type AlarmListQuery = z.infer<typeof AlarmListQuery>;
export const AlarmListResponse = z.object({ alarms: z.array(Alarm), next: z.string().nullable() }).strict();
export const AlarmDetailResponse = z.object({ alarm: Alarm, history: z.array(AlarmTransition) }).strict();

/** Audio pause is time-limited (IEC 60601-1-8); the server caps the duration (VIGIL_CLOUD_AUDIO_PAUSE_MAX_S). */
export const AudioPauseRequest = z.object({ durationS: z.number().int().min(1).max(600).optional() }).strict();
export const EmptyRequest = z.object({}).strict();
export const AlarmActionResponse = z.object({ alarm: Alarm }).strict();

/** A monitoring session: a run of a patient's data without a gap longer than the session gap (session window). */
export const MonitoringSession = z
  .object({ patientId: PatientId, wardId: WardId, bedId: BedId, start: EpochMs, end: EpochMs, samples: z.number().int().min(0) })
  .strict();
export const SessionListResponse = z.object({ sessions: z.array(MonitoringSession) }).strict();

export const AuditQuery = z.object({ after: qInt(0, Number.MAX_SAFE_INTEGER).optional(), limit: qInt(1, 1000).optional() }).strict();
