/**
 * Database maintenance: downsampling (rollups of 1 min, 15 min, 1 h), retention and compaction. Each job is safe to
 * run again at any time and from several processes at once: every step is one transaction that first takes a lock
 * (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory transaction lock per job) and re-reads the progress rows.
 * Scheduling lives in maintenance-jobs.ts.
 */
import type { Db, DbExecutor } from './db.ts';
import { MINUTE_MS, mergeAgg, minuteAggregateSql, readProgress, ROLLUP_RESOLUTIONS_MS, STORED_WATERMARK, writeProgress, type Agg } from './rollups.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Patients per minute-rollup transaction (≈ 6,000 samples at 1 Hz: a few ms of SQLite each). */
const ROLLUP_PATIENT_CHUNK = 100;

export interface MaintenanceOptions {
  /** Full-rate samples are kept this long (event time), then only their rollups. Default 48 h. */
  hotRetentionMs?: number;
  /** 1 min rollups are kept this long; 15 min and 1 h rollups are kept. Default 30 d. */
  rollupRetentionMs?: number;
  /** Forwarded raw waveforms are kept this long. Default 7 d. */
  waveRetentionMs?: number;
  /** Feature windows are kept this long. Default 30 d. */
  featureRetentionMs?: number;
  /**
   * Alarm events (the live feed's log) are kept this long, except those of alarms still open; a dashboard further
   * behind than this gets a gap (oldestCursor) and reloads its snapshot. Default 30 d.
   */
  alarmEventRetentionMs?: number;
  /** Checkpoints (operator_state) of keys idle this long are deleted (a discharged patient's). Default 24 h. */
  operatorStateIdleMs?: number;
  /** Ended (or absolutely expired) auth sessions are deleted this long after. Default 7 d. */
  authSessionRetentionMs?: number;
  /** A bucket is rolled up once it closed this long ago (event time), so that the edge's normal delay is in. Default 5 min. */
  graceMs?: number;
  /**
   * The stored_at watermark trails the wall clock by this much, so that a batch whose transaction is still open
   * (stored_at is taken when the batch starts) cannot commit below it. Longer than any batch transaction; shorter
   * than graceMs, so that a bucket's on-time samples are counted by the run that computes it. Default 60 s.
   */
  storedMarginMs?: number;
  /** Event time rolled up per transaction while catching up. Default 1 h. */
  sliceMs?: number;
  /** Rows deleted per statement by retention (bounded transactions). Default 20 000. */
  deleteBatch?: number;
}

export type MaintenanceJob = 'downsample' | 'retention' | 'compact';

export interface MaintenanceResult {
  job: MaintenanceJob;
  /** Rows written or deleted, by what. */
  counts: Record<string, number>;
  ms: number;
}

const DEFAULTS: Required<MaintenanceOptions> = {
  hotRetentionMs: 48 * HOUR_MS,
  rollupRetentionMs: 30 * DAY_MS,
  waveRetentionMs: 7 * DAY_MS,
  featureRetentionMs: 30 * DAY_MS,
  alarmEventRetentionMs: 30 * DAY_MS,
  operatorStateIdleMs: 24 * HOUR_MS,
  authSessionRetentionMs: 7 * DAY_MS,
  graceMs: 5 * MINUTE_MS,
  storedMarginMs: MINUTE_MS,
  sliceMs: HOUR_MS,
  deleteBatch: 20_000,
};

/** Advisory lock keys (PostgreSQL) of the jobs: one runner per job and database at a time. */
const LOCK_SPACE = 7_340_514;
const LOCKS: Record<MaintenanceJob, number> = { downsample: 1, retention: 2, compact: 3 };

const floorTo = (t: number, step: number) => Math.floor(t / step) * step;

const ROLLUP_COLUMNS = 'patient_id, resolution_ms, vital, bucket_start, n, mean, min, max';
const ROLLUP_KEY = 'patient_id, resolution_ms, vital, bucket_start';

export class Maintenance {
  readonly options: Required<MaintenanceOptions>;

  constructor(options: MaintenanceOptions = {}) {
    this.options = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  }

  async #step<T>(db: Db, job: MaintenanceJob, fn: (tx: DbExecutor) => Promise<T>): Promise<T> {
    return db.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(?, ?) AS locked', [LOCK_SPACE, LOCKS[job]]);
      return fn(tx);
    });
  }

  /**
   * Roll up what is due: first the late pass (samples stored since the last run into buckets already computed are
   * merged into their 1 min, 15 min and 1 h rows), then each resolution's buckets that closed more than the grace
   * period before `now`, slice by slice. See rollups.ts for the invariant that makes every sample count once.
   */
  async downsample(db: Db, now: number): Promise<MaintenanceResult> {
    const started = performance.now();
    const { storedMarginMs } = this.options;
    const counts = { lateSamples: 0, rollups1m: 0, rollups15m: 0, rollups1h: 0 };

    // Late pass; also moves the stored_at watermark W forward.
    const watermark = await this.#step(db, 'downsample', async (tx) => {
      const progress = await readProgress(tx);
      const oldW = progress.get(STORED_WATERMARK);
      const newW = Math.max(oldW ?? -Infinity, now - storedMarginMs);
      const p1 = progress.get(MINUTE_MS);
      if (oldW !== undefined && p1 !== undefined && newW > oldW) counts.lateSamples = await this.#mergeLate(tx, progress, oldW, newW);
      if (newW !== oldW) await writeProgress(tx, STORED_WATERMARK, newW);
      return newW;
    });

    // Normal passes: 1 min from samples, then 15 min and 1 h from the 1 min rows; one slice per transaction.
    const label = { 60000: 'rollups1m', 900000: 'rollups15m', 3600000: 'rollups1h' } as const;
    let pendingSlice: { from: number; to: number; target: number } | undefined;
    let pendingChunks: string[][] = [];
    for (const res of ROLLUP_RESOLUTIONS_MS) {
      for (let more = true; more; ) {
        more = await this.#step(db, 'downsample', async (tx) => {
          const slice = await this.#nextSlice(tx, res, now);
          if (!slice) return false;
          if (slice.empty) {
            await writeProgress(tx, res, slice.to);
            return false;
          }
          if (res === MINUTE_MS) {
            // The minute pass reads every sample of the slice: in chunks of patients, one short transaction each,
            // yielding between them, so that the pipeline's batches are not held up behind one long statement
            // (better-sqlite3 runs it on the event loop). Upserts are idempotent: a crash mid-way recomputes.
            const patients = (await tx.all<{ p: string }>('SELECT DISTINCT patient_id AS p FROM samples WHERE t >= ? AND t < ?', [slice.from, slice.to])).map((r) => r.p);
            pendingChunks = [];
            for (let i = 0; i < patients.length; i += ROLLUP_PATIENT_CHUNK) pendingChunks.push(patients.slice(i, i + ROLLUP_PATIENT_CHUNK));
            pendingSlice = slice;
            return true;
          }
          counts[label[res]] += await this.#rollCoarse(tx, res, slice.from, slice.to);
          await writeProgress(tx, res, slice.to);
          return slice.to < slice.target;
        });
        if (pendingSlice) {
          const { from, to, target } = pendingSlice;
          for (const chunk of pendingChunks) {
            await new Promise((resolve) => setImmediate(resolve));
            counts.rollups1m += await this.#step(db, 'downsample', (tx) => this.#rollMinutes(tx, from, to, watermark, chunk));
          }
          await this.#step(db, 'downsample', (tx) => writeProgress(tx, MINUTE_MS, to));
          more = to < target;
          pendingSlice = undefined;
        }
      }
    }
    return { job: 'downsample', counts, ms: Math.round(performance.now() - started) };
  }

  /**
   * The next slice of buckets of `res` to compute: from the progress (or the first data) to the buckets closed a
   * grace period before `now` (coarser resolutions: also at most P(1 min)), skipping empty stretches (a replay of old
   * recordings, a long pause) with one index lookup. `empty`: nothing to compute up to `to`. Undefined: nothing due.
   */
  async #nextSlice(tx: DbExecutor, res: number, now: number): Promise<{ from: number; to: number; target: number; empty: boolean } | undefined> {
    const progress = await readProgress(tx);
    const p1 = progress.get(MINUTE_MS);
    const target = floorTo(res === MINUTE_MS ? now - this.options.graceMs : Math.min(now - this.options.graceMs, p1 ?? -Infinity), res);
    if (!Number.isFinite(target)) return undefined;
    const firstAt = async (after: number | undefined): Promise<number | undefined> => {
      const row =
        res === MINUTE_MS
          ? await tx.get<{ t: number | null }>(`SELECT min(t) AS t FROM samples${after === undefined ? '' : ' WHERE t >= ?'}`, after === undefined ? [] : [after])
          : await tx.get<{ t: number | null }>(
              `SELECT min(bucket_start) AS t FROM vitals_rollups WHERE resolution_ms = ?${after === undefined ? '' : ' AND bucket_start >= ?'}`,
              after === undefined ? [MINUTE_MS] : [MINUTE_MS, after],
            );
      return row?.t ?? undefined;
    };
    const done = progress.get(res);
    if (done !== undefined && done >= target) return undefined;
    const next = await firstAt(done);
    if (next === undefined || next >= target) return done === undefined && next === undefined ? undefined : { from: done ?? target, to: target, target, empty: true };
    const from = Math.max(done ?? -Infinity, floorTo(next, res));
    return { from, to: Math.min(target, floorTo(from + Math.max(this.options.sliceMs, res), res)), target, empty: false };
  }

  /** 1 min rollups of [from, to) from the samples with stored_at ≤ W (overwrite: nothing there yet). */
  async #rollMinutes(tx: DbExecutor, from: number, to: number, watermark: number, patients: readonly string[]): Promise<number> {
    if (patients.length === 0) return 0;
    return tx.run(
      `INSERT INTO vitals_rollups (${ROLLUP_COLUMNS})
       SELECT patient_id, ${MINUTE_MS}, vital, bucket_start, n, mean, min, max
       FROM (${minuteAggregateSql(tx.dialect, `s.t >= ? AND s.t < ? AND s.stored_at <= ? AND s.patient_id IN (${patients.map(() => '?').join(', ')})`)}) agg WHERE true
       ON CONFLICT (${ROLLUP_KEY}) DO UPDATE SET n = excluded.n, mean = excluded.mean, min = excluded.min, max = excluded.max`,
      [from, to, watermark, ...patients],
    );
  }

  /** Rollups of resolution `res` for buckets in [from, to), from the 1 min rows. */
  async #rollCoarse(tx: DbExecutor, res: number, from: number, to: number): Promise<number> {
    return tx.run(
      `INSERT INTO vitals_rollups (${ROLLUP_COLUMNS})
       SELECT patient_id, ${res}, vital, (bucket_start / ${res}) * ${res}, sum(n), sum(mean * n) / sum(n), min(min), max(max)
       FROM vitals_rollups WHERE resolution_ms = ${MINUTE_MS} AND bucket_start >= ? AND bucket_start < ?
       GROUP BY patient_id, vital, (bucket_start / ${res}) * ${res}
       ON CONFLICT (${ROLLUP_KEY}) DO UPDATE SET n = excluded.n, mean = excluded.mean, min = excluded.min, max = excluded.max`,
      [from, to],
    );
  }

  /**
   * Merge the samples stored in (oldW, newW] into buckets already computed (t < P(1 min)); the coarser buckets
   * already computed get the same values merged in. Resolves to the number of samples' values merged.
   */
  async #mergeLate(tx: DbExecutor, progress: Map<number, number>, oldW: number, newW: number): Promise<number> {
    const p1 = progress.get(MINUTE_MS)!;
    const rows = await tx.all<{ patient_id: string; vital: string; bucket_start: number; n: number; mean: number; min: number; max: number }>(
      minuteAggregateSql(tx.dialect, 's.stored_at > ? AND s.stored_at <= ? AND s.t < ?'),
      [oldW, newW, p1],
    );
    if (rows.length === 0) return 0;
    const merged = new Map<string, { patientId: string; vital: string; res: number; bucket: number; agg: Agg }>();
    let values = 0;
    for (const r of rows) {
      values += r.n;
      for (const res of ROLLUP_RESOLUTIONS_MS) {
        const bucket = floorTo(r.bucket_start, res);
        const done = progress.get(res);
        if (done === undefined || bucket + res > done) continue; // not computed yet: the normal pass will count it
        const key = `${r.patient_id}\u0000${r.vital}\u0000${res}\u0000${bucket}`;
        const entry = merged.get(key);
        const agg = { n: r.n, mean: r.mean, min: r.min, max: r.max };
        if (entry) entry.agg = mergeAgg(entry.agg, agg);
        else merged.set(key, { patientId: r.patient_id, vital: r.vital, res, bucket, agg });
      }
    }
    const least = tx.dialect === 'postgres' ? 'LEAST' : 'min';
    const greatest = tx.dialect === 'postgres' ? 'GREATEST' : 'max';
    await tx.runMany(
      `INSERT INTO vitals_rollups (${ROLLUP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (${ROLLUP_KEY}) DO UPDATE SET
         n = vitals_rollups.n + excluded.n,
         mean = (vitals_rollups.mean * vitals_rollups.n + excluded.mean * excluded.n) / (vitals_rollups.n + excluded.n),
         min = ${least}(vitals_rollups.min, excluded.min),
         max = ${greatest}(vitals_rollups.max, excluded.max)`,
      [...merged.values()].map((m) => [m.patientId, m.res, m.vital, m.bucket, m.agg.n, m.agg.mean, m.agg.min, m.agg.max]),
    );
    return values;
  }

  /**
   * Delete what is past its retention: full-rate samples older than hotRetentionMs, but only those the rollups
   * already count (t < P(1 min) and stored_at ≤ W: see rollups.ts), so nothing is lost that is not rolled up; 1 min
   * rollups older than rollupRetentionMs (once the 1 h rollups cover them); forwarded waves; feature windows; alarm
   * events of ended alarms.
   */
  async retention(db: Db, now: number): Promise<MaintenanceResult> {
    const started = performance.now();
    const o = this.options;
    const progress = await readProgress(db);
    const p1 = progress.get(MINUTE_MS);
    const w = progress.get(STORED_WATERMARK);
    const p1h = progress.get(3_600_000);
    const counts = { samples: 0, rollups1m: 0, waves: 0, featureWindows: 0, alarmEvents: 0 };
    if (p1 !== undefined && w !== undefined) {
      counts.samples = await this.#deleteInBatches(
        db,
        `DELETE FROM samples WHERE (device_id, boot_id, seq) IN
           (SELECT device_id, boot_id, seq FROM samples WHERE t < ? AND stored_at <= ? LIMIT ?)`,
        [Math.min(now - o.hotRetentionMs, p1), w],
      );
    }
    if (p1h !== undefined) {
      counts.rollups1m = await this.#step(db, 'retention', (tx) =>
        tx.run('DELETE FROM vitals_rollups WHERE resolution_ms = ? AND bucket_start < ?', [MINUTE_MS, Math.min(now - o.rollupRetentionMs, p1h)]),
      );
    }
    counts.waves = await this.#deleteInBatches(
      db,
      'DELETE FROM waves WHERE (device_id, boot_id, kind, seq) IN (SELECT device_id, boot_id, kind, seq FROM waves WHERE t < ? LIMIT ?)',
      [now - o.waveRetentionMs],
    );
    counts.featureWindows = await this.#step(db, 'retention', (tx) => tx.run('DELETE FROM feature_windows WHERE "end" < ?', [now - o.featureRetentionMs]));
    counts.alarmEvents = await this.#deleteInBatches(
      db,
      `DELETE FROM alarm_events WHERE seq IN (SELECT seq FROM alarm_events WHERE at_wall < ?
         AND alarm_id NOT IN (SELECT id FROM alarms WHERE state <> 'ended') LIMIT ?)`,
      [now - o.alarmEventRetentionMs],
    );
    return { job: 'retention', counts, ms: Math.round(performance.now() - started) };
  }

  /** Run a `… LIMIT ?` delete until it deletes fewer than a batch; one transaction per batch. */
  async #deleteInBatches(db: Db, sql: string, params: Array<number | string>): Promise<number> {
    const batch = this.options.deleteBatch;
    let total = 0;
    for (;;) {
      const n = await this.#step(db, 'retention', (tx) => tx.run(sql, [...params, batch]));
      total += n;
      if (n < batch) return total;
    }
  }

  /**
   * Checkpoint compaction: checkpoints of keys idle for operatorStateIdleMs, auth sessions ended (or absolutely
   * expired) more than authSessionRetentionMs ago; then SQLite truncates its WAL and refreshes its statistics
   * (PRAGMA optimize), PostgreSQL refreshes its statistics (ANALYZE; autovacuum reclaims space).
   */
  async compact(db: Db, now: number): Promise<MaintenanceResult> {
    const started = performance.now();
    const o = this.options;
    const counts = await this.#step(db, 'compact', async (tx) => ({
      operatorState: await tx.run('DELETE FROM operator_state WHERE updated_at < ?', [now - o.operatorStateIdleMs]),
      authSessions: await tx.run(
        'DELETE FROM auth_sessions WHERE (ended_at IS NOT NULL AND ended_at < ?) OR absolute_expires_at < ?',
        [now - o.authSessionRetentionMs, now - o.authSessionRetentionMs],
      ),
    }));
    if (db.dialect === 'sqlite') {
      await db.all('PRAGMA wal_checkpoint(TRUNCATE)');
      await db.all('PRAGMA optimize');
    } else {
      await db.run('ANALYZE');
    }
    return { job: 'compact', counts, ms: Math.round(performance.now() - started) };
  }
}
