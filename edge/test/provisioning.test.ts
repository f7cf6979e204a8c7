import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceCredentials, DeviceRegistry, GatewayRegistry } from '@vigil/contracts';
import { verifySecret } from '@vigil/contracts/credentials';
import { DeviceDirectory } from '../src/device-registry.ts';
import { PROVISIONING_FILES, provisionWard, writeWardProvisioning } from '../src/provisioning.ts';

describe('provisionWard', () => {
  it('creates one device per bed with unique ids, wearables on the last beds', () => {
    const ward = provisionWard({ wardId: 'ward-a', gatewayId: 'gw-a', beds: 4, wearableBeds: 2 });
    expect(ward.registry.devices.map((d) => [d.deviceId, d.deviceType, d.bedId, d.patientId, d.wardId])).toEqual([
      ['ward-a-mon-01', 'icu-monitor', 'bed-01', 'pt-ward-a-01', 'ward-a'],
      ['ward-a-mon-02', 'icu-monitor', 'bed-02', 'pt-ward-a-02', 'ward-a'],
      ['ward-a-wear-03', 'wearable', 'bed-03', 'pt-ward-a-03', 'ward-a'],
      ['ward-a-wear-04', 'wearable', 'bed-04', 'pt-ward-a-04', 'ward-a'],
    ]);
  });

  it('pads bed numbers to the width of the bed count', () => {
    const ward = provisionWard({ wardId: 'w', gatewayId: 'gw', beds: 120, wearableBeds: 0 });
    const ids = ward.registry.devices.map((d) => d.deviceId);
    expect(ids[0]).toBe('w-mon-001');
    expect(ids[119]).toBe('w-mon-120');
    expect(new Set(ids).size).toBe(120);
    expect(new Set(ward.registry.devices.map((d) => d.patientId)).size).toBe(120);
    expect(new Set(ward.credentials.devices.map((d) => d.secret)).size).toBe(120);
  });

  it('all beds may be wearables, or none', () => {
    expect(provisionWard({ wardId: 'w', gatewayId: 'gw', beds: 3, wearableBeds: 3 }).registry.devices.every((d) => d.deviceType === 'wearable')).toBe(true);
    expect(provisionWard({ wardId: 'w', gatewayId: 'gw', beds: 3, wearableBeds: 0 }).registry.devices.every((d) => d.deviceType === 'icu-monitor')).toBe(true);
  });

  it('produces registries and credentials that validate against the contracts and agree', () => {
    const ward = provisionWard({ wardId: 'ward-a', gatewayId: 'gw-a', beds: 3, wearableBeds: 1 });
    expect(DeviceRegistry.safeParse(ward.registry).success).toBe(true);
    expect(DeviceCredentials.safeParse(ward.credentials).success).toBe(true);
    expect(GatewayRegistry.safeParse(ward.gatewayRegistry).success).toBe(true);
    for (const [i, cred] of ward.credentials.devices.entries()) {
      const entry = ward.registry.devices[i]!;
      expect({ ...cred, secret: undefined }).toEqual({ ...entry, secretHash: undefined, secret: undefined });
      expect(entry.secretHash).not.toContain(cred.secret);
      expect(verifySecret(cred.secret, entry.secretHash)).toBe(true);
    }
    expect(ward.gateway).toEqual({ gatewayId: 'gw-a', wardId: 'ward-a', secret: ward.gateway.secret });
    expect(ward.gatewayRegistry.gateways.map((g) => [g.gatewayId, g.wardId, verifySecret(ward.gateway.secret, g.secretHash)])).toEqual([['gw-a', 'ward-a', true]]);
  });

  it('gives fresh secrets on every call', () => {
    const a = provisionWard({ wardId: 'w', gatewayId: 'gw', beds: 1, wearableBeds: 0 });
    const b = provisionWard({ wardId: 'w', gatewayId: 'gw', beds: 1, wearableBeds: 0 });
    expect(a.credentials.devices[0]?.secret).not.toBe(b.credentials.devices[0]?.secret);
    expect(a.gateway.secret).not.toBe(b.gateway.secret);
  });
});

describe('DeviceDirectory', () => {
  const ward = provisionWard({ wardId: 'ward-a', gatewayId: 'gw-a', beds: 2, wearableBeds: 1 });
  const directory = new DeviceDirectory(ward.registry);
  const [mon, wear] = ward.credentials.devices as [(typeof ward.credentials.devices)[number], (typeof ward.credentials.devices)[number]];

  it('authenticates each device with its own secret', () => {
    expect(directory.authenticate(mon.deviceId, Buffer.from(mon.secret))).toEqual(ward.registry.devices[0]);
    expect(directory.authenticate(wear.deviceId, Buffer.from(wear.secret))?.deviceType).toBe('wearable');
  });

  it('refuses a wrong secret, another device\u2019s secret, an unknown device and missing values', () => {
    expect(directory.authenticate(mon.deviceId, Buffer.from(wear.secret))).toBeUndefined();
    expect(directory.authenticate(mon.deviceId, Buffer.from(mon.secret + 'x'))).toBeUndefined();
    expect(directory.authenticate(mon.deviceId, Buffer.from(''))).toBeUndefined();
    expect(directory.authenticate(mon.deviceId, undefined)).toBeUndefined();
    expect(directory.authenticate('ward-a-mon-99', Buffer.from(mon.secret))).toBeUndefined();
    expect(directory.authenticate(undefined, Buffer.from(mon.secret))).toBeUndefined();
    expect(directory.authenticate('', Buffer.from(mon.secret))).toBeUndefined();
  });

  it('looks devices up by id', () => {
    expect(directory.size).toBe(2);
    expect(directory.get('ward-a-wear-02')?.bedId).toBe('bed-02');
    expect(directory.get('nope')).toBeUndefined();
    expect(directory.all().map((d) => d.deviceId)).toEqual(['ward-a-mon-01', 'ward-a-wear-02']);
  });
});

describe('writeWardProvisioning', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-prov-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const mode = (file: string) => statSync(join(dir, file)).mode & 0o777;

  it('writes every file; those holding plaintext secrets are 0600', () => {
    const ward = provisionWard({ wardId: 'ward-a', gatewayId: 'gw-a', beds: 2, wearableBeds: 1 });
    writeWardProvisioning(ward, dir);
    const f = PROVISIONING_FILES;
    for (const secretFile of [f.deviceCredentials, f.gatewaySecret, f.mosquittoPasswd]) expect(mode(secretFile)).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, f.deviceRegistry), 'utf8'))).toEqual(ward.registry);
    expect(JSON.parse(readFileSync(join(dir, f.deviceCredentials), 'utf8'))).toEqual(ward.credentials);
    expect(JSON.parse(readFileSync(join(dir, f.gatewayRegistry), 'utf8'))).toEqual(ward.gatewayRegistry);
    expect(readFileSync(join(dir, f.gatewaySecret), 'utf8')).toBe(ward.gateway.secret);
    expect(readFileSync(join(dir, f.mosquittoPasswd), 'utf8')).toBe(
      [...ward.credentials.devices.map((d) => `${d.deviceId}:${d.secret}`), `gw-a:${ward.gateway.secret}`].join('\n') + '\n',
    );
    // A directory written here loads back as a working registry.
    const loaded = DeviceDirectory.fromFile(join(dir, f.deviceRegistry));
    const cred = ward.credentials.devices[1]!;
    expect(loaded.authenticate(cred.deviceId, Buffer.from(cred.secret))?.deviceId).toBe('ward-a-wear-02');
  });

  it('tightens secret files that already exist with a looser mode', () => {
    const f = PROVISIONING_FILES;
    for (const secretFile of [f.deviceCredentials, f.gatewaySecret, f.mosquittoPasswd]) {
      writeFileSync(join(dir, secretFile), 'old');
      chmodSync(join(dir, secretFile), 0o644);
    }
    writeWardProvisioning(provisionWard({ wardId: 'ward-a', gatewayId: 'gw-a', beds: 1, wearableBeds: 0 }), dir);
    for (const secretFile of [f.deviceCredentials, f.gatewaySecret, f.mosquittoPasswd]) expect(mode(secretFile)).toBe(0o600);
  });

  it('DeviceDirectory.fromFile refuses an invalid registry', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ v: 1, devices: [{ deviceId: 'a/b' }] }));
    expect(() => DeviceDirectory.fromFile(file)).toThrow(/device registry .*bad\.json is invalid/);
  });
});
