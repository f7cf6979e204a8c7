/**
 * Alarms: the current row of each alarm, its transitions (IEC 60601-1-8 / IHE ACM history: phase, state, priority,
 * who, when) and the alarm event log whose sequence number is the cursor of the live feed (a dashboard that
 * reconnects asks for the events after its cursor).
 *
 * Cursor order is commit order within a ward: the ward's processor writes its changes one batch at a time, and on
 * PostgreSQL saveChanges also takes a per-ward transaction lock before drawing sequence numbers, so two writers of
 * one ward could not commit their events out of order either.
 */
import type { Alarm, AlarmEvent, AlarmListQuery, AlarmPhase, AlarmPriority, AlarmState, AlarmTransition } from '@vigil/contracts';
import { PmError } from '@vigil/contracts';
import type { DbExecutor, SqlValue } from './db.ts';
import { marks, parseJson } from './sql-util.ts';

/** One change to persist: the alarm after it, the transition that made it, and the wall time of the commit. */
export interface AlarmChangeRecord {
  alarm: Alarm;
  transition: { phase: AlarmPhase; state: AlarmState; priority: AlarmPriority; at: number; actor: string; detail: string | null };
  wallAt: number;
}

export type AlarmListFilter = AlarmListQuery & { wardIds: readonly string[] };

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
/** Namespace (first key) of the per-ward advisory locks on PostgreSQL. */
const WARD_LOCK_SPACE = 7_340_513;

/** Opaque page cursor: the last alarm's (raisedAt, id), base64url. */
function encodeCursor(raisedAt: number, id: string): string {
  return Buffer.from(JSON.stringify([raisedAt, id])).toString('base64url');
}
function decodeCursor(cursor: string): [number, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') return [value[0], value[1]];
  } catch {
    // fall through
  }
  throw new PmError('PM_ERR_VALIDATION', 'before: not a cursor returned by this list', [{ path: 'before', message: 'invalid cursor' }]);
}

/** Transitions written before migration 3 have no phase: derive it from the state they reached. */
function phaseOf(state: AlarmState, n: number): AlarmPhase {
  if (n === 1) return 'start';
  return state === 'ended' ? 'end' : state === 'acknowledged' ? 'acknowledge' : state === 'latched' ? 'latch' : 'update';
}

export class AlarmRepository {
  /** Upsert each alarm, append its transition and an alarm event; resolves to each change's cursor (event seq). */
  async saveChanges(x: DbExecutor, changes: readonly AlarmChangeRecord[]): Promise<number[]> {
    if (changes.length === 0) return [];
    if (x.dialect === 'postgres') {
      for (const wardId of [...new Set(changes.map((c) => c.alarm.wardId))].sort()) {
        await x.get('SELECT pg_advisory_xact_lock(?, hashtext(?)) AS locked', [WARD_LOCK_SPACE, wardId]);
      }
    }
    const cursors: number[] = [];
    for (const { alarm, transition: t, wallAt } of changes) {
      await x.run(
        `INSERT INTO alarms (id, ward_id, patient_id, state, priority, raised_at, body, kind, code, changed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET ward_id = excluded.ward_id, patient_id = excluded.patient_id, state = excluded.state,
           priority = excluded.priority, raised_at = excluded.raised_at, body = excluded.body, kind = excluded.kind,
           code = excluded.code, changed_at = excluded.changed_at`,
        [alarm.id, alarm.wardId, alarm.patientId, alarm.state, alarm.priority, alarm.raisedAt, JSON.stringify(alarm), alarm.kind, alarm.code, wallAt],
      );
      await x.run(
        `INSERT INTO alarm_transitions (alarm_id, n, at, state, actor, detail, phase, priority)
         SELECT ?, coalesce(max(n), 0) + 1, ?, ?, ?, ?, ?, ? FROM alarm_transitions WHERE alarm_id = ?`,
        [alarm.id, t.at, t.state, t.actor, t.detail, t.phase, t.priority, alarm.id],
      );
      const event = await x.get<{ seq: number }>('INSERT INTO alarm_events (ward_id, alarm_id, at_wall, body) VALUES (?, ?, ?, ?) RETURNING seq', [
        alarm.wardId,
        alarm.id,
        wallAt,
        JSON.stringify(alarm),
      ]);
      cursors.push(event!.seq);
    }
    return cursors;
  }

  /** Alarms not ended, oldest raised first, with the wall time of their first event (when they were signalled). */
  async loadOpen(x: DbExecutor): Promise<Array<{ alarm: Alarm; signalledAt: number }>> {
    const rows = await x.all<{ body: string; signalled_at: number | null; changed_at: number | null; raised_at: number }>(
      `SELECT a.body, a.changed_at, a.raised_at,
         (SELECT e.at_wall FROM alarm_events e WHERE e.alarm_id = a.id ORDER BY e.seq LIMIT 1) AS signalled_at
       FROM alarms a WHERE a.state <> 'ended' ORDER BY a.raised_at, a.id`,
    );
    return rows.map((r) => ({ alarm: parseJson<Alarm>(r.body), signalledAt: r.signalled_at ?? r.changed_at ?? r.raised_at }));
  }

  async get(x: DbExecutor, alarmId: string): Promise<Alarm | undefined> {
    const row = await x.get<{ body: string }>('SELECT body FROM alarms WHERE id = ?', [alarmId]);
    return row ? parseJson<Alarm>(row.body) : undefined;
  }

  /** The alarm's transitions in order (n = 1, 2, …). */
  async history(x: DbExecutor, alarmId: string): Promise<AlarmTransition[]> {
    const rows = await x.all<{ n: number; at: number; state: AlarmState; actor: string; detail: string | null; phase: AlarmPhase | null; priority: AlarmPriority | null; current: AlarmPriority | null }>(
      `SELECT t.n, t.at, t.state, t.actor, t.detail, t.phase, t.priority, a.priority AS current
       FROM alarm_transitions t LEFT JOIN alarms a ON a.id = t.alarm_id WHERE t.alarm_id = ? ORDER BY t.n`,
      [alarmId],
    );
    return rows.map((r) => ({
      alarmId,
      n: r.n,
      phase: r.phase ?? phaseOf(r.state, r.n),
      state: r.state,
      // Before migration 3 the priority was not recorded per transition: the alarm's current one stands in.
      priority: r.priority ?? r.current ?? 'low',
      at: r.at,
      actor: r.actor,
      detail: r.detail,
    }));
  }

  /**
   * Alarms of the permitted wards, newest raised first (ties by id), filtered; keyset pagination: `next` is the
   * cursor to pass as `before` for the following page, null on the last page.
   */
  async list(x: DbExecutor, query: AlarmListFilter): Promise<{ alarms: Alarm[]; next: string | null }> {
    const wards = query.wardId !== undefined ? query.wardIds.filter((w) => w === query.wardId) : [...new Set(query.wardIds)];
    if (wards.length === 0) return { alarms: [], next: null };
    const limit = Math.min(Math.max(1, query.limit ?? DEFAULT_LIMIT), MAX_LIMIT);
    const where: string[] = [`ward_id IN (${marks(wards.length)})`];
    const params: SqlValue[] = [...wards];
    const add = (clause: string, ...values: SqlValue[]) => {
      where.push(clause);
      params.push(...values);
    };
    if (query.patientId !== undefined) add('patient_id = ?', query.patientId);
    if (query.state === 'open') add(`state <> 'ended'`);
    else if (query.state !== undefined) add('state = ?', query.state);
    if (query.priority !== undefined) add('priority = ?', query.priority);
    if (query.kind !== undefined) add('kind = ?', query.kind);
    if (query.from !== undefined) add('raised_at >= ?', query.from);
    if (query.to !== undefined) add('raised_at < ?', query.to);
    if (query.before !== undefined) {
      const [raisedAt, id] = decodeCursor(query.before);
      add('(raised_at < ? OR (raised_at = ? AND id < ?))', raisedAt, raisedAt, id);
    }
    const rows = await x.all<{ id: string; raised_at: number; body: string }>(
      `SELECT id, raised_at, body FROM alarms WHERE ${where.join(' AND ')} ORDER BY raised_at DESC, id DESC LIMIT ?`,
      [...params, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { alarms: page.map((r) => parseJson<Alarm>(r.body)), next: rows.length > limit && last ? encodeCursor(last.raised_at, last.id) : null };
  }

  /** The ward's alarm events after `cursor`, oldest first, at most `limit`. */
  async eventsAfter(x: DbExecutor, wardId: string, cursor: number, limit: number): Promise<AlarmEvent[]> {
    const rows = await x.all<{ seq: number; body: string }>('SELECT seq, body FROM alarm_events WHERE ward_id = ? AND seq > ? ORDER BY seq LIMIT ?', [
      wardId,
      cursor,
      limit,
    ]);
    return rows.map((r) => ({ cursor: r.seq, alarm: parseJson<Alarm>(r.body) }));
  }

  /** The ward's newest cursor; 0 when it has no events. */
  async latestCursor(x: DbExecutor, wardId: string): Promise<number> {
    return (await x.get<{ c: number | null }>('SELECT max(seq) AS c FROM alarm_events WHERE ward_id = ?', [wardId]))?.c ?? 0;
  }

  /** The ward's oldest cursor still stored; 0 when it has no events. */
  async oldestCursor(x: DbExecutor, wardId: string): Promise<number> {
    return (await x.get<{ c: number | null }>('SELECT min(seq) AS c FROM alarm_events WHERE ward_id = ?', [wardId]))?.c ?? 0;
  }

  /** The ward's alarms that are open, or changed (wall clock) at or after `sinceWall`; newest raised first. */
  async recent(x: DbExecutor, wardId: string, sinceWall: number): Promise<Alarm[]> {
    const rows = await x.all<{ body: string }>(
      `SELECT body FROM alarms WHERE ward_id = ? AND (state <> 'ended' OR changed_at >= ?) ORDER BY raised_at DESC, id DESC`,
      [wardId, sinceWall],
    );
    return rows.map((r) => parseJson<Alarm>(r.body));
  }
}
