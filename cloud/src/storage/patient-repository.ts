/**
 * Per-patient settings and observations that no device measures: customised limit rules (absent = the ward's
 * defaults), and NEWS2's consciousness (ACVPU), supplemental oxygen and SpO2 scale.
 */
import type { LimitRule, Observation } from '@vigil/contracts';
import type { DbExecutor } from './db.ts';
import { parseJson } from './sql-util.ts';

type ObservationRow = {
  patient_id: string;
  t: number;
  consciousness: Observation['consciousness'];
  on_oxygen: number | null;
  spo2_scale: number | null;
  by_user: string;
};

const toObservation = (r: ObservationRow): Observation => ({
  patientId: r.patient_id,
  t: r.t,
  consciousness: r.consciousness ?? null,
  onOxygen: r.on_oxygen === null ? null : r.on_oxygen === 1,
  spo2Scale: r.spo2_scale === 1 || r.spo2_scale === 2 ? r.spo2_scale : null,
  by: r.by_user,
});

const OBSERVATION_COLUMNS = 'patient_id, t, consciousness, on_oxygen, spo2_scale, by_user';

export class PatientRepository {
  /** The patient's customised rules, or undefined when the defaults apply. */
  async limits(x: DbExecutor, patientId: string): Promise<LimitRule[] | undefined> {
    const row = await x.get<{ rules: string }>('SELECT rules FROM patient_limit_rules WHERE patient_id = ?', [patientId]);
    return row ? parseJson<LimitRule[]>(row.rules) : undefined;
  }

  async allLimits(x: DbExecutor): Promise<Map<string, LimitRule[]>> {
    const rows = await x.all<{ patient_id: string; rules: string }>('SELECT patient_id, rules FROM patient_limit_rules ORDER BY patient_id');
    return new Map(rows.map((r) => [r.patient_id, parseJson<LimitRule[]>(r.rules)]));
  }

  /** Replace the patient's rules (who and when recorded with them). */
  async setLimits(x: DbExecutor, patientId: string, rules: readonly LimitRule[], by: string, at: number): Promise<void> {
    await x.run(
      `INSERT INTO patient_limit_rules (patient_id, rules, updated_at, updated_by) VALUES (?, ?, ?, ?)
       ON CONFLICT (patient_id) DO UPDATE SET rules = excluded.rules, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [patientId, JSON.stringify(rules), at, by],
    );
  }

  /** Store an observation; a second one at the same time fills in the fields it sets (the rest are kept). */
  async addObservation(x: DbExecutor, o: Observation): Promise<void> {
    await x.run(
      `INSERT INTO patient_observations (${OBSERVATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (patient_id, t) DO UPDATE SET
         consciousness = coalesce(excluded.consciousness, patient_observations.consciousness),
         on_oxygen = coalesce(excluded.on_oxygen, patient_observations.on_oxygen),
         spo2_scale = coalesce(excluded.spo2_scale, patient_observations.spo2_scale),
         by_user = excluded.by_user`,
      [o.patientId, o.t, o.consciousness, o.onOxygen === null ? null : o.onOxygen ? 1 : 0, o.spo2Scale, o.by],
    );
  }

  /** The patient's observations with from ≤ t ≤ to, by t. */
  async observations(x: DbExecutor, patientId: string, from: number, to: number): Promise<Observation[]> {
    const rows = await x.all<ObservationRow>(`SELECT ${OBSERVATION_COLUMNS} FROM patient_observations WHERE patient_id = ? AND t >= ? AND t <= ? ORDER BY t`, [
      patientId,
      from,
      to,
    ]);
    return rows.map(toObservation);
  }

  /**
   * Per patient, the observations that carry the current value of each field: the newest row that set
   * consciousness, the newest that set oxygen, the newest that set the SpO2 scale (one row when it set all three),
   * ordered by t. Applying them in order yields the patient's current observation state.
   */
  async allLatestObservations(x: DbExecutor): Promise<Map<string, Observation[]>> {
    const newest = (column: string) =>
      `SELECT ${OBSERVATION_COLUMNS} FROM patient_observations o WHERE o.${column} IS NOT NULL
         AND o.t = (SELECT max(p.t) FROM patient_observations p WHERE p.patient_id = o.patient_id AND p.${column} IS NOT NULL)`;
    const rows = await x.all<ObservationRow>(
      `${newest('consciousness')} UNION ${newest('on_oxygen')} UNION ${newest('spo2_scale')} ORDER BY patient_id, t`,
    );
    const out = new Map<string, Observation[]>();
    for (const r of rows) {
      const list = out.get(r.patient_id) ?? [];
      list.push(toObservation(r));
      out.set(r.patient_id, list);
    }
    return out;
  }
}
