/**
 * The performance targets of issues 3-8 (`issues show N`), each beside its figure: read from the benchmark JSON the
 * issue's own benchmark wrote under docs/, or measured in this run where this harness measures the same thing.
 * A missing file is "not measured", never a pass.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPLAY_JSON } from './extras.ts';
import type { LevelResult, TargetRow } from './results.ts';

/** Documents of other benchmarks, read defensively (a missing field is "not measured"). */
type Json = Record<string, any>;

function read(root: string, file: string): Json | undefined {
  const path = join(root, file);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Json;
  } catch {
    return undefined;
  }
}

const fmt = (v: number, digits = 0) => v.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A row for "value ≤ goal" or "value ≥ goal". */
function compare(issue: number, target: string, value: number | undefined, goal: number, dir: '<=' | '>=', unit: string, measured: (v: number) => string, source: string, digits = 0): TargetRow {
  if (value === undefined || !Number.isFinite(value)) return { issue, target, measured: 'not measured', status: 'not measured', by: null, source };
  const met = dir === '<=' ? value <= goal : value >= goal;
  return { issue, target, measured: measured(value), status: met ? 'met' : 'missed', by: met ? null : `${fmt(Math.abs(value - goal), digits)}${unit}`, source };
}

export function collectTargets(root: string, levels: readonly LevelResult[]): TargetRow[] {
  const rows: TargetRow[] = [];
  const at2000 = levels.find((l) => l.beds === 2000)?.vigil;

  // Issue 3: one simulator process sustains >= 2,000 ICU monitors at 1 Hz on one core.
  const sim = read(root, 'docs/benchmarks/simulator-throughput.json');
  const simRows = (sim?.rows ?? []) as Json[];
  const sustained = simRows.filter((r) => r.lateSteps === 0 && r.ackedPerS >= 0.99 * r.devices);
  const best = sustained.sort((a, b) => b.devices - a.devices)[0];
  rows.push(compare(3, 'one simulator process sustains ≥ 2,000 ICU monitors at 1 Hz (one core)', best?.devices, 2000, '>=', ' monitors', (v) => `${fmt(v)} monitors at ${best?.simCpuPercentOfOneCore} % of one core, no late steps`, 'docs/benchmarks/simulator-throughput.json'));
  if (at2000) {
    rows.push(compare(3, 'the same, in this run (2,000 beds, 10 % with waveforms)', at2000.lateSteps === 0 && at2000.offered.samplesPerS >= 0.99 * 2000 ? 2000 : 0, 2000, '>=', ' monitors', () => `2,000 monitors at ${at2000.cpuPercent['load-generator']} % of one core, ${at2000.lateSteps} late steps`, 'this run'));
  }

  // Issue 4: edge >= 0.7 x mosquitto at saturation; device -> cloud p99 <= 20 ms at 2,000 devices at 1 Hz.
  const gw = read(root, 'docs/benchmarks/edge-gateway.json');
  const sat = (gw?.saturation ?? []) as Json[];
  const mosq = sat.find((r) => r.broker === 'mosquitto')?.samplesPerS;
  const edge = sat.find((r) => r.broker === 'vigil edge')?.samplesPerS;
  rows.push(compare(4, 'edge gateway ≥ 0.7 × mosquitto samples/s at saturation', mosq && edge ? edge / mosq : undefined, 0.7, '>=', '', (v) => `${fmt(v, 2)} × (${fmt(edge)} vs ${fmt(mosq)} samples/s)`, 'docs/benchmarks/edge-gateway.json', 2));
  const paced2000 = ((gw?.paced ?? []) as Json[]).find((r) => r.devices === 2000);
  rows.push(compare(4, 'device → cloud p99 ≤ 20 ms at 2,000 devices at 1 Hz', paced2000?.cloudMs?.p99, 20, '<=', ' ms', (v) => `${fmt(v)} ms`, 'docs/benchmarks/edge-gateway.json'));
  if (at2000) {
    rows.push(compare(4, 'the same, in this run (device → stored, 10 % of beds with waveforms, alarms)', at2000.latencyMs.deviceToStored.p99 ?? undefined, 20, '<=', ' ms', (v) => `${fmt(v, 1)} ms (readable by a poll: ${at2000.latencyMs.deviceToReadable.p99} ms)`, 'this run', 1));
  }

  // Issue 5: p99 device -> dashboard alarm <= 50 ms at 2,000 beds.
  const alarm = read(root, 'docs/benchmarks/cloud-alarm-latency.json');
  const alarm2000 = ((alarm?.results ?? []) as Json[]).find((r) => r.beds === 2000);
  rows.push(compare(5, 'device → dashboard alarm p99 ≤ 50 ms at 2,000 beds', alarm2000?.alarmLatencyMs?.p99, 50, '<=', ' ms', (v) => `${fmt(v)} ms (${alarm2000?.limitAlarms} alarms)`, 'docs/benchmarks/cloud-alarm-latency.json'));
  if (at2000) {
    const a = at2000.latencyMs.deviceToDashboardAlarm;
    rows.push(compare(5, 'the same, in this run', a.p99 ?? undefined, 50, '<=', ' ms', (v) => `${fmt(v, 1)} ms (${a.n} alarms)`, 'this run', 1));
  }

  // Issue 6: >= 20,000 patient-updates/s on one core; evaluation targets from the model report.
  const lstm = read(root, 'docs/benchmarks/lstm-scoring.json');
  const batches = (lstm?.batches ?? []) as Json[];
  const top = batches.reduce<Json | undefined>((a, b) => (!a || b.incrementalPerS > a.incrementalPerS ? b : a), undefined);
  rows.push(compare(6, 'LSTM scoring ≥ 20,000 patient-updates/s on one core', top?.incrementalPerS, 20000, '>=', ' /s', (v) => `${fmt(v)} /s (${top?.backend}, batch ${top?.batch})`, 'docs/benchmarks/lstm-scoring.json'));
  const wasm64 = batches.find((b) => b.backend === 'wasm' && b.batch === 64);
  rows.push(compare(6, 'i.e. ≥ 10 × batched tfjs-wasm recomputing 60-step windows (batch 64)', wasm64?.ratio, 10, '>=', ' ×', (v) => `${fmt(v, 2)} ×`, 'docs/benchmarks/lstm-scoring.json', 2));
  const evaluation = read(root, 'docs/models/evaluation/report.json');
  for (const t of (evaluation?.targets ?? []) as Json[]) {
    const digits = Math.abs(t.target) < 10 ? 3 : 1;
    const unit = t.unit ? ` ${t.unit}` : '';
    rows.push({
      issue: 6,
      target: `${t.label} (${t.comparator} ${fmt(t.target, digits)}${unit})`,
      measured: `${fmt(t.value, digits)}${unit}`,
      status: t.met ? 'met' : 'missed',
      by: t.met ? null : `${fmt(t.missedBy, digits)}${unit}`,
      source: 'docs/models/evaluation/report.json',
    });
  }

  // Issue 7: 48 beds at 1 Hz in headless chromium: main thread < 20 % of one core, no long task > 100 ms.
  const DASH_JSON = 'docs/benchmarks/dashboard-render.json';
  const dash = read(root, DASH_JSON) as { mainThread?: { busyPercentOfOneCore?: number }; longTasks?: { maxMs?: number } } | undefined;
  const source = dash ? DASH_JSON : `${DASH_JSON} (not written yet)`;
  rows.push(compare(7, 'dashboard, 48 beds at 1 Hz: main thread < 20 % of one core', dash?.mainThread?.busyPercentOfOneCore, 20, '<=', ' %', (v) => `${fmt(v, 1)} % of one core`, source, 1));
  rows.push(compare(7, 'dashboard, 48 beds at 1 Hz: no long task over 100 ms', dash?.longTasks?.maxMs, 100, '<=', ' ms', (v) => `longest ${fmt(v, 0)} ms`, source, 0));

  // Issue 8: replay all 4,000 stays of set A (48 h each) through ingest, windows, NEWS2 and the LSTM in <= 60 s.
  const replay = read(root, REPLAY_JSON);
  rows.push(compare(8, 'replay of PhysioNet set A (4,000 stays × 48 h) through the cloud ≤ 60 s', replay?.wallSeconds, 60, '<=', ' s', (v) => `${fmt(v, 1)} s (${fmt(replay?.patientHoursPerSecond ?? NaN)} patient-hours/s)`, replay ? REPLAY_JSON : `${REPLAY_JSON} (not written yet)`, 1));
  return rows;
}
