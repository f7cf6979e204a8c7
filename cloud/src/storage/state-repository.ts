/**
 * Checkpoints of the keyed stream operators: one JSON row per key (a patient's operator state), written in the same
 * transaction as the batch whose input it reflects, so a restart resumes exactly after the last committed batch.
 */
import type { DbExecutor } from './db.ts';
import { chunks, marks, parseJson } from './sql-util.ts';

export interface OperatorStateRow {
  key: string;
  patientId: string;
  state: unknown;
}

export class OperatorStateRepository {
  /** Upsert each row's state (JSON) with `at` as its update time. */
  async save(x: DbExecutor, rows: readonly OperatorStateRow[], at: number): Promise<void> {
    if (rows.length === 0) return;
    await x.runMany(
      `INSERT INTO operator_state (key, patient_id, state, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET patient_id = excluded.patient_id, state = excluded.state, updated_at = excluded.updated_at`,
      rows.map((r) => [r.key, r.patientId, JSON.stringify(r.state), at]),
    );
  }

  /** Every checkpoint, ordered by key. */
  async loadAll(x: DbExecutor): Promise<OperatorStateRow[]> {
    const rows = await x.all<{ key: string; patient_id: string; state: string }>('SELECT key, patient_id, state FROM operator_state ORDER BY key');
    return rows.map((r) => ({ key: r.key, patientId: r.patient_id, state: parseJson<unknown>(r.state) }));
  }

  /** Resolves to the number of rows deleted. */
  async delete(x: DbExecutor, keys: readonly string[]): Promise<number> {
    let n = 0;
    for (const part of chunks(keys)) n += await x.run(`DELETE FROM operator_state WHERE key IN (${marks(part.length)})`, part);
    return n;
  }

  /** Delete the checkpoints not updated since `olderThan` (a discharged patient's); resolves to how many. */
  async deleteIdle(x: DbExecutor, olderThan: number): Promise<number> {
    return x.run('DELETE FROM operator_state WHERE updated_at < ?', [olderThan]);
  }
}
