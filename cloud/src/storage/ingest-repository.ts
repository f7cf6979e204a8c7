/**
 * What the uplink brings, stored idempotently: each record's key is the table's primary key and every insert is
 * `ON CONFLICT DO NOTHING`, so a redelivered batch changes nothing and each insert reports which records were new.
 * Also the bed snapshots, and the sample reads the stream processor needs to restore itself.
 */
import type { Alarm, BedState, SampleQuality, UplinkSample, UplinkStatus, UplinkWave, UplinkWaveSummary, UplinkWindow, VitalCode } from '@vigil/contracts';
import type { DbExecutor, SqlValue } from './db.ts';
import { chunks, parseJson, toBool } from './sql-util.ts';

/** A sample as stored (the uplink's fields that the cloud keeps, plus the ward it came from). */
export interface StoredSample {
  deviceId: string;
  bootId: string;
  seq: number;
  patientId: string;
  wardId: string;
  bedId: string;
  t: number;
  receivedAt: number;
  late: boolean;
  vitals: Partial<Record<VitalCode, number>>;
  quality: Partial<Record<VitalCode, SampleQuality>>;
}

/** `${deviceId}|${bootId}|${seq}`, the key string of existingSampleKeys. */
export const sampleKey = (k: { deviceId: string; bootId: string; seq: number }): string => `${k.deviceId}|${k.bootId}|${k.seq}`;

const SAMPLE_COLUMNS = 'device_id, boot_id, seq, patient_id, ward_id, bed_id, t, received_at, late, vitals, quality';
/** Bind parameters per key in a row-value IN list. */
const KEYS_PER_QUERY = 300;

type SampleRow = {
  device_id: string;
  boot_id: string;
  seq: number;
  patient_id: string;
  ward_id: string;
  bed_id: string;
  t: number;
  received_at: number;
  late: number;
  vitals: string;
  quality: string;
};

const toSample = (r: SampleRow): StoredSample => ({
  deviceId: r.device_id,
  bootId: r.boot_id,
  seq: r.seq,
  patientId: r.patient_id,
  wardId: r.ward_id,
  bedId: r.bed_id,
  t: r.t,
  receivedAt: r.received_at,
  late: toBool(r.late),
  vitals: parseJson(r.vitals),
  quality: parseJson(r.quality),
});

const isNew = (changes: number[]) => changes.map((n) => n > 0);

export class IngestRepository {
  /** One flag per sample: true = stored now, false = its key was already there (a redelivery). */
  async insertSamples(x: DbExecutor, wardId: string, samples: readonly UplinkSample[], storedAt: number): Promise<boolean[]> {
    if (samples.length === 0) return [];
    const rows = samples.map((s): SqlValue[] => [
      s.deviceId,
      s.bootId,
      s.seq,
      wardId,
      s.bedId,
      s.patientId,
      s.t,
      s.receivedAt,
      storedAt,
      s.late ? 1 : 0,
      JSON.stringify(s.vitals),
      JSON.stringify(s.quality),
    ]);
    return isNew(
      await x.runMany(
        `INSERT INTO samples (device_id, boot_id, seq, ward_id, bed_id, patient_id, t, received_at, stored_at, late, vitals, quality)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device_id, boot_id, seq) DO NOTHING`,
        rows,
      ),
    );
  }

  /**
   * Which of these sample keys are stored, as `${deviceId}|${bootId}|${seq}` strings. (The CAST types the VALUES
   * column for PostgreSQL, which would otherwise compare bigint with text.)
   */
  async existingSampleKeys(x: DbExecutor, keys: ReadonlyArray<{ deviceId: string; bootId: string; seq: number }>): Promise<Set<string>> {
    const found = new Set<string>();
    for (const part of chunks(keys, KEYS_PER_QUERY)) {
      const rows = await x.all<{ device_id: string; boot_id: string; seq: number }>(
        `SELECT device_id, boot_id, seq FROM samples WHERE (device_id, boot_id, seq) IN (VALUES ${part.map(() => '(?, ?, CAST(? AS BIGINT))').join(', ')})`,
        part.flatMap((k) => [k.deviceId, k.bootId, k.seq]),
      );
      for (const r of rows) found.add(sampleKey({ deviceId: r.device_id, bootId: r.boot_id, seq: r.seq }));
    }
    return found;
  }

  /** Idempotent by (device, boot, t, state). */
  async insertStatuses(x: DbExecutor, wardId: string, statuses: readonly UplinkStatus[]): Promise<boolean[]> {
    if (statuses.length === 0) return [];
    return isNew(
      await x.runMany(
        `INSERT INTO device_status (device_id, boot_id, t, state, reason, battery, signal, ward_id, bed_id, patient_id, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device_id, boot_id, t, state) DO NOTHING`,
        statuses.map((s) => [s.deviceId, s.bootId, s.t, s.state, s.reason, s.battery ?? null, s.signal ?? null, wardId, s.bedId, s.patientId, s.receivedAt]),
      ),
    );
  }

  /** Idempotent by (patient, window start, addendum). */
  async insertEdgeWindows(x: DbExecutor, wardId: string, windows: readonly UplinkWindow[]): Promise<boolean[]> {
    if (windows.length === 0) return [];
    return isNew(
      await x.runMany(
        `INSERT INTO edge_windows (patient_id, start, "end", ward_id, bed_id, late, addendum, vitals)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (patient_id, start, addendum) DO NOTHING`,
        windows.map((w) => [w.patientId, w.start, w.end, wardId, w.bedId, w.late ? 1 : 0, w.addendum ? 1 : 0, JSON.stringify(w.vitals)]),
      ),
    );
  }

  /** Idempotent by (device, kind, window start). */
  async insertWaveSummaries(x: DbExecutor, wardId: string, summaries: readonly UplinkWaveSummary[]): Promise<boolean[]> {
    if (summaries.length === 0) return [];
    return isNew(
      await x.runMany(
        `INSERT INTO wave_summaries (device_id, kind, start, ward_id, patient_id, body)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (device_id, kind, start) DO NOTHING`,
        summaries.map((w) => [w.deviceId, w.kind, w.start, wardId, w.patientId, JSON.stringify(w)]),
      ),
    );
  }

  /** Idempotent by the chunk's key (device, boot, kind, seq). */
  async insertWaves(x: DbExecutor, wardId: string, waves: readonly UplinkWave[]): Promise<boolean[]> {
    if (waves.length === 0) return [];
    return isNew(
      await x.runMany(
        `INSERT INTO waves (device_id, boot_id, kind, seq, ward_id, patient_id, t, reason, chunk)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device_id, boot_id, kind, seq) DO NOTHING`,
        waves.map((w) => [w.chunk.deviceId, w.chunk.bootId, w.chunk.kind, w.chunk.seq, wardId, w.patientId, w.chunk.t, w.reason, JSON.stringify(w.chunk)]),
      ),
    );
  }

  /** Alarm states reported by the edge; idempotent by (alarm, updatedAt, state). */
  async insertEdgeAlarms(x: DbExecutor, wardId: string, alarms: readonly Alarm[]): Promise<boolean[]> {
    if (alarms.length === 0) return [];
    return isNew(
      await x.runMany(
        `INSERT INTO edge_alarm_reports (alarm_id, updated_at, state, ward_id, body)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (alarm_id, updated_at, state) DO NOTHING`,
        alarms.map((a) => [a.id, a.updatedAt, a.state, wardId, JSON.stringify(a)]),
      ),
    );
  }

  /** The newest state of each bed (upsert by ward and bed). */
  async saveBeds(x: DbExecutor, beds: readonly BedState[]): Promise<void> {
    if (beds.length === 0) return;
    await x.runMany(
      `INSERT INTO beds (ward_id, bed_id, state, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (ward_id, bed_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
      beds.map((b) => [b.wardId, b.bedId, JSON.stringify(b), b.updatedAt]),
    );
  }

  async loadBeds(x: DbExecutor): Promise<BedState[]> {
    return (await x.all<{ state: string }>('SELECT state FROM beds ORDER BY ward_id, bed_id')).map((r) => parseJson<BedState>(r.state));
  }

  async countSamples(x: DbExecutor): Promise<number> {
    return (await x.get<{ n: number }>('SELECT count(*) AS n FROM samples'))?.n ?? 0;
  }

  /** A patient's samples with from ≤ t ≤ to, ordered by t, device, boot, seq. */
  async samplesOf(x: DbExecutor, patientId: string, from: number, to: number): Promise<StoredSample[]> {
    const rows = await x.all<SampleRow>(
      `SELECT ${SAMPLE_COLUMNS} FROM samples WHERE patient_id = ? AND t >= ? AND t <= ? ORDER BY t, device_id, boot_id, seq`,
      [patientId, from, to],
    );
    return rows.map(toSample);
  }

  /** One device stream's samples after `afterSeq`, ordered by seq (restore: samples held back for a gap). */
  async streamSamplesAfter(x: DbExecutor, deviceId: string, bootId: string, afterSeq: number): Promise<StoredSample[]> {
    const rows = await x.all<SampleRow>(`SELECT ${SAMPLE_COLUMNS} FROM samples WHERE device_id = ? AND boot_id = ? AND seq > ? ORDER BY seq`, [
      deviceId,
      bootId,
      afterSeq,
    ]);
    return rows.map(toSample);
  }

  /**
   * Bulk restore: each patient's samples with t ≥ since (one time for all, or per patient; a patient missing from
   * the map is skipped), ordered by patient, t, device, boot, seq.
   */
  async samplesOfPatientsSince(x: DbExecutor, patientIds: readonly string[], since: ReadonlyMap<string, number> | number): Promise<StoredSample[]> {
    const wanted = patientIds.filter((id) => typeof since === 'number' || since.has(id));
    const out: StoredSample[] = [];
    // (patient_id = ? AND t >= ?) OR …: each disjunct is a range of the (patient_id, t) index.
    for (const part of chunks([...new Set(wanted)].sort(), 200)) {
      const rows = await x.all<SampleRow>(
        `SELECT ${SAMPLE_COLUMNS} FROM samples WHERE ${part.map(() => '(patient_id = ? AND t >= ?)').join(' OR ')}
         ORDER BY patient_id, t, device_id, boot_id, seq`,
        part.flatMap((id) => [id, typeof since === 'number' ? since : since.get(id)!]),
      );
      for (const r of rows) out.push(toSample(r));
    }
    return out;
  }
}
