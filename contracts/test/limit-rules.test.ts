import { describe, it, expect } from 'vitest';
import type { SampleQuality, VitalCode } from '@vigil/contracts';
import { DEFAULT_LIMIT_RULES, LimitRuleEngine, type RuleEvent, type RuleInput } from '../src/limit-rules.ts';

const T0 = 1_760_000_000_000;

function input(
  t: number,
  vitals: Partial<Record<VitalCode, number>>,
  opts: { patientId?: string; late?: boolean; quality?: Partial<Record<VitalCode, SampleQuality>> } = {},
): RuleInput {
  return { patientId: opts.patientId ?? 'pt-1', t, late: opts.late ?? false, vitals, quality: opts.quality ?? {} };
}

/** Events as plain data, with the rule reduced to its code. */
function summary(events: RuleEvent[]) {
  return events.map(({ rule, ...rest }) => ({ code: rule.code, ...rest }));
}

/** Feed samples and return all events, flattened. */
function feed(engine: LimitRuleEngine, inputs: RuleInput[]) {
  return summary(inputs.flatMap((i) => engine.evaluate(i)));
}

describe('DEFAULT_LIMIT_RULES', () => {
  it('holds the documented limits, delays and latching', () => {
    const byCode = Object.fromEntries(DEFAULT_LIMIT_RULES.map((r) => [r.code, [r.vitals.join('|'), r.comparator, r.limit, r.delayMs, r.latching, r.priority]]));
    expect(byCode).toEqual({
      HR_HIGH: ['hr', '>', 130, 10_000, false, 'medium'],
      HR_LOW: ['hr', '<', 40, 5_000, true, 'high'],
      SPO2_LOW: ['spo2', '<', 90, 15_000, true, 'high'],
      RR_HIGH: ['rr', '>', 24, 10_000, false, 'medium'],
      RR_LOW: ['rr', '<', 8, 10_000, true, 'high'],
      SBP_LOW: ['abpSys|nibpSys', '<', 90, 10_000, true, 'high'],
      TEMP_HIGH: ['temp', '>', 39, 60_000, false, 'low'],
    });
  });
});

describe('LimitRuleEngine: condition delay', () => {
  it('raises exactly delayMs after the first violating sample, not before', () => {
    const engine = new LimitRuleEngine();
    expect(feed(engine, [input(T0, { hr: 140 }), input(T0 + 5_000, { hr: 150 }), input(T0 + 9_999, { hr: 145 })])).toEqual([]);
    expect(feed(engine, [input(T0 + 10_000, { hr: 142 })])).toEqual([
      { code: 'HR_HIGH', type: 'raise', patientId: 'pt-1', onsetAt: T0, raisedAt: T0 + 10_000, vital: 'hr', value: 142 },
    ]);
  });

  it('raises on the first sample at or after the delay when samples are sparse', () => {
    const engine = new LimitRuleEngine();
    expect(feed(engine, [input(T0 + 1_000, { hr: 135 }), input(T0 + 8_000, { hr: 135 }), input(T0 + 13_000, { hr: 136 })])).toEqual([
      { code: 'HR_HIGH', type: 'raise', patientId: 'pt-1', onsetAt: T0 + 1_000, raisedAt: T0 + 13_000, vital: 'hr', value: 136 },
    ]);
  });

  it('uses each rule\u2019s own delay (SpO2 15 s, HR low 5 s)', () => {
    const engine = new LimitRuleEngine();
    const events = feed(engine, [
      input(T0, { hr: 35, spo2: 85 }),
      input(T0 + 5_000, { hr: 35, spo2: 85 }),
      input(T0 + 14_999, { hr: 35, spo2: 85 }),
      input(T0 + 15_000, { hr: 35, spo2: 85 }),
    ]);
    expect(events.map((e) => [e.code, e.type, e.type === 'raise' ? e.raisedAt - T0 : null])).toEqual([
      ['HR_LOW', 'raise', 5_000],
      ['SPO2_LOW', 'raise', 15_000],
    ]);
  });

  it('does not raise a second time within the same episode', () => {
    const engine = new LimitRuleEngine();
    const events = feed(engine, Array.from({ length: 61 }, (_, i) => input(T0 + i * 1_000, { hr: 140 + (i % 5) })));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'raise', onsetAt: T0, raisedAt: T0 + 10_000 });
  });

  it('a value back in range before the delay elapses restarts the onset', () => {
    const engine = new LimitRuleEngine();
    expect(feed(engine, [input(T0, { hr: 140 }), input(T0 + 5_000, { hr: 100 }), input(T0 + 6_000, { hr: 140 }), input(T0 + 15_999, { hr: 140 })])).toEqual([]);
    expect(feed(engine, [input(T0 + 16_000, { hr: 140 })])).toEqual([
      { code: 'HR_HIGH', type: 'raise', patientId: 'pt-1', onsetAt: T0 + 6_000, raisedAt: T0 + 16_000, vital: 'hr', value: 140 },
    ]);
  });
});

describe('LimitRuleEngine: clearing and new episodes', () => {
  it('clears when the value returns in range, and a later episode gets a new onset', () => {
    const engine = new LimitRuleEngine();
    feed(engine, [input(T0, { hr: 140 }), input(T0 + 10_000, { hr: 140 })]);
    expect(feed(engine, [input(T0 + 20_000, { hr: 120 })])).toEqual([
      { code: 'HR_HIGH', type: 'clear', patientId: 'pt-1', at: T0 + 20_000, vital: 'hr', value: 120 },
    ]);
    // In range again: no second clear.
    expect(feed(engine, [input(T0 + 21_000, { hr: 110 })])).toEqual([]);
    expect(feed(engine, [input(T0 + 30_000, { hr: 138 }), input(T0 + 39_999, { hr: 138 })])).toEqual([]);
    expect(feed(engine, [input(T0 + 40_000, { hr: 139 })])).toEqual([
      { code: 'HR_HIGH', type: 'raise', patientId: 'pt-1', onsetAt: T0 + 30_000, raisedAt: T0 + 40_000, vital: 'hr', value: 139 },
    ]);
  });

  it('never clears a condition that was not raised', () => {
    const engine = new LimitRuleEngine();
    expect(feed(engine, [input(T0, { hr: 140 }), input(T0 + 9_000, { hr: 80 })])).toEqual([]);
  });
});

describe('LimitRuleEngine: quality', () => {
  it('a value of poor quality does not start a condition', () => {
    const engine = new LimitRuleEngine();
    const events = feed(engine, [
      input(T0, { hr: 180 }, { quality: { hr: 'artifact' } }),
      input(T0 + 1_000, { hr: 140 }, { quality: { hr: 'good' } }),
      input(T0 + 10_000, { hr: 140 }, { quality: { hr: 'questionable' } }),
      input(T0 + 10_500, { hr: 140 }, { quality: { hr: 'sensor_off' } }),
      input(T0 + 11_000, { hr: 140 }),
    ]);
    expect(events).toEqual([{ code: 'HR_HIGH', type: 'raise', patientId: 'pt-1', onsetAt: T0 + 1_000, raisedAt: T0 + 11_000, vital: 'hr', value: 140 }]);
  });

  it('only poor-quality values never raise, however long they last', () => {
    const engine = new LimitRuleEngine();
    const events = feed(engine, Array.from({ length: 30 }, (_, i) => input(T0 + i * 1_000, { hr: 200 }, { quality: { hr: 'artifact' } })));
    expect(events).toEqual([]);
  });

  it('a value of poor quality neither resets the onset nor ends a raised condition', () => {
    const engine = new LimitRuleEngine();
    const raised = feed(engine, [
      input(T0, { hr: 140 }),
      input(T0 + 5_000, { hr: 70 }, { quality: { hr: 'sensor_off' } }),
      input(T0 + 10_000, { hr: 140 }),
    ]);
    expect(raised).toEqual([{ code: 'HR_HIGH', type: 'raise', patientId: 'pt-1', onsetAt: T0, raisedAt: T0 + 10_000, vital: 'hr', value: 140 }]);
    expect(feed(engine, [input(T0 + 12_000, { hr: 70 }, { quality: { hr: 'artifact' } }), input(T0 + 13_000, { hr: 70 }, { quality: { hr: 'questionable' } })])).toEqual([]);
    expect(feed(engine, [input(T0 + 14_000, { hr: 70 })])).toEqual([
      { code: 'HR_HIGH', type: 'clear', patientId: 'pt-1', at: T0 + 14_000, vital: 'hr', value: 70 },
    ]);
  });
});

describe('LimitRuleEngine: late and out-of-order samples', () => {
  it('late samples never raise', () => {
    const engine = new LimitRuleEngine();
    const late = Array.from({ length: 30 }, (_, i) => input(T0 + i * 1_000, { hr: 150 }, { late: true }));
    expect(feed(engine, late)).toEqual([]);
  });

  it('a late sample does not start the onset of a later live episode', () => {
    const engine = new LimitRuleEngine();
    expect(feed(engine, [input(T0, { hr: 150 }, { late: true }), input(T0 + 5_000, { hr: 150 }), input(T0 + 14_999, { hr: 150 })])).toEqual([]);
    expect(feed(engine, [input(T0 + 15_000, { hr: 150 })])).toEqual([
      { code: 'HR_HIGH', type: 'raise', patientId: 'pt-1', onsetAt: T0 + 5_000, raisedAt: T0 + 15_000, vital: 'hr', value: 150 },
    ]);
  });

  it('a late in-range sample does not clear a raised condition', () => {
    const engine = new LimitRuleEngine();
    feed(engine, [input(T0, { hr: 150 }), input(T0 + 10_000, { hr: 150 })]);
    expect(feed(engine, [input(T0 + 11_000, { hr: 80 }, { late: true })])).toEqual([]);
    expect(feed(engine, [input(T0 + 12_000, { hr: 80 })]).map((e) => e.type)).toEqual(['clear']);
  });

  it('samples at or before the last seen time cause no transition', () => {
    const engine = new LimitRuleEngine();
    feed(engine, [input(T0, { hr: 150 }), input(T0 + 10_000, { hr: 150 })]);
    expect(feed(engine, [input(T0 + 5_000, { hr: 80 }), input(T0 + 10_000, { hr: 80 })])).toEqual([]);
    expect(feed(engine, [input(T0 + 10_001, { hr: 80 })])).toEqual([
      { code: 'HR_HIGH', type: 'clear', patientId: 'pt-1', at: T0 + 10_001, vital: 'hr', value: 80 },
    ]);
    // An old violating sample neither starts an onset nor raises.
    expect(feed(engine, [input(T0 + 20_000, { hr: 80 }), input(T0 + 1_000, { hr: 150 }), input(T0 + 25_000, { hr: 80 })])).toEqual([]);
  });
});

describe('LimitRuleEngine: rules over several vitals', () => {
  it.each([
    ['abpSys', { abpSys: 85 }],
    ['nibpSys', { nibpSys: 80 }],
  ] as const)('SBP_LOW raises on %s', (vital, vitals) => {
    const engine = new LimitRuleEngine();
    const events = feed(engine, [input(T0, vitals), input(T0 + 10_000, vitals)]);
    expect(events).toEqual([{ code: 'SBP_LOW', type: 'raise', patientId: 'pt-1', onsetAt: T0, raisedAt: T0 + 10_000, vital, value: vitals[vital as keyof typeof vitals] }]);
  });

  it('uses the invasive value when both are good, the non-invasive one when the invasive is not', () => {
    const engine = new LimitRuleEngine();
    expect(feed(engine, [input(T0, { abpSys: 120, nibpSys: 80 }), input(T0 + 10_000, { abpSys: 120, nibpSys: 80 })])).toEqual([]);
    const q = { abpSys: 'artifact' } as const;
    const events = feed(engine, [input(T0 + 11_000, { abpSys: 120, nibpSys: 80 }, { quality: q }), input(T0 + 21_000, { abpSys: 120, nibpSys: 82 }, { quality: q })]);
    expect(events).toEqual([{ code: 'SBP_LOW', type: 'raise', patientId: 'pt-1', onsetAt: T0 + 11_000, raisedAt: T0 + 21_000, vital: 'nibpSys', value: 82 }]);
  });
});

describe('LimitRuleEngine: isolation and boundaries', () => {
  it('keeps each patient\u2019s conditions apart', () => {
    const engine = new LimitRuleEngine();
    const events = feed(engine, [
      input(T0, { hr: 140 }, { patientId: 'pt-1' }),
      input(T0 + 1_000, { hr: 70 }, { patientId: 'pt-2' }),
      input(T0 + 5_000, { hr: 140 }, { patientId: 'pt-2' }),
      input(T0 + 10_000, { hr: 140 }, { patientId: 'pt-1' }),
      input(T0 + 12_000, { hr: 140 }, { patientId: 'pt-2' }),
      // pt-1's clock is ahead; pt-2's earlier time is not out of order for pt-2.
      input(T0 + 20_000, { hr: 80 }, { patientId: 'pt-1' }),
      input(T0 + 15_000, { hr: 140 }, { patientId: 'pt-2' }),
    ]);
    expect(events).toEqual([
      { code: 'HR_HIGH', type: 'raise', patientId: 'pt-1', onsetAt: T0, raisedAt: T0 + 10_000, vital: 'hr', value: 140 },
      { code: 'HR_HIGH', type: 'clear', patientId: 'pt-1', at: T0 + 20_000, vital: 'hr', value: 80 },
      { code: 'HR_HIGH', type: 'raise', patientId: 'pt-2', onsetAt: T0 + 5_000, raisedAt: T0 + 15_000, vital: 'hr', value: 140 },
    ]);
  });

  it('a value equal to the limit is not beyond it', () => {
    const engine = new LimitRuleEngine();
    const atLimit = Array.from({ length: 70 }, (_, i) => input(T0 + i * 1_000, { hr: 130, spo2: 90, rr: 24, abpSys: 90, temp: 39 }));
    expect(feed(engine, atLimit)).toEqual([]);
    const justBeyond = feed(engine, [input(T0 + 100_000, { hr: 130.5 }), input(T0 + 110_000, { hr: 130.5 })]);
    expect(justBeyond.map((e) => [e.code, e.type])).toEqual([['HR_HIGH', 'raise']]);
  });

  it('a value at the limit ends a raised condition', () => {
    const engine = new LimitRuleEngine();
    feed(engine, [input(T0, { spo2: 85 }), input(T0 + 15_000, { spo2: 85 })]);
    expect(feed(engine, [input(T0 + 16_000, { spo2: 90 })])).toEqual([
      { code: 'SPO2_LOW', type: 'clear', patientId: 'pt-1', at: T0 + 16_000, vital: 'spo2', value: 90 },
    ]);
  });

  it('evaluates only the rules it was given', () => {
    const hrHigh = DEFAULT_LIMIT_RULES.find((r) => r.code === 'HR_HIGH')!;
    const engine = new LimitRuleEngine([{ ...hrHigh, limit: 100, delayMs: 0 }]);
    expect(feed(engine, [input(T0, { hr: 101, spo2: 50 })])).toEqual([
      { code: 'HR_HIGH', type: 'raise', patientId: 'pt-1', onsetAt: T0, raisedAt: T0, vital: 'hr', value: 101 },
    ]);
  });
});
