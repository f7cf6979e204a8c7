/**
 * The few minutes of history a bed tile draws as a sparkline: heart rate and SpO2, one point per bucket of event time.
 * Kept small on purpose (at most TREND_POINTS per vital): 48 tiles redraw every second on a wall display. A bucket
 * holds the newest good-quality value that fell in it; an artifact or a sensor-off value leaves a gap, so the line
 * never draws what the edge judged unreliable. Pure functions; each update returns a new trend object for the bed
 * it touched only, so memoised tiles of other beds skip their render.
 */
import type { VitalsUpdate } from '@vigil/contracts';

/** What the sparkline spans: "the last minutes" of a central station's trend strip. */
export const TREND_WINDOW_MS = 10 * 60_000; // 10 min
/** One point per 5 s: 120 points per vital across the window, enough for a 60–120 px wide line. */
export const TREND_BUCKET_MS = 5_000;
export const TREND_POINTS = TREND_WINDOW_MS / TREND_BUCKET_MS;

export const TREND_VITALS = ['hr', 'spo2'] as const;
export type TrendVital = (typeof TREND_VITALS)[number];

export interface BedTrend {
  /** Start of each bucket (event time), ascending. */
  readonly t: readonly number[];
  /** Value per bucket, or null where the bucket had no good-quality value. */
  readonly hr: readonly (number | null)[];
  readonly spo2: readonly (number | null)[];
}

const EMPTY: BedTrend = { t: [], hr: [], spo2: [] };

function goodValue(update: VitalsUpdate, vital: TrendVital): number | null {
  const value = update.vitals[vital];
  if (value === undefined) return null;
  // A missing quality is unjudged, as in ward-store.ts; anything but good is left out of the line.
  const quality = update.quality[vital] ?? 'good';
  return quality === 'good' ? value : null;
}

/** The bed's trend with this update recorded; the same object when the update adds nothing (late data, no trend vital). */
export function recordTrend(trend: BedTrend | undefined, update: VitalsUpdate): BedTrend {
  const current = trend ?? EMPTY;
  const bucket = Math.floor(update.t / TREND_BUCKET_MS) * TREND_BUCKET_MS;
  const lastBucket = current.t.at(-1);
  // Backlog data older than the newest bucket belongs in the patient's history, not in the live strip.
  if (lastBucket !== undefined && bucket < lastBucket) return current;
  const hr = goodValue(update, 'hr');
  const spo2 = goodValue(update, 'spo2');
  if (update.vitals.hr === undefined && update.vitals.spo2 === undefined) return current;
  if (lastBucket === bucket) {
    const i = current.t.length - 1;
    const next = { t: current.t, hr: [...current.hr], spo2: [...current.spo2] };
    // Same bucket: the newest value wins, and a vital this update does not carry keeps what the bucket had.
    if (update.vitals.hr !== undefined) next.hr[i] = hr;
    if (update.vitals.spo2 !== undefined) next.spo2[i] = spo2;
    return next;
  }
  const oldest = bucket - TREND_WINDOW_MS;
  let from = 0;
  while (from < current.t.length && current.t[from]! <= oldest) from++;
  return {
    t: [...current.t.slice(from), bucket],
    hr: [...current.hr.slice(from), hr],
    spo2: [...current.spo2.slice(from), spo2],
  };
}

/** Fixed scales, the same on every tile, so that two beds' lines can be compared at a glance across the room. */
export const TREND_RANGE: Readonly<Record<TrendVital, readonly [number, number]>> = {
  hr: [30, 180], // /min: covers HR_LOW (< 40) to well past HR_HIGH (> 130)
  spo2: [80, 100], // %: the clinically interesting top of the scale; lower values are clamped to the bottom
};

/**
 * SVG polyline segments ("x,y x,y …", one string per run without gaps) for a vital, in a box of `width` × `height`,
 * right-aligned on the bed's newest bucket so that a bed without recent data shows its line ending early.
 */
export function trendSegments(trend: BedTrend, vital: TrendVital, width: number, height: number, rightEdgeT: number): string[] {
  const [lo, hi] = TREND_RANGE[vital];
  const values = trend[vital];
  const segments: string[] = [];
  let points: string[] = [];
  for (let i = 0; i < trend.t.length; i++) {
    const value = values[i];
    const x = width - ((rightEdgeT - trend.t[i]!) / TREND_WINDOW_MS) * width;
    if (value === null || value === undefined || x < 0) {
      if (points.length > 0) segments.push(points.join(' '));
      points = [];
      continue;
    }
    const clamped = Math.min(hi, Math.max(lo, value));
    const y = height - ((clamped - lo) / (hi - lo)) * height;
    points.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  }
  if (points.length > 0) segments.push(points.join(' '));
  return segments;
}
