/**
 * Schema migrations, applied in order and recorded in schema_migrations, each in its own transaction. Every migration
 * carries its SQLite and its PostgreSQL text. Never edit a released migration: add one. (Migrations 1 and 2 were
 * released SQLite-only; their SQLite text is unchanged, their PostgreSQL text was written when PostgreSQL was added.)
 */
import type { DbExecutor, Dialect } from './db.ts';

export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'samples, device status, beds, alarms',
    sqlite: `
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
    postgres: `
      -- PostgreSQL equivalent of the SQLite text above (BIGINT for epoch ms and counters; key columns in the "C"
      -- collation so that ORDER BY and keyset comparisons agree with SQLite's binary order).
      CREATE TABLE samples (
        device_id TEXT COLLATE "C" NOT NULL,
        boot_id TEXT COLLATE "C" NOT NULL,
        seq BIGINT NOT NULL,
        ward_id TEXT COLLATE "C" NOT NULL,
        bed_id TEXT COLLATE "C" NOT NULL,
        patient_id TEXT COLLATE "C" NOT NULL,
        t BIGINT NOT NULL,
        received_at BIGINT NOT NULL,
        stored_at BIGINT NOT NULL,
        late INTEGER NOT NULL,
        vitals TEXT NOT NULL,
        quality TEXT NOT NULL,
        PRIMARY KEY (device_id, boot_id, seq)
      );
      CREATE INDEX samples_by_patient_time ON samples (patient_id, t);

      CREATE TABLE device_status (
        device_id TEXT COLLATE "C" NOT NULL,
        boot_id TEXT COLLATE "C" NOT NULL,
        t BIGINT NOT NULL,
        state TEXT COLLATE "C" NOT NULL,
        reason TEXT NOT NULL,
        battery DOUBLE PRECISION,
        signal DOUBLE PRECISION,
        ward_id TEXT COLLATE "C" NOT NULL,
        bed_id TEXT COLLATE "C" NOT NULL,
        patient_id TEXT COLLATE "C" NOT NULL,
        received_at BIGINT NOT NULL,
        PRIMARY KEY (device_id, boot_id, t, state)
      );

      CREATE TABLE beds (
        ward_id TEXT COLLATE "C" NOT NULL,
        bed_id TEXT COLLATE "C" NOT NULL,
        state TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (ward_id, bed_id)
      );

      CREATE TABLE alarms (
        id TEXT COLLATE "C" PRIMARY KEY,
        ward_id TEXT COLLATE "C" NOT NULL,
        patient_id TEXT COLLATE "C" NOT NULL,
        state TEXT COLLATE "C" NOT NULL,
        priority TEXT COLLATE "C" NOT NULL,
        raised_at BIGINT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX alarms_by_ward_state ON alarms (ward_id, state);

      CREATE TABLE alarm_transitions (
        alarm_id TEXT COLLATE "C" NOT NULL,
        n INTEGER NOT NULL,
        at BIGINT NOT NULL,
        state TEXT NOT NULL,
        actor TEXT NOT NULL,
        detail TEXT,
        PRIMARY KEY (alarm_id, n)
      );
    `,
  },
  {
    version: 2,
    name: 'edge aggregates, waveform summaries, forwarded waveforms, edge alarm reports',
    sqlite: `
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
    postgres: `
      CREATE TABLE edge_windows (
        patient_id TEXT COLLATE "C" NOT NULL,
        start BIGINT NOT NULL,
        "end" BIGINT NOT NULL,
        ward_id TEXT COLLATE "C" NOT NULL,
        bed_id TEXT COLLATE "C" NOT NULL,
        late INTEGER NOT NULL,
        addendum INTEGER NOT NULL,
        vitals TEXT NOT NULL,
        PRIMARY KEY (patient_id, start, addendum)
      );

      CREATE TABLE wave_summaries (
        device_id TEXT COLLATE "C" NOT NULL,
        kind TEXT COLLATE "C" NOT NULL,
        start BIGINT NOT NULL,
        ward_id TEXT COLLATE "C" NOT NULL,
        patient_id TEXT COLLATE "C" NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (device_id, kind, start)
      );

      CREATE TABLE waves (
        device_id TEXT COLLATE "C" NOT NULL,
        boot_id TEXT COLLATE "C" NOT NULL,
        kind TEXT COLLATE "C" NOT NULL,
        seq BIGINT NOT NULL,
        ward_id TEXT COLLATE "C" NOT NULL,
        patient_id TEXT COLLATE "C" NOT NULL,
        t BIGINT NOT NULL,
        reason TEXT NOT NULL,
        chunk TEXT NOT NULL,
        PRIMARY KEY (device_id, boot_id, kind, seq)
      );
      CREATE INDEX waves_by_patient_time ON waves (patient_id, t);

      CREATE TABLE edge_alarm_reports (
        alarm_id TEXT COLLATE "C" NOT NULL,
        updated_at BIGINT NOT NULL,
        state TEXT COLLATE "C" NOT NULL,
        ward_id TEXT COLLATE "C" NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (alarm_id, updated_at, state)
      );
    `,
  },
  {
    version: 3,
    name: 'stream processor state, features, NEWS2, sessions, rollups, alarm events, patients, users, audit log',
    sqlite: `
      -- Alarm list filters (kind, code), the wall time of an alarm's last change (live feed, "changed since"), and
      -- the IHE ACM phase and the priority on every transition.
      ALTER TABLE alarms ADD COLUMN kind TEXT;
      ALTER TABLE alarms ADD COLUMN code TEXT;
      ALTER TABLE alarms ADD COLUMN changed_at INTEGER;
      UPDATE alarms SET kind = json_extract(body, '$.kind'), code = json_extract(body, '$.code');
      CREATE INDEX alarms_by_ward_raised ON alarms (ward_id, raised_at);
      CREATE INDEX alarms_by_patient_raised ON alarms (patient_id, raised_at);
      CREATE INDEX alarms_by_ward_changed ON alarms (ward_id, changed_at);
      ALTER TABLE alarm_transitions ADD COLUMN phase TEXT;
      ALTER TABLE alarm_transitions ADD COLUMN priority TEXT;

      -- Maintenance ranges over event time (downsampling, retention) and finds samples stored after their rollup
      -- bucket was computed (late edge data) by stored_at; both indexes are append-mostly.
      CREATE INDEX samples_by_time ON samples (t);
      CREATE INDEX samples_by_stored_at ON samples (stored_at);
      CREATE INDEX waves_by_time ON waves (t);

      -- Checkpointed state of the keyed stream operators (JSON), so a restart resumes where it stopped.
      CREATE TABLE operator_state (
        key TEXT PRIMARY KEY,
        patient_id TEXT NOT NULL,
        state TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX operator_state_by_updated ON operator_state (updated_at);

      CREATE TABLE feature_windows (
        patient_id TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        ward_id TEXT NOT NULL,
        bed_id TEXT NOT NULL,
        features TEXT NOT NULL,
        PRIMARY KEY (patient_id, start, "end")
      ) WITHOUT ROWID;
      CREATE INDEX feature_windows_by_end ON feature_windows ("end");

      CREATE TABLE news2_scores (
        patient_id TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        ward_id TEXT NOT NULL,
        bed_id TEXT NOT NULL,
        total INTEGER NOT NULL,
        response TEXT NOT NULL,
        result TEXT NOT NULL,
        PRIMARY KEY (patient_id, "end")
      ) WITHOUT ROWID;

      -- Session windows: a run of a patient's data without a gap longer than the session gap.
      CREATE TABLE monitoring_sessions (
        patient_id TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        ward_id TEXT NOT NULL,
        bed_id TEXT NOT NULL,
        samples INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        PRIMARY KEY (patient_id, start)
      ) WITHOUT ROWID;
      CREATE INDEX monitoring_sessions_by_ward ON monitoring_sessions (ward_id, start);

      -- Samples beyond the allowed lateness: stored (samples) but not applied to windows; recorded with the reason.
      CREATE TABLE dropped_late_samples (
        device_id TEXT NOT NULL,
        boot_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        patient_id TEXT NOT NULL,
        t INTEGER NOT NULL,
        reason TEXT NOT NULL,
        recorded_at INTEGER NOT NULL,
        PRIMARY KEY (device_id, boot_id, seq)
      ) WITHOUT ROWID;

      -- Per-vital rollups of good-quality values (1 min, 15 min, 1 h buckets).
      CREATE TABLE vitals_rollups (
        patient_id TEXT NOT NULL,
        resolution_ms INTEGER NOT NULL,
        vital TEXT NOT NULL,
        bucket_start INTEGER NOT NULL,
        n INTEGER NOT NULL,
        mean REAL NOT NULL,
        min REAL NOT NULL,
        max REAL NOT NULL,
        PRIMARY KEY (patient_id, resolution_ms, vital, bucket_start)
      ) WITHOUT ROWID;
      CREATE INDEX vitals_rollups_by_bucket ON vitals_rollups (resolution_ms, bucket_start);

      -- Downsampling progress: buckets of resolution_ms ending at or before done_until are computed. The row with
      -- resolution_ms 0 is the stored_at watermark of the late-data pass (maintenance.ts).
      CREATE TABLE rollup_progress (
        resolution_ms INTEGER PRIMARY KEY,
        done_until INTEGER NOT NULL
      );

      -- Every alarm change, in commit order per database: the cursor of the live alarm feed (resume after reconnect).
      CREATE TABLE alarm_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        ward_id TEXT NOT NULL,
        alarm_id TEXT NOT NULL,
        at_wall INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX alarm_events_by_ward ON alarm_events (ward_id, seq);
      CREATE INDEX alarm_events_by_alarm ON alarm_events (alarm_id, seq);

      CREATE TABLE patient_limit_rules (
        patient_id TEXT PRIMARY KEY,
        rules TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        updated_by TEXT NOT NULL
      );

      CREATE TABLE patient_observations (
        patient_id TEXT NOT NULL,
        t INTEGER NOT NULL,
        consciousness TEXT,
        on_oxygen INTEGER,
        spo2_scale INTEGER,
        by_user TEXT NOT NULL,
        PRIMARY KEY (patient_id, t)
      ) WITHOUT ROWID;

      CREATE TABLE users (
        username TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        -- JSON array of ward ids.
        wards TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE auth_sessions (
        token_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        idle_expires_at INTEGER NOT NULL,
        absolute_expires_at INTEGER NOT NULL,
        ended_at INTEGER,
        end_reason TEXT
      );
      CREATE INDEX auth_sessions_by_user ON auth_sessions (username);
      CREATE INDEX auth_sessions_by_ended ON auth_sessions (ended_at);

      CREATE TABLE break_glass_grants (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        username TEXT NOT NULL,
        ward_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        granted_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX break_glass_grants_by_user ON break_glass_grants (username, expires_at);

      -- Append-only, hash-chained audit log; seq is assigned by the writer (previous + 1) inside its transaction.
      CREATE TABLE audit_log (
        seq INTEGER NOT NULL PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        role TEXT NOT NULL,
        action TEXT NOT NULL,
        ward_id TEXT,
        patient_id TEXT,
        resource TEXT NOT NULL,
        detail TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX audit_log_by_patient ON audit_log (patient_id, seq);

      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    `,
    postgres: `
      -- Alarm list filters (kind, code), the wall time of an alarm's last change (live feed, "changed since"), and
      -- the IHE ACM phase and the priority on every transition.
      ALTER TABLE alarms ADD COLUMN kind TEXT COLLATE "C";
      ALTER TABLE alarms ADD COLUMN code TEXT COLLATE "C";
      ALTER TABLE alarms ADD COLUMN changed_at BIGINT;
      UPDATE alarms SET kind = body::jsonb ->> 'kind', code = body::jsonb ->> 'code';
      CREATE INDEX alarms_by_ward_raised ON alarms (ward_id, raised_at);
      CREATE INDEX alarms_by_patient_raised ON alarms (patient_id, raised_at);
      CREATE INDEX alarms_by_ward_changed ON alarms (ward_id, changed_at);
      ALTER TABLE alarm_transitions ADD COLUMN phase TEXT;
      ALTER TABLE alarm_transitions ADD COLUMN priority TEXT;

      -- Maintenance ranges over event time (downsampling, retention) and finds samples stored after their rollup
      -- bucket was computed (late edge data) by stored_at; both indexes are append-mostly.
      CREATE INDEX samples_by_time ON samples (t);
      CREATE INDEX samples_by_stored_at ON samples (stored_at);
      CREATE INDEX waves_by_time ON waves (t);

      -- Checkpointed state of the keyed stream operators (JSON), so a restart resumes where it stopped.
      CREATE TABLE operator_state (
        key TEXT COLLATE "C" PRIMARY KEY,
        patient_id TEXT COLLATE "C" NOT NULL,
        state TEXT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE INDEX operator_state_by_updated ON operator_state (updated_at);

      CREATE TABLE feature_windows (
        patient_id TEXT COLLATE "C" NOT NULL,
        start BIGINT NOT NULL,
        "end" BIGINT NOT NULL,
        revision BIGINT NOT NULL,
        ward_id TEXT COLLATE "C" NOT NULL,
        bed_id TEXT COLLATE "C" NOT NULL,
        features TEXT NOT NULL,
        PRIMARY KEY (patient_id, start, "end")
      );
      CREATE INDEX feature_windows_by_end ON feature_windows ("end");

      CREATE TABLE news2_scores (
        patient_id TEXT COLLATE "C" NOT NULL,
        start BIGINT NOT NULL,
        "end" BIGINT NOT NULL,
        revision BIGINT NOT NULL,
        ward_id TEXT COLLATE "C" NOT NULL,
        bed_id TEXT COLLATE "C" NOT NULL,
        total INTEGER NOT NULL,
        response TEXT NOT NULL,
        result TEXT NOT NULL,
        PRIMARY KEY (patient_id, "end")
      );

      -- Session windows: a run of a patient's data without a gap longer than the session gap.
      CREATE TABLE monitoring_sessions (
        patient_id TEXT COLLATE "C" NOT NULL,
        start BIGINT NOT NULL,
        "end" BIGINT NOT NULL,
        ward_id TEXT COLLATE "C" NOT NULL,
        bed_id TEXT COLLATE "C" NOT NULL,
        samples BIGINT NOT NULL,
        revision BIGINT NOT NULL,
        PRIMARY KEY (patient_id, start)
      );
      CREATE INDEX monitoring_sessions_by_ward ON monitoring_sessions (ward_id, start);

      -- Samples beyond the allowed lateness: stored (samples) but not applied to windows; recorded with the reason.
      CREATE TABLE dropped_late_samples (
        device_id TEXT COLLATE "C" NOT NULL,
        boot_id TEXT COLLATE "C" NOT NULL,
        seq BIGINT NOT NULL,
        patient_id TEXT COLLATE "C" NOT NULL,
        t BIGINT NOT NULL,
        reason TEXT NOT NULL,
        recorded_at BIGINT NOT NULL,
        PRIMARY KEY (device_id, boot_id, seq)
      );

      -- Per-vital rollups of good-quality values (1 min, 15 min, 1 h buckets).
      CREATE TABLE vitals_rollups (
        patient_id TEXT COLLATE "C" NOT NULL,
        resolution_ms BIGINT NOT NULL,
        vital TEXT COLLATE "C" NOT NULL,
        bucket_start BIGINT NOT NULL,
        n BIGINT NOT NULL,
        mean DOUBLE PRECISION NOT NULL,
        min DOUBLE PRECISION NOT NULL,
        max DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (patient_id, resolution_ms, vital, bucket_start)
      );
      CREATE INDEX vitals_rollups_by_bucket ON vitals_rollups (resolution_ms, bucket_start);

      -- Downsampling progress: buckets of resolution_ms ending at or before done_until are computed. The row with
      -- resolution_ms 0 is the stored_at watermark of the late-data pass (maintenance.ts).
      CREATE TABLE rollup_progress (
        resolution_ms BIGINT PRIMARY KEY,
        done_until BIGINT NOT NULL
      );

      -- Every alarm change, in commit order per database: the cursor of the live alarm feed (resume after reconnect).
      CREATE TABLE alarm_events (
        seq BIGSERIAL PRIMARY KEY,
        ward_id TEXT COLLATE "C" NOT NULL,
        alarm_id TEXT COLLATE "C" NOT NULL,
        at_wall BIGINT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX alarm_events_by_ward ON alarm_events (ward_id, seq);
      CREATE INDEX alarm_events_by_alarm ON alarm_events (alarm_id, seq);

      CREATE TABLE patient_limit_rules (
        patient_id TEXT COLLATE "C" PRIMARY KEY,
        rules TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        updated_by TEXT NOT NULL
      );

      CREATE TABLE patient_observations (
        patient_id TEXT COLLATE "C" NOT NULL,
        t BIGINT NOT NULL,
        consciousness TEXT,
        on_oxygen INTEGER,
        spo2_scale INTEGER,
        by_user TEXT NOT NULL,
        PRIMARY KEY (patient_id, t)
      );

      CREATE TABLE users (
        username TEXT COLLATE "C" PRIMARY KEY,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        -- JSON array of ward ids.
        wards TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL
      );

      CREATE TABLE auth_sessions (
        token_hash TEXT COLLATE "C" PRIMARY KEY,
        username TEXT COLLATE "C" NOT NULL,
        created_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL,
        idle_expires_at BIGINT NOT NULL,
        absolute_expires_at BIGINT NOT NULL,
        ended_at BIGINT,
        end_reason TEXT
      );
      CREATE INDEX auth_sessions_by_user ON auth_sessions (username);
      CREATE INDEX auth_sessions_by_ended ON auth_sessions (ended_at);

      CREATE TABLE break_glass_grants (
        id BIGSERIAL PRIMARY KEY,
        username TEXT COLLATE "C" NOT NULL,
        ward_id TEXT COLLATE "C" NOT NULL,
        reason TEXT NOT NULL,
        granted_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX break_glass_grants_by_user ON break_glass_grants (username, expires_at);

      -- Append-only, hash-chained audit log; seq is assigned by the writer (previous + 1) inside its transaction.
      CREATE TABLE audit_log (
        seq BIGINT NOT NULL PRIMARY KEY,
        at BIGINT NOT NULL,
        actor TEXT NOT NULL,
        role TEXT NOT NULL,
        action TEXT NOT NULL,
        ward_id TEXT COLLATE "C",
        patient_id TEXT COLLATE "C",
        resource TEXT NOT NULL,
        detail TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_log_by_patient ON audit_log (patient_id, seq);

      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'restrict_violation';
      END
      $$;
      CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
    `,
  },
];

/** An executor that can also run a script of several statements (DDL); both Db implementations provide one. */
export interface ScriptExecutor extends DbExecutor {
  exec(sql: string): Promise<void>;
}

/** What migrate() needs of a Db: transactions whose executor can run scripts. */
export interface MigratableDb {
  readonly dialect: Dialect;
  transaction<T>(fn: (tx: ScriptExecutor) => Promise<T>): Promise<T>;
}

/** Arbitrary constant key of the PostgreSQL advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK = 7_340_512_001;

/**
 * Apply pending migrations in order, each in its own transaction; resolves to the versions applied now. Safe when
 * several processes start at once: PostgreSQL takes a transaction-level advisory lock, SQLite's BEGIN IMMEDIATE holds
 * the write lock, and each migration re-checks schema_migrations under that lock.
 */
export async function migrate(db: MigratableDb): Promise<number[]> {
  const lock = async (tx: ScriptExecutor) => {
    if (tx.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(?) AS locked', [MIGRATION_LOCK]);
  };
  const epoch = db.dialect === 'postgres' ? 'BIGINT' : 'INTEGER';
  await db.transaction(async (tx) => {
    await lock(tx);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at ${epoch} NOT NULL)`);
  });
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    await db.transaction(async (tx) => {
      await lock(tx);
      if (await tx.get('SELECT version FROM schema_migrations WHERE version = ?', [m.version])) return;
      await tx.exec(tx.dialect === 'postgres' ? m.postgres : m.sqlite);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, Date.now()]);
      applied.push(m.version);
    });
  }
  return applied;
}
