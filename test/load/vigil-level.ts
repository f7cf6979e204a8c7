/**
 * One level through Vigil: load generator → edge gateway → uplink → cloud (store, stream order, rules, windows,
 * NEWS2, alarms) → SQLite, and → socket.io to a signed-in dashboard client in this process. Measures throughput,
 * the latencies of stored-watcher.ts and dashboard-client.ts, CPU and peak memory per process over the window,
 * and, after the devices stop, the drain time and the exact accounting of sent against stored samples.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuMeter, metric, peakRssMb, startProcess, type Cleanup } from '../../edge/bench/bench-processes.ts';
import { DashboardClient } from './dashboard-client.ts';
import { inWindow, latencyStats, selfCpuPercent, type Window } from './latency.ts';
import type { GeneratorOptions, LoadPlan } from './plan.ts';
import type { LatencyStats, VigilLevel } from './results.ts';
import { account, StoredWatcher, type SentFile } from './stored-watcher.ts';
import { startVigilStack } from './vigil-stack.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DRAIN_TIMEOUT_MS = 90_000;

export interface LevelContext {
  beds: number;
  plan: LoadPlan;
  /** Temporary directory of this run (provisioning files under `provisioning`). */
  dir: string;
  provisioning: string;
  wardId: string;
  gatewayId: string;
  cleanup: Cleanup;
  say: (line: string) => void;
}

/** Start the load generator child against `url`; resolves with its process once its devices are connected. */
export async function startGenerator(ctx: LevelContext, url: string, sentFile: string, warmupS: number, measureS: number) {
  const options: GeneratorOptions = {
    url,
    credentialsFile: join(ctx.provisioning, 'device-credentials.json'),
    beds: ctx.beds,
    waveShare: ctx.plan.waveShare,
    alarmShare: ctx.plan.alarmShare,
    warmupS,
    measureS,
    seed: ctx.plan.seed,
    sentFile,
  };
  const proc = ctx.cleanup.proc(startProcess('load-generator', process.execPath, ['--import', 'tsx', join(root, 'test/load/load-generator.ts'), JSON.stringify(options)], { cwd: root }));
  const connected = await proc.next('connected', 300_000);
  return { proc, connected };
}

/** The generator's window and CPU/RSS of the given processes over it. */
export async function measureWindow(ctx: LevelContext, gen: Awaited<ReturnType<typeof startGenerator>>, procs: Parameters<typeof cpuMeter>[0], measureS: number) {
  const all = [gen.proc, ...procs];
  const start = await gen.proc.next('measure-start', (ctx.plan.warmupS + 120) * 1000);
  const meter = cpuMeter(all);
  meter.start();
  const self = process.cpuUsage();
  const t0 = performance.now();
  const end = await gen.proc.next('measure-end', (measureS + 60) * 1000);
  const cpuPercent = { ...meter.stop(), harness: selfCpuPercent(self, performance.now() - t0) };
  const peakRss = Object.fromEntries(all.map((p) => [p.name, peakRssMb(p.pid)]));
  peakRss.harness = Math.round(process.resourceUsage().maxRSS / 1024);
  const window: Window = { from: start.at as number, to: end.at as number };
  return { window, end, cpuPercent, peakRss };
}

export async function runVigilLevel(ctx: LevelContext): Promise<VigilLevel> {
  const dir = join(ctx.dir, `vigil-${ctx.beds}`);
  const stack = await startVigilStack({ dir, provisioning: ctx.provisioning, wardId: ctx.wardId, gatewayId: ctx.gatewayId, cleanup: ctx.cleanup, cloudEnv: ctx.plan.cloudEnv });
  const watcher = new StoredWatcher(stack.dbFile, ctx.plan.pollMs);
  const dashboard = await DashboardClient.join(stack.cloudUrl, stack.token, ctx.wardId);
  try {
    watcher.start();
    const sentFile = join(dir, 'sent.json');
    const gen = await startGenerator(ctx, stack.deviceUrl, sentFile, ctx.plan.warmupS, ctx.plan.measureS);
    ctx.say(`vigil ${ctx.beds} beds: ${gen.connected.devices} devices connected in ${(gen.connected.seconds as number).toFixed(1)} s; warm-up ${ctx.plan.warmupS} s, measuring ${ctx.plan.measureS} s`);
    const m = await measureWindow(ctx, gen, [stack.edge, stack.cloud], ctx.plan.measureS);
    const edgeAtWindowEnd = {
      outboxRecords: await metric(stack.edgeMetricsUrl, 'vigil_edge_outbox_records'),
      uplinkConnected: await metric(stack.edgeMetricsUrl, 'vigil_edge_uplink_connected'),
      lateRecords: await metric(stack.edgeMetricsUrl, 'vigil_edge_late_records_total'),
    };

    // Devices stop; wait until every sample is acknowledged, the outbox is empty and the cloud holds them all.
    const stopped = await gen.proc.next('stopped', 120_000);
    const sent = JSON.parse(readFileSync(sentFile, 'utf8')) as SentFile;
    const total = sent.devices.reduce((s, d) => s + d.seqs.length, 0);
    const drainStart = performance.now();
    let drainS: number | null = null;
    while (performance.now() - drainStart < DRAIN_TIMEOUT_MS) {
      if ((await metric(stack.edgeMetricsUrl, 'vigil_edge_outbox_records')) === 0 && watcher.count() >= total) {
        drainS = Math.round((performance.now() - drainStart) / 100) / 10;
        break;
      }
      await sleep(100);
    }
    if (drainS === null) ctx.say(`vigil ${ctx.beds} beds: the cloud did not hold every sample ${DRAIN_TIMEOUT_MS / 1000} s after the devices stopped`);
    await gen.proc.next('done', 60_000);
    await ctx.cleanup.stop(gen.proc);
    watcher.stop();
    const accounting = account(sent, watcher.keys());
    const edgeRejected = await metric(stack.edgeMetricsUrl, 'vigil_edge_messages_rejected_total');
    const cloudDuplicates = await metric(`${stack.cloudUrl}/metrics`, 'vigil_cloud_duplicate_records_total');

    const w = m.window;
    // Every sample of the window, late ones too: a sample held back at the edge is stored late, and that is its latency.
    const rows = watcher.rows.filter((r) => inWindow(w, r.t));
    const alarms = dashboard.alarms.filter((a) => inWindow(w, a.raisedAt));
    const codes: Record<string, number> = {};
    for (const a of alarms) codes[a.code] = (codes[a.code] ?? 0) + 1;
    const vitals = dashboard.vitals.filter(([t]) => inWindow(w, t));
    const seconds = (w.to - w.from) / 1000;
    const connected = gen.connected;
    const result: VigilLevel = {
      beds: ctx.beds,
      waveBeds: connected.waveBeds as number,
      alarmBeds: connected.alarmBeds as number,
      measureS: Math.round(seconds * 10) / 10,
      offered: { samplesPerS: round1(m.end.vitalsPerS as number), wavesPerS: round1(m.end.wavesPerS as number) },
      stored: { samplesPerS: round1(rows.length / seconds), late: rows.filter((r) => r.late).length },
      edgeAtWindowEnd,
      dashboardVitalsPerS: round1(vitals.length / seconds),
      connectS: round1(connected.seconds as number),
      lateSteps: stopped.lateSteps as number,
      accounting,
      latencyMs: {
        deviceToEdgeDurable: m.end.pubackMs as LatencyStats,
        deviceToStored: latencyStats(rows.map((r) => r.storedAt - r.t)),
        deviceToReadable: latencyStats(rows.map((r) => r.readableAt - r.t)),
        deviceToDashboardVitals: latencyStats(vitals.map(([t, at]) => at - t)),
        deviceToDashboardAlarm: latencyStats(alarms.map((a) => a.receivedAt - a.raisedAt)),
      },
      alarms: { planned: connected.alarmBeds as number, received: alarms.length, codes },
      drainS,
      edgeRejected,
      cloudDuplicates,
      polls: watcher.polls,
      cpuPercent: m.cpuPercent,
      peakRssMb: m.peakRss,
    };
    result.latencyMs.deviceToEdgeDurable = normaliseStats(result.latencyMs.deviceToEdgeDurable);
    return result;
  } finally {
    dashboard.close();
    watcher.close();
    await stack.stop();
  }
}

export const round1 = (v: number) => Math.round(v * 10) / 10;

/** The generator's quantiles come as JSON (NaN became null); give them the LatencyStats shape. */
export function normaliseStats(s: Partial<Record<keyof LatencyStats, number | null>>): LatencyStats {
  const v = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) ? round1(x) : null);
  return { n: s.n ?? 0, p50: v(s.p50), p95: v(s.p95), p99: v(s.p99), max: v(s.max) };
}
