/** The live state of a ward, as the cloud serves it to the dashboard (REST snapshot and socket.io updates). */
import { z } from 'zod';
import { Alarm } from './alarm.ts';
import { DeviceState, DeviceType } from './device-messages.ts';
import { BedId, DeviceId, EpochMs, PatientId, WardId } from './ids.ts';
import { News2Response } from './news2.ts';
import { SampleQuality } from './uplink.ts';
import { VitalCode } from './vitals.ts';

export const LatestValue = z.object({ value: z.number(), t: EpochMs, quality: SampleQuality }).strict();
export type LatestValue = z.infer<typeof LatestValue>;

export const BedDevice = z
  .object({
    deviceId: DeviceId,
    deviceType: DeviceType,
    state: DeviceState,
    battery: z.number().min(0).max(100).nullable(),
    t: EpochMs,
  })
  .strict();
export type BedDevice = z.infer<typeof BedDevice>;

export const BedState = z
  .object({
    wardId: WardId,
    bedId: BedId,
    patientId: PatientId,
    latest: z.partialRecord(VitalCode, LatestValue),
    devices: z.array(BedDevice),
    updatedAt: EpochMs,
    /** The newest NEWS2 (cloud only): aggregate, response band, and the event-time end of its window. */
    news2: z
      .object({ total: z.number().int().min(0), response: News2Response, anySingleThree: z.boolean(), complete: z.boolean(), end: EpochMs })
      .strict()
      .nullable()
      .optional(),
  })
  .strict();
export type BedState = z.infer<typeof BedState>;

export const WardSummary = z
  .object({ wardId: WardId, beds: z.number().int().min(0), activeAlarms: z.number().int().min(0) })
  .strict();
export type WardSummary = z.infer<typeof WardSummary>;

export const WardSnapshot = z
  .object({
    wardId: WardId,
    beds: z.array(BedState),
    alarms: z.array(Alarm),
    /** Server time the snapshot was taken. */
    at: EpochMs,
  })
  .strict();
export type WardSnapshot = z.infer<typeof WardSnapshot>;

/** One bed's newest values, pushed as they are stored. */
export const VitalsUpdate = z
  .object({
    wardId: WardId,
    bedId: BedId,
    patientId: PatientId,
    t: EpochMs,
    vitals: z.partialRecord(VitalCode, z.number()),
    quality: z.partialRecord(VitalCode, SampleQuality),
  })
  .strict();
export type VitalsUpdate = z.infer<typeof VitalsUpdate>;

export const DeviceUpdate = BedDevice.extend({ wardId: WardId, bedId: BedId, patientId: PatientId }).strict();
export type DeviceUpdate = z.infer<typeof DeviceUpdate>;
