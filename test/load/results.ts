/**
 * The figures a load run produces, as zod schemas (types inferred from them): what `docs/benchmarks/load/load.json`
 * holds and what the markdown and the plot are rendered from. Times in ms, CPU in % of one core over the measured
 * window, memory as peak resident set (VmHWM) in MB.
 */
import { z } from 'zod';
import { LoadPlan } from './plan.ts';

export const LatencyStats = z
  .object({ n: z.number().int().min(0), p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable(), max: z.number().nullable() })
  .strict();
export type LatencyStats = z.infer<typeof LatencyStats>;

export const AccountingResult = z
  .object({
    sent: z.number().int(),
    stored: z.number().int(),
    lost: z.number().int(),
    duplicated: z.number().int(),
    unexpected: z.number().int(),
    lostKeys: z.array(z.string()),
  })
  .strict();
export type AccountingResult = z.infer<typeof AccountingResult>;

const PerProcess = z.record(z.string(), z.number());

const Common = {
  beds: z.number().int(),
  waveBeds: z.number().int(),
  measureS: z.number(),
  /** Numerics samples (1 per bed per second) and waveform chunks the devices handed to their links per second. */
  offered: z.object({ samplesPerS: z.number(), wavesPerS: z.number() }).strict(),
  /** Seconds to connect every device (each its own MQTT connection and credential). */
  connectS: z.number(),
  /** Steps the load generator began more than a step late (it could not keep up): 0 in a valid run. */
  lateSteps: z.number().int(),
  /** Over the whole run, not only the window: every sample sent, against every sample received. */
  accounting: AccountingResult,
  /** % of one core over the measured window, per process; `others` = the rest of the machine meanwhile. */
  cpuPercent: PerProcess,
  peakRssMb: PerProcess,
};

export const VigilLevel = z
  .object({
    ...Common,
    alarmBeds: z.number().int(),
    /**
     * Samples with event time in the window that the cloud stored, per second of window; `late`: how many of them
     * the edge forwarded more than 10 s after taking them (marked late: stored, never alarmed on).
     */
    stored: z.object({ samplesPerS: z.number(), late: z.number().int().optional() }).strict(),
    /** Edge state at the end of the window: records waiting in the outbox, uplink connected (1) or not (0). */
    edgeAtWindowEnd: z.object({ outboxRecords: z.number(), uplinkConnected: z.number(), lateRecords: z.number() }).strict().optional(),
    /** Live values the dashboard socket received per second (one per stored sample). */
    dashboardVitalsPerS: z.number(),
    latencyMs: z
      .object({
        /** publish → PUBACK at the device: the edge acknowledges once the sample is durable in its outbox. */
        deviceToEdgeDurable: LatencyStats,
        /** event time → stored_at (the cloud's clock when its batch transaction began). */
        deviceToStored: LatencyStats,
        /** event time → first poll of the database that saw the row (after the commit; + up to one poll interval). */
        deviceToReadable: LatencyStats,
        deviceToDashboardVitals: LatencyStats,
        /** raisedAt (event time of the deciding sample) → the alarm event on the dashboard socket. */
        deviceToDashboardAlarm: LatencyStats,
      })
      .strict(),
    /** HR_HIGH alarms raised in the window by the alarm beds, and how many were planned. */
    alarms: z.object({ planned: z.number().int(), received: z.number().int(), codes: z.record(z.string(), z.number()) }).strict(),
    /** After the devices stopped: seconds until the edge's outbox was empty and the cloud held every sample. */
    drainS: z.number().nullable(),
    edgeRejected: z.number(),
    cloudDuplicates: z.number(),
    /** Polls of the stored-watcher (the database read by this harness). */
    polls: z.number().int(),
  })
  .strict();
export type VigilLevel = z.infer<typeof VigilLevel>;

export const ReferenceLevel = z
  .object({
    ...Common,
    /** Numerics with event time in the window that reached the subscriber, per second of window. */
    delivered: z.object({ samplesPerS: z.number(), wavesPerS: z.number() }).strict(),
    latencyMs: z
      .object({
        /** publish → PUBACK at the device (mosquitto acknowledges on receipt; persistence off). */
        deviceToBroker: LatencyStats,
        /** event time → arrival at the subscriber. */
        deviceToSubscriber: LatencyStats,
      })
      .strict(),
  })
  .strict();
export type ReferenceLevel = z.infer<typeof ReferenceLevel>;

export const LevelResult = z.object({ beds: z.number().int(), vigil: VigilLevel, reference: ReferenceLevel.nullable() }).strict();
export type LevelResult = z.infer<typeof LevelResult>;

export const Machine = z
  .object({ cpu: z.string(), cores: z.number().int(), memoryGiB: z.number(), node: z.string(), mosquitto: z.string(), tfBackend: z.string(), loadAverage: z.array(z.number()) })
  .strict();
export type Machine = z.infer<typeof Machine>;

export const TargetRow = z
  .object({
    issue: z.number().int(),
    target: z.string(),
    measured: z.string(),
    status: z.enum(['met', 'missed', 'not measured']),
    /** How far off, in the target's unit, when missed. */
    by: z.string().nullable(),
    source: z.string(),
  })
  .strict();
export type TargetRow = z.infer<typeof TargetRow>;

export const ExtraFigure = z.object({ name: z.string(), value: z.string(), source: z.string(), measuredAt: z.string().nullable() }).strict();
export type ExtraFigure = z.infer<typeof ExtraFigure>;

export const LoadReport = z
  .object({
    bench: z.literal('load'),
    date: z.string(),
    command: z.string(),
    quick: z.boolean(),
    machine: Machine,
    plan: LoadPlan,
    levels: z.array(LevelResult),
    /** LSTM scoring rate by backend and replay speed, from their own benchmarks; a named gap when absent. */
    extras: z.array(ExtraFigure),
    targets: z.array(TargetRow),
    wallS: z.number(),
  })
  .strict();
export type LoadReport = z.infer<typeof LoadReport>;
