/**
 * What the stream processor derives in event time: feature windows, NEWS2 scores and monitoring sessions (each may be
 * revised by a late sample: the row keeps the highest revision), and the samples it dropped as too late.
 */
import type { FeatureWindowRecord, MonitoringSession, News2Result, News2Score, WindowFeatures } from '@vigil/contracts';
import type { z } from 'zod';
import type { DbExecutor } from './db.ts';
import { chunks, marks, parseJson } from './sql-util.ts';

export type MonitoringSessionRecord = z.infer<typeof MonitoringSession>;

export interface FeatureWindowRow {
  patientId: string;
  wardId: string;
  bedId: string;
  revision: number;
  features: WindowFeatures;
}

export interface News2Row {
  wardId: string;
  bedId: string;
  score: News2Score;
}

export interface DroppedLateRow {
  deviceId: string;
  bootId: string;
  seq: number;
  patientId: string;
  t: number;
  reason: string;
}

type News2DbRow = {
  patient_id: string;
  start: number;
  end: number;
  revision: number;
  result: string;
};

const toScore = (r: News2DbRow): News2Score => ({ patientId: r.patient_id, start: r.start, end: r.end, revision: r.revision, result: parseJson<News2Result>(r.result) });

export class WindowRepository {
  /** Upsert by (patient, start, end); a row with a lower revision than the stored one changes nothing. */
  async upsertFeatures(x: DbExecutor, rows: readonly FeatureWindowRow[]): Promise<void> {
    if (rows.length === 0) return;
    await x.runMany(
      `INSERT INTO feature_windows (patient_id, start, "end", revision, ward_id, bed_id, features) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (patient_id, start, "end") DO UPDATE SET revision = excluded.revision, ward_id = excluded.ward_id,
         bed_id = excluded.bed_id, features = excluded.features
       WHERE excluded.revision >= feature_windows.revision`,
      rows.map((r) => [r.patientId, r.features.start, r.features.end, r.revision, r.wardId, r.bedId, JSON.stringify(r.features)]),
    );
  }

  /** Upsert by (patient, end); a lower revision changes nothing. */
  async upsertNews2(x: DbExecutor, rows: readonly News2Row[]): Promise<void> {
    if (rows.length === 0) return;
    await x.runMany(
      `INSERT INTO news2_scores (patient_id, start, "end", revision, ward_id, bed_id, total, response, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (patient_id, "end") DO UPDATE SET start = excluded.start, revision = excluded.revision, ward_id = excluded.ward_id,
         bed_id = excluded.bed_id, total = excluded.total, response = excluded.response, result = excluded.result
       WHERE excluded.revision >= news2_scores.revision`,
      rows.map(({ wardId, bedId, score: s }) => [s.patientId, s.start, s.end, s.revision, wardId, bedId, s.result.total, s.result.response, JSON.stringify(s.result)]),
    );
  }

  /** Upsert by (patient, start); a lower revision changes nothing. */
  async upsertSessions(x: DbExecutor, rows: ReadonlyArray<MonitoringSessionRecord & { revision: number }>): Promise<void> {
    if (rows.length === 0) return;
    await x.runMany(
      `INSERT INTO monitoring_sessions (patient_id, start, "end", ward_id, bed_id, samples, revision) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (patient_id, start) DO UPDATE SET "end" = excluded."end", ward_id = excluded.ward_id, bed_id = excluded.bed_id,
         samples = excluded.samples, revision = excluded.revision
       WHERE excluded.revision >= monitoring_sessions.revision`,
      rows.map((s) => [s.patientId, s.start, s.end, s.wardId, s.bedId, s.samples, s.revision]),
    );
  }

  /** The patient's feature windows ending in [from, to], by start. */
  async features(x: DbExecutor, patientId: string, from: number, to: number): Promise<FeatureWindowRecord[]> {
    const rows = await x.all<{ revision: number; features: string }>(
      `SELECT revision, features FROM feature_windows WHERE patient_id = ? AND "end" >= ? AND "end" <= ? ORDER BY start, "end"`,
      [patientId, from, to],
    );
    return rows.map((r) => ({ patientId, revision: r.revision, features: parseJson<WindowFeatures>(r.features) }));
  }

  /** The patient's NEWS2 scores whose window ends in [from, to], by end. */
  async news2(x: DbExecutor, patientId: string, from: number, to: number): Promise<News2Score[]> {
    const rows = await x.all<News2DbRow>(
      `SELECT patient_id, start, "end", revision, result FROM news2_scores WHERE patient_id = ? AND "end" >= ? AND "end" <= ? ORDER BY "end"`,
      [patientId, from, to],
    );
    return rows.map(toScore);
  }

  /** Each patient's newest NEWS2 score (by window end); patients without one are absent from the map. */
  async latestNews2(x: DbExecutor, patientIds: readonly string[]): Promise<Map<string, News2Score>> {
    const out = new Map<string, News2Score>();
    for (const part of chunks([...new Set(patientIds)])) {
      const rows = await x.all<News2DbRow>(
        `SELECT n.patient_id, n.start, n."end", n.revision, n.result FROM news2_scores n
         WHERE n.patient_id IN (${marks(part.length)})
           AND n."end" = (SELECT max(m."end") FROM news2_scores m WHERE m.patient_id = n.patient_id)`,
        part,
      );
      for (const r of rows) out.set(r.patient_id, toScore(r));
    }
    return out;
  }

  /** The ward's sessions overlapping [from, to], by start. */
  async sessions(x: DbExecutor, wardId: string, from: number, to: number): Promise<MonitoringSessionRecord[]> {
    const rows = await x.all<{ patient_id: string; ward_id: string; bed_id: string; start: number; end: number; samples: number }>(
      `SELECT patient_id, ward_id, bed_id, start, "end", samples FROM monitoring_sessions
       WHERE ward_id = ? AND start <= ? AND "end" >= ? ORDER BY start, patient_id`,
      [wardId, to, from],
    );
    return rows.map((r) => ({ patientId: r.patient_id, wardId: r.ward_id, bedId: r.bed_id, start: r.start, end: r.end, samples: r.samples }));
  }

  /** Record samples dropped as beyond the allowed lateness (idempotent by sample key); `at` = wall clock. */
  async recordDroppedLate(x: DbExecutor, rows: readonly DroppedLateRow[], at: number = Date.now()): Promise<void> {
    if (rows.length === 0) return;
    await x.runMany(
      `INSERT INTO dropped_late_samples (device_id, boot_id, seq, patient_id, t, reason, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (device_id, boot_id, seq) DO NOTHING`,
      rows.map((r) => [r.deviceId, r.bootId, r.seq, r.patientId, r.t, r.reason, at]),
    );
  }
}
