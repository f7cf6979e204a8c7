import { describe, it, expect } from 'vitest';
import { GatewayStatus, MAX_UPLINK_RECORDS, UplinkBatch, UplinkRecord } from '../src/index.ts';
import { T0, clone, uplinkAlarm, uplinkSample, uplinkStatus } from './fixtures.ts';

type Mutable = Record<string, unknown>;

function batch(records: unknown[] = [uplinkSample(), uplinkStatus(), uplinkAlarm()]): Mutable {
  return { v: 1, gatewayId: 'gw-ward-a', wardId: 'ward-a', batchSeq: 7, sentAt: T0 + 100, records };
}

function issuePaths(result: { error?: { issues: Array<{ path: PropertyKey[] }> } | undefined }): string[] {
  return result.error?.issues.map((i) => i.path.map(String).join('.')) ?? [];
}

describe('UplinkBatch', () => {
  it('accepts a batch with one record of each type', () => {
    const b = batch();
    const parsed = UplinkBatch.parse(b);
    expect(parsed.records.map((r) => r.type)).toEqual(['sample', 'status', 'alarm']);
    expect(parsed).toEqual(b);
  });

  it(`accepts exactly ${MAX_UPLINK_RECORDS} records and rejects one more`, () => {
    const s = uplinkSample();
    expect(UplinkBatch.safeParse(batch(Array.from({ length: MAX_UPLINK_RECORDS }, () => s))).success).toBe(true);
    const over = UplinkBatch.safeParse(batch(Array.from({ length: MAX_UPLINK_RECORDS + 1 }, () => s)));
    expect(over.success).toBe(false);
    expect(issuePaths(over)).toContain('records');
  });

  it.each([
    ['empty records', (m: Mutable) => (m.records = []), 'records'],
    ['records not an array', (m: Mutable) => (m.records = uplinkSample()), 'records'],
    ['missing gatewayId', (m: Mutable) => delete m.gatewayId, 'gatewayId'],
    ['missing wardId', (m: Mutable) => delete m.wardId, 'wardId'],
    ['negative batchSeq', (m: Mutable) => (m.batchSeq = -1), 'batchSeq'],
    ['non-integer batchSeq', (m: Mutable) => (m.batchSeq = 1.1), 'batchSeq'],
    ['sentAt as string', (m: Mutable) => (m.sentAt = String(T0)), 'sentAt'],
    ['v = 0', (m: Mutable) => (m.v = 0), 'v'],
    ['extra key', (m: Mutable) => (m.checksum = 'abc'), ''],
    ["gatewayId with '/'", (m: Mutable) => (m.gatewayId = 'gw/1'), 'gatewayId'],
    ["wardId with '#'", (m: Mutable) => (m.wardId = '#'), 'wardId'],
  ])('rejects %s', (_name, mutate, path) => {
    const m = clone(batch());
    mutate(m);
    const result = UplinkBatch.safeParse(m);
    expect(result.success).toBe(false);
    expect(issuePaths(result)).toContain(path);
  });
});

describe('UplinkRecord: sample', () => {
  it('accepts a valid sample, also late and with flags', () => {
    expect(UplinkRecord.safeParse(uplinkSample()).success).toBe(true);
    expect(UplinkRecord.safeParse({ ...uplinkSample(), late: true, flags: { spo2: 'motion' } }).success).toBe(true);
  });

  it.each([
    ['missing late', (m: Mutable) => delete m.late, 'late'],
    ['late as string', (m: Mutable) => (m.late = 'false'), 'late'],
    ['missing quality', (m: Mutable) => delete m.quality, 'quality'],
    ['unknown quality', (m: Mutable) => (m.quality = { hr: 'bad' }), 'quality.hr'],
    ['missing receivedAt', (m: Mutable) => delete m.receivedAt, 'receivedAt'],
    ['missing patientId', (m: Mutable) => delete m.patientId, 'patientId'],
    ['unknown deviceType', (m: Mutable) => (m.deviceType = 'pacemaker'), 'deviceType'],
    ['negative seq', (m: Mutable) => (m.seq = -3), 'seq'],
    ['non-integer t', (m: Mutable) => (m.t = T0 + 0.25), 't'],
    ['unknown vital code', (m: Mutable) => (m.vitals = { hr: 70, etco2: 35 }), 'vitals'],
    ['extra key', (m: Mutable) => (m.wardId = 'ward-a'), ''],
    ["bedId with '+'", (m: Mutable) => (m.bedId = 'bed+1'), 'bedId'],
  ])('rejects %s', (_name, mutate, path) => {
    const m = clone(uplinkSample()) as unknown as Mutable;
    mutate(m);
    const result = UplinkRecord.safeParse(m);
    expect(result.success).toBe(false);
    expect(issuePaths(result)).toContain(path);
  });
});

describe('UplinkRecord: status', () => {
  it('accepts a valid status', () => {
    expect(UplinkRecord.parse(uplinkStatus())).toEqual(uplinkStatus());
  });

  it.each([
    ['missing state', (m: Mutable) => delete m.state, 'state'],
    ['unknown reason', (m: Mutable) => (m.reason = 'reboot'), 'reason'],
    ['battery 150', (m: Mutable) => (m.battery = 150), 'battery'],
    ['a seq (samples only)', (m: Mutable) => (m.seq = 1), ''],
    ['missing bootId', (m: Mutable) => delete m.bootId, 'bootId'],
  ])('rejects %s', (_name, mutate, path) => {
    const m = clone(uplinkStatus()) as unknown as Mutable;
    mutate(m);
    const result = UplinkRecord.safeParse(m);
    expect(result.success).toBe(false);
    expect(issuePaths(result)).toContain(path);
  });
});

describe('UplinkRecord: alarm', () => {
  it('accepts a valid alarm record', () => {
    expect(UplinkRecord.parse(uplinkAlarm())).toEqual(uplinkAlarm());
  });

  it.each([
    ['missing alarm', (m: Mutable) => delete m.alarm, 'alarm'],
    ['alarm with a wrong priority', (m: Mutable) => ((m.alarm as Mutable).priority = 'urgent'), 'alarm.priority'],
    ['alarm with an extra key', (m: Mutable) => ((m.alarm as Mutable).colour = 'red'), 'alarm'],
    ['an extra key beside the alarm', (m: Mutable) => (m.t = T0), ''],
  ])('rejects %s', (_name, mutate, path) => {
    const m = clone(uplinkAlarm()) as unknown as Mutable;
    mutate(m);
    const result = UplinkRecord.safeParse(m);
    expect(result.success).toBe(false);
    expect(issuePaths(result)).toContain(path);
  });

  it.each([['missing type', undefined], ['unknown type', 'waveform']])('rejects a record with %s', (_name, type) => {
    const m = clone(uplinkSample()) as unknown as Mutable;
    if (type === undefined) delete m.type;
    else m.type = type;
    expect(UplinkRecord.safeParse(m).success).toBe(false);
  });
});

describe('GatewayStatus', () => {
  const valid = { v: 1, gatewayId: 'gw-1', wardId: 'ward-a', t: T0, state: 'offline' };
  it('accepts a valid gateway status', () => {
    expect(GatewayStatus.safeParse(valid).success).toBe(true);
  });
  it.each([
    ['unknown state', { state: 'degraded' }],
    ['extra key', { reason: 'connection_lost' }],
    ["gatewayId with '/'", { gatewayId: 'a/b' }],
  ])('rejects %s', (_name, patch) => {
    expect(GatewayStatus.safeParse({ ...valid, ...patch }).success).toBe(false);
  });
});
