import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AlarmRepository } from '../src/storage/alarm-repository.ts';
import { IngestRepository } from '../src/storage/ingest-repository.ts';
import { scheduleMaintenance } from '../src/storage/maintenance-jobs.ts';
import { MIGRATIONS } from '../src/storage/migrations.ts';
import { openDb } from '../src/storage/open-db.ts';
import { openSqliteDb } from '../src/storage/sqlite-db.ts';
import { sample, T0 } from './fixtures.ts';
import { storageConformance } from './storage-conformance.ts';

describe('SQLite Db (conformance)', () => {
  storageConformance(async () => openSqliteDb(':memory:'));
});

describe('SQLite Db', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sqlite-db-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a read issued during an open transaction wait until it commits (FIFO lock)', async () => {
    const db = openSqliteDb(':memory:');
    await db.migrate();
    const ingest = new IngestRepository();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = db.transaction(async (x) => {
      await ingest.insertSamples(x, 'ward-a', [sample({ seq: 1 })], T0);
      await gate;
      await ingest.insertSamples(x, 'ward-a', [sample({ seq: 2 })], T0);
      order.push('commit');
    });
    await new Promise((r) => setTimeout(r, 5));
    const reads = [
      ingest.countSamples(db).then((n) => order.push(`read ${n}`)),
      db.transaction(async (x) => order.push(`tx ${await ingest.countSamples(x)}`)),
      ingest.countSamples(db).then((n) => order.push(`read ${n}`)),
    ];
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    release();
    await Promise.all([tx, ...reads]);
    expect(order).toEqual(['commit', 'read 2', 'tx 2', 'read 2']);
    await db.close();
  });

  it('opens a file (creating its folder) in WAL mode with the documented pragmas, and keeps data across reopen', async () => {
    const file = join(dir, 'nested', 'deeper', 'vigil.sqlite');
    const db = await openDb({ dbFile: file });
    expect(db.describe).toBe(`sqlite:${file}`);
    expect(await db.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(await db.get('PRAGMA synchronous')).toEqual({ synchronous: 1 });
    expect(await db.get('PRAGMA foreign_keys')).toEqual({ foreign_keys: 1 });
    expect(await db.get('PRAGMA busy_timeout')).toEqual({ timeout: 5000 });
    await new IngestRepository().insertSamples(db, 'ward-a', [sample()], T0);
    await db.close();
    const again = await openDb({ dbFile: file });
    expect(await new IngestRepository().countSamples(again)).toBe(1);
    await again.close();
  });

  it('upgrades a database written by the released migrations 1 and 2', async () => {
    const file = join(dir, 'old.sqlite');
    const old = openSqliteDb(file);
    await old.transaction(async (tx) => {
      const exec = (tx as unknown as { exec(sql: string): Promise<void> }).exec;
      await exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
      for (const m of MIGRATIONS.slice(0, 2)) {
        await exec(m.sqlite);
        await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, T0]);
      }
      const body = { id: 'al-old', kind: 'technical', code: 'SENSOR_OFF', state: 'active', priority: 'low' };
      await tx.run(`INSERT INTO alarms (id, ward_id, patient_id, state, priority, raised_at, body) VALUES ('al-old', 'ward-a', 'pt-1', 'active', 'low', ?, ?)`, [T0, JSON.stringify(body)]);
      await tx.run(`INSERT INTO alarm_transitions (alarm_id, n, at, state, actor, detail) VALUES ('al-old', 1, ?, 'active', 'system', NULL), ('al-old', 2, ?, 'acknowledged', 'ann', NULL)`, [T0, T0 + 1]);
    });
    await old.migrate();
    expect((await old.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version)).toEqual([1, 2, 3]);
    expect(await old.get('SELECT kind, code FROM alarms')).toEqual({ kind: 'technical', code: 'SENSOR_OFF' });
    const history = await new AlarmRepository().history(old, 'al-old');
    expect(history.map((h) => [h.n, h.phase, h.priority])).toEqual([
      [1, 'start', 'low'],
      [2, 'acknowledge', 'low'],
    ]);
    await old.close();
  });

  it('runs maintenance jobs on demand and stops its schedule', async () => {
    const db = openSqliteDb(':memory:');
    await db.migrate();
    const logged: string[] = [];
    const observed: string[] = [];
    const jobs = scheduleMaintenance({
      db,
      logger: { info: (o) => logged.push(`info ${(o as { job: string }).job}`), error: (o) => logged.push(`error ${(o as { job: string }).job}`) },
      config: { downsampleCron: '0 0 1 1 *', retentionCron: '0 0 1 1 *', compactionCron: '0 0 1 1 *' },
      metrics: { maintenance: { observe: ({ job }) => observed.push(job) } },
      now: () => T0,
    });
    await new IngestRepository().insertSamples(db, 'ward-a', [sample({ t: T0 - 3_600_000 })], T0 - 3_600_000);
    const [a, b] = await Promise.all([jobs.runNow('downsample'), jobs.runNow('downsample')]);
    expect(a.counts.rollups1m).toBe(2);
    expect(b.counts.rollups1m).toBe(0);
    expect((await jobs.runNow('retention')).job).toBe('retention');
    expect((await jobs.runNow('compact')).job).toBe('compact');
    expect(observed).toEqual(['downsample', 'downsample', 'retention', 'compact']);
    expect(logged).toEqual(['info downsample', 'info downsample', 'info retention', 'info compact']);
    jobs.stop();
    await db.close();
    await expect(jobs.runNow('compact')).rejects.toThrow();
    expect(logged.at(-1)).toBe('error compact');
  });

  it('runs the jobs on their cron schedule', async () => {
    const db = openSqliteDb(':memory:');
    await db.migrate();
    const done: string[] = [];
    const jobs = scheduleMaintenance({
      db,
      logger: { info: (o) => done.push((o as { job: string }).job), error: () => undefined },
      config: { downsampleCron: '* * * * * *', retentionCron: '0 0 1 1 *', compactionCron: '0 0 1 1 *' },
    });
    const deadline = Date.now() + 3000;
    while (!done.includes('downsample') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    jobs.stop();
    expect(done).toContain('downsample');
    expect(done).not.toContain('retention');
    await new Promise((r) => setTimeout(r, 1100));
    const after = done.length;
    await new Promise((r) => setTimeout(r, 1100));
    expect(done.length).toBe(after);
    await db.close();
  });
});
