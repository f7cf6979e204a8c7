/**
 * Storage throughput: IngestRepository.insertSamples in batch transactions, as the pipeline writes them, on SQLite
 * (a WAL file) and on PostgreSQL (a throwaway server with fsync on, from test/support/postgres.ts).
 *
 *   node --import tsx cloud/bench/storage.ts [--samples 100000] [--batch 5000] [--sqlite-only]
 *
 * Prints rows/s per case: new samples, a full redelivery (all conflicts), PostgreSQL's multi-row INSERT at several
 * chunk sizes against its row-by-row fallback, and the cost of the maintenance indexes on samples.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { UplinkSample } from '@vigil/contracts';
import { startPostgres } from '../../test/support/postgres.ts';
import type { Db } from '../src/storage/db.ts';
import { IngestRepository } from '../src/storage/ingest-repository.ts';
import { openPostgresDb } from '../src/storage/postgres-db.ts';
import { openSqliteDb } from '../src/storage/sqlite-db.ts';

const { values: args } = parseArgs({
  options: { samples: { type: 'string', default: '100000' }, batch: { type: 'string', default: '5000' }, 'sqlite-only': { type: 'boolean', default: false } },
});
const TOTAL = Number(args.samples);
const BATCH = Number(args.batch);
const T0 = 1_760_000_000_000;
const ingest = new IngestRepository();

/** 40 patients, one monitor each, 1 Hz, seven vitals with quality: what an ICU monitor uplinks. */
function samples(n: number, bootId = 'boot-1'): UplinkSample[] {
  return Array.from({ length: n }, (_, i) => {
    const p = i % 40;
    const seq = Math.floor(i / 40);
    return {
      type: 'sample',
      patientId: `pt-${p}`,
      bedId: `bed-${p}`,
      deviceId: `mon-${p}`,
      deviceType: 'icu-monitor',
      bootId,
      seq,
      t: T0 + seq * 1000,
      receivedAt: T0 + seq * 1000 + 40,
      vitals: { hr: 70 + (i % 13), spo2: 95 + (i % 4), rr: 14 + (i % 5), abpSys: 120 + (i % 9), abpDia: 80, abpMean: 93, temp: 37.1 },
      quality: { hr: 'good', spo2: 'good', rr: 'good', abpSys: 'good', abpDia: 'good', abpMean: 'good', temp: 'good' },
      late: false,
    };
  });
}

async function measure(db: Db, rows: UplinkSample[], batch: number, insert = (x: Parameters<typeof ingest.insertSamples>[0], b: UplinkSample[]) => ingest.insertSamples(x, 'ward-a', b, T0)): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < rows.length; i += batch) {
    const part = rows.slice(i, i + batch);
    await db.transaction((tx) => insert(tx, part));
  }
  return Math.round(rows.length / ((performance.now() - started) / 1000));
}

/** The same statement without a conflict target: runMany cannot batch it and runs it row by row. */
async function rowByRow(x: Parameters<typeof ingest.insertSamples>[0], part: UplinkSample[]): Promise<boolean[]> {
  const changes = await x.runMany(
    `INSERT INTO samples (device_id, boot_id, seq, ward_id, bed_id, patient_id, t, received_at, stored_at, late, vitals, quality)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    part.map((s) => [s.deviceId, s.bootId, s.seq, 'ward-a', s.bedId, s.patientId, s.t, s.receivedAt, T0, 0, JSON.stringify(s.vitals), JSON.stringify(s.quality)]),
  );
  return changes.map((n) => n > 0);
}

const results: Array<{ store: string; case: string; rowsPerS: number }> = [];
const report = (store: string, name: string, rowsPerS: number) => {
  results.push({ store, case: name, rowsPerS });
  console.log(`${store.padEnd(10)} ${name.padEnd(58)} ${rowsPerS.toLocaleString('en').padStart(10)} rows/s`);
};

async function benchSqlite(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  try {
    const db = openSqliteDb(join(dir, 'bench.sqlite'));
    await db.migrate();
    const rows = samples(TOTAL);
    report('sqlite', `insertSamples, new, batches of ${BATCH}`, await measure(db, rows, BATCH));
    report('sqlite', `insertSamples, redelivery (all duplicates), batches of ${BATCH}`, await measure(db, rows, BATCH));
    report('sqlite', 'insertSamples, new, batches of 100', await measure(db, samples(Math.min(TOTAL, 50_000), 'boot-2'), 100));
    await db.run('DROP INDEX samples_by_time');
    await db.run('DROP INDEX samples_by_stored_at');
    report('sqlite', `  without the maintenance indexes (t, stored_at), batches of ${BATCH}`, await measure(db, samples(TOTAL, 'boot-3'), BATCH));
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchPostgres(): Promise<void> {
  const server = await startPostgres({ fsync: true });
  try {
    const open = async (chunk?: number) => {
      const db = await openPostgresDb(server.url, { insertChunkRows: chunk });
      await db.migrate();
      await db.run('TRUNCATE samples');
      return db;
    };
    let db = await open();
    const rows = samples(TOTAL);
    report('postgres', `insertSamples, new, batches of ${BATCH} (multi-row, 1000/stmt)`, await measure(db, rows, BATCH));
    report('postgres', `insertSamples, redelivery (all duplicates), batches of ${BATCH}`, await measure(db, rows, BATCH));
    report('postgres', 'insertSamples, new, batches of 100', await measure(db, samples(Math.min(TOTAL, 50_000), 'boot-2'), 100));
    await db.close();
    for (const chunk of [100, 250, 500, 2000, 5000]) {
      db = await open(chunk);
      report('postgres', `  multi-row INSERT with ${chunk} rows per statement`, await measure(db, rows, BATCH));
      await db.close();
    }
    db = await open();
    const few = samples(Math.min(TOTAL, 20_000));
    report('postgres', `  row-by-row fallback (one INSERT per sample), batches of ${BATCH}`, await measure(db, few, BATCH, rowByRow));
    await db.run('TRUNCATE samples');
    await db.run('DROP INDEX samples_by_time');
    await db.run('DROP INDEX samples_by_stored_at');
    report('postgres', `  without the maintenance indexes (t, stored_at), batches of ${BATCH}`, await measure(db, rows, BATCH));
    await db.close();
  } finally {
    await server.stop();
  }
}

console.log(`insertSamples: ${TOTAL} samples (40 patients, 7 vitals each)\n`);
await benchSqlite();
if (!args['sqlite-only']) await benchPostgres();
