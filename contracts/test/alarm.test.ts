import { describe, it, expect } from 'vitest';
import { Alarm, PRIORITY_RANK, compareAlarms } from '../src/index.ts';
import { T0, alarm, clone } from './fixtures.ts';

type Mutable = Record<string, unknown>;

describe('Alarm schema', () => {
  it('accepts a valid alarm', () => {
    expect(Alarm.parse(alarm())).toEqual(alarm());
  });

  it.each([
    ['acknowledged', { state: 'acknowledged', acknowledgedBy: 'nurse-7', acknowledgedAt: T0 + 20_000 } as const],
    ['ended', { state: 'ended', endedAt: T0 + 60_000 } as const],
    ['technical, low', { kind: 'technical', priority: 'low', source: 'edge-technical', code: 'SENSOR_OFF', evidence: {} } as const],
    ['advisory with contributions', { kind: 'advisory', source: 'lstm', evidence: { contributions: { hr: 0.6, rr: 0.4 } } } as const],
  ])('accepts a %s alarm', (_name, patch) => {
    expect(Alarm.safeParse(alarm(patch)).success).toBe(true);
  });

  it.each([
    ['wrong priority', (m: Mutable) => (m.priority = 'critical'), 'priority'],
    ['priority as number', (m: Mutable) => (m.priority = 3), 'priority'],
    ['unknown kind', (m: Mutable) => (m.kind = 'clinical'), 'kind'],
    ['unknown source', (m: Mutable) => (m.source = 'manual'), 'source'],
    ['unknown state', (m: Mutable) => (m.state = 'silenced'), 'state'],
    ['lower-case code', (m: Mutable) => (m.code = 'hr_high'), 'code'],
    ['one-character code', (m: Mutable) => (m.code = 'H'), 'code'],
    ['latching missing', (m: Mutable) => delete m.latching, 'latching'],
    ['message over 200 characters', (m: Mutable) => (m.message = 'x'.repeat(201)), 'message'],
    ['endedAt missing (must be null, not absent)', (m: Mutable) => delete m.endedAt, 'endedAt'],
    ['acknowledgedBy over 100 characters', (m: Mutable) => (m.acknowledgedBy = 'n'.repeat(101)), 'acknowledgedBy'],
    ['non-integer raisedAt', (m: Mutable) => (m.raisedAt = T0 + 0.5), 'raisedAt'],
    ['extra key', (m: Mutable) => (m.colour = 'red'), ''],
    ["id with '/'", (m: Mutable) => (m.id = 'a/b'), 'id'],
    ['65-character id', (m: Mutable) => (m.id = 'a'.repeat(65)), 'id'],
    ['evidence with unknown vital', (m: Mutable) => (m.evidence = { vital: 'bp' }), 'evidence.vital'],
    ['evidence with unknown comparator', (m: Mutable) => (m.evidence = { comparator: '==' }), 'evidence.comparator'],
    ['evidence with an extra key', (m: Mutable) => (m.evidence = { score: 1 }), 'evidence'],
    ['evidence with negative conditionDelayMs', (m: Mutable) => (m.evidence = { conditionDelayMs: -1 }), 'evidence.conditionDelayMs'],
    ['evidence missing', (m: Mutable) => delete m.evidence, 'evidence'],
  ])('rejects %s', (_name, mutate, path) => {
    const m = clone(alarm()) as unknown as Mutable;
    mutate(m);
    const result = Alarm.safeParse(m);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});

describe('compareAlarms', () => {
  it('ranks high > medium > low', () => {
    expect(PRIORITY_RANK.high).toBeGreaterThan(PRIORITY_RANK.medium);
    expect(PRIORITY_RANK.medium).toBeGreaterThan(PRIORITY_RANK.low);
  });

  it('orders open alarms first, then by priority, then newest first', () => {
    const list = [
      alarm({ id: 'ended-high', state: 'ended', priority: 'high', raisedAt: T0 + 9000, endedAt: T0 + 9500 }),
      alarm({ id: 'low-new', priority: 'low', raisedAt: T0 + 8000 }),
      alarm({ id: 'high-old', priority: 'high', raisedAt: T0 + 1000 }),
      alarm({ id: 'medium', priority: 'medium', state: 'latched', raisedAt: T0 + 5000 }),
      alarm({ id: 'high-new', priority: 'high', state: 'acknowledged', raisedAt: T0 + 3000 }),
      alarm({ id: 'ended-low', state: 'ended', priority: 'low', raisedAt: T0 + 9999, endedAt: T0 + 10_000 }),
    ];
    expect(list.sort(compareAlarms).map((a) => a.id)).toEqual([
      'high-new',
      'high-old',
      'medium',
      'low-new',
      'ended-high',
      'ended-low',
    ]);
  });

  it('is antisymmetric and zero for equal keys', () => {
    const a = alarm({ priority: 'medium' });
    const b = alarm({ priority: 'high' });
    expect(Math.sign(compareAlarms(a, b))).toBe(-Math.sign(compareAlarms(b, a)));
    expect(compareAlarms(a, b)).toBeGreaterThan(0);
    expect(compareAlarms(a, alarm({ priority: 'medium', id: 'other' }))).toBe(0);
  });

  it('an open low alarm sorts before an ended high one', () => {
    expect(compareAlarms(alarm({ priority: 'low' }), alarm({ priority: 'high', state: 'ended' }))).toBeLessThan(0);
  });
});
