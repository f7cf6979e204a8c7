/**
 * The load harness's own logic, without processes: the accounting of sent against stored keys, the stored-watcher's
 * incremental reads of a SQLite samples table (rows committed at the same stored_at across two polls are counted
 * once), the bed selection and alarm onsets, and the argument parser's errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { isPmError } from '@vigil/contracts';
import { latencyStats } from './latency.ts';
import { alarmOnsets, ALARM_RAISE_AFTER_ONSET_S, DEFAULT_PLAN, pickBeds, planFromArgs, QUICK_PLAN } from './plan.ts';
import { account, StoredWatcher } from './stored-watcher.ts';

const key = (d: string, seq: number, boot = 'b1') => `${d}\u0000${boot}\u0000${seq}`;

describe('account', () => {
  it('counts lost, duplicated and unexpected keys', () => {
    const sent = { devices: [{ deviceId: 'd1', bootId: 'b1', seqs: [0, 1, 2, 3] }, { deviceId: 'd2', bootId: 'b1', seqs: [0, 2] }] };
    const a = account(sent, [key('d1', 0), key('d1', 1), key('d1', 1), key('d1', 3), key('d2', 0), key('d2', 2), key('d2', 9), key('d1', 2, 'other-boot')]);
    expect(a).toEqual({ sent: 6, stored: 8, lost: 1, duplicated: 1, unexpected: 2, lostKeys: ['d1/2'] });
  });

  it('is exact when everything arrived once', () => {
    const sent = { devices: [{ deviceId: 'd1', bootId: 'b1', seqs: [0, 1] }] };
    expect(account(sent, [key('d1', 1), key('d1', 0)])).toMatchObject({ sent: 2, stored: 2, lost: 0, duplicated: 0, unexpected: 0 });
  });
});

describe('StoredWatcher', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('reads each committed row once, also rows committed later at an instant it has already seen', () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-load-watch-'));
    const file = join(dir, 'db.sqlite');
    const writer = new Database(file);
    writer.pragma('journal_mode = WAL');
    writer.exec('CREATE TABLE samples (device_id TEXT, boot_id TEXT, seq INTEGER, t INTEGER, stored_at INTEGER, late INTEGER, PRIMARY KEY (device_id, boot_id, seq)) WITHOUT ROWID');
    const insert = writer.prepare('INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?)');
    const watcher = new StoredWatcher(file, 1000);
    insert.run('d1', 'b1', 0, 100, 110, 0);
    insert.run('d1', 'b1', 1, 200, 205, 0);
    watcher.poll();
    // A second batch committed at the same millisecond as the newest already read, and a later one.
    insert.run('d2', 'b1', 0, 190, 205, 0);
    insert.run('d2', 'b1', 1, 300, 320, 1);
    watcher.poll();
    watcher.poll();
    expect(watcher.rows.map((r) => [r.t, r.storedAt, r.late])).toEqual([
      [100, 110, false],
      [200, 205, false],
      [190, 205, false],
      [300, 320, true],
    ]);
    for (const r of watcher.rows) expect(r.readableAt).toBeGreaterThanOrEqual(r.storedAt);
    expect(watcher.count()).toBe(4);
    expect(watcher.keys().sort()).toEqual([key('d1', 0), key('d1', 1), key('d2', 0), key('d2', 1)]);
    watcher.close();
    writer.close();
  });
});

describe('plan', () => {
  it('picks every k-th bed, waveform and alarm beds apart', () => {
    expect(pickBeds(20, 0.1, 'first')).toEqual([0, 10]);
    expect(pickBeds(20, 0.1, 'middle')).toEqual([5, 15]);
    expect(pickBeds(20, 0.25, 'middle')).toEqual([2, 6, 10, 14, 18]);
    expect(pickBeds(20, 0, 'first')).toEqual([]);
  });

  it('places alarm onsets so that the alarms fall inside the measured window', () => {
    const onsets = alarmOnsets(5, 10, 60);
    expect(onsets[0]).toBe(0);
    expect(onsets.at(-1)).toBe(10 + 60 - 8 - ALARM_RAISE_AFTER_ONSET_S);
    for (const o of onsets) {
      expect(o + ALARM_RAISE_AFTER_ONSET_S).toBeGreaterThanOrEqual(10);
      expect(o + ALARM_RAISE_AFTER_ONSET_S).toBeLessThanOrEqual(70 - 8);
    }
    expect(alarmOnsets(3, 5, 15)).toEqual([0, 0, 0]);
  });

  it('builds the full and the quick plan, and options over them', () => {
    expect(planFromArgs([])).toEqual(DEFAULT_PLAN);
    expect(planFromArgs(['--quick'])).toEqual(QUICK_PLAN);
    const p = planFromArgs(['--beds', '20,40', '--measure=12', '--no-reference', '--model', 'models/artefacts/vigil-lstm', '--out', 'x']);
    expect(p).toMatchObject({ levels: [20, 40], measureS: 12, referenceMeasureS: 12, reference: false, cloudEnv: { VIGIL_CLOUD_ANOMALY_MODEL: 'models/artefacts/vigil-lstm' } });
  });

  it.each([
    [['--beds', '100,abc'], '--beds'],
    [['--beds', '0'], '--beds'],
    [['--measure'], '--measure'],
    [['--wave-share', '1.5'], '--wave-share'],
    [['--warmup', 'soon'], '--warmup'],
    [['--verbose'], '--verbose'],
  ])('refuses %j with PM_ERR_CONFIG_INVALID naming %s', (argv, arg) => {
    let error: unknown;
    try {
      planFromArgs(argv);
    } catch (err) {
      error = err;
    }
    expect(isPmError(error) && error.code).toBe('PM_ERR_CONFIG_INVALID');
    expect((error as Error).message.startsWith(`${arg}: `)).toBe(true);
  });
});

describe('latencyStats', () => {
  it('gives nearest-rank quantiles, and nulls for no observations', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100, unsorted
    expect(latencyStats(values)).toEqual({ n: 100, p50: 51, p95: 96, p99: 100, max: 100 });
    expect(latencyStats([])).toEqual({ n: 0, p50: null, p95: null, p99: null, max: null });
  });
});
