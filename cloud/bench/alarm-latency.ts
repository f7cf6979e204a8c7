/**
 * Benchmark: device → dashboard alarm latency through the whole chain, at 1,000 and 2,000 simulated beds at 1 Hz.
 *   simulated ICU monitors (MQTT, one connection each) → edge gateway (aedes, durable outbox) → uplink (MQTT) →
 *   cloud (embedded aedes, one transaction per batch: store, stream order, limit rules, windows, NEWS2, alarms,
 *   checkpoint) → socket.io → a signed-in dashboard client in this process.
 * Every 10th bed develops a severe tachyarrhythmia during the measurement; HR_HIGH is raised by the sample that
 * completes its 10 s condition delay. Latency = the time the client receives the alarm − that sample's event time
 * (the device's clock when it measured; all processes share this machine's clock). The NEWS2 alarms of the same
 * episodes are reported apart: they are decided at a window end plus the watermark bound, by design.
 * Also: device → stored latency (the cloud's histogram), ingest rate, CPU and peak RSS per process.
 *
 *   node --import tsx cloud/bench/alarm-latency.ts [--beds 1000,2000] [--measure 60] [--write]
 * Writes docs/benchmarks/cloud-alarm-latency.{json,md} with --write. Nothing asserts a time.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';
import type { Alarm, ClientToServerEvents, LoginResponse, ServerToClientEvents, WardJoinReply } from '@vigil/contracts';
import { provisionWard, PROVISIONING_FILES, writeWardProvisioning } from '@vigil/edge';
import { Cleanup, cpuMeter, freePort, metric, peakRssMb, quantiles, startProcess, waitForHttp } from '../../edge/bench/bench-processes.ts';
import { UserRepository } from '../src/auth/user-repository.ts';
import { openDb } from '../src/storage/open-db.ts';

const { values: args } = parseArgs({
  options: { beds: { type: 'string', default: '1000,2000' }, measure: { type: 'string', default: '60' }, warmup: { type: 'string', default: '20' }, write: { type: 'boolean', default: false } },
});
const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = ['--import', 'tsx'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanup = new Cleanup();
const PASSWORD = 'benchmark-password-1';

async function runAt(beds: number) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-alarm-bench-'));
  const provisioning = join(dir, 'provisioning');
  writeWardProvisioning(provisionWard({ wardId: 'ward-bench', gatewayId: 'gw-ward-bench', beds, wearableBeds: 0 }), provisioning);
  const files = Object.fromEntries(Object.entries(PROVISIONING_FILES).map(([k, v]) => [k, join(provisioning, v)])) as Record<keyof typeof PROVISIONING_FILES, string>;
  const dbFile = join(dir, 'cloud', 'vigil.sqlite');
  mkdirSync(join(dir, 'cloud'), { recursive: true });
  {
    const db = await openDb({ dbFile });
    await db.migrate();
    await new UserRepository().create(db, { username: 'bench-nurse', password: PASSWORD, role: 'clinician', wards: ['ward-bench'] });
    await db.close();
  }
  const [cloudHttp, uplink, edgeMqtt, edgeHttp] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const cloud = cleanup.proc(
    startProcess('cloud', process.execPath, [...tsx, join(root, 'cloud/src/main.ts')], {
      cwd: root,
      env: { ...process.env, VIGIL_CLOUD_HTTP_PORT: String(cloudHttp), VIGIL_CLOUD_EMBEDDED_MQTT_PORT: String(uplink), VIGIL_CLOUD_GATEWAY_REGISTRY_FILE: files.gatewayRegistry, VIGIL_CLOUD_DB_FILE: dbFile, VIGIL_CLOUD_LOG_LEVEL: 'error' },
    }),
  );
  const cloudUrl = `http://127.0.0.1:${cloudHttp}`;
  await waitForHttp(`${cloudUrl}/readyz`, cloud);
  const edge = cleanup.proc(
    startProcess('edge', process.execPath, [...tsx, join(root, 'edge/src/main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        VIGIL_EDGE_GATEWAY_ID: 'gw-ward-bench', VIGIL_EDGE_WARD_ID: 'ward-bench',
        VIGIL_EDGE_MQTT_PORT: String(edgeMqtt), VIGIL_EDGE_HTTP_PORT: String(edgeHttp),
        VIGIL_EDGE_REGISTRY_FILE: files.deviceRegistry, VIGIL_EDGE_DATA_DIR: join(dir, 'edge'),
        VIGIL_EDGE_UPLINK_URL: `mqtt://127.0.0.1:${uplink}`, VIGIL_EDGE_UPLINK_SECRET_FILE: files.gatewaySecret,
        VIGIL_EDGE_RECORDER: 'false', VIGIL_EDGE_LOG_LEVEL: 'error',
      },
    }),
  );
  await waitForHttp(`http://127.0.0.1:${edgeHttp}/readyz`, edge);

  const login = (await (await fetch(`${cloudUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench-nurse', password: PASSWORD }) })).json()) as LoginResponse;
  const client = io(cloudUrl, { transports: ['websocket'], auth: { token: login.token } }) as import('socket.io-client').Socket<ServerToClientEvents, ClientToServerEvents>;
  await new Promise<void>((resolve, reject) => (client.once('connect', () => resolve()), client.once('connect_error', reject)));
  let measuring = false;
  const limitLatency: number[] = [];
  const news2Latency: number[] = [];
  // Each alarm once, on the first event that shows it (later events of the same alarm are updates or actions).
  const seen = new Set<string>();
  client.on('alarm', (alarm: Alarm) => {
    const at = Date.now();
    if (seen.has(alarm.id)) return;
    seen.add(alarm.id);
    if (!measuring || alarm.kind === 'technical') return;
    (alarm.source === 'news2' ? news2Latency : limitLatency).push(at - alarm.raisedAt);
  });
  let joined = false;
  for (let i = 0; i < 100 && !joined; i++) {
    const reply = (await client.emitWithAck('ward:join', { wardId: 'ward-bench' })) as WardJoinReply;
    joined = reply.ok;
    if (!joined) await sleep(200);
  }

  const measureS = Number(args.measure);
  const warmupS = Number(args.warmup);
  const load = cleanup.proc(
    startProcess('simulator', process.execPath, [...tsx, join(root, 'cloud/bench/alarm-ward.ts'), JSON.stringify({ url: `mqtt://127.0.0.1:${edgeMqtt}`, credentialsFile: files.deviceCredentials, devices: beds, warmupS, measureS })], { cwd: root }),
  );
  await load.next('connected', 180_000);
  const meter = cpuMeter([cloud, edge, load]);
  await load.next('measure-start', (warmupS + 30) * 1000);
  const stored0 = await metric(`${cloudUrl}/metrics`, 'vigil_cloud_samples_stored_total');
  meter.start();
  measuring = true;
  const end = await load.next('measure-end', (measureS + 60) * 1000);
  measuring = false;
  const cpu = meter.stop();
  const stored = (await metric(`${cloudUrl}/metrics`, 'vigil_cloud_samples_stored_total')) - stored0;
  const storedCount = await metric(`${cloudUrl}/metrics`, 'vigil_cloud_device_to_stored_seconds_count');
  const storedUnder50 = await metric(`${cloudUrl}/metrics`, 'vigil_cloud_device_to_stored_seconds_bucket', 'le="0.05"');
  await load.next('done', 60_000);
  const rss = { cloud: peakRssMb(cloud.pid), edge: peakRssMb(edge.pid), simulator: peakRssMb(load.pid) };
  client.close();
  await cleanup.stop(edge, 30_000);
  await cleanup.stop(cloud);
  rmSync(dir, { recursive: true, force: true });
  const [p50, p95, p99] = quantiles(limitLatency, [0.5, 0.95, 0.99]);
  const [n50, n99] = quantiles(news2Latency, [0.5, 0.99]);
  return {
    beds,
    measureS,
    sentPerS: Math.round(end.sentPerS as number),
    storedPerS: Math.round(stored / measureS),
    limitAlarms: limitLatency.length,
    alarmLatencyMs: { p50: Math.round(p50!), p95: Math.round(p95!), p99: Math.round(p99!), max: Math.round(Math.max(...limitLatency)) },
    news2Alarms: news2Latency.length,
    news2LatencyMs: news2Latency.length ? { p50: Math.round(n50!), p99: Math.round(n99!) } : null,
    deviceToStoredUnder50ms: storedCount > 0 ? +(storedUnder50 / storedCount).toFixed(4) : null,
    cpuCores: cpu,
    peakRssMb: rss,
  };
}

const results = [];
try {
  for (const beds of args.beds.split(',').map(Number)) {
    const r = await runAt(beds);
    console.log(JSON.stringify(r));
    results.push(r);
  }
} finally {
  await cleanup.all();
}
const doc = {
  bench: 'cloud-alarm-latency',
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
  goal: 'p99 device → dashboard alarm ≤ 50 ms at 2,000 beds',
  results,
};
if (args.write) {
  const out = join(root, 'docs/benchmarks');
  writeFileSync(join(out, 'cloud-alarm-latency.json'), JSON.stringify(doc, null, 2) + '\n');
}
