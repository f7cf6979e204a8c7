import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Alarm } from '@vigil/contracts';
import { MIGRATIONS } from '../src/storage/migrations.ts';
import { SqliteStore } from '../src/storage/sqlite-store.ts';
import { T0, bed, sample, status } from './fixtures.ts';

function alarm(overrides: Partial<Alarm> = {}): Alarm {
  return {
    id: 'al-1',
    wardId: 'ward-a',
    bedId: 'bed-01',
    patientId: 'pt-1',
    priority: 'medium',
    kind: 'physiological',
    source: 'limit-rule',
    code: 'HR_HIGH',
    state: 'active',
    latching: false,
    message: 'Heart rate high: 140 (limit > 130)',
    onsetAt: T0,
    raisedAt: T0 + 10_000,
    updatedAt: T0 + 10_000,
    endedAt: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    evidence: { vital: 'hr', value: 140, limit: 130, comparator: '>' },
    ...overrides,
  };
}

describe('SqliteStore: migrations', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies each migration once, also when opened again on the same file', () => {
    const file = join(dir, 'nested', 'cloud.sqlite');
    const first = new SqliteStore(file);
    expect(first.insertSample('ward-a', sample(), T0 + 100)).toBe(true);
    first.migrate();
    first.close();

    const second = new SqliteStore(file);
    const rows = second.db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    expect(second.countSamples()).toBe(1);
    expect(second.insertSample('ward-a', sample(), T0 + 200)).toBe(false);
    second.close();
  });

  it('creates the tables of every migration', () => {
    const store = new SqliteStore(':memory:');
    const tables = (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
    expect(tables).toEqual(['alarm_transitions', 'alarms', 'beds', 'device_status', 'edge_alarm_reports', 'edge_windows', 'samples', 'schema_migrations', 'wave_summaries', 'waves']);
    store.close();
  });
});

describe('SqliteStore: samples and statuses', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore(':memory:');
  });
  afterEach(() => {
    store.close();
  });

  it('insertSample is idempotent by (deviceId, bootId, seq)', () => {
    expect(store.insertSample('ward-a', sample(), T0 + 100)).toBe(true);
    expect(store.insertSample('ward-a', sample(), T0 + 100)).toBe(false);
    // The same key with other content is still the same sample: the first write wins.
    expect(store.insertSample('ward-a', sample({ vitals: { hr: 99 } }), T0 + 300)).toBe(false);
    expect(store.countSamples()).toBe(1);
    expect(store.samplesOf('pt-1', T0, T0)[0]?.vitals).toEqual({ hr: 72, spo2: 97 });
  });

  it('a different seq, bootId or deviceId is a different sample', () => {
    expect(store.insertSample('ward-a', sample(), T0)).toBe(true);
    expect(store.insertSample('ward-a', sample({ seq: 2 }), T0)).toBe(true);
    expect(store.insertSample('ward-a', sample({ bootId: 'boot-2' }), T0)).toBe(true);
    expect(store.insertSample('ward-a', sample({ deviceId: 'mon-02' }), T0)).toBe(true);
    expect(store.countSamples()).toBe(4);
  });

  it('stores the sample\u2019s columns', () => {
    store.insertSample('ward-a', sample({ late: true, quality: { hr: 'artifact', spo2: 'good' } }), T0 + 999);
    expect(store.db.prepare('SELECT * FROM samples').get()).toEqual({
      device_id: 'mon-01',
      boot_id: 'boot-1',
      seq: 1,
      ward_id: 'ward-a',
      bed_id: 'bed-01',
      patient_id: 'pt-1',
      t: T0,
      received_at: T0 + 50,
      stored_at: T0 + 999,
      late: 1,
      vitals: '{"hr":72,"spo2":97}',
      quality: '{"hr":"artifact","spo2":"good"}',
    });
  });

  it('insertStatus is idempotent by (deviceId, bootId, t, state)', () => {
    expect(store.insertStatus('ward-a', status({ battery: 80 }))).toBe(true);
    expect(store.insertStatus('ward-a', status({ battery: 80 }))).toBe(false);
    expect(store.insertStatus('ward-a', status({ state: 'offline', reason: 'connection_lost' }))).toBe(true);
    expect(store.insertStatus('ward-a', status({ t: T0 + 1 }))).toBe(true);
    const rows = store.db.prepare('SELECT t, state, reason, battery, signal FROM device_status ORDER BY t, state').all();
    expect(rows).toEqual([
      { t: T0, state: 'offline', reason: 'connection_lost', battery: null, signal: null },
      { t: T0, state: 'online', reason: 'startup', battery: 80, signal: null },
      { t: T0 + 1, state: 'online', reason: 'startup', battery: null, signal: null },
    ]);
  });

  it('samplesOf returns one patient\u2019s samples in [from, to], ordered by t then deviceId', () => {
    store.insertSample('ward-a', sample({ seq: 1, t: T0 + 3_000 }), T0);
    store.insertSample('ward-a', sample({ seq: 2, t: T0 + 1_000 }), T0);
    store.insertSample('ward-a', sample({ deviceId: 'mon-00', seq: 7, t: T0 + 3_000 }), T0);
    store.insertSample('ward-a', sample({ seq: 3, t: T0 + 2_000 }), T0);
    store.insertSample('ward-a', sample({ seq: 4, t: T0 + 5_000 }), T0);
    store.insertSample('ward-a', sample({ seq: 5, t: T0 + 999 }), T0);
    store.insertSample('ward-a', sample({ patientId: 'pt-2', deviceId: 'mon-02', seq: 1, t: T0 + 2_000 }), T0);
    const rows = store.samplesOf('pt-1', T0 + 1_000, T0 + 3_000);
    expect(rows.map((r) => [r.deviceId, r.seq, r.t - T0])).toEqual([
      ['mon-01', 2, 1_000],
      ['mon-01', 3, 2_000],
      ['mon-00', 7, 3_000],
      ['mon-01', 1, 3_000],
    ]);
    expect(rows[0]).toEqual({ deviceId: 'mon-01', bootId: 'boot-1', seq: 2, patientId: 'pt-1', t: T0 + 1_000, vitals: { hr: 72, spo2: 97 } });
    expect(store.samplesOf('pt-3', T0, T0 + 10_000)).toEqual([]);
  });

  it('transaction rolls back every write when the function throws', () => {
    expect(() =>
      store.transaction(() => {
        store.insertSample('ward-a', sample(), T0);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.countSamples()).toBe(0);
    expect(store.transaction(() => store.insertSample('ward-a', sample(), T0))).toBe(true);
    expect(store.countSamples()).toBe(1);
  });
});

describe('SqliteStore: beds and alarms', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore(':memory:');
  });
  afterEach(() => {
    store.close();
  });

  it('saveBed and loadBeds round-trip, upsert by (ward, bed), ordered by ward then bed', () => {
    const b1 = bed({ bedId: 'bed-02' });
    const b2 = bed({ bedId: 'bed-01', patientId: 'pt-9' });
    const b3 = bed({ wardId: 'ward-0', bedId: 'bed-09' });
    store.saveBed(b1);
    store.saveBed(b2);
    store.saveBed(b3);
    const updated = bed({ bedId: 'bed-02', latest: { hr: { value: 88, t: T0 + 5_000, quality: 'artifact' } }, updatedAt: T0 + 5_000 });
    store.saveBed(updated);
    expect(store.loadBeds()).toEqual([b3, b2, updated]);
  });

  it('loadOpenAlarms returns alarms that are not ended, by raisedAt', () => {
    store.saveAlarm(alarm({ id: 'al-b', raisedAt: T0 + 20_000 }), { at: T0 + 20_000, state: 'active', actor: 'system' });
    store.saveAlarm(alarm({ id: 'al-a', raisedAt: T0 + 10_000, state: 'latched', latching: true }), { at: T0 + 10_000, state: 'latched', actor: 'system' });
    store.saveAlarm(alarm({ id: 'al-c', raisedAt: T0 + 5_000 }), { at: T0 + 5_000, state: 'active', actor: 'system' });
    store.saveAlarm(alarm({ id: 'al-c', raisedAt: T0 + 5_000, state: 'ended', endedAt: T0 + 30_000 }), { at: T0 + 30_000, state: 'ended', actor: 'system' });
    const open = store.loadOpenAlarms();
    expect(open.map((a) => [a.id, a.state])).toEqual([
      ['al-a', 'latched'],
      ['al-b', 'active'],
    ]);
    expect(open[1]).toEqual(alarm({ id: 'al-b', raisedAt: T0 + 20_000 }));
  });

  it('saveAlarm numbers each alarm\u2019s transitions from 1', () => {
    store.saveAlarm(alarm(), { at: T0 + 10_000, state: 'active', actor: 'system', detail: 'raised' });
    store.saveAlarm(alarm({ id: 'al-2' }), { at: T0 + 11_000, state: 'active', actor: 'system' });
    store.saveAlarm(alarm({ state: 'ended' }), { at: T0 + 12_000, state: 'ended', actor: 'nurse-1' });
    const rows = store.db.prepare('SELECT alarm_id, n, at, state, actor, detail FROM alarm_transitions ORDER BY alarm_id, n').all();
    expect(rows).toEqual([
      { alarm_id: 'al-1', n: 1, at: T0 + 10_000, state: 'active', actor: 'system', detail: 'raised' },
      { alarm_id: 'al-1', n: 2, at: T0 + 12_000, state: 'ended', actor: 'nurse-1', detail: null },
      { alarm_id: 'al-2', n: 1, at: T0 + 11_000, state: 'active', actor: 'system', detail: null },
    ]);
    expect(store.db.prepare('SELECT state FROM alarms WHERE id = ?').get('al-1')).toEqual({ state: 'ended' });
  });
});
