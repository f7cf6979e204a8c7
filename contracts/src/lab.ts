/**
 * The alarm-burden lab (issue 8): a configuration names the alarm settings to try (limit rules and condition delays,
 * NEWS2 triggers, the LSTM on or off with its threshold or model), a run replays sessions through each configuration
 * in event time and reports, per configuration, the alarm burden and the ground-truth events caught.
 * The cloud's lab engine (cloud/src/replay/lab/), its REST routes and the dashboard's replay page read these schemas.
 */
import { z } from 'zod';
import { AlarmKind, AlarmPriority, AlarmSource } from './alarm.ts';
import { EpochMs, Id } from './ids.ts';
import { LimitRule } from './limit-rules.ts';

/** A configuration's or a model's name: also a file name, so lower-case, digits and dashes. */
export const LabName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'name: 1-63 of [a-z0-9-], starting with a letter or digit');
const RuleCode = LimitRule.shape.code;
const DelayMs = LimitRule.shape.delayMs;

/** One NEWS2 trigger: a total at or above `minTotal`, or any single parameter scoring 3, raises `priority`. */
export const LabNews2Trigger = z.union([
  z.object({ minTotal: z.number().int().min(1).max(20), priority: AlarmPriority }).strict(),
  z.object({ singleParameter3: z.literal(true), priority: AlarmPriority }).strict(),
]);
export type LabNews2Trigger = z.infer<typeof LabNews2Trigger>;

/** The RCP 2017 response bands as the cloud maps them (contracts/src/news2-detector.ts): ≥ 7 high, 5–6 medium, a single 3 low. */
export const DEFAULT_NEWS2_TRIGGERS: readonly LabNews2Trigger[] = [
  { minTotal: 7, priority: 'high' },
  { minTotal: 5, priority: 'medium' },
  { singleParameter3: true, priority: 'low' },
];

/** How the LSTM's alert threshold is set: the model's own, one fixed ε for every patient, or the dynamic floor moved. */
export const LabThreshold = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('model') }).strict(),
  z.object({ mode: z.literal('fixed'), value: z.number().positive() }).strict(),
  z.object({ mode: z.literal('dynamic-floor'), floor: z.number().min(0) }).strict(),
]);
export type LabThreshold = z.infer<typeof LabThreshold>;

export const LabConfig = z
  .object({
    name: LabName,
    description: z.string().max(500).optional(),
    limits: z
      .object({
        /** Start from the cloud's DEFAULT_LIMIT_RULES, or from no rule at all. */
        base: z.enum(['default', 'none']).default('default'),
        /** Rules replacing a base rule of the same code, or added (mergeLimitRules). */
        rules: z.array(LimitRule).max(64).default([]),
        /** Codes switched off. */
        disable: z.array(RuleCode).max(64).default([]),
        /** One condition delay for every rule (IEC 60601-1-8 alarm condition delay), ms. */
        delayMs: DelayMs.optional(),
        /** Condition delay per code, ms; wins over delayMs. */
        delayByCode: z.record(RuleCode, DelayMs).default({}),
      })
      .strict()
      .prefault({}),
    news2: z
      .object({
        enabled: z.boolean().default(true),
        /** The highest priority among the triggers that hold is the alarm's; none holding ends it. */
        triggers: z.array(LabNews2Trigger).min(1).max(8).default([...DEFAULT_NEWS2_TRIGGERS]),
      })
      .strict()
      .prefault({}),
    lstm: z
      .object({
        enabled: z.boolean().default(false),
        /** A model directory's name under the lab's model root (models/artefacts), e.g. "vigil-lstm". */
        model: LabName.default('vigil-lstm'),
        threshold: LabThreshold.default({ mode: 'model' }),
      })
      .strict()
      .prefault({}),
    /** NEWS2 tumbling window, ms (the cloud's 1 min; hourly charted data such as PhysioNet may want 1 h). */
    news2WindowMs: z.number().int().min(10_000).max(86_400_000).default(60_000),
    /** Extra condition delays to test: how many alarms ended sooner after they were raised (a delay would have suppressed them). */
    whatIfDelaysMs: z.array(z.number().int().min(1_000).max(3_600_000)).max(8).default([10_000, 30_000, 60_000, 120_000]),
  })
  .strict();
export type LabConfig = z.infer<typeof LabConfig>;
export type LabConfigInput = z.input<typeof LabConfig>;

/** Median and interquartile range; null when n = 0. */
export const LabSummary = z.object({ n: z.number().int().min(0), median: z.number().nullable(), q1: z.number().nullable(), q3: z.number().nullable() }).strict();

const Count = z.number().int().min(0);
const Rate = z.number().min(0);
const CountRate = z.object({ count: Count, perPatientDay: Rate }).strict();

export const LabSessionInfo = z
  .object({
    name: z.string(),
    source: z.string(),
    patients: Count,
    start: EpochMs,
    end: EpochMs,
    patientDays: Rate,
    messages: Count,
    /** Samples that reached the cloud's operators (after the edge's checks). */
    samples: Count,
    /** Messages the edge would have refused (implausible value, clock skew, duplicate). */
    rejected: Count,
    truthEvents: Count,
  })
  .strict();
export type LabSessionInfo = z.infer<typeof LabSessionInfo>;

export const LabRecallRow = z.object({ key: z.string(), events: Count, caught: Count, recall: Rate }).strict();

export const LabConfigResult = z
  .object({
    name: LabName,
    description: z.string().nullable(),
    /** The configuration as run (defaults filled in). */
    config: LabConfig,
    /** The served model's name and version when the LSTM is on. */
    model: z.object({ name: z.string(), version: z.string(), kind: z.string(), threshold: z.string() }).strict().nullable(),
    alarms: z
      .object({
        total: Count,
        perPatientDay: Rate,
        byPriority: z.record(AlarmPriority, CountRate),
        byKind: z.record(AlarmKind, CountRate),
        bySource: z.partialRecord(AlarmSource, CountRate),
        byCode: z.array(z.object({ code: z.string(), count: Count, perPatientDay: Rate, medianDurationS: z.number().nullable() }).strict()),
      })
      .strict(),
    events: z
      .object({
        events: Count,
        caught: Count,
        missed: Count,
        recall: Rate,
        truePositiveAlarms: Count,
        falseAlarms: Count,
        precision: Rate,
        falseAlarmsPerPatientDay: Rate,
        leadTimeMin: z.object({ all: LabSummary, gradual: LabSummary, sudden: LabSummary }).strict(),
        /** Per event caught by both: the reference configuration's first alarm − this one's, minutes (positive = earlier). */
        leadOverReferenceMin: LabSummary.extend({ reference: z.string() }).nullable(),
        bySeverity: z.array(LabRecallRow),
        byType: z.array(LabRecallRow),
        /** Recall of each alarm source alone (which detector caught what). */
        bySource: z.array(LabRecallRow),
        missedEvents: z.array(z.object({ session: z.string(), patientId: z.string(), eventId: z.string(), type: z.string(), severity: z.string(), onset: EpochMs }).strict()),
      })
      .strict(),
    /** Alarms that ended less than `delayMs` after they were raised: an extra condition delay that long would have suppressed them. */
    suppressedByDelay: z.array(z.object({ delayMs: Count, alarms: Count, share: Rate, limitRuleAlarms: Count }).strict()),
    noisiestPatients: z.array(
      z.object({ session: z.string(), patientId: z.string(), bedId: z.string(), alarms: Count, perDay: Rate, topCode: z.string() }).strict(),
    ),
  })
  .strict();
export type LabConfigResult = z.infer<typeof LabConfigResult>;

/** A lab run's result: deterministic (a function of the sessions and configurations; no wall-clock figures). */
export const LabResult = z
  .object({
    format: z.literal('vigil-lab-result'),
    version: z.literal(1),
    sessions: z.array(LabSessionInfo),
    patients: Count,
    patientDays: Rate,
    /** The configuration the others' lead times are compared with (the first). */
    reference: LabName,
    configs: z.array(LabConfigResult),
  })
  .strict();
export type LabResult = z.infer<typeof LabResult>;

// ---- REST (cloud/src/api/routes/lab-routes.ts) ----

export const LabRunState = z.enum(['queued', 'running', 'finished', 'failed']);
export type LabRunState = z.infer<typeof LabRunState>;

export const LabRunRequest = z
  .object({
    recordingIds: z.array(Id).min(1).max(50),
    /** The lab's stored configurations by name, and/or configurations given inline; at least one of the two. */
    configNames: z.array(LabName).max(8).default([]),
    configs: z.array(LabConfig).max(8).default([]),
  })
  .strict()
  .refine((r) => r.configNames.length + r.configs.length >= 2, { message: 'a comparison needs at least two configurations' })
  .refine((r) => r.configNames.length + r.configs.length <= 8, { message: 'at most 8 configurations per run' });
export type LabRunRequest = z.infer<typeof LabRunRequest>;

export const LabRunStatus = z
  .object({
    runId: Id,
    state: LabRunState,
    recordingIds: z.array(Id),
    configNames: z.array(LabName),
    /** Share of the sessions' event time replayed, 0..1. */
    progress: z.number().min(0).max(1),
    startedBy: z.string(),
    createdAt: EpochMs,
    finishedAt: EpochMs.nullable(),
    error: z.string().optional(),
  })
  .strict();
export type LabRunStatus = z.infer<typeof LabRunStatus>;

export const LabRunParams = z.object({ runId: Id }).strict();
export const LabRunListResponse = z.object({ runs: z.array(LabRunStatus) }).strict();
export const LabConfigListResponse = z.object({ configs: z.array(LabConfig) }).strict();
