import { describe, expect, it } from 'vitest';
import {
  Alarm,
  AlarmTransition,
  compareAlarms,
  ID_PATTERN,
  isPmError,
  type AlarmPhase,
  type AlarmState,
  type ErrorCode,
} from '@vigil/contracts';
import { alarmId } from '@vigil/contracts/alarm-id';
import { AlarmManager, sourceId, type AlarmChange, type ConditionEnd, type ConditionStart, type ConditionUpdate } from '../src/alarms/alarm-manager.ts';
import { DEFAULT_ALARM_POLICY, resolveAlarmPolicy, type AlarmPolicy } from '../src/alarms/alarm-policy.ts';

/** Event time (the samples' clock) and wall time (the server's clock), an hour apart so a mix-up shows. */
const T0 = 1_760_000_000_000;
const W0 = T0 + 3_600_000;
const S1 = 'mon-01';
const S2 = 'spo2-02';
const S3 = 'ecg-03';
const ID = alarmId('pt-1', 'HR_HIGH', T0);

// ---- every change the manager returns is checked against the contracts ----

let changesValidated = 0;
const CHANGING = new Set(['conditionStart', 'conditionEnd', 'conditionUpdate', 'adopt', 'acknowledge', 'audioPause', 'escalate', 'tick']);

function validate(changes: AlarmChange[]): void {
  for (const { alarm, transition } of changes) {
    expect(Alarm.parse(alarm)).toEqual(alarm);
    expect(() => AlarmTransition.parse({ ...transition, alarmId: alarm.id, n: 1 })).not.toThrow();
    expect([transition.state, transition.priority]).toEqual([alarm.state, alarm.priority]);
    changesValidated++;
  }
}

/** A manager whose every change-returning call is validated (Alarm.parse on every change). */
function manager(policy?: Partial<AlarmPolicy>): AlarmManager {
  const target = new AlarmManager(policy);
  return new Proxy(target, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const out = (value as (...a: unknown[]) => unknown).apply(t, args);
        if (CHANGING.has(String(prop))) validate(out as AlarmChange[]);
        return out;
      };
    },
  });
}

function start(overrides: Partial<ConditionStart> = {}): ConditionStart {
  const onsetAt = overrides.onsetAt ?? T0;
  return {
    wardId: 'ward-a',
    bedId: 'bed-01',
    patientId: 'pt-1',
    code: 'HR_HIGH',
    source: 'limit-rule',
    kind: 'physiological',
    priority: 'medium',
    latching: false,
    sourceKey: S1,
    onsetAt,
    raisedAt: onsetAt + 10_000,
    message: 'Heart rate high: 142 (limit > 130)',
    evidence: { vital: 'hr', value: 142, limit: 130, comparator: '>', windowStart: onsetAt, windowEnd: onsetAt + 10_000, conditionDelayMs: 10_000 },
    ...overrides,
  };
}

const end = (overrides: Partial<ConditionEnd> = {}): ConditionEnd => ({ patientId: 'pt-1', code: 'HR_HIGH', sourceKey: S1, at: T0 + 60_000, detail: 'condition ended at 110', ...overrides });
const update = (overrides: Partial<ConditionUpdate> = {}): ConditionUpdate => ({ patientId: 'pt-1', code: 'HR_HIGH', at: T0 + 100_000, ...overrides });

function expectPmError(fn: () => unknown, code: ErrorCode, message?: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(isPmError(caught), `expected a PmError ${code}`).toBe(true);
  if (!isPmError(caught)) return;
  expect(caught.code).toBe(code);
  if (message !== undefined) expect(caught.message).toBe(message);
}

const summary = (changes: AlarmChange[]) => changes.map((c) => ({ phase: c.transition.phase, state: c.alarm.state, actor: c.transition.actor }));

// ---- the state × event table ----

type StateName = 'none' | 'active' | 'acknowledged' | 'latched' | 'ended';
interface World {
  m: AlarmManager;
  latching: boolean;
}

/**
 * none: nothing yet. active and acknowledged: held by two sources (S1 at T0, S2 joining), first signalled at W0.
 * latched: S1 alone, condition over (latching only). ended: S1 alone, over (and acknowledged, when latching).
 */
function world(state: StateName, latching: boolean): World {
  const m = manager();
  if (state === 'none') return { m, latching };
  m.conditionStart(start({ latching }), W0);
  if (state === 'active' || state === 'acknowledged') {
    m.conditionStart(start({ latching, sourceKey: S2, onsetAt: T0 + 2_000 }), W0 + 2_000);
    if (state === 'acknowledged') m.acknowledge(ID, 'nurse-1', W0 + 5_000);
    return { m, latching };
  }
  m.conditionEnd(end());
  if (state === 'ended' && latching) m.acknowledge(ID, 'nurse-1', W0 + 5_000);
  return { m, latching };
}

const EVENTS = {
  'start, same source (replayed)': ({ m, latching }: World) => m.conditionStart(start({ latching }), W0 + 20_000),
  'start, another source': ({ m, latching }: World) => m.conditionStart(start({ latching, sourceKey: S3, onsetAt: T0 + 90_000 }), W0 + 20_000),
  'start, same source, new onset': ({ m, latching }: World) => m.conditionStart(start({ latching, onsetAt: T0 + 120_000 }), W0 + 20_000),
  'end, one of two sources': ({ m }: World) => m.conditionEnd(end({ sourceKey: S2, at: T0 + 100_000 })),
  'end, last source': ({ m }: World) => {
    m.conditionEnd(end({ sourceKey: S2, at: T0 + 100_000 }));
    return m.conditionEnd(end({ at: T0 + 110_000 }));
  },
  acknowledge: ({ m }: World) => m.acknowledge(ID, 'nurse-2', W0 + 30_000),
  'audio pause': ({ m }: World) => m.audioPause(ID, 'nurse-2', 30_000, W0 + 30_000),
  'audio pause expiry (tick)': ({ m }: World) => {
    try {
      m.audioPause(ID, 'nurse-2', 30_000, W0 + 30_000);
    } catch {
      // refused in this state: the tick then has nothing to resume
    }
    return m.tick(W0 + 60_000);
  },
  'escalation tick, before the delay': ({ m }: World) => m.tick(W0 + 180_000 - 1), // medium: 180 s
  'escalation tick, at the delay': ({ m }: World) => m.tick(W0 + 180_000),
  'manual escalate': ({ m }: World) => m.escalate(ID, 'nurse-2', W0 + 30_000),
  'update, priority up': ({ m }: World) => m.conditionUpdate(update({ priority: 'high' })),
  'update, priority down': ({ m }: World) => m.conditionUpdate(update({ priority: 'low' })),
} satisfies Record<string, (w: World) => AlarmChange[]>;
type EventName = keyof typeof EVENTS;

type Outcome = { phase: AlarmPhase; state: AlarmState; actor: string };
type Cell = Outcome[] | { error: ErrorCode; message: string };
const to = (phase: AlarmPhase, state: AlarmState, actor = 'system'): Outcome[] => [{ phase, state, actor }];
const NOTHING: Outcome[] = [];
const NOT_FOUND: Cell = { error: 'PM_ERR_NOT_FOUND', message: `no alarm ${ID}` };
const ALREADY_ACKED: Cell = { error: 'PM_ERR_VALIDATION', message: 'alarm already acknowledged' };
const HAS_ENDED: Cell = { error: 'PM_ERR_VALIDATION', message: 'alarm has ended' };
const SUPERSEDED: Outcome[] = [...to('end', 'ended'), ...to('start', 'active')];

const TABLE: Record<StateName, Record<EventName, Cell | ((latching: boolean) => Cell)>> = {
  none: {
    'start, same source (replayed)': to('start', 'active'),
    'start, another source': to('start', 'active'),
    'start, same source, new onset': to('start', 'active'),
    'end, one of two sources': NOTHING,
    'end, last source': NOTHING,
    acknowledge: NOT_FOUND,
    'audio pause': NOT_FOUND,
    'audio pause expiry (tick)': NOTHING,
    'escalation tick, before the delay': NOTHING,
    'escalation tick, at the delay': NOTHING,
    'manual escalate': NOT_FOUND,
    'update, priority up': NOTHING,
    'update, priority down': NOTHING,
  },
  active: {
    'start, same source (replayed)': NOTHING,
    'start, another source': to('update', 'active'),
    'start, same source, new onset': NOTHING, // S1 holds: the episode goes on
    'end, one of two sources': to('update', 'active'),
    'end, last source': (latching) => (latching ? to('latch', 'latched') : to('end', 'ended')),
    acknowledge: to('acknowledge', 'acknowledged', 'nurse-2'),
    'audio pause': to('audio-pause', 'active', 'nurse-2'),
    'audio pause expiry (tick)': to('audio-resume', 'active'),
    'escalation tick, before the delay': NOTHING,
    'escalation tick, at the delay': to('escalate', 'active'),
    'manual escalate': to('escalate', 'active', 'nurse-2'),
    'update, priority up': to('escalate', 'active'),
    'update, priority down': to('de-escalate', 'active'),
  },
  acknowledged: {
    'start, same source (replayed)': NOTHING,
    'start, another source': to('update', 'acknowledged'),
    'start, same source, new onset': NOTHING,
    'end, one of two sources': to('update', 'acknowledged'),
    'end, last source': to('end', 'ended'),
    acknowledge: ALREADY_ACKED,
    'audio pause': ALREADY_ACKED,
    'audio pause expiry (tick)': NOTHING,
    'escalation tick, before the delay': NOTHING,
    'escalation tick, at the delay': NOTHING, // acknowledged in time
    'manual escalate': to('escalate', 'acknowledged', 'nurse-2'),
    'update, priority up': to('escalate', 'acknowledged'),
    'update, priority down': to('de-escalate', 'acknowledged'),
  },
  latched: {
    'start, same source (replayed)': NOTHING,
    'start, another source': SUPERSEDED,
    'start, same source, new onset': SUPERSEDED,
    'end, one of two sources': NOTHING,
    'end, last source': NOTHING,
    acknowledge: to('acknowledge', 'ended', 'nurse-2'),
    'audio pause': to('audio-pause', 'latched', 'nurse-2'),
    'audio pause expiry (tick)': to('audio-resume', 'latched'),
    'escalation tick, before the delay': NOTHING,
    'escalation tick, at the delay': to('escalate', 'latched'),
    'manual escalate': to('escalate', 'latched', 'nurse-2'),
    'update, priority up': NOTHING, // its condition is over
    'update, priority down': NOTHING,
  },
  ended: {
    'start, same source (replayed)': NOTHING,
    'start, another source': to('start', 'active'),
    'start, same source, new onset': to('start', 'active'),
    'end, one of two sources': NOTHING,
    'end, last source': NOTHING,
    acknowledge: HAS_ENDED,
    'audio pause': HAS_ENDED,
    'audio pause expiry (tick)': NOTHING,
    'escalation tick, before the delay': NOTHING,
    'escalation tick, at the delay': NOTHING,
    'manual escalate': HAS_ENDED,
    'update, priority up': NOTHING,
    'update, priority down': NOTHING,
  },
};

/** Field-level checks of some cells, beyond state, phase and actor. */
const CHECKS: Partial<Record<`${StateName}/${EventName}`, (changes: AlarmChange[], w: World, before: Alarm | undefined) => void>> = {
  'none/start, same source (replayed)': ([c]) => expect([c!.alarm.id, c!.alarm.sources, c!.transition.at]).toEqual([ID, [S1], T0 + 10_000]),
  'none/start, another source': ([c]) => expect(c!.alarm.id).toBe(alarmId('pt-1', 'HR_HIGH', T0 + 90_000)),
  'active/start, another source': ([c]) => expect([c!.alarm.id, c!.alarm.sources, c!.alarm.updatedAt]).toEqual([ID, [S1, S2, S3], T0 + 100_000]),
  'active/end, one of two sources': ([c], { m }) => {
    expect([c!.alarm.sources, c!.alarm.updatedAt, c!.alarm.endedAt]).toEqual([[S1], T0 + 100_000, null]);
    expect(m.openAlarms().map((a) => a.id)).toEqual([ID]);
  },
  'active/end, last source': ([c], { m, latching }) => {
    expect([c!.alarm.sources, c!.alarm.updatedAt, c!.alarm.endedAt]).toEqual([[], T0 + 110_000, latching ? null : T0 + 110_000]);
    expect(m.openAlarms().map((a) => a.id)).toEqual(latching ? [ID] : []);
    expect(m.get(ID)).toEqual(c!.alarm); // ended alarms stay reachable for a while
  },
  'active/acknowledge': ([c], _w, before) => {
    expect([c!.alarm.acknowledgedBy, c!.alarm.acknowledgedAt, c!.transition.at]).toEqual(['nurse-2', W0 + 30_000, W0 + 30_000]);
    expect(c!.alarm.updatedAt).toBe(before!.updatedAt);
  },
  'active/audio pause': ([c]) => expect([c!.alarm.audioPausedUntil, c!.transition.detail]).toEqual([W0 + 60_000, 'audio paused for 30 s']),
  'active/audio pause expiry (tick)': ([c]) => expect([c!.alarm.audioPausedUntil, c!.transition.at]).toEqual([null, W0 + 60_000]),
  'active/escalation tick, at the delay': ([c]) => expect([c!.alarm.escalatedTo, c!.alarm.escalatedAt, c!.transition.at]).toEqual(['charge_nurse', W0 + 180_000, W0 + 180_000]),
  'active/manual escalate': ([c]) => expect([c!.alarm.escalatedTo, c!.alarm.escalatedAt]).toEqual(['charge_nurse', W0 + 30_000]),
  'active/update, priority up': ([c]) => expect([c!.alarm.priority, c!.alarm.updatedAt, c!.transition.at]).toEqual(['high', T0 + 100_000, T0 + 100_000]),
  'active/update, priority down': ([c]) => expect(c!.alarm.priority).toBe('low'),
  'acknowledged/end, last source': ([c]) => expect([c!.alarm.acknowledgedBy, c!.alarm.endedAt]).toEqual(['nurse-1', T0 + 110_000]),
  'latched/start, another source': ([old, fresh], { m }) => {
    expect([old!.alarm.id, old!.transition.detail, old!.alarm.endedAt]).toEqual([ID, 'superseded by a new episode', T0 + 100_000]);
    expect([fresh!.alarm.id, fresh!.alarm.sources]).toEqual([alarmId('pt-1', 'HR_HIGH', T0 + 90_000), [S3]]);
    expect(m.openAlarms().map((a) => a.id)).toEqual([fresh!.alarm.id]);
  },
  'latched/acknowledge': ([c]) => expect([c!.alarm.endedAt, c!.alarm.acknowledgedAt, c!.alarm.updatedAt]).toEqual([T0 + 60_000, W0 + 30_000, T0 + 60_000]),
  'ended/start, same source, new onset': ([c]) => expect(c!.alarm.id).toBe(alarmId('pt-1', 'HR_HIGH', T0 + 120_000)),
};

/** Transitions made by people or by tick carry wall time and leave updatedAt alone; detector ones carry event time. */
function checkClocks(changes: AlarmChange[], before: Alarm | undefined): void {
  for (const { alarm, transition } of changes) {
    const byWallClock = transition.actor !== 'system' || transition.phase === 'audio-resume' || (transition.phase === 'escalate' && alarm.escalatedAt === transition.at);
    expect(transition.at >= W0, `${transition.phase} at ${transition.at}`).toBe(byWallClock);
    if (byWallClock && before?.id === alarm.id) expect(alarm.updatedAt).toBe(before.updatedAt);
  }
}

for (const latching of [false, true]) {
  describe(`state × event, ${latching ? 'latching' : 'non-latching'} alarm`, () => {
    for (const state of ['none', 'active', 'acknowledged', 'latched', 'ended'] as const) {
      if (state === 'latched' && !latching) continue; // a non-latching alarm never latches
      for (const event of Object.keys(EVENTS) as EventName[]) {
        it(`${state} + ${event}`, () => {
          const w = world(state, latching);
          const before = w.m.get(ID);
          expect(before?.state).toBe(state === 'none' ? undefined : state);
          const entry = TABLE[state][event];
          const cell = typeof entry === 'function' ? entry(latching) : entry;
          if ('error' in cell) {
            expectPmError(() => EVENTS[event](w), cell.error, cell.message);
            expect(w.m.get(ID)).toEqual(before);
            return;
          }
          const changes = EVENTS[event](w);
          expect(summary(changes)).toEqual(cell);
          if (cell.length === 0) expect(w.m.get(ID)).toEqual(before);
          checkClocks(changes, before);
          CHECKS[`${state}/${event}`]?.(changes, w, before);
        });
      }
    }
  });
}

// ---- behaviour across several steps ----

describe('AlarmManager', () => {
  it('a start opens an active alarm with a deterministic id and every field set', () => {
    const [c] = manager().conditionStart(start(), W0);
    const expected: Alarm = {
      id: ID,
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
      audioPausedUntil: null,
      escalatedTo: null,
      escalatedAt: null,
      sources: [S1],
    };
    expect(c).toEqual({ alarm: expected, transition: { phase: 'start', state: 'active', priority: 'medium', at: T0 + 10_000, actor: 'system', detail: expected.message } });
    expect(ID).toMatch(/^al-[0-9a-f]{20}$/);
  });

  it('groups two sources into one alarm, which ends only after both have ended', () => {
    const m = manager();
    const [first] = m.conditionStart(start({ sourceKey: 'mon-01|boot-1' }), W0);
    const [joined] = m.conditionStart(start({ sourceKey: 'pulse-ox|boot-9', onsetAt: T0 + 3_000 }), W0 + 3_000);
    expect(joined!.alarm.id).toBe(first!.alarm.id);
    expect(joined!.transition).toMatchObject({ phase: 'update', detail: `source ${sourceId('pulse-ox|boot-9')} joined` });
    expect(joined!.alarm.sources).toEqual([sourceId('mon-01|boot-1'), sourceId('pulse-ox|boot-9')]);
    expect(m.openAlarms()).toHaveLength(1);
    expect(summary(m.conditionEnd(end({ sourceKey: 'mon-01|boot-1', at: T0 + 40_000 })))).toEqual(to('update', 'active'));
    expect(m.get(ID)!.sources).toEqual([sourceId('pulse-ox|boot-9')]);
    expect(m.conditionEnd(end({ sourceKey: 'mon-01|boot-1', at: T0 + 41_000 }))).toEqual([]); // that one is over already
    expect(summary(m.conditionEnd(end({ sourceKey: 'pulse-ox|boot-9', at: T0 + 50_000 })))).toEqual(to('end', 'ended'));
    expect(m.openAlarms()).toEqual([]);
  });

  it('a joining source with a higher priority escalates the episode; its id stays the opener’s', () => {
    const m = manager();
    m.conditionStart(start(), W0);
    const [c] = m.conditionStart(start({ sourceKey: S2, priority: 'high', onsetAt: T0 - 5_000 }), W0 + 1_000);
    expect([c!.transition.phase, c!.alarm.priority, c!.alarm.id, c!.alarm.updatedAt]).toEqual(['escalate', 'high', ID, T0 + 10_000]);
  });

  it('sourceId keeps Ids, maps other keys to distinct valid Ids', () => {
    expect(sourceId('news2')).toBe('news2');
    expect(sourceId('mon-01.boot-1')).toBe('mon-01.boot-1');
    const mapped = sourceId('mon-01|boot-1');
    expect(mapped).toMatch(ID_PATTERN);
    expect(mapped).toMatch(/^mon-01\.boot-1\.[0-9a-f]{8}$/);
    expect(mapped).not.toBe(sourceId('mon-01.boot-1'));
    expect(sourceId('mon-01|boot-1')).toBe(mapped);
    expect(sourceId(`${'d'.repeat(64)}|${'b'.repeat(40)}`)).toMatch(ID_PATTERN);
    expect(sourceId('|||')).toMatch(ID_PATTERN);
  });

  it('conditionUpdate: text only is an update; nothing new, an older update or an unknown episode change nothing', () => {
    const m = manager();
    m.conditionStart(start({ code: 'NEWS2', sourceKey: 'news2', source: 'news2', message: 'NEWS2 5' }), W0);
    const news2 = (o: Partial<ConditionUpdate>) => update({ code: 'NEWS2', ...o });
    const [c] = m.conditionUpdate(news2({ message: 'NEWS2 6', evidence: { value: 6 } }));
    expect([c!.transition.phase, c!.alarm.message, c!.alarm.evidence, c!.alarm.priority]).toEqual(['update', 'NEWS2 6', { value: 6 }, 'medium']);
    expect(m.conditionUpdate(news2({ at: T0 + 120_000, message: 'NEWS2 6', evidence: { value: 6 }, priority: 'medium' }))).toEqual([]);
    expect(m.conditionUpdate(news2({ at: T0 + 50_000, priority: 'high' }))).toEqual([]); // older than the last transition
    expect(m.conditionUpdate(update({ patientId: 'pt-9', priority: 'high' }))).toEqual([]);
  });

  it('a repeated run of the same starts, ends and updates on the same manager changes nothing', () => {
    const m = manager();
    const first = SEQUENCE.flatMap((op) => apply(m, op));
    expect(first.length).toBeGreaterThan(10);
    expect(SEQUENCE.flatMap((op) => apply(m, op))).toEqual([]);
  });

  it('a replay after load() of the first run’s open alarms changes nothing', () => {
    const m = manager();
    const ops = SEQUENCE.filter((op) => !['pt-3', 'pt-5'].includes(patientOf(op)));
    ops.forEach((op) => apply(m, op));
    const open = m.openAlarms();
    expect(open.map((a) => [a.patientId, a.code, a.state]).sort()).toEqual([
      ['pt-1', 'HR_HIGH', 'active'],
      ['pt-1', 'SPO2_LOW', 'latched'],
      ['pt-2', 'SPO2_LOW', 'active'],
      ['pt-4', 'NEWS2', 'active'],
    ]);
    const restarted = manager();
    restarted.load(open.map((alarm) => ({ alarm, signalledAt: W0 })));
    expect(ops.flatMap((op) => apply(restarted, op))).toEqual([]);
    expect(restarted.openAlarms()).toEqual(open);
  });

  it('with the recently ended alarms loaded too, a replayed start does not reopen an ended episode', () => {
    const m = manager();
    const ops = SEQUENCE.filter((op) => patientOf(op) !== 'pt-5');
    const ended = ops.flatMap((op) => apply(m, op)).filter((c) => c.alarm.state === 'ended').map((c) => c.alarm);
    expect(ended.map((a) => a.patientId).sort()).toEqual(['pt-2', 'pt-3']); // superseded, and over
    const restarted = manager();
    restarted.load([...m.openAlarms(), ...ended].map((alarm) => ({ alarm, signalledAt: W0 })));
    expect(ops.flatMap((op) => apply(restarted, op))).toEqual([]);
    expect(restarted.get(ended[0]!.id)).toEqual(ended[0]);
  });

  it('after a restart, a replayed start of a source that ended while the episode stayed open is re-applied, then removed again', () => {
    // Documented: it cannot be told from a late stream joining, and a late stream's condition must not be dropped.
    const m = manager();
    const ops = SEQUENCE.filter((op) => patientOf(op) === 'pt-5');
    ops.forEach((op) => apply(m, op));
    const open = m.openAlarms();
    const restarted = manager();
    restarted.load(open.map((alarm) => ({ alarm, signalledAt: W0 })));
    expect(summary(ops.flatMap((op) => apply(restarted, op))).map((s) => s.phase)).toEqual(['update', 'update']);
    expect(restarted.openAlarms()).toEqual(open);
  });

  it('after a restart, an end older than the open alarm’s onset belongs to an earlier episode', () => {
    const m = manager();
    m.conditionStart(start({ latching: true }), W0);
    m.conditionEnd(end());
    m.conditionStart(start({ latching: true, onsetAt: T0 + 90_000 }), W0 + 90_000);
    const restarted = manager();
    restarted.load(m.openAlarms().map((alarm) => ({ alarm, signalledAt: W0 })));
    expect(restarted.conditionEnd(end())).toEqual([]);
    expect(summary(restarted.conditionEnd(end({ at: T0 + 150_000 })))).toEqual(to('latch', 'latched'));
  });

  it('load() restores open alarms; one stored before sources existed ends on any source’s end', () => {
    const m = manager();
    const [c] = m.conditionStart(start(), W0);
    const { sources: _dropped, audioPausedUntil: _a, escalatedTo: _e, escalatedAt: _t, ...legacy } = c!.alarm;
    const restarted = manager();
    restarted.load([{ alarm: legacy, signalledAt: W0 }]);
    expect(restarted.openAlarms()).toEqual([legacy]);
    expect(restarted.conditionStart(start({ sourceKey: S1, onsetAt: T0 }), W0)).toMatchObject([{ transition: { phase: 'update' } }]);
    expect(summary(restarted.conditionEnd(end({ sourceKey: S1 })))).toEqual(to('end', 'ended'));
  });

  it('load() rejects an invalid alarm', () => {
    const [c] = manager().conditionStart(start(), W0);
    expectPmError(() => manager().load([{ alarm: { ...c!.alarm, code: 'hr high' }, signalledAt: W0 }]), 'PM_ERR_VALIDATION');
  });

  it('a start that would make an invalid alarm is refused and leaves nothing behind', () => {
    const m = manager();
    expectPmError(() => m.conditionStart(start({ code: 'hr-high' }), W0), 'PM_ERR_VALIDATION');
    expect(m.openAlarms()).toEqual([]);
    const [c] = m.conditionStart(start({ message: 'x'.repeat(300) }), W0);
    expect(c!.alarm.message).toHaveLength(200);
  });

  it('people must be named; unknown alarms are not found', () => {
    const m = manager();
    m.conditionStart(start(), W0);
    expectPmError(() => m.acknowledge(ID, '  ', W0), 'PM_ERR_VALIDATION');
    expectPmError(() => m.escalate(ID, 'u'.repeat(101), W0), 'PM_ERR_VALIDATION');
    expectPmError(() => m.audioPause('al-nope', 'nurse-1', undefined, W0), 'PM_ERR_NOT_FOUND');
    expect(m.get(ID)!.state).toBe('active');
  });

  it('ended alarms leave the open set and are forgotten recentlyEndedMs after they ended', () => {
    const m = manager({ recentlyEndedMs: 60_000 });
    m.conditionStart(start(), W0);
    m.conditionEnd(end());
    expect(m.openAlarms()).toEqual([]);
    m.tick(W0 + 1_000); // notices the end
    expect(m.get(ID)?.state).toBe('ended');
    m.tick(W0 + 60_999);
    expect(m.get(ID)?.state).toBe('ended');
    expect(m.recentlyEnded('ward-a').map((a) => a.id)).toEqual([ID]);
    expect(m.recentlyEnded('ward-a', W0 + 1_000)).toHaveLength(1);
    expect(m.recentlyEnded('ward-a', W0 + 1_001)).toEqual([]);
    expect(m.recentlyEnded('ward-b')).toEqual([]);
    m.tick(W0 + 61_000);
    expect(m.get(ID)).toBeUndefined();
    expect(m.recentlyEnded()).toEqual([]);
    expectPmError(() => m.acknowledge(ID, 'nurse-1', W0 + 62_000), 'PM_ERR_NOT_FOUND');
  });
});

describe('audio pause', () => {
  it('defaults to 2 min and is capped at the maximum (2 min)', () => {
    const m = manager();
    m.conditionStart(start({ priority: 'low' }), W0);
    expect(m.audioPause(ID, 'nurse-1', undefined, W0)[0]!.alarm.audioPausedUntil).toBe(W0 + 120_000);
    expect(m.audioPause(ID, 'nurse-1', 600_000, W0 + 1_000)[0]!.alarm.audioPausedUntil).toBe(W0 + 1_000 + 120_000);
    expect(m.tick(W0 + 120_999)).toEqual([]);
    expect(summary(m.tick(W0 + 121_000))).toEqual(to('audio-resume', 'active'));
    expect(m.tick(W0 + 200_000)).toEqual([]);
  });

  it('follows the policy, and refuses a duration that is not a positive number', () => {
    const m = manager({ audioPauseDefaultMs: 30_000, audioPauseMaxMs: 60_000 });
    m.conditionStart(start(), W0);
    expect(m.audioPause(ID, 'nurse-1', undefined, W0)[0]!.alarm.audioPausedUntil).toBe(W0 + 30_000);
    expect(m.audioPause(ID, 'nurse-1', 90_000, W0)[0]!.alarm.audioPausedUntil).toBe(W0 + 60_000);
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) expectPmError(() => m.audioPause(ID, 'nurse-1', bad, W0), 'PM_ERR_VALIDATION');
  });

  it('an acknowledgement clears it; it never stops escalation', () => {
    const m = manager();
    m.conditionStart(start({ priority: 'high' }), W0);
    m.audioPause(ID, 'nurse-1', 120_000, W0 + 1_000);
    expect(summary(m.tick(W0 + 60_000))).toEqual(to('escalate', 'active'));
    expect(m.acknowledge(ID, 'nurse-1', W0 + 70_000)[0]!.alarm.audioPausedUntil).toBeNull();
    expect(m.tick(W0 + 200_000)).toEqual([]);
  });
});

describe('escalation', () => {
  it('happens once, at escalateAfterMs after the alarm was first signalled (high: 60 s)', () => {
    const m = manager();
    m.conditionStart(start({ priority: 'high' }), W0);
    expect(m.tick(W0 + 59_999)).toEqual([]);
    const [c] = m.tick(W0 + 60_000);
    expect([c!.transition.phase, c!.transition.actor, c!.alarm.escalatedTo, c!.alarm.escalatedAt]).toEqual(['escalate', 'system', 'charge_nurse', W0 + 60_000]);
    expect(c!.transition.detail).toBe('not acknowledged within 60 s: escalated to charge_nurse');
    expect(m.tick(W0 + 600_000)).toEqual([]);
    expectPmError(() => m.escalate(ID, 'nurse-1', W0 + 600_000), 'PM_ERR_VALIDATION', 'alarm already escalated');
  });

  it('a manual escalation counts as the one', () => {
    const m = manager();
    m.conditionStart(start({ priority: 'high' }), W0);
    m.escalate(ID, 'nurse-1', W0 + 10_000);
    expect(m.tick(W0 + 600_000)).toEqual([]);
  });

  it('never for low priority by default; the policy sets the delays', () => {
    const m = manager();
    m.conditionStart(start({ priority: 'low' }), W0);
    expect(m.tick(W0 + 86_400_000)).toEqual([]);
    const fast = manager({ escalateAfterMs: { high: 60_000, medium: 180_000, low: 5_000 } });
    fast.conditionStart(start({ priority: 'low' }), W0);
    expect(summary(fast.tick(W0 + 5_000))).toEqual(to('escalate', 'active'));
  });

  it('counts from the signalledAt given to load()', () => {
    const [c] = manager().conditionStart(start({ priority: 'high' }), W0);
    const restarted = manager();
    restarted.load([{ alarm: c!.alarm, signalledAt: W0 - 50_000 }]);
    expect(summary(restarted.tick(W0 + 10_000))).toEqual(to('escalate', 'active'));
  });

  it('a superseding alarm starts its own clock', () => {
    const m = manager();
    m.conditionStart(start({ priority: 'high', latching: true }), W0);
    m.conditionEnd(end());
    const [, fresh] = m.conditionStart(start({ priority: 'high', latching: true, onsetAt: T0 + 90_000 }), W0 + 50_000);
    expect(m.tick(W0 + 60_000)).toEqual([]);
    expect(m.tick(W0 + 110_000).map((c) => c.alarm.id)).toEqual([fresh!.alarm.id]);
  });
});

describe('alarm list order', () => {
  it('openAlarms() is in compareAlarms order: priority, then newest first; open before ended', () => {
    const m = manager();
    m.conditionStart(start({ code: 'TEMP_HIGH', priority: 'low', onsetAt: T0 + 30_000 }), W0);
    m.conditionStart(start({ code: 'HR_HIGH', priority: 'medium', onsetAt: T0 }), W0);
    m.conditionStart(start({ code: 'SPO2_LOW', priority: 'high', onsetAt: T0 }), W0);
    m.conditionStart(start({ code: 'RR_LOW', priority: 'high', onsetAt: T0 + 20_000 }), W0);
    m.conditionStart(start({ code: 'HR_LOW', priority: 'medium', onsetAt: T0, wardId: 'ward-b', patientId: 'pt-7' }), W0);
    expect(m.openAlarms('ward-a').map((a) => a.code)).toEqual(['RR_LOW', 'SPO2_LOW', 'HR_HIGH', 'TEMP_HIGH']);
    expect(m.openAlarms('ward-b').map((a) => a.code)).toEqual(['HR_LOW']);
    expect(m.openAlarms()).toHaveLength(5);
    const [ended] = m.conditionEnd(end({ code: 'SPO2_LOW' }));
    const low = m.get(alarmId('pt-1', 'TEMP_HIGH', T0 + 30_000))!;
    expect([ended!.alarm, low].sort(compareAlarms).map((a) => a.code)).toEqual(['TEMP_HIGH', 'SPO2_LOW']);
  });
});

describe('adopt (edge technical alarms)', () => {
  const edgeAlarm = (overrides: Partial<Alarm> = {}): Alarm => ({
    id: alarmId('pt-1', 'edge/SENSOR_OFF/mon-01', T0),
    wardId: 'ward-a',
    bedId: 'bed-01',
    patientId: 'pt-1',
    priority: 'medium',
    kind: 'technical',
    source: 'edge-technical',
    code: 'SENSOR_OFF',
    state: 'active',
    latching: false,
    message: 'Sensor off: mon-01',
    onsetAt: T0,
    raisedAt: T0 + 5_000,
    updatedAt: T0 + 5_000,
    endedAt: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    evidence: {},
    ...overrides,
  });

  it('takes the edge’s id, state and times; a redelivery or an older report changes nothing', () => {
    const m = manager();
    const [c] = m.adopt(edgeAlarm(), W0);
    expect(c).toEqual({ alarm: edgeAlarm(), transition: { phase: 'start', state: 'active', priority: 'medium', at: T0 + 5_000, actor: 'edge', detail: 'Sensor off: mon-01' } });
    expect(m.adopt(edgeAlarm(), W0 + 1_000)).toEqual([]);
    expect(m.adopt(edgeAlarm({ updatedAt: T0 + 4_000, message: 'older' }), W0 + 1_000)).toEqual([]);
    const [ended] = m.adopt(edgeAlarm({ state: 'ended', endedAt: T0 + 30_000, updatedAt: T0 + 30_000 }), W0 + 2_000);
    expect([ended!.transition.phase, ended!.transition.actor, ended!.alarm.endedAt]).toEqual(['end', 'edge', T0 + 30_000]);
    expect(m.openAlarms()).toEqual([]);
  });

  it('an episode that began and ended while the cloud was away is one change', () => {
    const m = manager();
    const over = edgeAlarm({ state: 'ended', endedAt: T0 + 30_000, updatedAt: T0 + 30_000 });
    expect(summary(m.adopt(over, W0))).toEqual(to('end', 'ended', 'edge'));
    expect(m.get(over.id)).toEqual(over);
    expect(m.adopt(over, W0)).toEqual([]);
  });

  it('keeps two devices’ alarms with the same code apart, and apart from the cloud’s episodes', () => {
    const m = manager();
    m.conditionStart(start({ code: 'SENSOR_OFF', kind: 'technical', source: 'cloud-technical' }), W0);
    m.adopt(edgeAlarm(), W0);
    m.adopt(edgeAlarm({ id: alarmId('pt-1', 'edge/SENSOR_OFF/spo2-02', T0), message: 'Sensor off: spo2-02' }), W0);
    expect(m.openAlarms()).toHaveLength(3);
    const cloudOwn = alarmId('pt-1', 'SENSOR_OFF', T0);
    expect(m.adopt(edgeAlarm({ id: cloudOwn, updatedAt: T0 + 99_000, state: 'ended', endedAt: T0 + 99_000 }), W0)).toEqual([]);
    expect(m.get(cloudOwn)!.state).toBe('active');
  });

  it('people’s actions work on adopted alarms and survive the edge’s later reports', () => {
    const m = manager();
    const { id } = edgeAlarm();
    m.adopt(edgeAlarm({ priority: 'high' }), W0);
    expect(summary(m.tick(W0 + 60_000))).toEqual(to('escalate', 'active'));
    expect(summary(m.acknowledge(id, 'nurse-1', W0 + 61_000))).toEqual(to('acknowledge', 'acknowledged', 'nurse-1'));
    const [c] = m.adopt(edgeAlarm({ priority: 'high', message: 'Sensor off: mon-01 (2 min)', updatedAt: T0 + 120_000 }), W0 + 62_000);
    expect([c!.transition.phase, c!.alarm.state, c!.alarm.acknowledgedBy, c!.alarm.escalatedTo]).toEqual(['update', 'acknowledged', 'nurse-1', 'charge_nurse']);
    const [down] = m.adopt(edgeAlarm({ priority: 'low', updatedAt: T0 + 130_000 }), W0 + 63_000);
    expect([down!.transition.phase, down!.alarm.state]).toEqual(['de-escalate', 'acknowledged']);
    const [over] = m.adopt(edgeAlarm({ priority: 'low', state: 'ended', endedAt: T0 + 150_000, updatedAt: T0 + 150_000 }), W0 + 64_000);
    expect([over!.transition.phase, over!.alarm.state, over!.alarm.acknowledgedAt]).toEqual(['end', 'ended', W0 + 61_000]);
  });

  it('an acknowledged edge alarm reported latched has ended', () => {
    const m = manager();
    const { id } = edgeAlarm();
    m.adopt(edgeAlarm({ latching: true }), W0);
    m.acknowledge(id, 'nurse-1', W0 + 1_000);
    const [c] = m.adopt(edgeAlarm({ latching: true, state: 'latched', updatedAt: T0 + 40_000 }), W0 + 2_000);
    expect([c!.transition.phase, c!.alarm.state, c!.alarm.endedAt]).toEqual(['end', 'ended', T0 + 40_000]);
  });
});

describe('alarm policy', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_ALARM_POLICY).toEqual({
      audioPauseDefaultMs: 120_000,
      audioPauseMaxMs: 120_000,
      escalateAfterMs: { high: 60_000, medium: 180_000, low: null },
      recentlyEndedMs: 900_000,
    });
    expect(new AlarmManager().policy).toEqual(DEFAULT_ALARM_POLICY);
  });

  it('merges escalation delays per priority and rejects invalid values', () => {
    expect(resolveAlarmPolicy({ escalateAfterMs: { medium: 90_000 } as AlarmPolicy['escalateAfterMs'] }).escalateAfterMs).toEqual({ high: 60_000, medium: 90_000, low: null });
    expectPmError(() => resolveAlarmPolicy({ audioPauseMaxMs: 0 }), 'PM_ERR_CONFIG_INVALID');
    expectPmError(() => new AlarmManager({ recentlyEndedMs: 1.5 }), 'PM_ERR_CONFIG_INVALID');
  });
});

// ---- the replay sequence ----

type Op = { start: ConditionStart } | { end: ConditionEnd } | { update: ConditionUpdate };
const patientOf = (op: Op) => ('start' in op ? op.start.patientId : 'end' in op ? op.end.patientId : op.update.patientId);
const apply = (m: AlarmManager, op: Op): AlarmChange[] => ('start' in op ? m.conditionStart(op.start, W0) : 'end' in op ? m.conditionEnd(op.end) : m.conditionUpdate(op.update));

const at = (patientId: string, bedId: string) => ({ patientId, bedId });
const SEQUENCE: Op[] = [
  // pt-1: HR_HIGH held by two streams; SPO2_LOW (latching) latched
  { start: start({ ...at('pt-1', 'bed-01') }) },
  { start: start({ ...at('pt-1', 'bed-01'), code: 'SPO2_LOW', latching: true, priority: 'high' }) },
  { start: start({ ...at('pt-1', 'bed-01'), sourceKey: S2, onsetAt: T0 + 4_000 }) },
  { end: end({ patientId: 'pt-1', code: 'SPO2_LOW', at: T0 + 40_000 }) },
  // pt-2: SPO2_LOW latched, then a new episode supersedes it
  { start: start({ ...at('pt-2', 'bed-02'), code: 'SPO2_LOW', latching: true, priority: 'high' }) },
  { end: end({ patientId: 'pt-2', code: 'SPO2_LOW', at: T0 + 40_000 }) },
  { start: start({ ...at('pt-2', 'bed-02'), code: 'SPO2_LOW', latching: true, priority: 'high', onsetAt: T0 + 60_000 }) },
  // pt-3: HR_HIGH begins and ends
  { start: start({ ...at('pt-3', 'bed-03') }) },
  { end: end({ patientId: 'pt-3', at: T0 + 30_000 }) },
  // pt-4: NEWS2 rises and falls back
  { start: start({ ...at('pt-4', 'bed-04'), code: 'NEWS2', source: 'news2', sourceKey: 'news2', message: 'NEWS2 5' }) },
  { update: update({ patientId: 'pt-4', code: 'NEWS2', at: T0 + 60_000, priority: 'high', message: 'NEWS2 7' }) },
  { update: update({ patientId: 'pt-4', code: 'NEWS2', at: T0 + 120_000, priority: 'medium', message: 'NEWS2 6' }) },
  // pt-5: two streams, one of them ends
  { start: start({ ...at('pt-5', 'bed-05') }) },
  { start: start({ ...at('pt-5', 'bed-05'), sourceKey: S2, onsetAt: T0 + 4_000 }) },
  { end: end({ patientId: 'pt-5', sourceKey: S2, at: T0 + 30_000 }) },
];

describe('the checks above', () => {
  it('validated every change against the contracts', () => {
    expect(changesValidated).toBeGreaterThan(150);
  });
});
