import { describe, it, expect } from 'vitest';
import { DeviceStatus, VitalsSample } from '../src/index.ts';
import { clone, deviceStatus, vitalsSample } from './fixtures.ts';

type Mutable = Record<string, unknown>;

describe('VitalsSample', () => {
  it('accepts a valid sample', () => {
    const sample = vitalsSample();
    expect(VitalsSample.parse(sample)).toEqual(sample);
  });

  it.each([
    ['without flags', (m: Mutable) => delete m.flags],
    ['a single vital', (m: Mutable) => (m.vitals = { spo2: 95 })],
    ['seq 0', (m: Mutable) => (m.seq = 0)],
    ['seq MAX_SAFE_INTEGER', (m: Mutable) => (m.seq = Number.MAX_SAFE_INTEGER)],
    ['t 0', (m: Mutable) => (m.t = 0)],
    ['a 64-character id', (m: Mutable) => (m.deviceId = 'a'.repeat(64))],
    ['id with . _ -', (m: Mutable) => (m.deviceId = 'ward-3.bed_12')],
    ['negative vital values (schema does not judge plausibility)', (m: Mutable) => (m.vitals = { hr: -5 })],
  ])('accepts %s', (_name, mutate) => {
    const m = clone(vitalsSample()) as unknown as Mutable;
    mutate(m);
    expect(VitalsSample.safeParse(m).success).toBe(true);
  });

  it.each([
    ['missing v', (m: Mutable) => delete m.v, 'v'],
    ['v = 2', (m: Mutable) => (m.v = 2), 'v'],
    ['missing deviceId', (m: Mutable) => delete m.deviceId, 'deviceId'],
    ['missing bootId', (m: Mutable) => delete m.bootId, 'bootId'],
    ['missing seq', (m: Mutable) => delete m.seq, 'seq'],
    ['missing t', (m: Mutable) => delete m.t, 't'],
    ['missing vitals', (m: Mutable) => delete m.vitals, 'vitals'],
    ['seq as string', (m: Mutable) => (m.seq = '42'), 'seq'],
    ['negative seq', (m: Mutable) => (m.seq = -1), 'seq'],
    ['non-integer seq', (m: Mutable) => (m.seq = 1.5), 'seq'],
    ['seq above MAX_SAFE_INTEGER', (m: Mutable) => (m.seq = Number.MAX_SAFE_INTEGER + 2), 'seq'],
    ['non-integer t', (m: Mutable) => (m.t = 1_760_000_000_000.5), 't'],
    ['negative t', (m: Mutable) => (m.t = -1), 't'],
    ['t as ISO string', (m: Mutable) => (m.t = '2025-10-09T00:00:00Z'), 't'],
    ['t beyond the Date range', (m: Mutable) => (m.t = 8.64e15 + 1), 't'],
    ['empty vitals', (m: Mutable) => (m.vitals = {}), 'vitals'],
    ['unknown vital code', (m: Mutable) => (m.vitals = { hr: 70, glucose: 5 }), 'vitals'],
    ['vital as string', (m: Mutable) => (m.vitals = { hr: '70' }), 'vitals.hr'],
    ['vital null', (m: Mutable) => (m.vitals = { hr: null }), 'vitals.hr'],
    ['vital Infinity', (m: Mutable) => (m.vitals = { hr: Number.POSITIVE_INFINITY }), 'vitals.hr'],
    ['vital NaN', (m: Mutable) => (m.vitals = { hr: Number.NaN }), 'vitals.hr'],
    ['unknown flag', (m: Mutable) => (m.flags = { spo2: 'broken' }), 'flags.spo2'],
    ['flag for unknown vital', (m: Mutable) => (m.flags = { glucose: 'ok' }), 'flags'],
    ['extra top-level key', (m: Mutable) => (m.patientId = 'p-1'), ''],
    ["deviceId with '/'", (m: Mutable) => (m.deviceId = 'a/b'), 'deviceId'],
    ["deviceId with '+'", (m: Mutable) => (m.deviceId = 'a+b'), 'deviceId'],
    ["deviceId with '#'", (m: Mutable) => (m.deviceId = 'a#'), 'deviceId'],
    ['deviceId with NUL', (m: Mutable) => (m.deviceId = 'a\u0000b'), 'deviceId'],
    ['deviceId with a space', (m: Mutable) => (m.deviceId = 'a b'), 'deviceId'],
    ['deviceId starting with -', (m: Mutable) => (m.deviceId = '-abc'), 'deviceId'],
    ['empty deviceId', (m: Mutable) => (m.deviceId = ''), 'deviceId'],
    ['65-character deviceId', (m: Mutable) => (m.deviceId = 'a'.repeat(65)), 'deviceId'],
    ['deviceId as number', (m: Mutable) => (m.deviceId = 7), 'deviceId'],
    ['bootId with a dot', (m: Mutable) => (m.bootId = 'boot.1'), 'bootId'],
    ['41-character bootId', (m: Mutable) => (m.bootId = 'b'.repeat(41)), 'bootId'],
  ])('rejects %s', (_name, mutate, path) => {
    const m = clone(vitalsSample()) as unknown as Mutable;
    mutate(m);
    const result = VitalsSample.safeParse(m);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});

describe('DeviceStatus', () => {
  it('accepts a valid status, with and without the optional fields', () => {
    const status = deviceStatus();
    expect(DeviceStatus.parse(status)).toEqual(status);
    const { battery: _b, signal: _s, ...minimal } = status;
    expect(DeviceStatus.safeParse({ ...minimal, state: 'offline', reason: 'connection_lost' }).success).toBe(true);
  });

  it.each([
    ['missing state', (m: Mutable) => delete m.state, 'state'],
    ['missing reason', (m: Mutable) => delete m.reason, 'reason'],
    ['unknown state', (m: Mutable) => (m.state = 'sleeping'), 'state'],
    ['unknown reason', (m: Mutable) => (m.reason = 'crash'), 'reason'],
    ['battery above 100', (m: Mutable) => (m.battery = 101), 'battery'],
    ['negative battery', (m: Mutable) => (m.battery = -1), 'battery'],
    ['battery as string', (m: Mutable) => (m.battery = '80'), 'battery'],
    ['positive signal dBm', (m: Mutable) => (m.signal = 5), 'signal'],
    ['signal below -130 dBm', (m: Mutable) => (m.signal = -131), 'signal'],
    ['non-integer t', (m: Mutable) => (m.t = 0.5), 't'],
    ['extra key', (m: Mutable) => (m.seq = 1), ''],
    ["deviceId with '+'", (m: Mutable) => (m.deviceId = '+'), 'deviceId'],
    ['v missing', (m: Mutable) => delete m.v, 'v'],
  ])('rejects %s', (_name, mutate, path) => {
    const m = clone(deviceStatus()) as unknown as Mutable;
    mutate(m);
    const result = DeviceStatus.safeParse(m);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});
