/**
 * Vitals history for charts (columnar, as uPlot wants it). 'raw' reads the full-rate samples (hot data only);
 * '1m', '15m' and '1h' read the rollups, and the buckets the downsampler has not reached yet (the recent ones) are
 * aggregated here from the 1 min rollups and the raw samples, so the answer always reaches `to`.
 * Only good-quality values are shown, at every resolution (as in the rollups), so the curves agree.
 */
import { PmError, RESOLUTION_MS, VITAL_CODES, type Resolution, type SampleQuality, type VitalCode, type VitalsHistoryResponse } from '@vigil/contracts';
import type { DbExecutor } from './db.ts';
import { parseJson } from './sql-util.ts';
import { MINUTE_MS, mergeAgg, readProgress, type Agg } from './rollups.ts';

/** Points per answer at most (a chart is ~2 000 px wide; 5 000 leaves room for zoom). */
export const MAX_HISTORY_POINTS = 5000;
/** The longest range 'raw' may be asked for (samples are kept 48 h; at 1 Hz an hour is 3 600 points). */
export const MAX_RAW_RANGE_MS = 3_600_000;

/** The resolution used when none is asked for: raw up to 15 min, 1m up to 24 h, 15m up to 14 d, then 1h. */
export function defaultResolution(rangeMs: number): Resolution {
  if (rangeMs <= 15 * 60_000) return 'raw';
  if (rangeMs <= 86_400_000) return '1m';
  if (rangeMs <= 14 * 86_400_000) return '15m';
  return '1h';
}

export interface VitalsHistoryOptions {
  from: number;
  to: number;
  resolution?: Resolution;
  /** Default: every vital that has data in the range. */
  vitals?: readonly VitalCode[];
}

type Series = { mean: Array<number | null>; min: Array<number | null>; max: Array<number | null> };

const invalid = (message: string, path: string) => new PmError('PM_ERR_VALIDATION', message, [{ path, message }]);

export class VitalsHistory {
  async query(x: DbExecutor, patientId: string, options: VitalsHistoryOptions): Promise<VitalsHistoryResponse> {
    const { from, to } = options;
    if (!(to > from)) throw invalid(`to (${to}) must be after from (${from})`, 'to');
    const resolution = options.resolution ?? defaultResolution(to - from);
    const wanted = options.vitals && options.vitals.length > 0 ? [...new Set(options.vitals)] : undefined;
    const buckets = resolution === 'raw' ? await this.#raw(x, patientId, from, to) : await this.#rolled(x, patientId, from, to, RESOLUTION_MS[resolution]);

    // Rollups: every bucket of the range, null where there is no value, so that a chart shows a gap as a gap.
    const times = resolution === 'raw' ? [...buckets.keys()].sort((a, b) => a - b) : bucketStarts(from, to, RESOLUTION_MS[resolution]);
    const codes = wanted ?? VITAL_CODES.filter((code) => [...buckets.values()].some((row) => row.has(code)));
    const vitals: Partial<Record<VitalCode, Series>> = {};
    for (const code of codes) {
      const series: Series = { mean: [], min: [], max: [] };
      for (const t of times) {
        const agg = buckets.get(t)?.get(code);
        series.mean.push(agg ? agg.mean : null);
        series.min.push(agg ? agg.min : null);
        series.max.push(agg ? agg.max : null);
      }
      vitals[code] = series;
    }
    return { patientId, from, to, resolution, t: times, vitals };
  }

  /** Samples with from ≤ t < to; samples of several devices at one time share a point (mean, min, max). */
  async #raw(x: DbExecutor, patientId: string, from: number, to: number): Promise<Map<number, Map<VitalCode, Agg>>> {
    if (to - from > MAX_RAW_RANGE_MS) {
      throw invalid(`resolution raw covers at most ${MAX_RAW_RANGE_MS / 60_000} min; ask for 1m, 15m or 1h over a longer range`, 'resolution');
    }
    const rows = await x.all<{ t: number; vitals: string; quality: string }>(
      'SELECT t, vitals, quality FROM samples WHERE patient_id = ? AND t >= ? AND t < ? ORDER BY t LIMIT ?',
      [patientId, from, to, MAX_HISTORY_POINTS * 4 + 1],
    );
    const out = new Map<number, Map<VitalCode, Agg>>();
    for (const r of rows) addSample(out, r.t, r.vitals, r.quality);
    if (out.size > MAX_HISTORY_POINTS || rows.length > MAX_HISTORY_POINTS * 4) {
      throw invalid(`more than ${MAX_HISTORY_POINTS} points at resolution raw; ask for a shorter range or 1m`, 'resolution');
    }
    return out;
  }

  /**
   * Buckets of `res` in [from, to): stored rollups below the resolution's progress, then 1 min rollups up to the
   * 1 min progress, then raw samples; one aggregate per bucket.
   */
  async #rolled(x: DbExecutor, patientId: string, from: number, to: number, res: number): Promise<Map<number, Map<VitalCode, Agg>>> {
    const start = Math.floor(from / res) * res;
    const points = Math.ceil((to - start) / res);
    if (points > MAX_HISTORY_POINTS) {
      throw invalid(`${points} points at this resolution (at most ${MAX_HISTORY_POINTS}); ask for a coarser resolution or a shorter range`, 'resolution');
    }
    const progress = await readProgress(x);
    const clamp = (t: number | undefined, lo: number) => Math.min(Math.max(t ?? lo, lo), to);
    const doneRes = clamp(progress.get(res), start);
    const done1m = clamp(progress.get(MINUTE_MS), doneRes);
    const out = new Map<number, Map<VitalCode, Agg>>();
    const put = (bucket: number, vital: VitalCode, agg: Agg) => {
      const at = Math.floor(bucket / res) * res;
      let row = out.get(at);
      if (!row) out.set(at, (row = new Map()));
      row.set(vital, mergeAgg(row.get(vital), agg));
    };
    type RollupRow = { bucket_start: number; vital: VitalCode; n: number; mean: number; min: number; max: number };
    const rollups = (resolution: number, a: number, b: number) =>
      a < b
        ? x.all<RollupRow>(
            `SELECT bucket_start, vital, n, mean, min, max FROM vitals_rollups
             WHERE patient_id = ? AND resolution_ms = ? AND bucket_start >= ? AND bucket_start < ? ORDER BY bucket_start`,
            [patientId, resolution, a, b],
          )
        : Promise.resolve([]);
    for (const r of await rollups(res, start, doneRes)) put(r.bucket_start, r.vital, r);
    if (res !== MINUTE_MS) for (const r of await rollups(MINUTE_MS, doneRes, done1m)) put(r.bucket_start, r.vital, r);
    if (done1m < to) {
      const rows = await x.all<{ t: number; vitals: string; quality: string }>('SELECT t, vitals, quality FROM samples WHERE patient_id = ? AND t >= ? AND t < ?', [
        patientId,
        done1m,
        to,
      ]);
      for (const r of rows) {
        const bucket = Math.floor(r.t / res) * res;
        const vitals = parseJson<Partial<Record<VitalCode, number>>>(r.vitals);
        const quality = parseJson<Partial<Record<VitalCode, SampleQuality>>>(r.quality);
        for (const [code, value] of Object.entries(vitals) as Array<[VitalCode, number]>) {
          if (typeof value === 'number' && Number.isFinite(value) && (quality[code] ?? 'good') === 'good') put(bucket, code, { n: 1, mean: value, min: value, max: value });
        }
      }
    }
    return out;
  }
}

function bucketStarts(from: number, to: number, res: number): number[] {
  const out: number[] = [];
  for (let t = Math.floor(from / res) * res; t < to; t += res) out.push(t);
  return out;
}

function addSample(out: Map<number, Map<VitalCode, Agg>>, t: number, vitalsJson: string, qualityJson: string): void {
  const vitals = parseJson<Partial<Record<VitalCode, number>>>(vitalsJson);
  const quality = parseJson<Partial<Record<VitalCode, SampleQuality>>>(qualityJson);
  for (const [code, value] of Object.entries(vitals) as Array<[VitalCode, number]>) {
    if (typeof value !== 'number' || !Number.isFinite(value) || (quality[code] ?? 'good') !== 'good') continue;
    let row = out.get(t);
    if (!row) out.set(t, (row = new Map()));
    row.set(code, mergeAgg(row.get(code), { n: 1, mean: value, min: value, max: value }));
  }
}
