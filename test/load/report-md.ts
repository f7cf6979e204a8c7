/**
 * The markdown of a load run (docs/benchmarks/load/load.md): the results table (input rate, throughput, latency,
 * CPU, memory) for Vigil and for the mosquitto reference of the same run, their ratio, the accounting, the LSTM and
 * replay figures, and the other issues' targets with every missed one named.
 */
import { FULL_LEVELS, referenceWarmupS } from './plan.ts';
import type { LatencyStats, LevelResult, LoadReport, ReferenceLevel, VigilLevel } from './results.ts';

const n = (v: number) => v.toLocaleString('en-GB', { maximumFractionDigits: 1 });
const ms = (v: number | null) => (v === null ? 'n/a' : v < 10 ? v.toFixed(1) : String(Math.round(v)));
const q3 = (s: LatencyStats) => (s.n === 0 ? 'none' : `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)}`);
const per = (r: Record<string, number>, keys: string[]) => keys.map((k) => (r[k] === undefined ? 'n/a' : n(r[k]!))).join(' / ');
// Latencies are whole milliseconds (event times are integer ms): a reference median of 0 ms has no ratio.
const ratio = (a: number | null | undefined, b: number | null | undefined, digits = 1) => (a == null || b == null ? 'n/a' : b === 0 ? 'n/a (reference < 1 ms)' : `${(a / b).toFixed(digits)} ×`);

function vigilRow(v: VigilLevel): string {
  const a = v.latencyMs.deviceToDashboardAlarm;
  return [
    n(v.beds),
    `${n(v.offered.samplesPerS)} + ${n(v.offered.wavesPerS)} chunks`,
    `${n(v.stored.samplesPerS)}${v.stored.late ? ` (${n(v.stored.late)} late)` : ''}`,
    q3(v.latencyMs.deviceToStored),
    ms(v.latencyMs.deviceToReadable.p99),
    `${q3(a)} (${a.n})`,
    per(v.cpuPercent, ['load-generator', 'edge', 'cloud', 'harness', 'others']),
    per(v.peakRssMb, ['load-generator', 'edge', 'cloud']),
  ].join(' | ');
}

function referenceRow(r: ReferenceLevel): string {
  return [
    n(r.beds),
    `${n(r.offered.samplesPerS)} + ${n(r.offered.wavesPerS)} chunks`,
    n(r.delivered.samplesPerS),
    q3(r.latencyMs.deviceToSubscriber),
    q3(r.latencyMs.deviceToBroker),
    per(r.cpuPercent, ['load-generator', 'mosquitto', 'subscriber', 'others']),
    per(r.peakRssMb, ['load-generator', 'mosquitto', 'subscriber']),
  ].join(' | ');
}

function ratioRow(l: LevelResult): string {
  const v = l.vigil;
  const r = l.reference!;
  const vigilCpu = (v.cpuPercent.edge ?? 0) + (v.cpuPercent.cloud ?? 0);
  const refCpu = (r.cpuPercent.mosquitto ?? 0) + (r.cpuPercent.subscriber ?? 0);
  const perK = (cpu: number, perS: number) => (perS > 0 ? n((cpu / perS) * 1000) : 'n/a');
  return [
    n(l.beds),
    ratio(v.stored.samplesPerS, r.delivered.samplesPerS, 2),
    ratio(v.latencyMs.deviceToStored.p50, r.latencyMs.deviceToSubscriber.p50),
    ratio(v.latencyMs.deviceToStored.p99, r.latencyMs.deviceToSubscriber.p99),
    `${n(vigilCpu)} vs ${n(refCpu)} (${ratio(vigilCpu, refCpu)})`,
    `${perK(vigilCpu, v.stored.samplesPerS)} vs ${perK(refCpu, r.delivered.samplesPerS)}`,
    `${n((v.peakRssMb.edge ?? 0) + (v.peakRssMb.cloud ?? 0))} vs ${n((r.peakRssMb.mosquitto ?? 0) + (r.peakRssMb.subscriber ?? 0))}`,
  ].join(' | ');
}

function accountingRow(part: string, l: VigilLevel | ReferenceLevel, extra: string): string {
  const a = l.accounting;
  return [part, n(l.beds), n(a.sent), n(a.stored), n(a.lost), n(a.duplicated), n(a.unexpected), String(l.lateSteps), extra].join(' | ');
}

export function renderMarkdown(report: LoadReport): string {
  const m = report.machine;
  const p = report.plan;
  const withRef = report.levels.filter((l) => l.reference);
  const maxOthers = Math.max(...report.levels.flatMap((l) => [l.vigil.cpuPercent.others ?? 0, l.reference?.cpuPercent.others ?? 0]));
  const missed = report.targets.filter((t) => t.status === 'missed');
  const unmeasured = report.targets.filter((t) => t.status === 'not measured');
  const lines = [
    '# Load benchmark: simulated beds through edge and cloud, beside bare mosquitto',
    '',
    `Measured ${report.date} on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, mosquitto ${m.mosquitto}; TF.js backend for the LSTM: ${m.tfBackend}. Load average at the end: ${m.loadAverage.join(' / ')}.`,
    `Command: \`${report.command}\` (${report.quick ? 'quick mode' : report.plan.levels.join() === FULL_LEVELS.join() ? 'full run' : 'custom levels'}, ${Math.round(report.wallS)} s wall time). Nothing here is asserted by a test.`,
    maxOthers > 20
      ? `**Taken under contention:** other work used up to ${n(maxOthers)} % of a core during the measured windows (CPU column "others"); figures from a quiet machine will be better, the tails most.`
      : 'The machine was otherwise quiet during the measured windows (CPU column "others").',
    '',
    `Each level: a freshly provisioned ward of N beds, one ICU monitor per bed on its own MQTT connection and credential (simulators' ward model, 1 Hz numerics, phases spread over the second), ${Math.round(p.waveShare * 100)} % of them also sending ECG 250 Hz and pleth 125 Hz chunks, ${Math.round(p.alarmShare * 100)} % driven into a severe tachyarrhythmia at known times (HR_HIGH). Vigil: ${p.warmupS} s warm-up, then ${p.measureS} s measured; mosquitto: ${referenceWarmupS(p)} s warm-up, ${p.referenceMeasureS} s measured. Cloud and edge run as separate processes with their default configuration (edge recorder on, cloud maintenance jobs on${p.cloudEnv.VIGIL_CLOUD_ANOMALY_MODEL ? `, LSTM served from ${p.cloudEnv.VIGIL_CLOUD_ANOMALY_MODEL}` : ', no anomaly model'}), not pinned to cores.`,
    '',
    '## Results: devices → edge → cloud → SQLite and dashboard',
    '',
    '| beds | input (samples/s + waveform chunks/s) | stored samples/s | device → stored p50 / p95 / p99 (ms) | readable p99 (ms) | device → dashboard alarm p50 / p95 / p99 (n) | CPU % load / edge / cloud / harness / others | peak RSS MB load / edge / cloud |',
    '|---:|---|---:|---|---:|---|---|---|',
    ...report.levels.map((l) => `| ${vigilRow(l.vigil)} |`),
    '',
    ...(withRef.length > 0
      ? [
          '## Reference: the same load through bare mosquitto, same run',
          '',
          '| beds | input (samples/s + chunks/s) | delivered samples/s | device → subscriber p50 / p95 / p99 (ms) | device → broker PUBACK p50 / p95 / p99 (ms) | CPU % load / mosquitto / subscriber / others | peak RSS MB load / mosquitto / subscriber |',
          '|---:|---|---:|---|---|---|---|',
          ...withRef.map((l) => `| ${referenceRow(l.reference!)} |`),
          '',
          '## Ratio: Vigil against the mosquitto reference at the same input',
          '',
          'Throughput ratio = stored / delivered samples per second; latency ratio = Vigil device → stored over mosquitto device → subscriber; CPU = edge + cloud against mosquitto + subscriber, in % of one core and per 1,000 samples/s; memory = peak RSS of the same processes.',
          '',
          '| beds | throughput | latency p50 | latency p99 | CPU % of the path | CPU % per 1,000 samples/s | peak RSS MB |',
          '|---:|---:|---:|---:|---|---|---|',
          ...withRef.map((l) => `| ${ratioRow(l)} |`),
          '',
        ]
      : []),
    '## Accounting (whole run, every sample key)',
    '',
    '| path | beds | sent | stored / delivered | lost | duplicated | unexpected | late steps | after the devices stopped |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...report.levels.flatMap((l) => [
      `| ${accountingRow('vigil', l.vigil, `${l.vigil.edgeAtWindowEnd ? `at the window's end the edge outbox held ${n(l.vigil.edgeAtWindowEnd.outboxRecords)} records (uplink ${l.vigil.edgeAtWindowEnd.uplinkConnected === 1 ? 'up' : 'down'}); ` : ''}drained in ${l.vigil.drainS ?? 'n/a (timed out)'} s; edge rejected ${l.vigil.edgeRejected}, cloud duplicates ${l.vigil.cloudDuplicates}; alarms ${l.vigil.alarms.received} in the window of ${l.vigil.alarms.planned} planned`)} |`,
      ...(l.reference ? [`| ${accountingRow('mosquitto', l.reference, '')} |`] : []),
    ]),
    '',
    '## LSTM scoring and replay',
    '',
    '| figure | value | source | measured |',
    '|---|---|---|---|',
    ...report.extras.map((e) => `| ${e.name} | ${e.value} | ${e.source} | ${e.measuredAt ?? '—'} |`),
    '',
    '## Targets of the other issues',
    '',
    missed.length > 0 ? `**Missed (${missed.length}):** ${missed.map((t) => `#${t.issue} ${t.target}: ${t.measured}${t.by ? `, missed by ${t.by}` : ''}`).join('; ')}.` : 'No measured target is missed.',
    unmeasured.length > 0 ? `**Not measured (${unmeasured.length}):** ${unmeasured.map((t) => `#${t.issue} ${t.target}`).join('; ')}.` : '',
    '',
    '| issue | target | measured | status | source |',
    '|---:|---|---|---|---|',
    ...report.targets.map((t) => `| ${t.issue} | ${t.target} | ${t.measured} | ${t.status === 'missed' ? `**missed** by ${t.by}` : t.status} | ${t.source} |`),
    '',
    '![Throughput, latency, CPU and memory by beds](load.png)',
    '',
    '## How each figure is measured',
    '',
    '- **Late**: samples the edge forwarded more than 10 s after taking them (`VIGIL_EDGE_LATE_AFTER_MS`); the cloud stores them and never raises an alarm from them. They are counted in stored samples/s and in device → stored.',
    '- **Input**: numerics samples (one per bed per second) and waveform chunks the load generator handed to its device links per second of the window. **Stored**: samples whose event time falls in the window, found in the cloud\'s `samples` table, per second. **Delivered** (mosquitto): the same, received by the subscriber.',
    '- **Device → stored**: `stored_at − t` per sample: the cloud\'s clock when the batch\'s transaction began (what its `vigil_cloud_device_to_stored_seconds` histogram observes, here exact rather than bucketed) minus the event time the device stamped when it measured; one machine, one clock. It leaves out the transaction itself, so **readable** is also given: the first read of the database (read-only WAL connection, polled every ' + `${p.pollMs} ms) that saw the row, after its commit; it overstates by up to one poll interval. The truth lies between the two.`,
    '- **Device → dashboard alarm**: arrival of the alarm on a signed-in socket.io client joined to the ward − `raisedAt` (event time of the sample that completed the HR_HIGH condition delay); rule alarms raised in the window. The condition delay itself (10 s, IEC 60601-1-8, disclosed) is not in it.',
    '- **CPU**: utime + stime from `/proc/<pid>/stat` over the window, % of one core; "others" = the rest of the machine meanwhile (`/proc/stat`). **Memory**: peak resident set (`VmHWM` in `/proc/<pid>/status`) of each process over its life (fresh processes per level).',
    '- **Accounting**: the load generator writes the key (deviceId, bootId, seq) of every numerics sample it sent; after the devices stop and the outbox drains, each is looked up among the stored keys (mosquitto: the keys the subscriber received). Lost = sent and never stored.',
    '- **Mosquitto reference**: Debian\'s mosquitto with the ward\'s password file, persistence off, `set_tcp_nodelay true` (Nagle off, as on every Vigil socket), defaults otherwise; the subscriber holds one QoS 1 subscription to every device\'s numerics and counts their chunks. It does none of Vigil\'s work (authentication per device aside): validation, quality, dedupe, the durable outbox, the uplink, the cloud\'s transaction, rules, windows, NEWS2, alarms, the dashboard push.',
    '',
  ];
  return lines.join('\n');
}
