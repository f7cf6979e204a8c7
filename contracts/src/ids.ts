/** Identifiers and time, shared by every message. */
import { z } from 'zod';

/**
 * Identifiers travel inside MQTT topic levels, so they may not contain '/', '+', '#' or NUL
 * ([MQTT-4.7.1-1], [MQTT-4.7.3-2]); a conservative character set also keeps them safe in logs and URLs.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const Id = z.string().regex(ID_PATTERN, 'identifier: 1-64 of [A-Za-z0-9._-], starting with a letter or digit');

export const DeviceId = Id.describe('device identifier (from the device registry)');
export const PatientId = Id.describe('patient identifier (pseudonymous)');
export const BedId = Id.describe('bed identifier within a ward');
export const WardId = Id.describe('ward identifier');
export const GatewayId = Id.describe('edge gateway identifier');
/** A device draws a new bootId each time it starts, so that seq can restart at 0 without colliding. */
export const BootId = z.string().regex(/^[A-Za-z0-9-]{1,40}$/).describe('boot identifier, new at each device start');

/** Integer milliseconds since the Unix epoch, UTC (ARCHITECTURE.md, "Time and identity"). */
export const EpochMs = z.number().int().min(0).max(8.64e15);
export type EpochMs = z.infer<typeof EpochMs>;

/** A device's message counter within one boot: with deviceId and bootId, the key of every sample. */
export const Seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
