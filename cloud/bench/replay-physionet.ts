/**
 * Benchmark: replay all stays of PhysioNet 2012 set A (48 h each) through the cloud as fast as it goes — the real
 * path of `POST /api/recordings/:id/play {speed: 'max'}`: recording store → replayer (streamed reader, virtual clock
 * at 'max', back-pressure) → the edge's checks (quality, dedupe) → uplink batches of 5,000 records → the pipeline
 * (one transaction per batch: idempotent SQLite insert, stream order, limit rules, NEWS2 windows, feature windows,
 * alarm manager, checkpoints, beds) and the served LSTM (the hourly PhysioNet forecaster, models/artefacts/
 * physionet-forecaster, in the advisory lane) until the lane is idle.
 *
 * Processor windows follow the data and the model: features 3 h every 1 h (the forecaster's geometry), NEWS2 over
 * 1 h (hourly charting), a monitoring session ends after a 2 h gap (a 1 min gap would end one per charted row).
 *
 *   node --import tsx cloud/bench/replay-physionet.ts [--set-a /work/shared/data/physionet-2012/set-a]
 *     [--session file] [--model models/artefacts/physionet-forecaster | none] [--limit n] [--batch 50000] [--write]
 *   node --import tsx cloud/bench/replay-physionet.ts --render docs/benchmarks/replay-physionet.json  (markdown again)
 * --batch is VIGIL_CLOUD_REPLAY_BATCH_RECORDS (records per pipeline transaction; the service's default is 5,000).
 * The import into a session file is timed apart (it is done once per data set, not per replay). `--write` saves
 * docs/benchmarks/replay-physionet.{json,md}. Nothing asserts a time.
 */
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { importPhysioNetSession } from '@vigil/models/physionet';
import { CloudConfigSchema } from '../src/config.ts';
import { createCloudService } from '../src/cloud-service.ts';
import { createModelDetector, type ModelDetector } from '../src/detectors/model-detector.ts';
import { GatewayDirectory } from '../src/uplink/gateway-registry.ts';

const { values: args } = parseArgs({
  options: {
    'set-a': { type: 'string', default: '/work/shared/data/physionet-2012/set-a' },
    outcomes: { type: 'string', default: '/work/shared/data/physionet-2012/Outcomes-a.txt' },
    session: { type: 'string' },
    model: { type: 'string', default: 'models/artefacts/physionet-forecaster' },
    limit: { type: 'string' },
    batch: { type: 'string', default: '5000' },
    render: { type: 'string' },
    write: { type: 'boolean', default: false },
  },
});

const HOUR = 3_600_000;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function main(): Promise<void> {
  if (args.render) {
    writeFileSync(args.render.replace(/\.json$/, '.md'), markdown(JSON.parse(readFileSync(args.render, 'utf8'))));
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-replay-'));
  const logger = pino({ level: process.env.VIGIL_BENCH_LOG_LEVEL ?? 'warn' });
  try {
    // 1. The session file (once per data set).
    let session = args.session;
    let importReport: Awaited<ReturnType<typeof importPhysioNetSession>> | undefined;
    if (!session) {
      session = join(dir, 'set-a.vsession.jsonl.gz');
      importReport = await importPhysioNetSession({
        inputs: [args['set-a']],
        out: session,
        outcomesFile: args.outcomes,
        ...(args.limit ? { limit: Number(args.limit) } : {}),
      });
      process.stderr.write(`imported ${importReport.stays} stays (${importReport.messages} messages) in ${(importReport.elapsedMs / 1000).toFixed(1)} s\n`);
    }

    // 2. A cloud as the service runs it, with the PhysioNet forecaster served.
    const featureWindow = { windowMs: 3 * HOUR, slideMs: HOUR };
    let detector: ModelDetector | undefined;
    if (args.model !== 'none') detector = await createModelDetector({ dir: args.model, logger, watch: false, featureWindow });
    const config = CloudConfigSchema.parse({
      httpPort: 0,
      embeddedMqttPort: 0,
      dbFile: join(dir, 'cloud.sqlite'),
      recordingsDir: join(dir, 'recordings'),
      maintenance: false,
      featureWindowMs: featureWindow.windowMs,
      featureSlideMs: featureWindow.slideMs,
      news2WindowMs: HOUR,
      sessionGapMs: 2 * HOUR,
      escalateHighS: 86_400,
      escalateMediumS: 86_400,
      replayBatchRecords: Number(args.batch),
    });
    const cloud = await createCloudService({ config, gateways: new GatewayDirectory({ v: 1, gateways: [] }), logger, ...(detector ? { detector } : {}) });
    await cloud.start();
    const info = await cloud.ctx.recordings.add(createReadStream(session), 'physionet-2012 set A');

    // 3. Replay at 'max' until the last batch has committed and the model's lane is idle.
    const load0 = loadavg()[0]!;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const { replayId } = await cloud.ctx.replays.play(info.id, 'max', 'bench');
    let status = cloud.ctx.replays.status(replayId);
    let lastReport = t0;
    while (status.state === 'running') {
      await new Promise((r) => setTimeout(r, 20));
      status = cloud.ctx.replays.status(replayId);
      if (performance.now() - lastReport > 5_000) {
        lastReport = performance.now();
        process.stderr.write(`  ${((lastReport - t0) / 1000).toFixed(0)} s: ${status.messages} messages, event time +${((status.position - status.start) / HOUR).toFixed(1)} h\n`);
      }
    }
    const replayedMs = performance.now() - t0;
    await cloud.pipeline.advisoryIdle();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const load1 = loadavg()[0]!;
    if (status.state !== 'finished') throw new Error(`replay ended ${status.state}: ${status.error ?? ''}`);

    const count = async (sql: string) => (await cloud.db.get<{ n: number }>(sql))?.n ?? 0;
    const samples = await count('SELECT count(*) AS n FROM samples');
    const alarmsByKind = await cloud.db.all<{ kind: string; priority: string; n: number }>(
      'SELECT kind, priority, count(*) AS n FROM alarms GROUP BY kind, priority ORDER BY kind, priority',
    );
    const featureWindows = await count('SELECT count(*) AS n FROM feature_windows');
    const news2Windows = await count('SELECT count(*) AS n FROM news2_scores');
    const metricText = await cloud.metrics.registry.getSingleMetricAsString('vigil_cloud_anomaly_windows_scored_total').catch(() => '');
    const scored = Number(/\s(\d+(?:\.\d+)?)\s*$/m.exec(metricText)?.[1] ?? 0);
    const backend = detector ? (/backend="([^"]+)"/.exec(await cloud.metrics.registry.getSingleMetricAsString('vigil_cloud_anomaly_model_info'))?.[1] ?? 'unknown') : 'none';
    const header = { patients: info.patients, start: info.start, end: info.end };
    const patientHours = (header.patients * (header.end - header.start)) / HOUR;
    await cloud.close();
    await detector?.close();

    const result = {
      benchmark: 'replay-physionet',
      date: new Date().toISOString(),
      dataset: 'PhysioNet/CinC Challenge 2012, set A (Silva et al., CinC 2012;39:245-248)',
      stays: importReport?.stays ?? null,
      patients: header.patients,
      staysWithoutSamples: importReport?.staysWithoutSamples.length ?? null,
      patientHours: Math.round(patientHours),
      records: info.records,
      messages: status.messages,
      samplesStored: samples,
      featureWindows,
      news2Windows,
      windowsScoredByModel: scored,
      alarms: alarmsByKind,
      importSeconds: importReport ? round(importReport.elapsedMs / 1000) : null,
      replaySeconds: round(replayedMs / 1000, 2),
      wallSeconds: round(wallMs / 1000, 2),
      patientHoursPerSecond: Math.round(patientHours / (wallMs / 1000)),
      messagesPerSecond: Math.round(status.messages / (wallMs / 1000)),
      cpuSeconds: round((cpu.user + cpu.system) / 1e6, 1),
      goalSeconds: 60,
      model: detector ? { dir: args.model, backend } : null,
      batchRecords: config.replayBatchRecords,
      cpuShare: round((cpu.user + cpu.system) / 1e3 / wallMs, 2),
      processor: { featureWindowMs: config.featureWindowMs, featureSlideMs: config.featureSlideMs, news2WindowMs: config.news2WindowMs, sessionGapMs: config.sessionGapMs },
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        storage: 'SQLite (WAL), temporary directory',
        loadAverage1m: { start: round(load0, 2), end: round(load1, 2) },
      },
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (args.write) {
      writeFileSync('docs/benchmarks/replay-physionet.json', `${JSON.stringify(result, null, 2)}\n`);
      writeFileSync('docs/benchmarks/replay-physionet.md', markdown(result));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function markdown(r: Record<string, any>): string {
  const met = r.wallSeconds <= r.goalSeconds;
  const alarms = (r.alarms as Array<{ kind: string; priority: string; n: number }>).map((a) => `${a.kind}/${a.priority} ${a.n.toLocaleString('en')}`).join(', ');
  return `# Replay benchmark: PhysioNet 2012 set A through the cloud

\`node --import tsx cloud/bench/replay-physionet.ts --batch ${r.batchRecords} --write\` (${r.date.slice(0, 10)}). Raw output: \`replay-physionet.json\`.
Data: ${r.dataset}.

Machine: ${r.machine.cores} × ${r.machine.cpu}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}, ${r.machine.storage}.
1-min load average ${r.machine.loadAverage1m.start} at the start, ${r.machine.loadAverage1m.end} at the end; this process got
${Math.round(r.cpuShare * 100)} % of one core over the run${r.cpuShare < 0.8 ? ' (the machine was shared: much of the wall time below is waiting for a core)' : ''}.

What runs: the path of \`POST /api/recordings/:id/play {"speed":"max"}\` — recording store → replayer (streamed
reader, 'max' clock, each batch awaited) → the edge's checks (signal quality, dedupe) → batches of
${r.batchRecords.toLocaleString('en')} records (\`VIGIL_CLOUD_REPLAY_BATCH_RECORDS\`) → the pipeline (one SQLite transaction per batch: idempotent
insert, stream order, limit rules, NEWS2 over 1 h windows, 3 h / 1 h feature windows, alarm manager, checkpoints,
beds) → the LSTM (${r.model ? `\`${r.model.dir}\`, tfjs backend **${r.model.backend}**` : 'none'}) in the advisory lane, until the lane is idle.
One Node process.

| | |
|---|---:|
| stays (patients with at least one device value) | ${r.patients.toLocaleString('en')}${r.staysWithoutSamples !== null ? ` (+${r.staysWithoutSamples} stays with laboratory rows only)` : ''} |
| patient-hours (48 h each) | ${r.patientHours.toLocaleString('en')} |
| device messages replayed / samples stored | ${r.messages.toLocaleString('en')} / ${r.samplesStored.toLocaleString('en')} |
| feature windows / scored by the LSTM / NEWS2 windows | ${r.featureWindows.toLocaleString('en')} / ${r.windowsScoredByModel.toLocaleString('en')} / ${r.news2Windows.toLocaleString('en')} |
| alarms (kind/priority) | ${alarms} |
| **wall time** (replay + lane idle) | **${r.wallSeconds} s** (replay alone ${r.replaySeconds} s) |
| **patient-hours per second** (wall) | **${r.patientHoursPerSecond.toLocaleString('en')}** |
| device messages per second (wall) | ${r.messagesPerSecond.toLocaleString('en')} |
| CPU time of this process | ${r.cpuSeconds} s (${Math.round(r.patientHours / r.cpuSeconds).toLocaleString('en')} patient-hours per CPU second) |
| import into the session file (once per data set, not in the wall time) | ${r.importSeconds ?? '—'} s |

Goal ≤ ${r.goalSeconds} s wall: **${met ? 'met' : 'missed'}** (${r.wallSeconds} s; CPU time ${r.cpuSeconds} s).
`;
}

main().catch((err: unknown) => {
  process.stderr.write(`replay-physionet: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
