import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Alarm, DEFAULT_LIMIT_RULES, ID_PATTERN, PmError, type DeviceRegistryEntry, type LimitRule } from '@vigil/contracts';
import { hashSecret } from '@vigil/contracts/credentials';
import {
  createLocalAlarms,
  EDGE_CRITICAL_RULES,
  loadPatientLimits,
  LocalAlarmManager,
  parsePatientLimits,
  type LocalAlarmsOptions,
  type LocalSample,
} from '../src/local-alarms/index.ts';

const T0 = 1_760_000_000_000;
const HASH = hashSecret('s'.repeat(43));

const MON: DeviceRegistryEntry = { deviceId: 'mon-01', deviceType: 'icu-monitor', wardId: 'ward-a', bedId: 'bed-01', patientId: 'pt-1', secretHash: HASH };
const MON2: DeviceRegistryEntry = { deviceId: 'mon-02', deviceType: 'icu-monitor', wardId: 'ward-a', bedId: 'bed-02', patientId: 'pt-2', secretHash: HASH };
const OTHER_WARD: DeviceRegistryEntry = { ...MON, deviceId: 'mon-b1', wardId: 'ward-b', bedId: 'bed-01', patientId: 'pt-b1' };

function rule(code: string): LimitRule {
  const found = DEFAULT_LIMIT_RULES.find((r) => r.code === code);
  if (!found) throw new Error(`no rule ${code}`);
  return found;
}

function sample(t: number, vitals: LocalSample['vitals'], overrides: Partial<LocalSample> = {}): LocalSample {
  const quality = Object.fromEntries(Object.keys(vitals).map((k) => [k, 'good'])) as LocalSample['quality'];
  return { deviceId: MON.deviceId, t, vitals, quality, late: false, receivedAt: t + 20, ...overrides };
}

/** A local-alarms instance that records every change and checks each one against the contract. */
function make(overrides: Partial<LocalAlarmsOptions> = {}) {
  const changes: Alarm[] = [];
  const alarms = createLocalAlarms({
    wardId: 'ward-a',
    directory: [MON, MON2, OTHER_WARD],
    now: () => T0,
    onChange: (changed) => {
      expect(changed.length).toBeGreaterThan(0);
      for (const a of changed) changes.push(Alarm.parse(a));
    },
    ...overrides,
  });
  return { alarms, changes };
}

/** Feed one sample per second from `from` to `to` inclusive; returns every change. */
function run(alarms: ReturnType<typeof make>['alarms'], from: number, to: number, vitals: LocalSample['vitals'], overrides: Partial<LocalSample> = {}) {
  const out: Alarm[] = [];
  for (let t = from; t <= to; t += 1000) out.push(...alarms.onSample(sample(t, vitals, overrides)));
  return out;
}

describe('critical limits at the edge', () => {
  it('defaults to the high-priority rules of DEFAULT_LIMIT_RULES', () => {
    expect(EDGE_CRITICAL_RULES.map((r) => r.code).sort()).toEqual(['HR_LOW', 'RR_LOW', 'SBP_LOW', 'SPO2_LOW']);
    expect(EDGE_CRITICAL_RULES.every((r) => r.priority === 'high')).toBe(true);
  });

  it('raises a limit alarm exactly when its condition delay has elapsed in event time, not before', () => {
    const { alarms, changes } = make();
    const delay = rule('SPO2_LOW').delayMs; // 15 s
    expect(run(alarms, T0, T0 + delay - 1000, { spo2: 85 })).toEqual([]);
    const raised = alarms.onSample(sample(T0 + delay, { spo2: 85 }));
    expect(raised).toHaveLength(1);
    const alarm = raised[0]!;
    expect(alarm).toMatchObject({
      code: 'SPO2_LOW',
      state: 'active',
      priority: 'high',
      kind: 'physiological',
      source: 'edge-limit',
      wardId: 'ward-a',
      bedId: 'bed-01',
      patientId: 'pt-1',
      latching: true,
      onsetAt: T0,
      raisedAt: T0 + delay,
      updatedAt: T0 + delay,
      endedAt: null,
    });
    expect(alarm.evidence).toMatchObject({ vital: 'spo2', value: 85, limit: 90, comparator: '<', conditionDelayMs: delay, windowStart: T0, windowEnd: T0 + delay });
    expect(alarm.id).toMatch(ID_PATTERN);
    expect(changes).toEqual([alarm]);
    // One episode, one alarm.
    expect(run(alarms, T0 + delay + 1000, T0 + delay + 20_000, { spo2: 84 })).toEqual([]);
    expect(alarms.open()).toHaveLength(1);
  });

  it('a condition interrupted before its delay does not raise', () => {
    const { alarms } = make();
    expect(run(alarms, T0, T0 + 10_000, { spo2: 85 })).toEqual([]);
    expect(alarms.onSample(sample(T0 + 11_000, { spo2: 95 }))).toEqual([]);
    expect(run(alarms, T0 + 12_000, T0 + 26_000, { spo2: 85 })).toEqual([]); // 14 s since the new onset
    expect(alarms.onSample(sample(T0 + 27_000, { spo2: 85 }))).toHaveLength(1);
  });

  it('leaves medium and low rules to the cloud by default', () => {
    const { alarms } = make();
    expect(run(alarms, T0, T0 + 120_000, { hr: 150, rr: 30, temp: 39.5 })).toEqual([]);
  });

  it('questionable, artifact and sensor-off values neither start nor end a limit condition', () => {
    const { alarms } = make();
    expect(run(alarms, T0, T0 + 60_000, { spo2: 70 }, { quality: { spo2: 'artifact' } })).toEqual([]);
    expect(run(alarms, T0 + 61_000, T0 + 80_000, { spo2: 70 }, { quality: { spo2: 'questionable' } })).toEqual([]);
  });

  it('never raises from late (backlog) samples', () => {
    const { alarms, changes } = make();
    expect(run(alarms, T0, T0 + 120_000, { spo2: 80, hr: 30, rr: 4, abpSys: 60 }, { late: true })).toEqual([]);
    expect(changes).toEqual([]);
  });

  it('treats samples older than staleAfterMs on arrival as late (a device\'s buffered backlog)', () => {
    const { alarms } = make({ staleAfterMs: 60_000 });
    expect(run(alarms, T0, T0 + 30_000, { spo2: 80 }, { receivedAt: T0 + 200_000 })).toEqual([]);
    // Without the option the same backlog raises: the option is the integrator's choice (device clock skew).
    expect(run(make().alarms, T0, T0 + 30_000, { spo2: 80 }, { receivedAt: T0 + 200_000 })).toHaveLength(1);
  });

  it('applies a per-patient override, merged by code into the defaults', () => {
    const patientLimits = parsePatientLimits({
      patients: { 'pt-1': [{ ...rule('SPO2_LOW'), limit: 85, delayMs: 5_000, label: 'SpO\u2082 low (COPD target)' }] },
    });
    const { alarms } = make({ patientLimits });
    expect(alarms.rulesFor('pt-1').find((r) => r.code === 'SPO2_LOW')?.limit).toBe(85);
    expect(alarms.rulesFor('pt-1').map((r) => r.code).sort()).toEqual(['HR_LOW', 'RR_LOW', 'SBP_LOW', 'SPO2_LOW']);
    expect(alarms.rulesFor('pt-2')).toEqual(EDGE_CRITICAL_RULES);
    // pt-1 at 87 %: within its own limit, no alarm however long.
    expect(run(alarms, T0, T0 + 60_000, { spo2: 87 })).toEqual([]);
    // pt-2 (defaults) at 87 %: alarm after 15 s.
    const pt2: Alarm[] = [];
    for (let t = T0; t <= T0 + 15_000; t += 1000) pt2.push(...alarms.onSample(sample(t, { spo2: 87 }, { deviceId: 'mon-02' })));
    expect(pt2.map((a) => [a.patientId, a.raisedAt])).toEqual([['pt-2', T0 + 15_000]]);
    // pt-1 below 85 %: the override's 5 s delay.
    expect(run(alarms, T0 + 61_000, T0 + 65_000, { spo2: 84 })).toEqual([]);
    const raised = alarms.onSample(sample(T0 + 66_000, { spo2: 84 }));
    expect(raised.map((a) => [a.code, a.onsetAt, a.evidence.limit, a.evidence.conditionDelayMs])).toEqual([['SPO2_LOW', T0 + 61_000, 85, 5_000]]);
  });

  it('ignores devices that are not in this ward\u2019s registry, and refuses a bed named like the ward pseudo bed', () => {
    const { alarms } = make();
    expect(run(alarms, T0, T0 + 30_000, { spo2: 70 }, { deviceId: 'mon-b1' })).toEqual([]);
    expect(run(alarms, T0, T0 + 30_000, { spo2: 70 }, { deviceId: 'nobody' })).toEqual([]);
    expect(() => make({ directory: [{ ...MON, bedId: 'ward' }] })).toThrow(/reserved/);
  });
});

describe('loadPatientLimits', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-limits-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, body: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
    return file;
  };

  it('loads a valid file', () => {
    const file = write('ok.json', { patients: { 'pt-1': [{ ...rule('HR_LOW'), limit: 35 }], 'pt-2': [] } });
    const limits = loadPatientLimits(file);
    expect(limits['pt-1']?.[0]?.limit).toBe(35);
    expect(limits['pt-2']).toEqual([]);
  });

  it('rejects unknown fields with an error naming the file and the field', () => {
    const file = write('typo.json', { patients: { 'pt-1': [{ ...rule('HR_LOW'), delay: 3000 }] } });
    let error: unknown;
    try {
      loadPatientLimits(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PmError);
    expect((error as PmError).code).toBe('PM_ERR_CONFIG_INVALID');
    expect((error as PmError).message).toContain(file);
    expect((error as PmError).message).toContain('patients.pt-1.0');
    expect((error as PmError).message).toContain('delay');
    expect(() => loadPatientLimits(write('top.json', { patients: {}, ward: 'a' }))).toThrow(/ward/);
  });

  it('rejects bad values, duplicate codes, invalid patient ids and invalid JSON', () => {
    expect(() => loadPatientLimits(write('a.json', { patients: { 'pt-1': [{ ...rule('HR_LOW'), priority: 'urgent' }] } }))).toThrow(PmError);
    expect(() => loadPatientLimits(write('b.json', { patients: { 'pt-1': [rule('HR_LOW'), rule('HR_LOW')] } }))).toThrow(/unique/);
    expect(() => loadPatientLimits(write('c.json', { patients: { 'pt/1': [] } }))).toThrow(PmError);
    expect(() => loadPatientLimits(write('d.json', '{ not json'))).toThrow(/JSON/);
    expect(() => loadPatientLimits(join(dir, 'missing.json'))).toThrow(PmError);
  });
});

describe('the local alarm state machine', () => {
  const SPO2 = rule('SPO2_LOW'); // latching

  /** Raise SPO2_LOW for pt-1 with onset T0 (raised at T0 + 15 s). */
  function raiseSpo2(alarms: ReturnType<typeof make>['alarms'], from = T0): Alarm {
    const out = run(alarms, from, from + SPO2.delayMs, { spo2: 85 });
    expect(out).toHaveLength(1);
    return out[0]!;
  }

  it('latching: condition ends → latched; acknowledge → ended', () => {
    const { alarms } = make();
    const alarm = raiseSpo2(alarms);
    const latched = alarms.onSample(sample(T0 + 20_000, { spo2: 96 }));
    expect(latched.map((a) => [a.id, a.state, a.updatedAt, a.endedAt])).toEqual([[alarm.id, 'latched', T0 + 20_000, null]]);
    expect(alarms.open().map((a) => a.state)).toEqual(['latched']);
    const acked = alarms.acknowledge(alarm.id, 'nurse.kim', T0 + 30_000);
    expect(acked.map((a) => [a.state, a.acknowledgedBy, a.acknowledgedAt, a.endedAt])).toEqual([['ended', 'nurse.kim', T0 + 30_000, T0 + 30_000]]);
    expect(alarms.open()).toEqual([]);
    expect(alarms.history().map((a) => a.id)).toEqual([alarm.id]);
    expect(alarms.acknowledge(alarm.id, 'nurse.kim', T0 + 31_000)).toEqual([]);
  });

  it('active → acknowledged; the condition ending then ends it (no latch)', () => {
    const { alarms } = make();
    const alarm = raiseSpo2(alarms);
    expect(alarms.acknowledge(alarm.id, 'nurse.kim', T0 + 16_000).map((a) => a.state)).toEqual(['acknowledged']);
    expect(alarms.acknowledge(alarm.id, 'dr.lee', T0 + 17_000)).toEqual([]); // twice is not an error, and changes nothing
    // Still the same episode while the condition goes on.
    expect(run(alarms, T0 + 16_000, T0 + 40_000, { spo2: 84 })).toEqual([]);
    const ended = alarms.onSample(sample(T0 + 41_000, { spo2: 97 }));
    expect(ended.map((a) => [a.state, a.endedAt, a.acknowledgedBy])).toEqual([['ended', T0 + 41_000, 'nurse.kim']]);
  });

  it('non-latching: condition ends → ended', () => {
    const patientLimits = parsePatientLimits({ patients: { 'pt-1': [{ ...SPO2, latching: false }] } });
    const { alarms } = make({ patientLimits });
    raiseSpo2(alarms);
    expect(alarms.onSample(sample(T0 + 20_000, { spo2: 96 })).map((a) => a.state)).toEqual(['ended']);
    expect(alarms.open()).toEqual([]);
  });

  it('a new episode while latched supersedes the latched alarm', () => {
    const { alarms } = make();
    const first = raiseSpo2(alarms);
    alarms.onSample(sample(T0 + 20_000, { spo2: 96 }));
    const changes = run(alarms, T0 + 21_000, T0 + 36_000, { spo2: 85 });
    expect(changes.map((a) => [a.id === first.id, a.state])).toEqual([
      [true, 'ended'],
      [false, 'active'],
    ]);
    expect(changes[1]!.onsetAt).toBe(T0 + 21_000);
    expect(alarms.open()).toHaveLength(1);
  });

  it('unknown ids cannot be acknowledged', () => {
    const { alarms } = make();
    expect(alarms.acknowledge('al-00000000000000000000', 'nurse.kim', T0)).toEqual([]);
  });

  it('produces the same ids from the same input, and distinct ids per patient, code and onset', () => {
    const replay = () => {
      const { alarms, changes } = make();
      run(alarms, T0, T0 + 20_000, { spo2: 85, hr: 35 });
      alarms.onSample(sample(T0 + 21_000, { spo2: 97, hr: 70 }));
      run(alarms, T0 + 22_000, T0 + 40_000, { spo2: 85 });
      for (let t = T0; t <= T0 + 20_000; t += 1000) alarms.onSample(sample(t, { spo2: 85 }, { deviceId: 'mon-02' }));
      return changes.map((a) => `${a.id}:${a.state}`);
    };
    const a = replay();
    expect(a.length).toBeGreaterThanOrEqual(6);
    expect(replay()).toEqual(a);
    const ids = new Set(a.map((x) => x.split(':')[0]));
    expect(ids.size).toBe(4); // SPO2 pt-1 ×2 episodes, HR_LOW pt-1, SPO2 pt-2
  });

  it('keeps a bounded history of ended alarms', () => {
    const manager = new LocalAlarmManager({ wardId: 'ward-a', historyLimit: 2 });
    for (let i = 0; i < 5; i++) {
      const onsetAt = T0 + i * 10_000;
      manager.apply({
        type: 'raise',
        condition: {
          patientId: 'pt-1', bedId: 'bed-01', code: 'OUTBOX_FULL', priority: 'medium', kind: 'technical', source: 'edge-technical',
          latching: false, message: 'x'.repeat(300), onsetAt, raisedAt: onsetAt, evidence: { detail: 'y'.repeat(600) },
        },
      });
      const [ended] = manager.apply({ type: 'clear', patientId: 'pt-1', code: 'OUTBOX_FULL', at: onsetAt + 1000 });
      expect(Alarm.parse(ended)).toBeTruthy(); // long texts are clipped to the schema's limits
    }
    expect(manager.history().map((a) => a.onsetAt)).toEqual([T0 + 40_000, T0 + 30_000]);
    expect(manager.open()).toEqual([]);
  });
});
