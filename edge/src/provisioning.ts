/**
 * Provisioning: create a ward's device registry (hashed secrets, for the gateway) and the matching device
 * credentials (plaintext secrets, for the devices or the simulator), plus the gateway's own uplink credential.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** File names a provisioned ward directory holds. */
export const PROVISIONING_FILES = {
  deviceRegistry: 'device-registry.json',
  deviceCredentials: 'device-credentials.json',
  gatewayRegistry: 'gateway-registry.json',
  gatewaySecret: 'gateway-secret',
  mosquittoPasswd: 'mosquitto-passwd.txt',
} as const;

/** Write a provisioned ward to `dir`; files holding plaintext secrets get mode 0600. */
export function writeWardProvisioning(ward: WardProvisioning, dir: string): void {
  mkdirSync(dir, { recursive: true });
  // writeFileSync's mode applies only when it creates the file: remove an existing one (possibly world-readable, or a
  // symlink) so that a re-provisioned secret never lands in a file with a looser mode.
  const writeSecret = (path: string, data: string) => {
    rmSync(path, { force: true });
    writeFileSync(path, data, { mode: 0o600 });
  };
  const f = PROVISIONING_FILES;
  writeFileSync(join(dir, f.deviceRegistry), JSON.stringify(ward.registry, null, 2));
  writeSecret(join(dir, f.deviceCredentials), JSON.stringify(ward.credentials, null, 2));
  writeFileSync(join(dir, f.gatewayRegistry), JSON.stringify(ward.gatewayRegistry, null, 2));
  writeSecret(join(dir, f.gatewaySecret), ward.gateway.secret);
  const passwd = [...ward.credentials.devices.map((d) => `${d.deviceId}:${d.secret}`), `${ward.gateway.gatewayId}:${ward.gateway.secret}`];
  writeSecret(join(dir, f.mosquittoPasswd), passwd.join('\n') + '\n');
}
