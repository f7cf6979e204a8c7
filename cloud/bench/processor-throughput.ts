/**
 * Benchmark: samples per second per core through the cloud's processing path — uplink message (JSON) → decode and
 * validate → one transaction per batch: idempotent insert, per-stream ordering and limit rules, event-time windows
 * (1 min NEWS2, 5 min / 1 min features, sessions), NEWS2, alarm manager, checkpoint rows, bed states → commit.
 * Peer, measured in the same run on the same batches: storage alone (the idempotent insert in one transaction per
 * batch). The ratio is the cost of everything the processor does beyond storing.
 *
 *   node --import tsx cloud/bench/processor-throughput.ts [--patients 2000] [--minutes 10] [--batch 500] [--postgres URL]
 * Prints one JSON line; `--write` also writes docs/benchmarks/cloud-processor.json. Nothing asserts a time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { UplinkBatch, UplinkSample } from '@vigil/contracts';
import { createCloudMetrics } from '../src/metrics.ts';
import { createPipeline } from '../src/processing/pipeline.ts';
import { DEFAULT_PROCESSOR_CONFIG } from '../src/processing/stream-processor.ts';
import { WardStateCache } from '../src/processing/ward-state.ts';
import { AlarmRepository } from '../src/storage/alarm-repository.ts';
import type { Db } from '../src/storage/db.ts';
import { IngestRepository } from '../src/storage/ingest-repository.ts';
import { openDb } from '../src/storage/open-db.ts';
import { PatientRepository } from '../src/storage/patient-repository.ts';
import { OperatorStateRepository } from '../src/storage/state-repository.ts';
import { WindowRepository } from '../src/storage/window-repository.ts';
import { createUplinkHandler } from '../src/uplink/uplink-handler.ts';

const { values: args } = parseArgs({
  options: {
    patients: { type: 'string', default: '2000' },
    minutes: { type: 'string', default: '10' },
    batch: { type: 'string', default: '500' },
    postgres: { type: 'string' },
    write: { type: 'boolean', default: false },
  },
});
const PATIENTS = Number(args.patients);
const SECONDS = Number(args.minutes) * 60;
const BATCH = Number(args.batch);
const T0 = Math.floor(Date.now() / 60_000) * 60_000 - SECONDS * 1000;

/** Messages as the edge forwards them: every patient's sample of each second, in arrival order, cut into batches. */
function messages(): Buffer[] {
  const out: Buffer[] = [];
  let records: UplinkSample[] = [];
  let batchSeq = 0;
  const flush = () => {
    const batch: UplinkBatch = { v: 1, gatewayId: 'gw-bench', wardId: 'ward-bench', batchSeq: batchSeq++, sentAt: T0, records };
    out.push(Buffer.from(JSON.stringify(batch)));
    records = [];
  };
  for (let s = 0; s < SECONDS; s++) {
    for (let p = 0; p < PATIENTS; p++) {
      const t = T0 + s * 1000 + (p % 1000);
      // Every 20th patient deteriorates for two minutes out of ten: limit alarms and NEWS2 changes happen.
      const ill = p % 20 === 0 && s % 600 >= 240 && s % 600 < 360;
      const wave = Math.sin((s + p) / 30);
      records.push({
        type: 'sample',
        patientId: `pt-${p}`,
        bedId: `bed-${p}`,
        deviceId: `mon-${p}`,
        deviceType: 'icu-monitor',
        bootId: 'boot-1',
        seq: s,
        t,
        receivedAt: t + 5,
        vitals: { hr: ill ? 142 : Math.round(75 + 5 * wave), spo2: ill ? 89 : 97, rr: ill ? 26 : 15, temp: 36.9, abpSys: 118, abpMean: 85 },
        quality: { hr: 'good', spo2: 'good', rr: 'good', temp: 'good', abpSys: 'good', abpMean: 'good' },
        late: false,
      });
      if (records.length === BATCH) flush();
    }
  }
  if (records.length > 0) flush();
  return out;
}

async function open(dir: string, name: string): Promise<Db> {
  const db = await openDb({ dbFile: join(dir, `${name}.sqlite`), ...(args.postgres ? { databaseUrl: args.postgres } : {}) });
  await db.migrate();
  if (args.postgres) for (const table of ['samples', 'operator_state', 'alarms', 'alarm_transitions', 'alarm_events', 'news2_scores', 'feature_windows', 'monitoring_sessions', 'beds']) await db.run(`DELETE FROM ${table}`);
  return db;
}

function measure<T>(fn: () => Promise<T>): Promise<{ result: T; wallS: number; cpuS: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  return fn().then((result) => {
    const cpu = process.cpuUsage(cpu0);
    return { result, wallS: (performance.now() - t0) / 1000, cpuS: (cpu.user + cpu.system) / 1e6 };
  });
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
try {
  const payloads = messages();
  const samples = PATIENTS * SECONDS;
  const logger = pino({ level: 'silent' });

  // Peer: storage alone.
  const storeDb = await open(dir, 'store-only');
  const ingest = new IngestRepository();
  const peer = await measure(async () => {
    for (const payload of payloads) {
      const batch = JSON.parse(payload.toString('utf8')) as UplinkBatch;
      await storeDb.transaction((tx) => ingest.insertSamples(tx, batch.wardId, batch.records as UplinkSample[], Date.now()));
    }
  });
  await storeDb.close();

  // The processor.
  const db = await open(dir, 'processor');
  const metrics = createCloudMetrics();
  const pipeline = createPipeline({
    db,
    repos: { ingest, alarms: new AlarmRepository(), state: new OperatorStateRepository(), windows: new WindowRepository(), patients: new PatientRepository() },
    wardState: new WardStateCache(),
    metrics,
    logger,
    now: Date.now,
    processorConfig: DEFAULT_PROCESSOR_CONFIG,
  });
  await pipeline.restore();
  let news2 = 0;
  let alarmChanges = 0;
  const handle = createUplinkHandler({
    gateways: undefined,
    metrics,
    logger,
    async onBatch(batch) {
      const outcome = await pipeline.processBatch(batch);
      news2 += outcome.news2.length;
      alarmChanges += outcome.alarms.length;
      return outcome;
    },
  });
  const run = await measure(async () => {
    for (const payload of payloads) await handle('vigil/v1/gw/gw-bench/uplink', payload);
  });
  const restore = await measure(() => createPipeline({ db, repos: { ingest, alarms: new AlarmRepository(), state: new OperatorStateRepository(), windows: new WindowRepository(), patients: new PatientRepository() }, wardState: new WardStateCache(), metrics, logger, now: Date.now, processorConfig: DEFAULT_PROCESSOR_CONFIG }).restore());
  await db.close();

  const result = {
    bench: 'cloud-processor-throughput',
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
    storage: args.postgres ? 'postgresql' : 'sqlite (WAL, file)',
    patients: PATIENTS,
    eventMinutes: SECONDS / 60,
    samples,
    batchRecords: BATCH,
    processor: {
      wallS: +run.wallS.toFixed(2),
      cpuS: +run.cpuS.toFixed(2),
      samplesPerS: Math.round(samples / run.wallS),
      samplesPerCoreS: Math.round(samples / run.cpuS),
      news2Scores: news2,
      alarmChanges,
    },
    storeOnlyPeer: { wallS: +peer.wallS.toFixed(2), cpuS: +peer.cpuS.toFixed(2), samplesPerCoreS: Math.round(samples / peer.cpuS) },
    processorVsStoreOnly: +(peer.cpuS / run.cpuS).toFixed(2),
    restore: { patients: restore.result.patients, windowSamples: restore.result.windowSamples, wallS: +restore.wallS.toFixed(2) },
    realTimeHeadroomAt1Hz: +((samples / run.cpuS) / PATIENTS).toFixed(1),
  };
  console.log(JSON.stringify(result));
  if (args.write) writeFileSync(new URL('../../docs/benchmarks/cloud-processor.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
