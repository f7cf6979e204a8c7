/**
 * One chart's data for uPlot, from the loaded history (REST, at the zoom's resolution) followed by the live samples
 * received since (ring buffer), cut to the visible window. Pure: the chart component calls it at most once per frame.
 *
 * Layout (uPlot "aligned data"): x in ms, then per series its value, then per series its rollup min and max (the
 * envelope; undefined for raw and live points). `undefined` means "not measured in this row" (another device's row),
 * which uPlot spans; real pauses are returned as `gaps` in time, per series, for the chart to cut out.
 */
import type { VitalsHistoryResponse } from '@vigil/contracts';
import type { ChartDef } from './chart-defs.ts';
import type { RingRows } from './vital-ring.ts';
import { resolutionMs } from './zoom.ts';

export type Cell = number | null | undefined;
export type AlignedColumns = [number[], ...Cell[][]];

export interface ChartFrame {
  data: AlignedColumns;
  /** Per series (chart order): time pairs [a, b] between two values further apart than the series' gap. */
  gaps: Array<Array<[number, number]>>;
  /** Smallest and largest value shown (means and envelope), for the y range; null when nothing is shown. */
  min: number | null;
  max: number | null;
  /** Time of the newest point shown, or null. */
  lastT: number | null;
  /** Rows from history and from the live buffer. */
  historyPoints: number;
  livePoints: number;
}

/** Indexes of a series' columns in `data` (uPlot series indexes: 0 is x). */
export function columnsOf(seriesIndex: number, seriesCount: number): { mean: number; min: number; max: number } {
  return { mean: 1 + seriesIndex, min: 1 + seriesCount + seriesIndex, max: 1 + 2 * seriesCount + seriesIndex };
}

/**
 * Live rows are drawn after the history: after its last sample (raw), or from its end (rollups, whose last bucket
 * already holds the samples up to `to`). Anything older in the live buffer is in the history already.
 */
export function liveCut(history: VitalsHistoryResponse | null): number {
  if (!history) return -Infinity;
  if (history.resolution === 'raw') return history.t.at(-1) ?? history.from - 1;
  return history.to - 1;
}

export function buildChartFrame(
  chart: ChartDef,
  history: VitalsHistoryResponse | null,
  live: RingRows,
  window: { from: number; to: number },
): ChartFrame {
  const n = chart.series.length;
  const x: number[] = [];
  const cols: Cell[][] = Array.from({ length: 3 * n }, () => []);
  let min = Infinity;
  let max = -Infinity;
  const see = (v: Cell) => {
    if (typeof v === 'number') {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  };

  let historyPoints = 0;
  const cut = liveCut(history);
  if (history) {
    const series = chart.series.map((s) => history.vitals[s.code]);
    for (let i = 0; i < history.t.length; i++) {
      const t = history.t[i]!;
      if (t < window.from || t > window.to) continue;
      if (!series.some((v) => v?.mean[i] != null)) continue;
      x.push(t);
      series.forEach((v, k) => {
        const mean = v?.mean[i] ?? undefined;
        // Raw rows have no envelope: min = max = mean; only rollups draw one.
        const lo = history.resolution === 'raw' ? undefined : (v?.min[i] ?? undefined);
        const hi = history.resolution === 'raw' ? undefined : (v?.max[i] ?? undefined);
        cols[k]!.push(mean);
        cols[n + k]!.push(lo);
        cols[2 * n + k]!.push(hi);
        see(mean);
        see(lo);
        see(hi);
      });
      historyPoints++;
    }
  }

  let livePoints = 0;
  for (let i = 0; i < live.t.length; i++) {
    const t = live.t[i]!;
    if (t <= cut || t < window.from || t > window.to) continue;
    if (x.length > 0 && t <= x[x.length - 1]!) continue; // uPlot needs strictly ascending x
    x.push(t);
    for (let k = 0; k < n; k++) {
      const v = live.values[k]?.[i];
      cols[k]!.push(v);
      cols[n + k]!.push(undefined);
      cols[2 * n + k]!.push(undefined);
      see(v);
    }
    livePoints++;
  }

  // A pause is a gap when it is longer than the series' own gap, or, among rollup points (spaced by the resolution
  // itself), when a bucket is missing: 1.5 buckets apart.
  const bucketGap = history ? 1.5 * resolutionMs(history.resolution) : 0;
  const gaps = chart.series.map((s, k) => {
    const out: Array<[number, number]> = [];
    const values = cols[k]!;
    let prev: number | null = null;
    for (let i = 0; i < x.length; i++) {
      if (typeof values[i] !== 'number') continue;
      const t = x[i]!;
      const limit = t <= cut ? Math.max(s.gapMs, bucketGap) : prev !== null && prev <= cut ? Math.max(s.gapMs, bucketGap) : s.gapMs;
      if (prev !== null && t - prev > limit) out.push([prev, t]);
      prev = t;
    }
    return out;
  });

  // Every row has a value of some series (rows without one were skipped).
  const lastT = x.length > 0 ? x[x.length - 1]! : null;

  return {
    data: [x, ...cols],
    gaps,
    min: min === Infinity ? null : min,
    max: max === -Infinity ? null : max,
    lastT,
    historyPoints,
    livePoints,
  };
}
