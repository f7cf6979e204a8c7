/**
 * SQLite storage (better-sqlite3, WAL). Writes for one uplink batch happen in one transaction, and the batch is
 * acknowledged to the broker only after it commits.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Alarm, AlarmState, BedState, UplinkSample, UplinkStatus, UplinkWave, UplinkWaveSummary, UplinkWindow } from '@vigil/contracts';
import { MIGRATIONS } from './migrations.ts';

export interface AlarmTransition {
  at: number;
  state: AlarmState;
  actor: string;
  detail?: string;
}

export interface StoredSample {
  deviceId: string;
  bootId: string;
  seq: number;
  patientId: string;
  t: number;
  vitals: Record<string, number>;
}

export class SqliteStore {
  readonly db: Database.Database;
  readonly #stmts;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a committed transaction survives a process crash (the failure tested here).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.migrate();
    const db = this.db;
    this.#stmts = {
      insertSample: db.prepare(`INSERT OR IGNORE INTO samples
        (device_id, boot_id, seq, ward_id, bed_id, patient_id, t, received_at, stored_at, late, vitals, quality)
        VALUES (@deviceId, @bootId, @seq, @wardId, @bedId, @patientId, @t, @receivedAt, @storedAt, @late, @vitals, @quality)`),
      insertStatus: db.prepare(`INSERT OR IGNORE INTO device_status
        (device_id, boot_id, t, state, reason, battery, signal, ward_id, bed_id, patient_id, received_at)
        VALUES (@deviceId, @bootId, @t, @state, @reason, @battery, @signal, @wardId, @bedId, @patientId, @receivedAt)`),
      upsertBed: db.prepare(`INSERT INTO beds (ward_id, bed_id, state, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (ward_id, bed_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`),
      upsertAlarm: db.prepare(`INSERT INTO alarms (id, ward_id, patient_id, state, priority, raised_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET state = excluded.state, priority = excluded.priority, body = excluded.body`),
      nextTransition: db.prepare('SELECT coalesce(max(n), 0) + 1 AS n FROM alarm_transitions WHERE alarm_id = ?'),
      insertTransition: db.prepare('INSERT INTO alarm_transitions (alarm_id, n, at, state, actor, detail) VALUES (?, ?, ?, ?, ?, ?)'),
      loadBeds: db.prepare('SELECT state FROM beds ORDER BY ward_id, bed_id'),
      openAlarms: db.prepare(`SELECT body FROM alarms WHERE state != 'ended' ORDER BY raised_at`),
      insertWindow: db.prepare(`INSERT OR IGNORE INTO edge_windows (patient_id, start, "end", ward_id, bed_id, late, addendum, vitals) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      insertWaveSummary: db.prepare('INSERT OR IGNORE INTO wave_summaries (device_id, kind, start, ward_id, patient_id, body) VALUES (?, ?, ?, ?, ?, ?)'),
      insertWave: db.prepare('INSERT OR IGNORE INTO waves (device_id, boot_id, kind, seq, ward_id, patient_id, t, reason, chunk) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      insertEdgeAlarm: db.prepare('INSERT OR IGNORE INTO edge_alarm_reports (alarm_id, updated_at, state, ward_id, body) VALUES (?, ?, ?, ?, ?)'),
      countSamples: db.prepare('SELECT count(*) AS n FROM samples'),
      samplesOf: db.prepare('SELECT device_id, boot_id, seq, patient_id, t, vitals FROM samples WHERE patient_id = ? AND t BETWEEN ? AND ? ORDER BY t, device_id'),
    };
  }

  migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    const applied = new Set((this.db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
      })();
    }
  }

  /** Run `fn` in one transaction (all or nothing). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** True when the sample is new; false when its key was already stored (a redelivery). */
  insertSample(wardId: string, sample: UplinkSample, storedAt: number): boolean {
    return (
      this.#stmts.insertSample.run({
        deviceId: sample.deviceId,
        bootId: sample.bootId,
        seq: sample.seq,
        wardId,
        bedId: sample.bedId,
        patientId: sample.patientId,
        t: sample.t,
        receivedAt: sample.receivedAt,
        storedAt,
        late: sample.late ? 1 : 0,
        vitals: JSON.stringify(sample.vitals),
        quality: JSON.stringify(sample.quality),
      }).changes === 1
    );
  }

  insertStatus(wardId: string, status: UplinkStatus): boolean {
    return (
      this.#stmts.insertStatus.run({
        deviceId: status.deviceId,
        bootId: status.bootId,
        t: status.t,
        state: status.state,
        reason: status.reason,
        battery: status.battery ?? null,
        signal: status.signal ?? null,
        wardId,
        bedId: status.bedId,
        patientId: status.patientId,
        receivedAt: status.receivedAt,
      }).changes === 1
    );
  }

  /** Idempotent by (patient, window start, addendum). */
  insertWindow(wardId: string, w: UplinkWindow): boolean {
    return this.#stmts.insertWindow.run(w.patientId, w.start, w.end, wardId, w.bedId, w.late ? 1 : 0, w.addendum ? 1 : 0, JSON.stringify(w.vitals)).changes === 1;
  }

  /** Idempotent by (device, kind, window start). */
  insertWaveSummary(wardId: string, w: UplinkWaveSummary): boolean {
    return this.#stmts.insertWaveSummary.run(w.deviceId, w.kind, w.start, wardId, w.patientId, JSON.stringify(w)).changes === 1;
  }

  /** Idempotent by the chunk's key (device, boot, kind, seq). */
  insertWave(wardId: string, w: UplinkWave): boolean {
    const c = w.chunk;
    return this.#stmts.insertWave.run(c.deviceId, c.bootId, c.kind, c.seq, wardId, w.patientId, c.t, w.reason, JSON.stringify(c)).changes === 1;
  }

  /** An alarm state reported by the edge; idempotent by (alarm, time, state). */
  insertEdgeAlarm(wardId: string, alarm: Alarm): boolean {
    return this.#stmts.insertEdgeAlarm.run(alarm.id, alarm.updatedAt, alarm.state, wardId, JSON.stringify(alarm)).changes === 1;
  }

  saveBed(bed: BedState): void {
    this.#stmts.upsertBed.run(bed.wardId, bed.bedId, JSON.stringify(bed), bed.updatedAt);
  }

  saveAlarm(alarm: Alarm, transition: AlarmTransition): void {
    this.#stmts.upsertAlarm.run(alarm.id, alarm.wardId, alarm.patientId, alarm.state, alarm.priority, alarm.raisedAt, JSON.stringify(alarm));
    const { n } = this.#stmts.nextTransition.get(alarm.id) as { n: number };
    this.#stmts.insertTransition.run(alarm.id, n, transition.at, transition.state, transition.actor, transition.detail ?? null);
  }

  loadBeds(): BedState[] {
    return (this.#stmts.loadBeds.all() as Array<{ state: string }>).map((r) => JSON.parse(r.state) as BedState);
  }

  loadOpenAlarms(): Alarm[] {
    return (this.#stmts.openAlarms.all() as Array<{ body: string }>).map((r) => JSON.parse(r.body) as Alarm);
  }

  countSamples(): number {
    return (this.#stmts.countSamples.get() as { n: number }).n;
  }

  samplesOf(patientId: string, from: number, to: number): StoredSample[] {
    return (this.#stmts.samplesOf.all(patientId, from, to) as Array<{ device_id: string; boot_id: string; seq: number; patient_id: string; t: number; vitals: string }>).map((r) => ({
      deviceId: r.device_id,
      bootId: r.boot_id,
      seq: r.seq,
      patientId: r.patient_id,
      t: r.t,
      vitals: JSON.parse(r.vitals) as Record<string, number>,
    }));
  }

  close(): void {
    this.db.close();
  }
}
