/**
 * Bandwidth saved by edge aggregation, on a simulated ward with waveforms.
 *   node --import tsx edge/bench/bandwidth.ts [beds] [hours] [--window-ms=1000] [--write]
 * Device → edge bytes are the JSON of every device message (the MQTT payload). Edge → cloud bytes are the uplink
 * records the edge would forward (each record's JSON), and the same records in batches of 500 as the uplink sends
 * them, plain and gzip. Cases: everything forwarded raw (no edge aggregation); samples and statuses only (reference);
 * the edge default (samples + 1 s windows + 1 s wave summaries, no raw waves); the default plus raw waves while an
 * alarm is active for 10 % of each patient's time (60 s in every 10 min, staggered, with the 10 s pre-roll); and,
 * for comparison, a hypothetical edge that sends windows instead of samples.
 * With --write, figures go to docs/benchmarks/edge-bandwidth.{md,json}. No figure is asserted.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { gzipSync } from 'node:zlib';
import type { SessionDevice, SessionMessage, UplinkRecord } from '@vigil/contracts';
import { buildWard, wardDevices } from '@vigil/simulators';
import { BandwidthMeter, type BandwidthReport } from '../src/bandwidth.ts';
import { NumericWindows } from '../src/numeric-windows.ts';
import { assessQuality } from '../src/signal-quality.ts';
import { WaveformForwarder } from '../src/waveform-forwarder.ts';
import { WaveformSummarizer, type DevicePlacement } from '../src/waveform-summary.ts';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const write = process.argv.includes('--write');
const beds = Number(args[0] ?? 24);
const hours = Number(args[1] ?? 1);
const windowMs = Number(process.argv.find((a) => a.startsWith('--window-ms='))?.split('=')[1] ?? 1000);
const BATCH = 500; // records per uplink batch (the edge's batchMaxRecords default)
const ALARM_PERIOD_S = 600, ALARM_ON_S = 60; // 10 % of the time
const wardId = 'ward-bw', gatewayId = 'gw-ward-bw';
const start = Date.UTC(2026, 0, 1);
const end = start + hours * 3_600_000;

class Sink {
  readonly meter = new BandwidthMeter();
  private pending: string[] = [];
  private batchSeq = 0;
  raw = 0;
  gzip = 0;
  constructor(readonly name: string) {}
  push(r: UplinkRecord): void {
    const json = JSON.stringify(r);
    this.meter.out(r.type, Buffer.byteLength(json));
    this.pending.push(json);
    if (this.pending.length >= BATCH) this.flush();
  }
  flush(): void {
    if (this.pending.length === 0) return;
    const body = `{"v":1,"gatewayId":"${gatewayId}","wardId":"${wardId}","batchSeq":${this.batchSeq++},"sentAt":${start},"records":[${this.pending.join(',')}]}`;
    this.raw += Buffer.byteLength(body);
    const z = gzipSync(body).length;
    this.gzip += z;
    this.meter.wireOut(z);
    this.pending = [];
  }
}

const naive = new Sink('everything raw, no edge aggregation');
const samplesOnly = new Sink('samples + statuses only (reference)');
const edge = new Sink('edge: samples + windows + wave summaries');
const alarmed = new Sink('edge + raw waves during alarms (10 % of time)');
const windowsOnly = new Sink('hypothetical: windows instead of samples');
const sinks = [naive, samplesOnly, edge, alarmed, windowsOnly];
const aggregated = [edge, alarmed, windowsOnly];
const withSamples = [naive, samplesOnly, edge, alarmed];

// A ward with waveforms; two ICU patients also wear a wearable (multi-device merge).
const devices: SessionDevice[] = wardDevices(wardId, beds, Math.round(beds / 4));
for (const d of devices.filter((x) => x.deviceType === 'icu-monitor').slice(0, 2)) {
  devices.push({ ...d, deviceId: d.deviceId.replace('-mon-', '-wearx-'), deviceType: 'wearable' });
}
const ward = buildWard({
  devices, seed: 'edge-bandwidth', start, end, bootIds: 'seeded', artifacts: 'default',
  scenarioMix: 'sepsis:0.1,respiratory_failure:0.05,hypoxaemia:0.05', deviceOptions: { waveforms: true },
});
const placement = new Map<string, DevicePlacement>(devices.map((d) => [d.deviceId, { patientId: d.patientId, bedId: d.bedId, deviceId: d.deviceId, deviceType: d.deviceType }]));
const patients = [...new Set(devices.map((d) => d.patientId))];

const windows = new NumericWindows({ windowMs });
const summaries = new WaveformSummarizer({ windowMs });
const forwarder = new WaveformForwarder();
const seen = new Set<string>(); // the gateway's dedupe, simplified: a repeated sample is not forwarded twice
let aggMs = 0, aggCalls = 0, dropouts = 0, flat = 0;
const toAll = (rs: readonly UplinkRecord[], to: Sink[]) => {
  for (const r of rs) for (const s of to) s.push(r);
};

function handle(m: SessionMessage): void {
  const bytes = Buffer.byteLength(JSON.stringify(m.message));
  for (const s of sinks) s.meter.in(m.channel, bytes);
  const p = placement.get(m.message.deviceId)!;
  const base = { patientId: p.patientId, bedId: p.bedId, deviceId: p.deviceId, deviceType: p.deviceType, bootId: m.message.bootId };
  if (m.channel === 'vitals') {
    const x = m.message;
    const key = `${x.deviceId}/${x.bootId}/${x.seq}`;
    if (seen.has(key)) return;
    seen.add(key);
    const quality = assessQuality(x.vitals, x.flags);
    const record: UplinkRecord = { type: 'sample', ...base, seq: x.seq, t: x.t, receivedAt: m.sentAt, vitals: x.vitals, quality, ...(x.flags ? { flags: x.flags } : {}), late: false };
    for (const s of withSamples) s.push(record);
    const t0 = performance.now();
    const out = windows.add(p, x.t, x.vitals, quality);
    aggMs += performance.now() - t0;
    aggCalls++;
    toAll(out, aggregated);
  } else if (m.channel === 'status') {
    const x = m.message;
    const record: UplinkRecord = {
      type: 'status', ...base, t: x.t, receivedAt: m.sentAt, state: x.state, reason: x.reason,
      ...(x.battery !== undefined ? { battery: x.battery } : {}), ...(x.signal !== undefined ? { signal: x.signal } : {}),
    };
    for (const s of sinks) s.push(record);
  } else {
    const chunk = m.message;
    naive.push({ type: 'wave', patientId: p.patientId, bedId: p.bedId, deviceType: p.deviceType, reason: 'request', chunk });
    const t0 = performance.now();
    const out = summaries.add(p, chunk);
    const fw = forwarder.add(p, chunk);
    aggMs += performance.now() - t0;
    aggCalls++;
    for (const r of out) {
      if (r.count < r.expected) dropouts++;
      if (r.flat) flat++;
    }
    toAll(out, aggregated);
    toAll(fw, [alarmed]);
  }
}

const bySendOrder = (a: SessionMessage, b: SessionMessage) =>
  a.sentAt - b.sentAt || (a.message.deviceId < b.message.deviceId ? -1 : a.message.deviceId > b.message.deviceId ? 1 : 0);
const alarmOn = new Set<string>();
const began = performance.now();
const batch: SessionMessage[] = [];
for (let t = start; t <= end; t += 1000) {
  batch.length = 0;
  for (const g of ward.generators) for (const m of g.advance(t)) batch.push(m);
  batch.sort(bySendOrder);
  for (const m of batch) handle(m);
  // Alarms: 60 s in every 10 min per patient, staggered.
  const s = (t - start) / 1000;
  patients.forEach((pid, i) => {
    const on = (s + i * 37) % ALARM_PERIOD_S < ALARM_ON_S;
    if (on && !alarmOn.has(pid)) {
      alarmOn.add(pid);
      toAll(forwarder.activate(pid, 'alarm'), [alarmed]);
    } else if (!on && alarmOn.has(pid)) {
      alarmOn.delete(pid);
      forwarder.deactivate(pid, 'alarm');
    }
  });
  toAll(windows.advance(t), aggregated);
  toAll(summaries.advance(t), aggregated);
}
toAll(windows.flush(), aggregated);
toAll(summaries.flush(), aggregated);
for (const s of sinks) s.flush();
const wallS = (performance.now() - began) / 1000;

const pct = (x: number) => Math.round(x * 1000) / 10;
const mb = (x: number) => Math.round(x / 1e4) / 100;
const reports = sinks.map((s) => ({ name: s.name, report: s.meter.report(), batchedBytes: s.raw, gzipBytes: s.gzip }));
const inBytes = reports[0]!.report.in.bytes;
const rows = reports.map(({ name, report, batchedBytes, gzipBytes }) => ({
  case: name,
  recordsOut: report.out.count,
  bytesOut: report.out.bytes,
  savedPct: pct(report.savedFraction),
  batchedBytes,
  savedBatchedPct: pct(1 - batchedBytes / inBytes),
  gzipBytes,
  savedGzipPct: pct(1 - gzipBytes / inBytes),
}));
const byType = (r: BandwidthReport) => Object.entries(r.out.byType).filter(([, v]) => v.count > 0).map(([k, v]) => `${k} ${v.count} / ${mb(v.bytes)} MB`).join(', ');
const inReport = reports[0]!.report.in;
const edgeTypes = reports[2]!.report.out.byType;
const per = (t: { bytes: number; count: number }) => (t.count > 0 ? Math.round(t.bytes / t.count) : 0);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
const stats = { windows: windows.stats(), summaries: summaries.stats(), forwarder: forwarder.stats() };
const md = [
  '# Edge bandwidth: aggregation and waveform summaries',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}. Command: \`node --import tsx edge/bench/bandwidth.ts ${beds} ${hours}${windowMs !== 1000 ? ` --window-ms=${windowMs}` : ''} --write\``,
  `Simulated ward: ${beds} beds (${Math.round(beds / 4)} wearable-only, 2 ICU patients with an extra wearable), ${hours} h, ECG 250 Hz + pleth 125 Hz`,
  `from ICU monitors, pleth from wearables, default artifact and fault rates. Windows and wave summaries ${windowMs / 1000} s.`,
  '',
  `Device → edge: ${mb(inBytes)} MB in ${inReport.count} messages (vitals ${mb(inReport.byChannel.vitals.bytes)} MB, status ${mb(inReport.byChannel.status.bytes)} MB, waves ${mb(inReport.byChannel.wave.bytes)} MB).`,
  '',
  '| case | records out | record bytes (MB) | saved | batches of 500 (MB) | saved | batches, gzip (MB) | saved |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.case} | ${r.recordsOut} | ${mb(r.bytesOut)} | ${r.savedPct} % | ${mb(r.batchedBytes)} | ${r.savedBatchedPct} % | ${mb(r.gzipBytes)} | ${r.savedGzipPct} % |`),
  '',
  'Records out by type:',
  '',
  ...reports.map((r) => `- ${r.name}: ${byType(r.report)}`),
  '',
  `Aggregation cost: ${Math.round((aggMs * 1000) / aggCalls * 100) / 100} µs per device message (windows, summaries and forwarder; ${aggCalls} calls); whole run ${Math.round(wallS * 10) / 10} s including simulation and gzip.`,
  `Late numerics windows (addenda for already-closed windows): ${stats.windows.lateWindows} of ${stats.windows.windows + stats.windows.lateWindows}; idle flushes ${stats.windows.idleFlushes}.`,
  `Wave summaries with count < expected: ${dropouts}; flat: ${flat}; late wave values: ${stats.summaries.lateValues}.`,
  '',
  `Reading: per record, a sample weighs ${per(edgeTypes.sample)} bytes, a window ${per(edgeTypes.window)}, a wave summary ${per(edgeTypes.wave_summary)} and a raw`,
  `chunk ${per(reports[0]!.report.out.byType.wave)}. A ${windowMs / 1000} s window of a 1 Hz monitor summarises ${windowMs / 1000} value(s) per vital with six named statistics, so`,
  'windows are cheap only when they replace samples or span several samples; the waveform saving is the chunk-to-summary',
  'ratio. Batches of similar JSON records compress very well, so gzip dominates every other choice.',
  '',
];
process.stdout.write(md.join('\n'));
if (write) {
  writeFileSync('docs/benchmarks/edge-bandwidth.md', md.join('\n'));
  writeFileSync('docs/benchmarks/edge-bandwidth.json', JSON.stringify({ machine, beds, hours, windowMs, inBytes, in: inReport, rows, byType: Object.fromEntries(reports.map((r) => [r.name, r.report.out.byType])), stats }, null, 2) + '\n');
}
