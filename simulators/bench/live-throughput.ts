/**
 * How many ICU monitors at 1 Hz can one simulator process drive against a real edge gateway?
 *   taskset -c 0 node --import tsx simulators/bench/live-throughput.ts [500,1000,2000,3000] [seconds]
 * The gateway runs as its own process on the other core (taskset -c 1), with validation, dedupe and the durable
 * outbox on; its uplink points nowhere, so the outbox just grows. Per device count it reports the simulator's CPU
 * share of its core, late steps, publish → PUBACK latency (which includes the gateway's durable write) and what
 * the gateway accepted. "Sustained" means: no late steps, everything acknowledged, CPU below 100 %.
 * No time is asserted anywhere; figures go to docs/benchmarks/simulator-throughput.{json,md}.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { provisionWard, writeWardProvisioning } from '@vigil/edge';
import { createLiveSimulator } from '../src/live-simulator.ts';

const counts = (process.argv[2] ?? '500,1000,2000,3000').split(',').map(Number);
const seconds = Number(process.argv[3] ?? 20);
const warmupS = 5;

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(url)).text();
  return text.split('\n').filter((l) => l.startsWith(name)).reduce((s, l) => s + Number(l.split(' ').pop()), 0);
}

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready`);
}

const rows = [];
for (const n of counts) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  const ward = provisionWard({ wardId: 'ward-b', gatewayId: 'gw-ward-b', beds: n, wearableBeds: 0 });
  writeWardProvisioning(ward, dir);
  const mqttPort = 21883, httpPort = 24100;
  const edge = spawn('taskset', ['-c', '1', process.execPath, '--import', 'tsx', 'edge/src/main.ts'], {
    env: {
      ...process.env,
      VIGIL_EDGE_GATEWAY_ID: 'gw-ward-b', VIGIL_EDGE_WARD_ID: 'ward-b',
      VIGIL_EDGE_MQTT_PORT: String(mqttPort), VIGIL_EDGE_HTTP_PORT: String(httpPort),
      VIGIL_EDGE_REGISTRY_FILE: join(dir, 'device-registry.json'), VIGIL_EDGE_DATA_DIR: join(dir, 'edge'),
      VIGIL_EDGE_UPLINK_URL: 'mqtt://127.0.0.1:1', VIGIL_EDGE_UPLINK_SECRET_FILE: join(dir, 'gateway-secret'),
      VIGIL_EDGE_LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const metricsUrl = `http://127.0.0.1:${httpPort}/metrics`;
  await waitReady(`http://127.0.0.1:${httpPort}/livez`);
  const latencies: number[] = [];
  let measuring = false;
  const sim = createLiveSimulator({
    brokerUrl: `mqtt://127.0.0.1:${mqttPort}`,
    credentials: ward.credentials.devices,
    seed: 'bench',
    artifacts: 'none',
    onAck: (ms) => measuring && latencies.push(ms),
  });
  const connectStart = Date.now();
  await sim.start();
  const connectS = (Date.now() - connectStart) / 1000;
  await new Promise((r) => setTimeout(r, warmupS * 1000));
  const before = { stats: sim.stats(), cpu: process.cpuUsage(), wall: Date.now(), accepted: await metric(metricsUrl, 'vigil_edge_messages_accepted_total') };
  measuring = true;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const after = { stats: sim.stats(), cpu: process.cpuUsage(before.cpu), wall: Date.now(), accepted: await metric(metricsUrl, 'vigil_edge_messages_accepted_total') };
  await sim.close();
  edge.kill('SIGTERM');
  await new Promise((r) => edge.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  const wallS = (after.wall - before.wall) / 1000;
  latencies.sort((a, b) => a - b);
  const row = {
    devices: n,
    offeredPerS: n,
    sentPerS: Math.round((after.stats.links.sent - before.stats.links.sent) / wallS),
    ackedPerS: Math.round((after.stats.links.acked - before.stats.links.acked) / wallS),
    edgeAcceptedPerS: Math.round((after.accepted - before.accepted) / wallS),
    simCpuPercentOfOneCore: Math.round(((after.cpu.user + after.cpu.system) / 1e6 / wallS) * 1000) / 10,
    lateSteps: after.stats.lateSteps - before.stats.lateSteps,
    ackP50ms: quantile(latencies, 0.5),
    ackP99ms: quantile(latencies, 0.99),
    connectSeconds: connectS,
    dropped: after.stats.links.dropped,
  };
  rows.push(row);
  process.stdout.write(JSON.stringify(row) + '\n');
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
const sustained = rows.filter((r) => r.lateSteps === 0 && r.ackedPerS >= 0.99 * r.offeredPerS && r.simCpuPercentOfOneCore < 100);
const md = [
  '# Simulator throughput against the edge gateway',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; simulator pinned to core 0, edge gateway to core 1; ${seconds} s per row after ${warmupS} s warm-up.`,
  'Command: `taskset -c 0 node --import tsx simulators/bench/live-throughput.ts`',
  '',
  '| ICU monitors at 1 Hz | sent/s | acked/s | edge accepted/s | simulator CPU (% of one core) | late steps | PUBACK p50 / p99 (ms) | connect (s) |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.devices} | ${r.sentPerS} | ${r.ackedPerS} | ${r.edgeAcceptedPerS} | ${r.simCpuPercentOfOneCore} | ${r.lateSteps} | ${r.ackP50ms} / ${r.ackP99ms} | ${r.connectSeconds.toFixed(1)} |`),
  '',
  `Largest count sustained (no late steps, ≥ 99 % acknowledged, CPU < 100 %): **${sustained.length ? Math.max(...sustained.map((r) => r.devices)) : 'none'}** (goal ≥ 2,000).`,
  '',
];
writeFileSync('docs/benchmarks/simulator-throughput.md', md.join('\n'));
writeFileSync('docs/benchmarks/simulator-throughput.json', JSON.stringify({ machine, seconds, rows }, null, 2) + '\n');
process.stdout.write(md.join('\n'));
