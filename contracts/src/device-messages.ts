/** Messages a device publishes to its edge gateway. */
import { z } from 'zod';
import { BootId, DeviceId, EpochMs, Seq } from './ids.ts';
import { VitalCode } from './vitals.ts';

/** Finite numbers only: JSON cannot carry NaN or Infinity, and zod 4's z.number() refuses both. */
const VitalValue = z.number();

/** What the device itself reports about a channel (the edge adds its own quality judgement later). */
export const DeviceChannelFlag = z.enum(['ok', 'probe_off', 'lead_off', 'motion', 'low_perfusion', 'calibrating']);
export type DeviceChannelFlag = z.infer<typeof DeviceChannelFlag>;

export const DEVICE_TYPES = ['icu-monitor', 'wearable'] as const;
export const DeviceType = z.enum(DEVICE_TYPES);
export type DeviceType = z.infer<typeof DeviceType>;

/**
 * One numerics sample: every channel the device measured at event time `t`.
 * Its key is (deviceId, bootId, seq): unique, and the basis of dedupe at the edge and idempotence in the cloud.
 */
export const VitalsSample = z
  .object({
    v: z.literal(1),
    deviceId: DeviceId,
    bootId: BootId,
    seq: Seq,
    t: EpochMs,
    vitals: z.partialRecord(VitalCode, VitalValue).refine((r) => Object.keys(r).length > 0, 'at least one vital'),
    flags: z.partialRecord(VitalCode, DeviceChannelFlag).optional(),
  })
  .strict();
export type VitalsSample = z.infer<typeof VitalsSample>;

export const DeviceState = z.enum(['online', 'offline']);
export type DeviceState = z.infer<typeof DeviceState>;

/**
 * Device status. The device publishes `online` (retained) after connecting and registers an `offline` status as
 * its MQTT Last Will, so the broker announces a lost device even when the device cannot.
 */
export const DeviceStatus = z
  .object({
    v: z.literal(1),
    deviceId: DeviceId,
    bootId: BootId,
    t: EpochMs,
    state: DeviceState,
    /** Why the state changed: a Last Will is `connection_lost`. */
    reason: z.enum(['startup', 'periodic', 'shutdown', 'connection_lost']),
    battery: z.number().min(0).max(100).optional(),
    /** Received signal strength in dBm (radio devices). */
    signal: z.number().min(-130).max(0).optional(),
  })
  .strict();
export type DeviceStatus = z.infer<typeof DeviceStatus>;
