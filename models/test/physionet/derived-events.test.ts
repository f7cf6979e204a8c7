import { GroundTruthEvent, type VitalCode } from '@vigil/contracts';
import { describe, expect, it } from 'vitest';
import { DERIVED_EVENT_RULES, deriveEvents, deriveRuleEvents, type DerivedReading } from '../../src/physionet/index.ts';

const H = 3_600_000;
const T0 = 1_325_376_000_000;
const stay = { patientId: 'physionet-1', bedId: 'physionet-1' };
const at = (hours: number, code: VitalCode | 'SaO2', value: number, quality: DerivedReading['quality'] = 'good'): DerivedReading => ({
  t: T0 + hours * H, code, value, quality,
});
const hypotension = DERIVED_EVENT_RULES.find((r) => r.id === 'hypotension')!;

describe('derived events', () => {
  it('sustained hypotension: onset at the first low MAP, offset at the first MAP >= 65, peak at the lowest', () => {
    const readings = [
      at(0, 'abpMean', 70),
      at(1, 'abpMean', 60),
      at(1.5, 'abpMean', 0, 'artifact'), // a failed reading neither breaks nor makes a run
      at(2, 'abpMean', 58),
      at(2.5, 'nibpMean', 61), // no line reading at 2.5 h: the cuff is the measurement
      at(3, 'abpMean', 66),
      at(3, 'nibpMean', 50), // the line wins over the cuff at the same time
    ];
    const [event, ...rest] = deriveRuleEvents(hypotension, readings, stay);
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      id: 'physionet-1-hypotension-1', category: 'clinical', type: 'sepsis', onset: T0 + H, peak: T0 + 2 * H, offset: T0 + 3 * H,
      severity: 'moderate', affected: ['abpMean', 'nibpMean'],
    });
    expect(event!.detail).toMatch(/sustained hypotension, MAP < 65.*not a sepsis label/);
    expect(() => GroundTruthEvent.parse(event)).not.toThrow();
  });

  it('needs >= 1 h of low readings, every one low, at least two of them', () => {
    expect(deriveRuleEvents(hypotension, [at(0, 'abpMean', 60), at(0.5, 'abpMean', 60), at(1, 'abpMean', 80)], stay)).toEqual([]);
    expect(deriveRuleEvents(hypotension, [at(0, 'abpMean', 60)], stay)).toEqual([]);
    expect(deriveRuleEvents(hypotension, [at(0, 'abpMean', 60), at(0.5, 'abpMean', 70), at(1, 'abpMean', 60)], stay)).toEqual([]);
    // Two values at one time (a duplicate row): the time is low only if both are.
    expect(deriveRuleEvents(hypotension, [at(0, 'abpMean', 60), at(1, 'abpMean', 60), at(1, 'abpMean', 65)], stay)).toEqual([]);
  });

  it('leaves the offset null when the data end during the episode, and grades MAP < 55 severe', () => {
    const [event] = deriveRuleEvents(hypotension, [at(5, 'nibpMean', 60), at(6, 'nibpMean', 54), at(7, 'nibpMean', 62)], stay);
    expect(event).toMatchObject({ onset: T0 + 5 * H, peak: T0 + 6 * H, offset: null, severity: 'severe' });
  });

  it('tachycardia and arterial hypoxaemia, ordered by onset; SaO2 never marks spo2 as affected', () => {
    const events = deriveEvents([
      at(2, 'hr', 135), at(3, 'hr', 140), at(4, 'hr', 120),
      at(1, 'SaO2', 88), at(2.5, 'SaO2', 87), at(4, 'SaO2', 95),
      at(1, 'abpMean', 80),
    ], stay);
    expect(events.map((e) => [e.type, e.onset, e.offset, e.affected])).toEqual([
      ['hypoxaemia', T0 + H, T0 + 4 * H, []],
      ['tachyarrhythmia', T0 + 2 * H, T0 + 4 * H, ['hr']],
    ]);
    for (const e of events) expect(() => GroundTruthEvent.parse(e)).not.toThrow();
  });

  it('numbers several episodes of one rule in order', () => {
    const readings = [0, 1, 2, 3, 4, 5].map((h) => at(h, 'abpMean', h === 2 ? 80 : 60));
    expect(deriveRuleEvents(hypotension, readings, stay).map((e) => [e.id, e.onset, e.offset])).toEqual([
      ['physionet-1-hypotension-1', T0, T0 + 2 * H],
      ['physionet-1-hypotension-2', T0 + 3 * H, null],
    ]);
  });
});
