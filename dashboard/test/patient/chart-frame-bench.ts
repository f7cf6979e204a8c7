/**
 * Cost of one patient-view chart redraw's data shaping (no canvas): the live ring's rows for a chart plus the merge
 * with its history (buildChartFrame), for the three zooms, and of pushing a sample into the ring. A chart does this
 * at most once per animation frame, and in practice once per second per device (1 Hz data).
 * Run: node --import tsx dashboard/test/patient/chart-frame-bench.ts
 */
import type { VitalsHistoryResponse } from '@vigil/contracts';
import { buildChartFrame } from '../../app/patient/[patientId]/chart-data.ts';
import { chartsFor } from '../../app/patient/[patientId]/chart-defs.ts';
import { LIVE_CAPACITY } from '../../app/patient/[patientId]/patient-live.ts';
import { VitalRing } from '../../app/patient/[patientId]/vital-ring.ts';

const NOW = 1_800_000_000_000;
const bp = chartsFor(new Set(['abpSys', 'abpMean', 'abpDia', 'nibpSys', 'nibpMean', 'nibpDia']))[0]!;
const hr = chartsFor(new Set(['hr']))[0]!;

function history(resolution: 'raw' | '1m', spanMs: number): VitalsHistoryResponse {
  const step = resolution === 'raw' ? 1000 : 60_000;
  const t: number[] = [];
  for (let x = NOW - spanMs; x < NOW; x += step) t.push(x);
  const series = () => ({ mean: t.map((_, i) => 80 + (i % 20)), min: t.map(() => 70), max: t.map(() => 110) });
  return { patientId: 'pt', from: NOW - spanMs, to: NOW, resolution, t, vitals: { hr: series(), abpSys: series(), abpMean: series(), abpDia: series() } };
}

const ring = new VitalRing(LIVE_CAPACITY);
let pushes = 0;
const pushStart = performance.now();
// 2 rows/s (a 1 Hz monitor and a wearable, interleaved) ending 10 min after the history: the ring keeps the last hour.
const ROWS = 200_000;
for (let i = 0; i < ROWS; i++) {
  ring.push(NOW + 600_000 - (ROWS - i) * 500, i % 2 === 0 ? { hr: 80, spo2: 97, rr: 16, abpSys: 120, abpDia: 80, abpMean: 93, temp: 36.8 } : { hr: 81, skinTemp: 33 });
  pushes++;
}
const pushUs = ((performance.now() - pushStart) * 1000) / pushes;

function time(label: string, fn: () => unknown, n = 300): void {
  for (let i = 0; i < 20; i++) fn(); // warm up
  const start = performance.now();
  for (let i = 0; i < n; i++) fn();
  const ms = (performance.now() - start) / n;
  console.log(`${label.padEnd(52)} ${ms.toFixed(3)} ms`);
}

console.log(`ring push (capacity ${LIVE_CAPACITY}, 2 devices interleaved)      ${pushUs.toFixed(3)} µs`);
for (const [label, h, span] of [
  ['15 min, raw history + live', history('raw', 15 * 60_000), 15 * 60_000],
  ['1 h, 1 min rollups + live', history('1m', 3_600_000), 3_600_000],
  ['24 h, 1 min rollups + live', history('1m', 86_400_000), 86_400_000],
] as const) {
  const view = { from: NOW + 600_000 - span, to: NOW + 600_000 };
  // The ring holds the last hour at 2 rows/s; the live tail is what follows the history.
  time(`HR chart frame, ${label}`, () => buildChartFrame(hr, h, ring.rows(['hr'], view.from), view));
  time(`BP chart frame (6 series), ${label}`, () => buildChartFrame(bp, h, ring.rows(bp.series.map((s) => s.code), view.from), view));
}
