import { describe, it, expect } from 'vitest';
import { WardJoinReply, WardJoinRequest, WardSnapshot } from '../src/index.ts';
import { T0, clone, wardSnapshot } from './fixtures.ts';

type Mutable = Record<string, unknown>;
const bed0 = (m: Mutable) => (m.beds as Mutable[])[0] as Mutable;

describe('WardSnapshot', () => {
  it('accepts a valid snapshot, and an empty ward', () => {
    expect(WardSnapshot.parse(wardSnapshot())).toEqual(wardSnapshot());
    expect(WardSnapshot.safeParse({ wardId: 'ward-b', beds: [], alarms: [], at: T0 }).success).toBe(true);
  });

  it.each([
    ['missing at', (m: Mutable) => delete m.at, 'at'],
    ['missing alarms', (m: Mutable) => delete m.alarms, 'alarms'],
    ['extra key', (m: Mutable) => (m.version = 2), ''],
    ["wardId with '/'", (m: Mutable) => (m.wardId = 'w/1'), 'wardId'],
    ['bed with unknown vital in latest', (m: Mutable) => (bed0(m).latest = { map: { value: 1, t: T0, quality: 'good' } }), 'beds.0.latest'],
    ['latest value without quality', (m: Mutable) => (bed0(m).latest = { hr: { value: 70, t: T0 } }), 'beds.0.latest.hr.quality'],
    ['latest value as bare number', (m: Mutable) => (bed0(m).latest = { hr: 70 }), 'beds.0.latest.hr'],
    ['device battery missing (must be null)', (m: Mutable) => delete ((bed0(m).devices as Mutable[])[0] as Mutable).battery, 'beds.0.devices.0.battery'],
    ['bed with extra key', (m: Mutable) => (bed0(m).name = 'Bed 1'), 'beds.0'],
    ['alarm with wrong priority', (m: Mutable) => (((m.alarms as Mutable[])[0] as Mutable).priority = 'p1'), 'alarms.0.priority'],
  ])('rejects %s', (_name, mutate, path) => {
    const m = clone(wardSnapshot()) as unknown as Mutable;
    mutate(m);
    const result = WardSnapshot.safeParse(m);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});

describe('WardJoinRequest / WardJoinReply', () => {
  it('request: a ward id and nothing else', () => {
    expect(WardJoinRequest.safeParse({ wardId: 'ward-a' }).success).toBe(true);
    expect(WardJoinRequest.safeParse({ wardId: 'ward/a' }).success).toBe(false);
    expect(WardJoinRequest.safeParse({ wardId: 'ward-a', token: 'x' }).success).toBe(false);
    expect(WardJoinRequest.safeParse({ wardId: 'ward-a', cursor: 17 }).success).toBe(true);
    expect(WardJoinRequest.safeParse({ wardId: 'ward-a', cursor: -1 }).success).toBe(false);
  });

  it.each([
    ['ok with snapshot', { ok: true, snapshot: wardSnapshot(), cursor: 0, missed: [], gap: false }],
    ['error', { ok: false, error: { code: 'PM_ERR_NOT_FOUND', message: 'no ward x' } }],
    ['error with details', { ok: false, error: { code: 'PM_ERR_VALIDATION', message: 'bad', details: [{ path: 'wardId', message: 'required' }] } }],
  ])('accepts %s', (_name, reply) => {
    expect(WardJoinReply.safeParse(reply).success).toBe(true);
  });

  it.each([
    ['ok true without snapshot', { ok: true }],
    ['ok without a cursor (resync needs it)', { ok: true, snapshot: wardSnapshot(), missed: [], gap: false }],
    ['ok false without error', { ok: false }],
    ['ok true with an error instead of a snapshot', { ok: true, error: { code: 'PM_ERR_NOT_FOUND', message: 'x' } }],
    ['ok as string', { ok: 'true', snapshot: wardSnapshot() }],
    ['unknown error code', { ok: false, error: { code: 'PM_ERR_NOPE', message: 'x' } }],
    ['error without message', { ok: false, error: { code: 'PM_ERR_NOT_FOUND' } }],
    ['error with extra key', { ok: false, error: { code: 'PM_ERR_NOT_FOUND', message: 'x', status: 404 } }],
    ['extra key beside error', { ok: false, error: { code: 'PM_ERR_NOT_FOUND', message: 'x' }, retry: true }],
    ['extra key beside snapshot', { ok: true, snapshot: wardSnapshot(), error: { code: 'PM_ERR_NOT_FOUND', message: 'x' } }],
    ['invalid snapshot', { ok: true, snapshot: { ...wardSnapshot(), at: -1 } }],
  ])('rejects %s', (_name, reply) => {
    expect(WardJoinReply.safeParse(reply).success).toBe(false);
  });
});
