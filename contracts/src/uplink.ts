/** What an edge gateway forwards to the cloud. */
import { z } from 'zod';
import { Alarm } from './alarm.ts';
import { DeviceChannelFlag, DeviceState, DeviceType } from './device-messages.ts';
import { WaveformChunk, WaveformKind } from './waveform.ts';
import { BedId, BootId, DeviceId, EpochMs, GatewayId, PatientId, Seq, WardId } from './ids.ts';
import { VitalCode } from './vitals.ts';

/** The edge's verdict on each value: it travels with the value instead of the value being silently dropped. */
export const SampleQuality = z.enum(['good', 'questionable', 'artifact', 'sensor_off']);
export type SampleQuality = z.infer<typeof SampleQuality>;

/** Identity and placement, resolved by the edge from the device registry (never from the payload). */
const Placement = {
  patientId: PatientId,
  bedId: BedId,
  deviceId: DeviceId,
  deviceType: DeviceType,
  bootId: BootId,
};

export const UplinkSample = z
  .object({
    type: z.literal('sample'),
    ...Placement,
    seq: Seq,
    t: EpochMs,
    /** Wall-clock time at which the edge made the sample durable. */
    receivedAt: EpochMs,
    vitals: z.partialRecord(VitalCode, z.number()),
    quality: z.partialRecord(VitalCode, SampleQuality),
    flags: z.partialRecord(VitalCode, DeviceChannelFlag).optional(),
    /** Forwarded from a backlog after an outage: it may update history but must not raise a stale alarm as new. */
    late: z.boolean(),
  })
  .strict();
export type UplinkSample = z.infer<typeof UplinkSample>;

export const UplinkStatus = z
  .object({
    type: z.literal('status'),
    ...Placement,
    t: EpochMs,
    receivedAt: EpochMs,
    state: DeviceState,
    reason: z.enum(['startup', 'periodic', 'shutdown', 'connection_lost']),
    battery: z.number().min(0).max(100).optional(),
    signal: z.number().min(-130).max(0).optional(),
  })
  .strict();
export type UplinkStatus = z.infer<typeof UplinkStatus>;

/** An alarm the edge raised locally (it keeps working with the cloud down), reported upward for the record. */
export const UplinkAlarm = z.object({ type: z.literal('alarm'), alarm: Alarm }).strict();
export type UplinkAlarm = z.infer<typeof UplinkAlarm>;

/** Statistics of one vital over one event-time window. `goodShare` is the share of values of good quality. */
export const VitalWindowStats = z
  .object({
    mean: z.number(),
    min: z.number(),
    max: z.number(),
    last: z.number(),
    count: z.number().int().min(1),
    goodShare: z.number().min(0).max(1),
  })
  .strict();
export type VitalWindowStats = z.infer<typeof VitalWindowStats>;

/**
 * A patient's numerics aggregated over one event-time window [start, end) across all the patient's devices
 * (edge aggregation; 1 s by default). Samples themselves are forwarded too: windows are the patient-level trend.
 */
export const UplinkWindow = z
  .object({
    type: z.literal('window'),
    patientId: PatientId,
    bedId: BedId,
    start: EpochMs,
    end: EpochMs,
    vitals: z.partialRecord(VitalCode, VitalWindowStats),
    late: z.boolean(),
    /**
     * An addendum holds only samples that arrived after the window [start, end) had been emitted; it combines with
     * the window (weighted by count) instead of replacing it.
     */
    addendum: z.boolean(),
  })
  .strict();
export type UplinkWindow = z.infer<typeof UplinkWindow>;

/**
 * A waveform summarised at the edge over one window: raw waveforms stay at the edge unless requested or an alarm is
 * active. `expected - count` values went missing (drop-outs); `flat` marks a flat line (lead or probe off).
 */
export const UplinkWaveSummary = z
  .object({
    type: z.literal('wave_summary'),
    ...Placement,
    kind: WaveformKind,
    start: EpochMs,
    end: EpochMs,
    hz: z.number().int().min(1).max(2000),
    count: z.number().int().min(0),
    expected: z.number().int().min(0),
    /** null when no value arrived in the window (count 0). */
    min: z.number().nullable(),
    max: z.number().nullable(),
    mean: z.number().nullable(),
    flat: z.boolean(),
  })
  .strict();
export type UplinkWaveSummary = z.infer<typeof UplinkWaveSummary>;

/** A raw waveform chunk, forwarded only on request or while an alarm is active for the patient. */
export const UplinkWave = z
  .object({
    type: z.literal('wave'),
    patientId: PatientId,
    bedId: BedId,
    deviceType: DeviceType,
    reason: z.enum(['request', 'alarm']),
    chunk: WaveformChunk,
  })
  .strict();
export type UplinkWave = z.infer<typeof UplinkWave>;

export const UplinkRecord = z.discriminatedUnion('type', [UplinkSample, UplinkStatus, UplinkAlarm, UplinkWindow, UplinkWaveSummary, UplinkWave]);
export type UplinkRecord = z.infer<typeof UplinkRecord>;

export const MAX_UPLINK_RECORDS = 5000;

/**
 * One uplink message. `batchSeq` increases by one per batch from a gateway's durable outbox, so the cloud can tell a
 * redelivery (same gatewayId and batchSeq) from new data.
 */
export const UplinkBatch = z
  .object({
    v: z.literal(1),
    gatewayId: GatewayId,
    wardId: WardId,
    batchSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    sentAt: EpochMs,
    records: z.array(UplinkRecord).min(1).max(MAX_UPLINK_RECORDS),
  })
  .strict();
export type UplinkBatch = z.infer<typeof UplinkBatch>;

/** Gateway liveness; its `offline` form is the gateway's Last Will on the uplink broker. */
export const GatewayStatus = z
  .object({
    v: z.literal(1),
    gatewayId: GatewayId,
    wardId: WardId,
    t: EpochMs,
    state: DeviceState,
  })
  .strict();
export type GatewayStatus = z.infer<typeof GatewayStatus>;

/**
 * A request from the cloud to a gateway: forward the raw waveforms of one patient until `until` (event time), e.g.
 * because a clinician opened the patient's waveform view. Bounded to 10 min per request.
 */
export const GatewayRequest = z
  .object({
    v: z.literal(1),
    kind: z.literal('waveforms'),
    patientId: PatientId,
    until: EpochMs,
    requestedBy: z.string().min(1).max(100),
  })
  .strict();
export type GatewayRequest = z.infer<typeof GatewayRequest>;
export const MAX_WAVEFORM_REQUEST_MS = 600_000;
