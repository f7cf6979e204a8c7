/**
 * Vitals rollups (vitals_rollups): per patient, vital and bucket of 1 min, 15 min or 1 h, the count, mean, min and
 * max of the good-quality values (quality absent = good, as in limit-rules.ts). Written by the downsampler
 * (maintenance.ts), read by the history API (vitals-history.ts).
 *
 * Progress (rollup_progress) holds one invariant, kept by every downsampling transaction:
 *   - row 0 holds W, a watermark on samples.stored_at (wall clock; it trails the clock by a margin, see
 *     MaintenanceOptions.storedMarginMs);
 *   - row r (r = 60 000, 900 000, 3 600 000) holds P(r): every bucket of r ending at or before P(r) is computed, and
 *     no bucket after it has a row;
 *   - the rollups count exactly the samples with t < P(1 min) and stored_at ≤ W.
 * So a sample stored after its bucket was computed (late edge data, after a partition) is counted once, by the next
 * run's late pass, and retention may delete exactly the samples with t < P(1 min) and stored_at ≤ W.
 */
import type { DbExecutor } from './db.ts';

export const MINUTE_MS = 60_000;
export const ROLLUP_RESOLUTIONS_MS = [60_000, 900_000, 3_600_000] as const;
/** rollup_progress row of the stored_at watermark. */
export const STORED_WATERMARK = 0;

/** Aggregate of some values: count, mean, min, max. */
export interface Agg {
  n: number;
  mean: number;
  min: number;
  max: number;
}

export function mergeAgg(a: Agg | undefined, b: Agg): Agg {
  if (!a) return { ...b };
  const n = a.n + b.n;
  return { n, mean: (a.mean * a.n + b.mean * b.n) / n, min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) };
}

/** Progress rows as a map (resolution → done_until); absent rows are absent. */
export async function readProgress(x: DbExecutor): Promise<Map<number, number>> {
  const rows = await x.all<{ resolution_ms: number; done_until: number }>('SELECT resolution_ms, done_until FROM rollup_progress');
  return new Map(rows.map((r) => [r.resolution_ms, r.done_until]));
}

export async function writeProgress(x: DbExecutor, resolutionMs: number, doneUntil: number): Promise<void> {
  await x.run(
    `INSERT INTO rollup_progress (resolution_ms, done_until) VALUES (?, ?)
     ON CONFLICT (resolution_ms) DO UPDATE SET done_until = excluded.done_until`,
    [resolutionMs, doneUntil],
  );
}

/**
 * SELECT of the per-(patient, vital, 1 min bucket) aggregates of good-quality sample values, for samples matching
 * `where` (a condition on alias s). Columns: patient_id, vital, bucket_start, n, mean, min, max. Samples store
 * vitals and quality as JSON text, so the expansion is the one dialect-specific part.
 */
export function minuteAggregateSql(dialect: DbExecutor['dialect'], where: string): string {
  if (dialect === 'postgres') {
    return `SELECT s.patient_id, v.key AS vital, (s.t / 60000) * 60000 AS bucket_start, count(*) AS n,
        avg((v.value #>> '{}')::double precision) AS mean, min((v.value #>> '{}')::double precision) AS min,
        max((v.value #>> '{}')::double precision) AS max
      FROM samples s CROSS JOIN LATERAL jsonb_each(s.vitals::jsonb) v
      WHERE ${where} AND jsonb_typeof(v.value) = 'number' AND coalesce(s.quality::jsonb ->> v.key, 'good') = 'good'
      GROUP BY s.patient_id, v.key, (s.t / 60000) * 60000`;
  }
  return `SELECT s.patient_id, v.key AS vital, (s.t / 60000) * 60000 AS bucket_start, count(*) AS n,
      avg(v.value) AS mean, min(v.value) AS min, max(v.value) AS max
    FROM samples s, json_each(s.vitals) v
    WHERE ${where} AND v.type IN ('integer', 'real')
      AND coalesce(json_extract(s.quality, '$."' || v.key || '"'), 'good') = 'good'
    GROUP BY s.patient_id, v.key, (s.t / 60000) * 60000`;
}
