/**
 * Schema migrations, applied in order and recorded in schema_migrations. Never edit a released migration: add one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'samples, device status, beds, alarms',
    sql: `
      -- One row per device sample; the primary key is the sample key, which makes redelivery idempotent.
      CREATE TABLE samples (
        device_id TEXT NOT NULL,
        boot_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        ward_id TEXT NOT NULL,
        bed_id TEXT NOT NULL,
        patient_id TEXT NOT NULL,
        t INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        stored_at INTEGER NOT NULL,
        late INTEGER NOT NULL,
        vitals TEXT NOT NULL,
        quality TEXT NOT NULL,
        PRIMARY KEY (device_id, boot_id, seq)
      ) WITHOUT ROWID;
      CREATE INDEX samples_by_patient_time ON samples (patient_id, t);

      CREATE TABLE device_status (
        device_id TEXT NOT NULL,
        boot_id TEXT NOT NULL,
        t INTEGER NOT NULL,
        state TEXT NOT NULL,
        reason TEXT NOT NULL,
        battery REAL,
        signal REAL,
        ward_id TEXT NOT NULL,
        bed_id TEXT NOT NULL,
        patient_id TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (device_id, boot_id, t, state)
      ) WITHOUT ROWID;

      -- The newest known state of each bed, so a restart serves the same snapshot.
      CREATE TABLE beds (
        ward_id TEXT NOT NULL,
        bed_id TEXT NOT NULL,
        state TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (ward_id, bed_id)
      ) WITHOUT ROWID;

      CREATE TABLE alarms (
        id TEXT PRIMARY KEY,
        ward_id TEXT NOT NULL,
        patient_id TEXT NOT NULL,
        state TEXT NOT NULL,
        priority TEXT NOT NULL,
        raised_at INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX alarms_by_ward_state ON alarms (ward_id, state);

      -- Every alarm transition, with who and when (IEC 60601-1-8 / IHE ACM history).
      CREATE TABLE alarm_transitions (
        alarm_id TEXT NOT NULL,
        n INTEGER NOT NULL,
        at INTEGER NOT NULL,
        state TEXT NOT NULL,
        actor TEXT NOT NULL,
        detail TEXT,
        PRIMARY KEY (alarm_id, n)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'edge aggregates, waveform summaries, forwarded waveforms, edge alarm reports',
    sql: `
      -- Patient-level numerics windows computed at the edge (1 s by default); key = patient, window start, addendum.
      CREATE TABLE edge_windows (
        patient_id TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        ward_id TEXT NOT NULL,
        bed_id TEXT NOT NULL,
        late INTEGER NOT NULL,
        -- 1: only samples that arrived after the window was emitted (combine with it, weighted by count).
        addendum INTEGER NOT NULL,
        vitals TEXT NOT NULL,
        PRIMARY KEY (patient_id, start, addendum)
      ) WITHOUT ROWID;

      CREATE TABLE wave_summaries (
        device_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        start INTEGER NOT NULL,
        ward_id TEXT NOT NULL,
        patient_id TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (device_id, kind, start)
      ) WITHOUT ROWID;

      -- Raw waveform chunks the edge forwarded (on request, or while an alarm was active).
      CREATE TABLE waves (
        device_id TEXT NOT NULL,
        boot_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        seq INTEGER NOT NULL,
        ward_id TEXT NOT NULL,
        patient_id TEXT NOT NULL,
        t INTEGER NOT NULL,
        reason TEXT NOT NULL,
        chunk TEXT NOT NULL,
        PRIMARY KEY (device_id, boot_id, kind, seq)
      ) WITHOUT ROWID;
      CREATE INDEX waves_by_patient_time ON waves (patient_id, t);

      -- Every alarm state the edge reported (its local alarms, raised with or without the cloud).
      CREATE TABLE edge_alarm_reports (
        alarm_id TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        state TEXT NOT NULL,
        ward_id TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (alarm_id, updated_at, state)
      ) WITHOUT ROWID;
    `,
  },
];
