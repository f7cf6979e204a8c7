/**
 * One conformance suite for every Db implementation (SQLite, PostgreSQL): the Db contract and every repository
 * method, run against a fresh, migrated database per test. storage-sqlite.test.ts and storage-postgres.test.ts call
 * it with their own `open`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPmError, type Alarm, type AlarmPhase, type BedState, type Observation, type UplinkSample, type VitalCode, type WindowFeatures } from '@vigil/contracts';
import { AlarmRepository, type AlarmChangeRecord } from '../src/storage/alarm-repository.ts';
import type { Db } from '../src/storage/db.ts';
import { IngestRepository } from '../src/storage/ingest-repository.ts';
import { Maintenance } from '../src/storage/maintenance.ts';
import { PatientRepository } from '../src/storage/patient-repository.ts';
import { OperatorStateRepository } from '../src/storage/state-repository.ts';
import { VitalsHistory } from '../src/storage/vitals-history.ts';
import { WindowRepository } from '../src/storage/window-repository.ts';
import { alarm, sample, T0 } from './fixtures.ts';

const MIN = 60_000;
const HOUR = 3_600_000;

function change(a: Alarm, phase: AlarmPhase, wallAt: number, actor = 'system'): AlarmChangeRecord {
  return { alarm: a, transition: { phase, state: a.state, priority: a.priority, at: a.updatedAt, actor, detail: null }, wallAt };
}

function bed(overrides: Partial<BedState> = {}): BedState {
  return { wardId: 'ward-a', bedId: 'bed-01', patientId: 'pt-1', latest: {}, devices: [], updatedAt: T0, ...overrides };
}

function features(start: number, end: number, level: number): WindowFeatures {
  const v = { n: 1, nGood: 1, level, min: level, max: level, last: level, slopePerMin: null, sd: null, missingness: 0, goodShare: 1 };
  return { start, end, vitals: { hr: v, spo2: v, rr: v, sbp: v, map: v, temp: v } };
}

/** Expected per-bucket aggregates of good values, computed directly from samples. */
function expectedBuckets(samples: readonly UplinkSample[], vital: VitalCode, res: number, from: number, to: number) {
  const buckets = new Map<number, number[]>();
  for (const s of samples) {
    const v = s.vitals[vital];
    if (v === undefined || (s.quality[vital] ?? 'good') !== 'good' || s.t < Math.floor(from / res) * res || s.t >= to) continue;
    const b = Math.floor(s.t / res) * res;
    buckets.set(b, [...(buckets.get(b) ?? []), v]);
  }
  return buckets;
}

function expectHistoryMatches(
  response: { t: number[]; vitals: Partial<Record<VitalCode, { mean: Array<number | null>; min: Array<number | null>; max: Array<number | null> }>> },
  samples: readonly UplinkSample[],
  vital: VitalCode,
  res: number,
  from: number,
  to: number,
) {
  const expected = expectedBuckets(samples, vital, res, from, to);
  const series = response.vitals[vital]!;
  expect(series).toBeDefined();
  response.t.forEach((t, i) => {
    const values = expected.get(t);
    if (!values) {
      expect(series.mean[i], `bucket ${t - T0} empty`).toBeNull();
      return;
    }
    expect(series.mean[i], `mean of bucket ${(t - T0) / MIN} min`).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
    expect(series.min[i]).toBe(Math.min(...values));
    expect(series.max[i]).toBe(Math.max(...values));
  });
  for (const b of expected.keys()) expect(response.t).toContain(b);
}

/**
 * Three hours of one patient at one sample per 10 s from two devices (hr, spo2; every 7th hr an artifact), each
 * minute's samples stored 2 s after the minute ends.
 */
async function storeHours(db: Db, hours = 3): Promise<UplinkSample[]> {
  const ingest = new IngestRepository();
  const all: UplinkSample[] = [];
  for (let m = 0; m < hours * 60; m++) {
    const batch: UplinkSample[] = [];
    for (let k = 0; k < 6; k++) {
      const i = m * 6 + k;
      const t = T0 + i * 10_000;
      batch.push(sample({ seq: i, t, vitals: { hr: 60 + (i % 23) + (i % 7 === 0 ? 100 : 0), spo2: 90 + (i % 9) }, quality: { hr: i % 7 === 0 ? 'artifact' : 'good', spo2: 'good' } }));
      if (i % 4 === 0) batch.push(sample({ deviceId: 'oxi-01', seq: i, t, vitals: { spo2: 88 + (i % 5) }, quality: {} }));
    }
    await db.transaction((tx) => ingest.insertSamples(tx, 'ward-a', batch, T0 + (m + 1) * MIN + 2000));
    all.push(...batch);
  }
  return all;
}

export function storageConformance(open: () => Promise<Db>): void {
  let db: Db;
  const ingest = new IngestRepository();
  const alarms = new AlarmRepository();
  const state = new OperatorStateRepository();
  const windows = new WindowRepository();
  const patients = new PatientRepository();
  const history = new VitalsHistory();

  beforeEach(async () => {
    db = await open();
    await db.migrate();
  });
  afterEach(async () => {
    await db.close();
  });

  describe('Db', () => {
    it('migrates once: a second migrate applies nothing', async () => {
      await db.migrate();
      const rows = await db.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual([1, 2, 3]);
      expect(await db.ping()).toBe(true);
      expect(db.describe).not.toMatch(/pw-|password/);
    });

    it('returns epoch ms, counters and averages as numbers', async () => {
      await ingest.insertSamples(db, 'ward-a', [sample({ t: 1_700_000_000_123 })], 8_000_000_000_000);
      const row = await db.get<{ t: unknown; stored_at: unknown; n: unknown; a: unknown }>(
        'SELECT t, stored_at, (SELECT count(*) FROM samples) AS n, (SELECT avg(seq) FROM samples) AS a FROM samples',
      );
      expect(row).toEqual({ t: 1_700_000_000_123, stored_at: 8_000_000_000_000, n: 1, a: 1 });
    });

    it('a transaction commits all or nothing', async () => {
      await expect(
        db.transaction(async (tx) => {
          await ingest.insertSamples(tx, 'ward-a', [sample({ seq: 1 })], T0);
          await ingest.saveBeds(tx, [bed()]);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await ingest.countSamples(db)).toBe(0);
      expect(await ingest.loadBeds(db)).toEqual([]);
      await db.transaction((tx) => ingest.insertSamples(tx, 'ward-a', [sample({ seq: 1 })], T0));
      expect(await ingest.countSamples(db)).toBe(1);
    });

    it('a reader never sees half a transaction', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let inserted!: () => void;
      const halfway = new Promise<void>((r) => (inserted = r));
      const tx = db.transaction(async (x) => {
        await ingest.insertSamples(x, 'ward-a', [sample({ seq: 1 })], T0);
        inserted();
        await gate;
        await ingest.insertSamples(x, 'ward-a', [sample({ seq: 2 })], T0);
      });
      await halfway;
      const read = ingest.countSamples(db);
      release();
      await tx;
      expect([0, 2]).toContain(await read);
      expect(await ingest.countSamples(db)).toBe(2);
    });

    it('refuses a call on the Db from inside its own transaction', async () => {
      await expect(db.transaction(async () => db.get('SELECT 1 AS one'))).rejects.toThrow(/inside its own transaction/);
      await expect(db.transaction(async () => db.transaction(async () => 1))).rejects.toThrow(/transaction/);
      expect(await db.get('SELECT 1 AS one')).toEqual({ one: 1 });
    });

    it('runMany returns per-row changes in order, duplicates within the call included', async () => {
      const insert = `INSERT INTO beds (ward_id, bed_id, state, updated_at) VALUES (?, ?, '{}', ?) ON CONFLICT (ward_id, bed_id) DO NOTHING`;
      expect(await db.runMany(insert, [['w', 'a', 1], ['w', 'b', 2], ['w', 'a', 3], ['w', 'c', 4]])).toEqual([1, 1, 0, 1]);
      const upsert = `INSERT INTO beds (ward_id, bed_id, state, updated_at) VALUES (?, ?, '{}', ?)
        ON CONFLICT (ward_id, bed_id) DO UPDATE SET updated_at = excluded.updated_at WHERE excluded.updated_at > beds.updated_at`;
      expect(await db.runMany(upsert, [['w', 'a', 0], ['w', 'b', 5], ['w', 'b', 6], ['w', 'b', 5], ['w', 'd', 1]])).toEqual([0, 1, 1, 0, 1]);
      expect(await db.all('SELECT bed_id, updated_at FROM beds ORDER BY bed_id')).toEqual([
        { bed_id: 'a', updated_at: 1 },
        { bed_id: 'b', updated_at: 6 },
        { bed_id: 'c', updated_at: 4 },
        { bed_id: 'd', updated_at: 1 },
      ]);
      expect(await db.runMany('UPDATE beds SET updated_at = ? WHERE bed_id = ?', [[9, 'a'], [9, 'zz']])).toEqual([1, 0]);
      expect(await db.runMany(insert, [])).toEqual([]);
    });

    it('runMany outside a transaction is atomic', async () => {
      const plain = `INSERT INTO beds (ward_id, bed_id, state, updated_at) VALUES (?, ?, '{}', ?)`;
      await expect(db.runMany(plain, [['w', 'x', 1], ['w', 'x', 2]])).rejects.toThrow();
      expect(await db.all('SELECT * FROM beds')).toEqual([]);
      expect(await db.runMany(plain, [['w', 'x', 1], ['w', 'y', 2]])).toEqual([1, 1]);
    });

    it('runMany handles more rows than one statement takes', async () => {
      const rows = Array.from({ length: 2500 }, (_, i) => sample({ seq: i % 2000, t: T0 + i }));
      const flags = await db.transaction((tx) => ingest.insertSamples(tx, 'ward-a', rows, T0));
      expect(flags.filter(Boolean)).toHaveLength(2000);
      expect(flags.slice(2000).every((f) => !f)).toBe(true);
      expect(await ingest.countSamples(db)).toBe(2000);
    });

    it('keeps the audit log append-only', async () => {
      await db.run(
        `INSERT INTO audit_log (seq, at, actor, role, action, ward_id, patient_id, resource, detail, prev_hash, hash) VALUES (1, ?, 'ann', 'nurse', 'patient.read', 'ward-a', 'pt-1', '/x', NULL, '0', 'h1')`,
        [T0],
      );
      await expect(db.run(`UPDATE audit_log SET actor = 'eve'`)).rejects.toThrow(/append-only/);
      await expect(db.run('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
      if (db.dialect === 'postgres') await expect(db.run('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
      expect(await db.get('SELECT actor FROM audit_log')).toEqual({ actor: 'ann' });
    });
  });

  describe('IngestRepository', () => {
    it('stores each sample once: a redelivery and a duplicate within a batch are not new', async () => {
      const batch = [sample({ seq: 1 }), sample({ seq: 2 }), sample({ seq: 1 })];
      expect(await db.transaction((tx) => ingest.insertSamples(tx, 'ward-a', batch, T0 + 100))).toEqual([true, true, false]);
      expect(await db.transaction((tx) => ingest.insertSamples(tx, 'ward-a', batch, T0 + 200))).toEqual([false, false, false]);
      expect(await ingest.countSamples(db)).toBe(2);
      expect(await ingest.insertSamples(db, 'ward-a', [], T0)).toEqual([]);
    });

    it('finds existing sample keys', async () => {
      await ingest.insertSamples(db, 'ward-a', [sample({ seq: 1 }), sample({ seq: 2, bootId: 'boot-2' })], T0);
      const keys = await ingest.existingSampleKeys(db, [
        { deviceId: 'mon-01', bootId: 'boot-1', seq: 1 },
        { deviceId: 'mon-01', bootId: 'boot-1', seq: 2 },
        { deviceId: 'mon-01', bootId: 'boot-2', seq: 2 },
        ...Array.from({ length: 700 }, (_, i) => ({ deviceId: 'x', bootId: 'y', seq: i })),
      ]);
      expect([...keys].sort()).toEqual(['mon-01|boot-1|1', 'mon-01|boot-2|2']);
    });

    it('stores statuses, windows, wave summaries, waves and edge alarms idempotently', async () => {
      const status = {
        type: 'status' as const,
        patientId: 'pt-1',
        bedId: 'bed-01',
        deviceId: 'mon-01',
        deviceType: 'icu-monitor' as const,
        bootId: 'boot-1',
        t: T0,
        receivedAt: T0,
        state: 'online' as const,
        reason: 'startup' as const,
        battery: 80.5,
      };
      expect(await ingest.insertStatuses(db, 'ward-a', [status, { ...status, state: 'offline' }])).toEqual([true, true]);
      expect(await ingest.insertStatuses(db, 'ward-a', [status])).toEqual([false]);
      expect(await db.get('SELECT battery, signal FROM device_status WHERE state = ?', ['online'])).toEqual({ battery: 80.5, signal: null });

      const window = { type: 'window' as const, patientId: 'pt-1', bedId: 'bed-01', start: T0, end: T0 + 1000, vitals: {}, late: false, addendum: false };
      expect(await ingest.insertEdgeWindows(db, 'ward-a', [window, { ...window, addendum: true }, window])).toEqual([true, true, false]);

      const summary = {
        type: 'wave_summary' as const,
        patientId: 'pt-1',
        bedId: 'bed-01',
        deviceId: 'mon-01',
        deviceType: 'icu-monitor' as const,
        bootId: 'boot-1',
        kind: 'ecg' as const,
        start: T0,
        end: T0 + 1000,
        hz: 250,
        count: 250,
        expected: 250,
        min: -1,
        max: 1,
        mean: 0,
        flat: false,
      };
      expect(await ingest.insertWaveSummaries(db, 'ward-a', [summary])).toEqual([true]);
      expect(await ingest.insertWaveSummaries(db, 'ward-a', [summary])).toEqual([false]);

      const wave = {
        type: 'wave' as const,
        patientId: 'pt-1',
        bedId: 'bed-01',
        deviceType: 'icu-monitor' as const,
        reason: 'alarm' as const,
        chunk: { v: 1 as const, deviceId: 'mon-01', bootId: 'boot-1', seq: 1, t: T0, kind: 'ecg' as const, hz: 250, values: [1, 2, 3] },
      };
      expect(await ingest.insertWaves(db, 'ward-a', [wave, { ...wave, chunk: { ...wave.chunk, seq: 2 } }])).toEqual([true, true]);
      expect(await ingest.insertWaves(db, 'ward-a', [wave])).toEqual([false]);

      const a = alarm();
      expect(await ingest.insertEdgeAlarms(db, 'ward-a', [a, { ...a, state: 'ended', updatedAt: T0 + 20_000 }])).toEqual([true, true]);
      expect(await ingest.insertEdgeAlarms(db, 'ward-a', [a])).toEqual([false]);
    });

    it('saves and loads beds (newest state per bed)', async () => {
      await ingest.saveBeds(db, [bed({ bedId: 'bed-02' }), bed()]);
      await ingest.saveBeds(db, [bed({ updatedAt: T0 + 5 })]);
      const beds = await ingest.loadBeds(db);
      expect(beds.map((b) => [b.bedId, b.updatedAt])).toEqual([
        ['bed-01', T0 + 5],
        ['bed-02', T0],
      ]);
    });

    it('reads samples back by patient and time, by stream, and in bulk', async () => {
      await ingest.insertSamples(
        db,
        'ward-a',
        [
          sample({ seq: 3, t: T0 + 2000, late: true }),
          sample({ seq: 1, t: T0 }),
          sample({ deviceId: 'aaa', seq: 9, t: T0 }),
          sample({ seq: 2, t: T0 + 1000 }),
          sample({ patientId: 'pt-2', deviceId: 'mon-02', seq: 1, t: T0 + 500 }),
          sample({ patientId: 'pt-3', deviceId: 'mon-03', seq: 1, t: T0 + 500 }),
        ],
        T0 + 10,
      );
      const rows = await ingest.samplesOf(db, 'pt-1', T0, T0 + 2000);
      expect(rows.map((s) => [s.deviceId, s.seq])).toEqual([
        ['aaa', 9],
        ['mon-01', 1],
        ['mon-01', 2],
        ['mon-01', 3],
      ]);
      expect(rows[3]).toEqual({
        deviceId: 'mon-01',
        bootId: 'boot-1',
        seq: 3,
        patientId: 'pt-1',
        wardId: 'ward-a',
        bedId: 'bed-01',
        t: T0 + 2000,
        receivedAt: T0 + 50,
        late: true,
        vitals: { hr: 72, spo2: 97 },
        quality: { hr: 'good', spo2: 'good' },
      });
      expect((await ingest.streamSamplesAfter(db, 'mon-01', 'boot-1', 1)).map((s) => s.seq)).toEqual([2, 3]);
      const bulk = await ingest.samplesOfPatientsSince(db, ['pt-2', 'pt-1', 'pt-3'], new Map([['pt-1', T0 + 1000], ['pt-2', T0]]));
      expect(bulk.map((s) => `${s.patientId}:${s.seq}`)).toEqual(['pt-1:2', 'pt-1:3', 'pt-2:1']);
      expect((await ingest.samplesOfPatientsSince(db, ['pt-3', 'pt-2'], T0 + 500)).map((s) => s.patientId)).toEqual(['pt-2', 'pt-3']);
    });
  });

  describe('AlarmRepository', () => {
    it('appends transitions and events; cursors increase; history and open alarms read back', async () => {
      const raised = alarm();
      const acked = { ...raised, state: 'acknowledged' as const, acknowledgedBy: 'ann', acknowledgedAt: T0 + 60_000, updatedAt: T0 + 60_000 };
      const other = alarm({ id: 'al-2', wardId: 'ward-b', priority: 'high', code: 'SPO2_LOW' });
      const c1 = await db.transaction((tx) => alarms.saveChanges(tx, [change(raised, 'start', T0 + 11_000), change(other, 'start', T0 + 11_000)]));
      const c2 = await alarms.saveChanges(db, [{ ...change(acked, 'acknowledge', T0 + 61_000, 'ann'), transition: { ...change(acked, 'acknowledge', 0, 'ann').transition, detail: 'seen' } }]);
      expect(c1[1]).toBeGreaterThan(c1[0]!);
      expect(c2[0]).toBeGreaterThan(c1[1]!);
      expect(await alarms.get(db, 'al-1')).toEqual(acked);
      expect(await alarms.get(db, 'nope')).toBeUndefined();
      expect(await alarms.history(db, 'al-1')).toEqual([
        { alarmId: 'al-1', n: 1, phase: 'start', state: 'active', priority: 'medium', at: T0 + 10_000, actor: 'system', detail: null },
        { alarmId: 'al-1', n: 2, phase: 'acknowledge', state: 'acknowledged', priority: 'medium', at: T0 + 60_000, actor: 'ann', detail: 'seen' },
      ]);
      const open = await alarms.loadOpen(db);
      expect(open.map((o) => [o.alarm.id, o.alarm.state, o.signalledAt])).toEqual([
        ['al-1', 'acknowledged', T0 + 11_000],
        ['al-2', 'active', T0 + 11_000],
      ]);
      await alarms.saveChanges(db, [change({ ...acked, state: 'ended', endedAt: T0 + 90_000, updatedAt: T0 + 90_000 }, 'end', T0 + 91_000)]);
      expect((await alarms.loadOpen(db)).map((o) => o.alarm.id)).toEqual(['al-2']);

      expect(await alarms.latestCursor(db, 'ward-a')).toBeGreaterThan(c2[0]!);
      expect(await alarms.oldestCursor(db, 'ward-a')).toBe(c1[0]);
      expect(await alarms.latestCursor(db, 'ward-z')).toBe(0);
      const events = await alarms.eventsAfter(db, 'ward-a', 0, 10);
      expect(events.map((e) => e.alarm.state)).toEqual(['active', 'acknowledged', 'ended']);
      expect(events[0]!.cursor).toBe(c1[0]);
      const page1 = await alarms.eventsAfter(db, 'ward-a', 0, 2);
      const page2 = await alarms.eventsAfter(db, 'ward-a', page1[1]!.cursor, 2);
      expect([...page1, ...page2]).toEqual(events);
      expect(await alarms.eventsAfter(db, 'ward-b', 0, 10)).toEqual([{ cursor: c1[1], alarm: other }]);

      expect((await alarms.recent(db, 'ward-a', T0 + 91_000)).map((a) => a.id)).toEqual(['al-1']);
      expect(await alarms.recent(db, 'ward-a', T0 + 92_000)).toEqual([]);
      expect((await alarms.recent(db, 'ward-b', T0 + 92_000)).map((a) => a.id)).toEqual(['al-2']);
    });

    it('lists with filters and keyset pages, only in the permitted wards', async () => {
      const all: Alarm[] = [];
      for (let i = 0; i < 30; i++) {
        all.push(
          alarm({
            id: `al-${String(i).padStart(2, '0')}`,
            wardId: i % 3 === 0 ? 'ward-b' : 'ward-a',
            patientId: `pt-${i % 4}`,
            priority: (['high', 'medium', 'low'] as const)[i % 3],
            kind: i % 5 === 0 ? 'technical' : 'physiological',
            state: i % 4 === 0 ? 'ended' : 'active',
            raisedAt: T0 + Math.floor(i / 3) * 1000, // ties by three
          }),
        );
      }
      await alarms.saveChanges(db, all.map((a) => change(a, 'start', T0)));
      const newestFirst = (list: Alarm[]) => [...list].sort((a, b) => b.raisedAt - a.raisedAt || (a.id < b.id ? 1 : -1));
      const pages = async (query: Parameters<AlarmRepository['list']>[1]) => {
        const out: Alarm[] = [];
        let before: string | undefined;
        for (let guard = 0; guard < 50; guard++) {
          const page = await alarms.list(db, { ...query, before, limit: 4 });
          expect(page.alarms.length).toBeLessThanOrEqual(4);
          out.push(...page.alarms);
          if (!page.next) break;
          before = page.next;
        }
        return out.map((a) => a.id);
      };
      expect(await pages({ wardIds: ['ward-a', 'ward-b'] })).toEqual(newestFirst(all).map((a) => a.id));
      expect(await pages({ wardIds: ['ward-a'] })).toEqual(newestFirst(all.filter((a) => a.wardId === 'ward-a')).map((a) => a.id));
      expect(await pages({ wardIds: ['ward-a'], wardId: 'ward-b' })).toEqual([]);
      expect(await pages({ wardIds: [] })).toEqual([]);
      const filtered = (f: (a: Alarm) => boolean) => newestFirst(all.filter(f)).map((a) => a.id);
      expect(await pages({ wardIds: ['ward-a', 'ward-b'], state: 'open' })).toEqual(filtered((a) => a.state !== 'ended'));
      expect(await pages({ wardIds: ['ward-a', 'ward-b'], state: 'ended', priority: 'high' })).toEqual(filtered((a) => a.state === 'ended' && a.priority === 'high'));
      expect(await pages({ wardIds: ['ward-a', 'ward-b'], kind: 'technical', patientId: 'pt-0' })).toEqual(filtered((a) => a.kind === 'technical' && a.patientId === 'pt-0'));
      expect(await pages({ wardIds: ['ward-b', 'ward-a'], wardId: 'ward-b', from: T0 + 2000, to: T0 + 6000 })).toEqual(
        filtered((a) => a.wardId === 'ward-b' && a.raisedAt >= T0 + 2000 && a.raisedAt < T0 + 6000),
      );
      const first = await alarms.list(db, { wardIds: ['ward-a'] });
      expect(first.alarms).toHaveLength(20);
      expect(first.next).toBeNull();
      const err = await alarms.list(db, { wardIds: ['ward-a'], before: 'garbage' }).catch((e: unknown) => e);
      expect(isPmError(err) && err.code).toBe('PM_ERR_VALIDATION');
    });
  });

  describe('OperatorStateRepository', () => {
    it('saves, loads, deletes and expires checkpoints', async () => {
      await state.save(db, [{ key: 'p:pt-1', patientId: 'pt-1', state: { v: 1, n: [1, 2] } }, { key: 'p:pt-2', patientId: 'pt-2', state: { v: 1 } }], T0);
      await state.save(db, [{ key: 'p:pt-1', patientId: 'pt-1', state: { v: 1, n: [3] } }], T0 + HOUR);
      expect(await state.loadAll(db)).toEqual([
        { key: 'p:pt-1', patientId: 'pt-1', state: { v: 1, n: [3] } },
        { key: 'p:pt-2', patientId: 'pt-2', state: { v: 1 } },
      ]);
      expect(await state.deleteIdle(db, T0 + 1)).toBe(1);
      expect(await state.delete(db, ['p:pt-1', 'nope'])).toBe(1);
      expect(await state.loadAll(db)).toEqual([]);
    });
  });

  describe('WindowRepository', () => {
    it('keeps the highest revision of features, NEWS2 and sessions', async () => {
      await windows.upsertFeatures(db, [{ patientId: 'pt-1', wardId: 'ward-a', bedId: 'bed-01', revision: 1, features: features(T0, T0 + MIN, 70) }]);
      await windows.upsertFeatures(db, [{ patientId: 'pt-1', wardId: 'ward-a', bedId: 'bed-01', revision: 0, features: features(T0, T0 + MIN, 10) }]);
      await windows.upsertFeatures(db, [
        { patientId: 'pt-1', wardId: 'ward-a', bedId: 'bed-01', revision: 2, features: features(T0 + MIN, T0 + 2 * MIN, 80) },
        { patientId: 'pt-1', wardId: 'ward-a', bedId: 'bed-01', revision: 3, features: features(T0 + MIN, T0 + 2 * MIN, 81) },
      ]);
      const fw = await windows.features(db, 'pt-1', T0, T0 + 10 * MIN);
      expect(fw.map((f) => [f.revision, f.features.vitals.hr.level])).toEqual([
        [1, 70],
        [3, 81],
      ]);
      expect(await windows.features(db, 'pt-1', T0 + 2 * MIN + 1, T0 + 10 * MIN)).toEqual([]);

      const result = (total: number) => ({ total, parameters: {}, missing: [], complete: true, anySingleThree: false, response: 'low' as const, spo2Scale: 1 as const });
      const score = (end: number, revision: number, total: number) => ({ wardId: 'ward-a', bedId: 'bed-01', score: { patientId: 'pt-1', start: end - 5 * MIN, end, revision, result: result(total) } });
      await windows.upsertNews2(db, [score(T0 + 5 * MIN, 0, 2), score(T0 + 10 * MIN, 0, 3)]);
      // A lower revision changes nothing; an equal one (a recomputation) replaces.
      await windows.upsertNews2(db, [score(T0 + 10 * MIN, 1, 5), score(T0 + 10 * MIN, 0, 7), score(T0 + 5 * MIN, 0, 9)]);
      await windows.upsertNews2(db, [{ ...score(T0, 0, 1), score: { ...score(T0, 0, 1).score, patientId: 'pt-2' } }]);
      expect((await windows.news2(db, 'pt-1', T0, T0 + HOUR)).map((s) => [s.end - T0, s.revision, s.result.total])).toEqual([
        [5 * MIN, 0, 9],
        [10 * MIN, 1, 5],
      ]);
      const latest = await windows.latestNews2(db, ['pt-1', 'pt-2', 'pt-9']);
      expect([...latest.keys()].sort()).toEqual(['pt-1', 'pt-2']);
      expect(latest.get('pt-1')).toEqual(score(T0 + 10 * MIN, 1, 5).score);

      await windows.upsertSessions(db, [{ patientId: 'pt-1', wardId: 'ward-a', bedId: 'bed-01', start: T0, end: T0 + MIN, samples: 6, revision: 1 }]);
      await windows.upsertSessions(db, [{ patientId: 'pt-1', wardId: 'ward-a', bedId: 'bed-01', start: T0, end: T0 + 2 * MIN, samples: 12, revision: 2 }]);
      await windows.upsertSessions(db, [{ patientId: 'pt-1', wardId: 'ward-a', bedId: 'bed-01', start: T0, end: T0 + 3 * MIN, samples: 1, revision: 0 }]);
      await windows.upsertSessions(db, [{ patientId: 'pt-2', wardId: 'ward-a', bedId: 'bed-02', start: T0 + HOUR, end: T0 + 2 * HOUR, samples: 5, revision: 0 }]);
      expect(await windows.sessions(db, 'ward-a', T0 + MIN, T0 + MIN)).toEqual([{ patientId: 'pt-1', wardId: 'ward-a', bedId: 'bed-01', start: T0, end: T0 + 2 * MIN, samples: 12 }]);
      expect((await windows.sessions(db, 'ward-a', 0, T0 + 3 * HOUR)).map((s) => s.patientId)).toEqual(['pt-1', 'pt-2']);
      expect(await windows.sessions(db, 'ward-b', 0, T0 + 3 * HOUR)).toEqual([]);

      const dropped = { deviceId: 'mon-01', bootId: 'boot-1', seq: 5, patientId: 'pt-1', t: T0, reason: 'beyond allowed lateness' };
      await windows.recordDroppedLate(db, [dropped, dropped], T0 + HOUR);
      await windows.recordDroppedLate(db, [dropped]);
      expect(await db.all('SELECT seq, reason, recorded_at FROM dropped_late_samples')).toEqual([{ seq: 5, reason: 'beyond allowed lateness', recorded_at: T0 + HOUR }]);
    });
  });

  describe('PatientRepository', () => {
    it('stores limits and observations', async () => {
      expect(await patients.limits(db, 'pt-1')).toBeUndefined();
      const rules = [{ code: 'HR_HIGH', vitals: ['hr' as const], comparator: '>' as const, limit: 120, priority: 'medium' as const, delayMs: 10_000, latching: false, label: 'HR high' }];
      await patients.setLimits(db, 'pt-1', rules, 'ann', T0);
      await patients.setLimits(db, 'pt-1', [{ ...rules[0]!, limit: 125 }], 'bob', T0 + 1);
      expect(await patients.limits(db, 'pt-1')).toEqual([{ ...rules[0], limit: 125 }]);
      expect([...(await patients.allLimits(db)).entries()]).toEqual([['pt-1', [{ ...rules[0], limit: 125 }]]]);

      const obs = (t: number, o: Partial<Observation>, patientId = 'pt-1'): Observation => ({ patientId, t, consciousness: null, onOxygen: null, spo2Scale: null, by: 'ann', ...o });
      await patients.addObservation(db, obs(T0, { consciousness: 'alert', onOxygen: false }));
      await patients.addObservation(db, obs(T0 + MIN, { onOxygen: true }));
      await patients.addObservation(db, obs(T0 + MIN, { spo2Scale: 2, by: 'bob' }));
      await patients.addObservation(db, obs(T0 + 2 * MIN, { consciousness: 'voice' }, 'pt-2'));
      expect(await patients.observations(db, 'pt-1', T0, T0 + HOUR)).toEqual([
        obs(T0, { consciousness: 'alert', onOxygen: false }),
        obs(T0 + MIN, { onOxygen: true, spo2Scale: 2, by: 'bob' }),
      ]);
      expect(await patients.observations(db, 'pt-1', T0 + 1, T0 + 2)).toEqual([]);
      const latest = await patients.allLatestObservations(db);
      expect(latest.get('pt-1')).toEqual([obs(T0, { consciousness: 'alert', onOxygen: false }), obs(T0 + MIN, { onOxygen: true, spo2Scale: 2, by: 'bob' })]);
      expect(latest.get('pt-2')).toEqual([obs(T0 + 2 * MIN, { consciousness: 'voice' }, 'pt-2')]);
    });
  });

  describe('Vitals history and maintenance', () => {
    const maintenance = new Maintenance({ hotRetentionMs: HOUR, graceMs: 5 * MIN, sliceMs: 40 * MIN, deleteBatch: 100 });

    it('answers raw from samples: devices at one time share a point, artifacts are left out', async () => {
      const stored = await storeHours(db, 1);
      const r = await history.query(db, 'pt-1', { from: T0, to: T0 + 2 * MIN, resolution: 'raw' });
      expect(r.resolution).toBe('raw');
      expect(r.t).toEqual(Array.from({ length: 12 }, (_, i) => T0 + i * 10_000));
      expectHistoryMatches(r, stored, 'spo2', 10_000, T0, T0 + 2 * MIN);
      expect(r.vitals.hr!.mean[0]).toBeNull(); // i = 0 is an artifact
      expect(r.vitals.hr!.mean[1]).toBe(61);
      const only = await history.query(db, 'pt-1', { from: T0, to: T0 + 5 * MIN, vitals: ['rr'] });
      expect(only.resolution).toBe('raw');
      expect(Object.keys(only.vitals)).toEqual(['rr']);
      expect(only.vitals.rr!.mean.every((v) => v === null)).toBe(true);
    });

    it('answers 1m, 15m and 1h from rollups where they exist and from samples after them', async () => {
      const stored = await storeHours(db, 3);
      const end = T0 + 3 * HOUR;
      const before = await history.query(db, 'pt-1', { from: T0, to: end, resolution: '1m' });
      expectHistoryMatches(before, stored, 'hr', MIN, T0, end);
      // Roll up the first 1 h 30 min (15 min and 1 h follow as far as they can), then ask again.
      const first = await maintenance.downsample(db, T0 + 95 * MIN);
      expect(first.counts.rollups1m).toBeGreaterThan(0);
      expect(await db.all('SELECT resolution_ms, done_until FROM rollup_progress ORDER BY resolution_ms')).toEqual([
        { resolution_ms: 0, done_until: T0 + 94 * MIN },
        { resolution_ms: MIN, done_until: T0 + 90 * MIN },
        { resolution_ms: 15 * MIN, done_until: T0 + 90 * MIN },
        { resolution_ms: HOUR, done_until: T0 + HOUR },
      ]);
      for (const [resolution, res] of [['1m', MIN], ['15m', 15 * MIN], ['1h', HOUR]] as const) {
        const r = await history.query(db, 'pt-1', { from: T0 + 7 * MIN, to: end, resolution });
        expect(r.t[0]).toBe(Math.floor((T0 + 7 * MIN) / res) * res);
        expect(r.t).toHaveLength(Math.ceil((end - r.t[0]!) / res));
        expectHistoryMatches(r, stored, 'hr', res, T0 + 7 * MIN, end);
        expectHistoryMatches(r, stored, 'spo2', res, T0 + 7 * MIN, end);
      }
      // The rollup rows themselves are right.
      const row = await db.get<{ n: number; mean: number; min: number; max: number }>(
        'SELECT n, mean, min, max FROM vitals_rollups WHERE patient_id = ? AND resolution_ms = ? AND vital = ? AND bucket_start = ?',
        ['pt-1', 15 * MIN, 'spo2', T0 + 15 * MIN],
      );
      const values = [...expectedBuckets(stored, 'spo2', 15 * MIN, T0, end).get(T0 + 15 * MIN)!];
      expect(row!.n).toBe(values.length);
      expect(row!.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
      expect([row!.min, row!.max]).toEqual([Math.min(...values), Math.max(...values)]);
      // The default resolution follows the range.
      expect((await history.query(db, 'pt-1', { from: T0, to: T0 + 15 * MIN })).resolution).toBe('raw');
      expect((await history.query(db, 'pt-1', { from: T0, to: T0 + HOUR })).resolution).toBe('1m');
      expect((await history.query(db, 'pt-1', { from: T0, to: T0 + 2 * 86_400_000 })).resolution).toBe('15m');
      expect((await history.query(db, 'pt-1', { from: T0, to: T0 + 20 * 86_400_000 })).resolution).toBe('1h');
    });

    it('refuses ranges too long for the resolution with PM_ERR_VALIDATION', async () => {
      const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (isPmError(e) ? e.code : String(e)));
      expect(await code(history.query(db, 'pt-1', { from: T0, to: T0 + 2 * HOUR, resolution: 'raw' }))).toBe('PM_ERR_VALIDATION');
      expect(await code(history.query(db, 'pt-1', { from: T0, to: T0 + 5 * 86_400_000, resolution: '1m' }))).toBe('PM_ERR_VALIDATION');
      expect(await code(history.query(db, 'pt-1', { from: T0, to: T0 }))).toBe('PM_ERR_VALIDATION');
      expect(await code(history.query(db, 'pt-1', { from: T0, to: T0 + 3 * 86_400_000, resolution: '1m' }))).toBe('ok');
    });

    it('downsamples idempotently, and merges a sample stored after its bucket was computed exactly once', async () => {
      const stored = await storeHours(db, 3);
      const now1 = T0 + 95 * MIN;
      // Stored 30 s before the run, within the watermark's margin: its bucket is computed without it, and the next
      // run's late pass counts it.
      const marginal = sample({ deviceId: 'late-02', seq: 1, t: T0 + 80 * MIN + 1000, vitals: { hr: 10 }, quality: {} });
      await ingest.insertSamples(db, 'ward-a', [marginal], now1 - 30_000);
      stored.push(marginal);
      await maintenance.downsample(db, now1);
      const snapshot = await db.all('SELECT * FROM vitals_rollups ORDER BY patient_id, resolution_ms, vital, bucket_start');
      const again = await maintenance.downsample(db, now1);
      expect(again.counts).toEqual({ lateSamples: 0, rollups1m: 0, rollups15m: 0, rollups1h: 0 });
      expect(await db.all('SELECT * FROM vitals_rollups ORDER BY patient_id, resolution_ms, vital, bucket_start')).toEqual(snapshot);

      // A late sample (edge backlog) for minute 10, stored after that minute was rolled up.
      const late = sample({ deviceId: 'late-01', seq: 1, t: T0 + 10 * MIN + 5000, vitals: { hr: 200, spo2: 50 }, quality: {}, late: true });
      await ingest.insertSamples(db, 'ward-a', [late], now1 + 1000);
      const withLate = [...stored, late];
      const now2 = now1 + 10 * MIN;
      const merged = await maintenance.downsample(db, now2);
      expect(merged.counts.lateSamples).toBe(3); // hr and spo2 of `late`, hr of `marginal`
      expect((await maintenance.downsample(db, now2)).counts.lateSamples).toBe(0);
      await maintenance.downsample(db, now2 + 30 * MIN);
      for (const [resolution, res] of [['1m', MIN], ['15m', 15 * MIN], ['1h', HOUR]] as const) {
        const r = await history.query(db, 'pt-1', { from: T0, to: T0 + 3 * HOUR, resolution });
        expectHistoryMatches(r, withLate, 'hr', res, T0, T0 + 3 * HOUR);
        expectHistoryMatches(r, withLate, 'spo2', res, T0, T0 + 3 * HOUR);
      }
    });

    it('retention deletes only samples the rollups count, and history stays complete', async () => {
      const stored = await storeHours(db, 3);
      // Nothing is rolled up yet: nothing may go.
      expect((await maintenance.retention(db, T0 + 10 * HOUR)).counts.samples).toBe(0);
      const count = await ingest.countSamples(db);
      expect(count).toBe(stored.length);
      await maintenance.downsample(db, T0 + 95 * MIN);
      // A sample stored after the run, into a computed bucket: not counted yet, so it must stay.
      const late = sample({ deviceId: 'late-01', seq: 1, t: T0 + 20 * MIN, vitals: { hr: 150 }, quality: {} });
      await ingest.insertSamples(db, 'ward-a', [late], T0 + 96 * MIN);
      const result = await maintenance.retention(db, T0 + 3 * HOUR + 10 * MIN);
      // cutoff = min(now - 1 h, P(1 min) = T0 + 90 min)
      const expected = stored.filter((s) => s.t < T0 + 90 * MIN).length;
      expect(result.counts.samples).toBe(expected);
      expect(await ingest.countSamples(db)).toBe(stored.length - expected + 1);
      expect(await ingest.samplesOf(db, 'pt-1', T0 + 20 * MIN, T0 + 20 * MIN)).toHaveLength(1);
      await maintenance.downsample(db, T0 + 3 * HOUR + 10 * MIN);
      const all = [...stored, late];
      for (const [resolution, res] of [['1m', MIN], ['15m', 15 * MIN], ['1h', HOUR]] as const) {
        expectHistoryMatches(await history.query(db, 'pt-1', { from: T0, to: T0 + 3 * HOUR, resolution }), all, 'hr', res, T0, T0 + 3 * HOUR);
      }
    });

    it('retention deletes old waves, feature windows and 1 min rollups covered by 1 h rollups', async () => {
      const wave = (seq: number, t: number) => ({
        type: 'wave' as const,
        patientId: 'pt-1',
        bedId: 'bed-01',
        deviceType: 'icu-monitor' as const,
        reason: 'alarm' as const,
        chunk: { v: 1 as const, deviceId: 'mon-01', bootId: 'boot-1', seq, t, kind: 'ecg' as const, hz: 250, values: [1] },
      });
      const day = 86_400_000;
      const now = T0 + 40 * day;
      await ingest.insertWaves(db, 'ward-a', [wave(1, now - 8 * day), wave(2, now - 6 * day)]);
      await windows.upsertFeatures(db, [
        { patientId: 'pt-1', wardId: 'ward-a', bedId: 'bed-01', revision: 0, features: features(now - 31 * day, now - 31 * day + MIN, 1) },
        { patientId: 'pt-1', wardId: 'ward-a', bedId: 'bed-01', revision: 0, features: features(now - 29 * day, now - 29 * day + MIN, 1) },
      ]);
      await storeHours(db, 1);
      await maintenance.downsample(db, T0 + 2 * HOUR);
      const ended = alarm({ id: 'al-ended', state: 'ended' });
      await alarms.saveChanges(db, [change(alarm({ id: 'al-open' }), 'start', T0), change(ended, 'start', T0), change(ended, 'end', now - HOUR)]);
      const result = await maintenance.retention(db, now);
      expect(result.counts.alarmEvents).toBe(1);
      expect((await alarms.eventsAfter(db, 'ward-a', 0, 10)).map((e) => e.alarm.id)).toEqual(['al-open', 'al-ended']);
      expect((await alarms.loadOpen(db))[0]!.signalledAt).toBe(T0);
      expect(result.counts.waves).toBe(1);
      expect(result.counts.featureWindows).toBe(1);
      expect(result.counts.rollups1m).toBeGreaterThan(0);
      expect(await db.get('SELECT count(*) AS n FROM vitals_rollups WHERE resolution_ms = ?', [MIN])).toEqual({ n: 0 });
      expect((await db.get<{ n: number }>('SELECT count(*) AS n FROM vitals_rollups WHERE resolution_ms = ?', [HOUR]))!.n).toBeGreaterThan(0);
    });

    it('compaction drops idle checkpoints and old ended auth sessions', async () => {
      const now = T0 + 10 * 86_400_000;
      await state.save(db, [{ key: 'old', patientId: 'pt-1', state: {} }], now - 25 * HOUR);
      await state.save(db, [{ key: 'new', patientId: 'pt-2', state: {} }], now - HOUR);
      const session = `INSERT INTO auth_sessions (token_hash, username, created_at, last_seen_at, idle_expires_at, absolute_expires_at, ended_at, end_reason)
        VALUES (?, 'ann', ?, ?, ?, ?, ?, ?)`;
      await db.run(session, ['a', T0, T0, T0, now + HOUR, now - 8 * 86_400_000, 'logout']);
      await db.run(session, ['b', T0, T0, T0, now + HOUR, now - 86_400_000, 'logout']);
      await db.run(session, ['c', T0, T0, T0, now + HOUR, null, null]);
      const result = await maintenance.compact(db, now);
      expect(result.counts).toEqual({ operatorState: 1, authSessions: 1 });
      expect((await state.loadAll(db)).map((r) => r.key)).toEqual(['new']);
      expect((await db.all<{ token_hash: string }>('SELECT token_hash FROM auth_sessions ORDER BY token_hash')).map((r) => r.token_hash)).toEqual(['b', 'c']);
    });
  });
}
