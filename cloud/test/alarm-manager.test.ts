import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { Alarm, ID_PATTERN } from '@vigil/contracts';
import { alarmId } from '@vigil/contracts/alarm-id';
import { AlarmManager, type Placement } from '../src/alarms/alarm-manager.ts';
import { DEFAULT_LIMIT_RULES, type LimitRule, type RuleEvent } from '@vigil/contracts';
import { SqliteStore } from '../src/storage/sqlite-store.ts';
import { T0 } from './fixtures.ts';

function rule(code: string): LimitRule {
  const found = DEFAULT_LIMIT_RULES.find((r) => r.code === code);
  if (!found) throw new Error(`no rule ${code}`);
  return found;
}

const HR_HIGH = rule('HR_HIGH'); // non-latching
const SPO2_LOW = rule('SPO2_LOW'); // latching

function raise(r: LimitRule, onsetAt: number, value: number, patientId = 'pt-1'): RuleEvent {
  return { type: 'raise', rule: r, patientId, onsetAt, raisedAt: onsetAt + r.delayMs, vital: r.vitals[0]!, value };
}

function clear(r: LimitRule, at: number, value: number, patientId = 'pt-1'): RuleEvent {
  return { type: 'clear', rule: r, patientId, at, vital: r.vitals[0]!, value };
}

const PLACEMENT: Placement = { wardId: 'ward-a', bedId: 'bed-01', patientId: 'pt-1' };

/** The one alarm a transition changed. */
function only(changes: Alarm[]): Alarm {
  expect(changes).toHaveLength(1);
  return changes[0]!;
}

function transitions(store: SqliteStore, id: string) {
  return store.db.prepare('SELECT n, at, state, actor, detail FROM alarm_transitions WHERE alarm_id = ? ORDER BY n').all(id) as Array<{
    n: number;
    at: number;
    state: string;
    actor: string;
    detail: string | null;
  }>;
}

describe('alarmId', () => {
  it('is deterministic from (patient, code, onset)', () => {
    expect(alarmId('pt-1', 'HR_HIGH', T0)).toBe(alarmId('pt-1', 'HR_HIGH', T0));
    expect(alarmId('pt-1', 'HR_HIGH', T0)).toMatch(/^al-[0-9a-f]{20}$/);
    expect(alarmId('pt-1', 'HR_HIGH', T0)).toMatch(ID_PATTERN);
  });

  it('differs when any input differs', () => {
    const ids = new Set([
      alarmId('pt-1', 'HR_HIGH', T0),
      alarmId('pt-1', 'HR_HIGH', T0 + 1),
      alarmId('pt-2', 'HR_HIGH', T0),
      alarmId('pt-1', 'HR_LOW', T0),
    ]);
    expect(ids.size).toBe(4);
  });
});

describe('AlarmManager', () => {
  let store: SqliteStore;
  let manager: AlarmManager;
  beforeEach(() => {
    store = new SqliteStore(':memory:');
    manager = new AlarmManager(store);
  });
  afterEach(() => {
    store.close();
  });

  it('a raise opens an active alarm with a deterministic id and full evidence', () => {
    const alarm = only(manager.apply(raise(HR_HIGH, T0, 142), PLACEMENT));
    const expected: Alarm = {
      id: alarmId('pt-1', 'HR_HIGH', T0),
      wardId: 'ward-a',
      bedId: 'bed-01',
      patientId: 'pt-1',
      priority: 'medium',
      kind: 'physiological',
      source: 'limit-rule',
      code: 'HR_HIGH',
      state: 'active',
      latching: false,
      message: 'Heart rate high: 142 (limit > 130)',
      onsetAt: T0,
      raisedAt: T0 + 10_000,
      updatedAt: T0 + 10_000,
      endedAt: null,
      acknowledgedBy: null,
      acknowledgedAt: null,
      evidence: { vital: 'hr', value: 142, limit: 130, comparator: '>', windowStart: T0, windowEnd: T0 + 10_000, conditionDelayMs: 10_000 },
    };
    expect(alarm).toEqual(expected);
    expect(Alarm.parse(alarm)).toEqual(expected);
    expect(manager.openAlarms()).toEqual([expected]);
    expect(store.loadOpenAlarms()).toEqual([expected]);
    expect(transitions(store, expected.id)).toEqual([{ n: 1, at: T0 + 10_000, state: 'active', actor: 'system', detail: expected.message }]);
  });

  it('the same event on a fresh manager (a replay) yields the same id; another onset another id', () => {
    const first = only(manager.apply(raise(HR_HIGH, T0, 142), PLACEMENT));
    const replayStore = new SqliteStore(':memory:');
    const replay = only(new AlarmManager(replayStore).apply(raise(HR_HIGH, T0, 142), PLACEMENT));
    expect(replay?.id).toBe(first?.id);
    const other = only(new AlarmManager(replayStore).apply(raise(HR_HIGH, T0 + 1_000, 142), PLACEMENT));
    expect(other?.id).toBe(alarmId('pt-1', 'HR_HIGH', T0 + 1_000));
    expect(other?.id).not.toBe(first?.id);
    replayStore.close();
  });

  it('a second raise within an open episode changes nothing', () => {
    const first = only(manager.apply(raise(HR_HIGH, T0, 142), PLACEMENT));
    expect(manager.apply(raise(HR_HIGH, T0 + 5_000, 150), PLACEMENT)).toEqual([]);
    expect(manager.openAlarms()).toEqual([first]);
    expect(store.db.prepare('SELECT count(*) AS n FROM alarm_transitions').get()).toEqual({ n: 1 });
  });

  it('a clear of a non-latching alarm ends it', () => {
    const raised = only(manager.apply(raise(HR_HIGH, T0, 142), PLACEMENT));
    const ended = only(manager.apply(clear(HR_HIGH, T0 + 30_000, 110), PLACEMENT));
    expect(ended).toEqual({ ...raised, state: 'ended', endedAt: T0 + 30_000, updatedAt: T0 + 30_000 });
    expect(manager.openAlarms()).toEqual([]);
    expect(store.loadOpenAlarms()).toEqual([]);
    expect(transitions(store, raised.id)).toEqual([
      { n: 1, at: T0 + 10_000, state: 'active', actor: 'system', detail: raised.message },
      { n: 2, at: T0 + 30_000, state: 'ended', actor: 'system', detail: 'condition ended at 110' },
    ]);
    // Nothing left to clear.
    expect(manager.apply(clear(HR_HIGH, T0 + 31_000, 100), PLACEMENT)).toEqual([]);
  });

  it('a clear of a latching alarm latches it, and it stays open', () => {
    const raised = only(manager.apply(raise(SPO2_LOW, T0, 85), PLACEMENT));
    expect(raised.latching).toBe(true);
    const latched = only(manager.apply(clear(SPO2_LOW, T0 + 40_000, 95), PLACEMENT));
    expect(latched).toEqual({ ...raised, state: 'latched', updatedAt: T0 + 40_000 });
    expect(manager.openAlarms()).toEqual([latched]);
    expect(store.loadOpenAlarms()).toEqual([latched]);
    // A latched alarm waits for an acknowledgement: a further clear does nothing.
    expect(manager.apply(clear(SPO2_LOW, T0 + 41_000, 96), PLACEMENT)).toEqual([]);
    expect(transitions(store, raised.id).map((r) => [r.n, r.state, r.at])).toEqual([
      [1, 'active', T0 + 15_000],
      [2, 'latched', T0 + 40_000],
    ]);
  });

  it('a raise while latched ends the old alarm as superseded and opens a new one', () => {
    const old = only(manager.apply(raise(SPO2_LOW, T0, 85), PLACEMENT));
    manager.apply(clear(SPO2_LOW, T0 + 40_000, 95), PLACEMENT);
    const [superseded, fresh] = manager.apply(raise(SPO2_LOW, T0 + 60_000, 84), PLACEMENT) as [Alarm, Alarm];
    expect(superseded).toEqual({ ...old, state: 'ended', endedAt: T0 + 75_000, updatedAt: T0 + 75_000 });
    expect(fresh.id).toBe(alarmId('pt-1', 'SPO2_LOW', T0 + 60_000));
    expect(fresh.id).not.toBe(old.id);
    expect([fresh.state, fresh.onsetAt, fresh.raisedAt]).toEqual(['active', T0 + 60_000, T0 + 75_000]);
    expect(manager.openAlarms()).toEqual([fresh]);
    expect(store.loadOpenAlarms()).toEqual([fresh]);
    const oldRow = JSON.parse((store.db.prepare('SELECT body FROM alarms WHERE id = ?').get(old.id) as { body: string }).body) as Alarm;
    expect(oldRow).toEqual({ ...old, state: 'ended', endedAt: T0 + 75_000, updatedAt: T0 + 75_000 });
    expect(transitions(store, old.id)).toEqual([
      { n: 1, at: T0 + 15_000, state: 'active', actor: 'system', detail: old.message },
      { n: 2, at: T0 + 40_000, state: 'latched', actor: 'system', detail: 'condition ended at 95' },
      { n: 3, at: T0 + 75_000, state: 'ended', actor: 'system', detail: 'superseded by a new episode' },
    ]);
    expect(transitions(store, fresh.id).map((r) => [r.n, r.state])).toEqual([[1, 'active']]);
  });

  it('keeps patients and codes apart, and filters open alarms by ward', () => {
    const a = only(manager.apply(raise(HR_HIGH, T0, 142), PLACEMENT));
    const b = only(manager.apply(raise(SPO2_LOW, T0, 85), PLACEMENT));
    const c = only(manager.apply(raise(HR_HIGH, T0, 150, 'pt-7'), { wardId: 'ward-b', bedId: 'bed-03', patientId: 'pt-7' }));
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
    expect(manager.openAlarms('ward-a').map((x) => x.id)).toEqual([a.id, b.id]);
    expect(manager.openAlarms('ward-b')).toEqual([c]);
    expect(manager.openAlarms('ward-z')).toEqual([]);
    expect(manager.openAlarms()).toHaveLength(3);
    manager.apply(clear(HR_HIGH, T0 + 20_000, 100, 'pt-7'), PLACEMENT);
    expect(manager.openAlarms('ward-b')).toEqual([]);
    expect(manager.openAlarms('ward-a').map((x) => x.id)).toEqual([a.id, b.id]);
  });

  it('load() restores persisted open alarms, and history continues after a restart', () => {
    const hr = only(manager.apply(raise(HR_HIGH, T0, 142), PLACEMENT));
    const spo2 = only(manager.apply(raise(SPO2_LOW, T0, 85), PLACEMENT));
    const latched = only(manager.apply(clear(SPO2_LOW, T0 + 40_000, 95), PLACEMENT));
    const ended = only(manager.apply(raise(HR_HIGH, T0, 142, 'pt-2'), { ...PLACEMENT, patientId: 'pt-2' }));
    manager.apply(clear(HR_HIGH, T0 + 20_000, 90, 'pt-2'), PLACEMENT);

    const restarted = new AlarmManager(store);
    restarted.load(store.loadOpenAlarms());
    expect(restarted.openAlarms().map((a) => [a.id, a.state])).toEqual([
      [hr.id, 'active'],
      [spo2.id, 'latched'],
    ]);
    expect(restarted.openAlarms()).toContainEqual(latched);
    expect(restarted.openAlarms().some((a) => a.id === ended.id)).toBe(false);
    // The loaded active alarm is the episode's alarm: a raise does not duplicate it; a clear ends it.
    expect(restarted.apply(raise(HR_HIGH, T0 + 2_000, 145), PLACEMENT)).toEqual([]);
    expect(restarted.apply(clear(HR_HIGH, T0 + 50_000, 100), PLACEMENT)).toMatchObject([{ state: 'ended' }]);
    expect(transitions(store, hr.id).map((r) => [r.n, r.state])).toEqual([
      [1, 'active'],
      [2, 'ended'],
    ]);
  });

  it('a clear of an acknowledged latching alarm ends it', () => {
    const raised = only(manager.apply(raise(SPO2_LOW, T0, 85), PLACEMENT));
    const acked: Alarm = { ...raised, state: 'acknowledged', acknowledgedBy: 'nurse-1', acknowledgedAt: T0 + 20_000, updatedAt: T0 + 20_000 };
    const other = new AlarmManager(store);
    other.load([acked]);
    expect(other.apply(clear(SPO2_LOW, T0 + 30_000, 95), PLACEMENT)).toEqual([{ ...acked, state: 'ended', endedAt: T0 + 30_000, updatedAt: T0 + 30_000 }]);
    expect(other.openAlarms()).toEqual([]);
  });
});
