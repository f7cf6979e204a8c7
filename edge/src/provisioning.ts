/**
 * Provisioning: create a ward's device registry (hashed secrets, for the gateway) and the matching device
 * credentials (plaintext secrets, for the devices or the simulator), plus the gateway's own uplink credential.
 */
import type { DeviceCredentials, DeviceRegistry, DeviceType, GatewayRegistry } from '@vigil/contracts';
import { generateSecret, hashSecret } from '@vigil/contracts/credentials';

export interface WardLayout {
  wardId: string;
  gatewayId: string;
  beds: number;
  /** How many of the beds (the last ones) carry a wearable instead of an ICU monitor. */
  wearableBeds: number;
}

export interface WardProvisioning {
  registry: DeviceRegistry;
  credentials: DeviceCredentials;
  gateway: { gatewayId: string; wardId: string; secret: string };
  gatewayRegistry: GatewayRegistry;
}

export function provisionWard(layout: WardLayout): WardProvisioning {
  const registry: DeviceRegistry = { v: 1, devices: [] };
  const credentials: DeviceCredentials = { v: 1, devices: [] };
  const width = String(layout.beds).length < 2 ? 2 : String(layout.beds).length;
  for (let i = 1; i <= layout.beds; i++) {
    const n = String(i).padStart(width, '0');
    const bedId = `bed-${n}`;
    const deviceType: DeviceType = i > layout.beds - layout.wearableBeds ? 'wearable' : 'icu-monitor';
    const deviceId = `${layout.wardId}-${deviceType === 'wearable' ? 'wear' : 'mon'}-${n}`;
    const patientId = `pt-${layout.wardId}-${n}`;
    const secret = generateSecret();
    registry.devices.push({ deviceId, deviceType, wardId: layout.wardId, bedId, patientId, secretHash: hashSecret(secret) });
    credentials.devices.push({ deviceId, deviceType, secret, wardId: layout.wardId, bedId, patientId });
  }
  const gatewaySecret = generateSecret();
  return {
    registry,
    credentials,
    gateway: { gatewayId: layout.gatewayId, wardId: layout.wardId, secret: gatewaySecret },
    gatewayRegistry: { v: 1, gateways: [{ gatewayId: layout.gatewayId, wardId: layout.wardId, secretHash: hashSecret(gatewaySecret) }] },
  };
}
