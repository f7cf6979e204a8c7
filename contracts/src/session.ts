/**
 * The session format (version 1): one recorded or simulated ward session, replayable through the same pipeline.
 *
 * A session is JSON Lines, optionally gzip-compressed (`.vsession.jsonl` / `.vsession.jsonl.gz`), read and written as
 * a stream:
 *   line 1      SessionHeader   — format, version, source, patients and devices (metadata)
 *   lines 2..n  SessionRecord   — device messages in the order they were sent (`sentAt`), with their original
 *                                 payloads, and ground-truth events; truth records never annotate a message
 * Records are ordered by `sentAt` (messages) / `onset` (truth), merged by time.
 */
import { z } from 'zod';
import { DeviceStatus, DeviceType, VitalsSample } from './device-messages.ts';
import { GroundTruthEvent } from './ground-truth.ts';
import { BedId, DeviceId, EpochMs, PatientId, WardId } from './ids.ts';
import { WaveformChunk } from './waveform.ts';

export const SESSION_FORMAT = 'vigil-session';
export const SESSION_VERSION = 1;

export const SessionPatient = z
  .object({
    patientId: PatientId,
    wardId: WardId,
    bedId: BedId,
    /** Demographic profile, when known (simulated patients; importers may fill it). */
    age: z.number().int().min(0).max(120).optional(),
    sex: z.enum(['female', 'male']).optional(),
    weightKg: z.number().min(1).max(400).optional(),
    /** Outcome of the stay, when the source records one (PhysioNet 2012 Outcomes-*.txt): ground truth per stay. */
    outcome: z
      .object({
        inHospitalDeath: z.boolean(),
        /** Days from admission to death; null when no death was recorded. */
        survivalDays: z.number().nullable(),
        lengthOfStayDays: z.number().nullable(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type SessionPatient = z.infer<typeof SessionPatient>;

export const SessionDevice = z
  .object({ deviceId: DeviceId, deviceType: DeviceType, patientId: PatientId, bedId: BedId, wardId: WardId })
  .strict();
export type SessionDevice = z.infer<typeof SessionDevice>;

export const SessionHeader = z
  .object({
    kind: z.literal('header'),
    format: z.literal(SESSION_FORMAT),
    version: z.literal(SESSION_VERSION),
    source: z.enum(['simulator', 'edge-recorder', 'physionet-2012', 'import']),
    /** Event-time span covered. */
    start: EpochMs,
    end: EpochMs,
    /** Generator settings, for a simulated session (seed, scenario mix, …): enough to regenerate it. */
    generator: z.record(z.string(), z.unknown()).optional(),
    patients: z.array(SessionPatient),
    devices: z.array(SessionDevice),
  })
  .strict();
export type SessionHeader = z.infer<typeof SessionHeader>;

export const SessionMessage = z.discriminatedUnion('channel', [
  z.object({ kind: z.literal('message'), sentAt: EpochMs, channel: z.literal('vitals'), message: VitalsSample }).strict(),
  z.object({ kind: z.literal('message'), sentAt: EpochMs, channel: z.literal('status'), message: DeviceStatus }).strict(),
  z.object({ kind: z.literal('message'), sentAt: EpochMs, channel: z.literal('wave'), message: WaveformChunk }).strict(),
]);
export type SessionMessage = z.infer<typeof SessionMessage>;

export const SessionTruth = z.object({ kind: z.literal('truth'), event: GroundTruthEvent }).strict();
export type SessionTruth = z.infer<typeof SessionTruth>;

export const SessionRecord = z.union([SessionMessage, SessionTruth]);
export type SessionRecord = z.infer<typeof SessionRecord>;
