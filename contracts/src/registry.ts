/**
 * Registries: which devices belong to which patient, bed and ward, and which gateways serve which ward.
 * Secrets are stored only as hashes (see credentials.ts).
 */
import { z } from 'zod';
import { DeviceType } from './device-messages.ts';
import { BedId, DeviceId, GatewayId, PatientId, WardId } from './ids.ts';

export const SecretHash = z.string().regex(/^sha256\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/, 'secret hash: sha256$<salt>$<digest>');

export const DeviceRegistryEntry = z
  .object({
    deviceId: DeviceId,
    deviceType: DeviceType,
    wardId: WardId,
    bedId: BedId,
    patientId: PatientId,
    secretHash: SecretHash,
  })
  .strict();
export type DeviceRegistryEntry = z.infer<typeof DeviceRegistryEntry>;

export const DeviceRegistry = z
  .object({ v: z.literal(1), devices: z.array(DeviceRegistryEntry) })
  .strict()
  .refine((r) => new Set(r.devices.map((d) => d.deviceId)).size === r.devices.length, 'deviceId must be unique');
export type DeviceRegistry = z.infer<typeof DeviceRegistry>;

export const GatewayRegistryEntry = z.object({ gatewayId: GatewayId, wardId: WardId, secretHash: SecretHash }).strict();
export type GatewayRegistryEntry = z.infer<typeof GatewayRegistryEntry>;

export const GatewayRegistry = z
  .object({ v: z.literal(1), gateways: z.array(GatewayRegistryEntry) })
  .strict()
  .refine((r) => new Set(r.gateways.map((g) => g.gatewayId)).size === r.gateways.length, 'gatewayId must be unique');
export type GatewayRegistry = z.infer<typeof GatewayRegistry>;

/** What a simulated (or real) device is given at provisioning: its identity and plaintext secret. */
export const DeviceCredential = z
  .object({ deviceId: DeviceId, deviceType: DeviceType, secret: z.string().min(32), patientId: PatientId, bedId: BedId, wardId: WardId })
  .strict();
export type DeviceCredential = z.infer<typeof DeviceCredential>;

export const DeviceCredentials = z.object({ v: z.literal(1), devices: z.array(DeviceCredential) }).strict();
export type DeviceCredentials = z.infer<typeof DeviceCredentials>;
