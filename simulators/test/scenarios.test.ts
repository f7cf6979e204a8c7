import { describe, it, expect } from 'vitest';
import type { TrueVitals } from '../src/physiology.ts';
import { createScenarioEffect, parseScenario, SCENARIO_TYPES } from '../src/scenarios.ts';

const T0 = 1_760_000_000_000;
const BASE: TrueVitals = { hr: 80, spo2: 97, rr: 15, sbp: 120, dbp: 75, temp: 36.8 };

function applied(effect: NonNullable<ReturnType<typeof createScenarioEffect>>, t: number): TrueVitals {
  const v = { ...BASE };
  effect.apply(t, v);
  return v;
}

describe('parseScenario', () => {
  it.each([
    ['tachycardia@10s+20s', { type: 'tachycardia', onsetMs: 10_000, rampMs: 20_000 }],
    ['tachycardia', { type: 'tachycardia', onsetMs: 0, rampMs: 60_000 }],
    ['hypoxaemia@2m', { type: 'hypoxaemia', onsetMs: 120_000, rampMs: 60_000 }],
    ['hypotension+0s', { type: 'hypotension', onsetMs: 0, rampMs: 0 }],
    ['tachycardia@1.5m+0.5s', { type: 'tachycardia', onsetMs: 90_000, rampMs: 500 }],
    ['stable', { type: 'stable', onsetMs: 0, rampMs: 60_000 }],
  ])('parses %s', (text, spec) => {
    expect(parseScenario(text)).toEqual(spec);
  });

  it.each(['', 'sepsis', 'Tachycardia', 'tachycardia@10', 'tachycardia@10h', 'tachycardia@-5s', 'tachycardia+20s@10s', 'tachycardia@10s+', ' tachycardia', 'tachycardia@10s+20s '])(
    'rejects %j',
    (text) => {
      expect(() => parseScenario(text)).toThrow(`invalid scenario ${JSON.stringify(text)}`);
    },
  );

  it('lists the known types in its error', () => {
    expect(() => parseScenario('x')).toThrow(SCENARIO_TYPES.join(', '));
  });
});

describe('createScenarioEffect', () => {
  it('stable has no effect', () => {
    expect(createScenarioEffect({ type: 'stable', onsetMs: 0, rampMs: 0 }, T0)).toBeNull();
  });

  it('tachycardia: nothing before onset, linear over the ramp, the full 72 bpm after the peak', () => {
    const effect = createScenarioEffect({ type: 'tachycardia', onsetMs: 10_000, rampMs: 20_000 }, T0)!;
    const hr = (t: number) => applied(effect, t).hr - BASE.hr;
    expect(hr(T0)).toBe(0);
    expect(hr(T0 + 9_999)).toBe(0);
    expect(hr(T0 + 10_000)).toBe(0);
    expect(hr(T0 + 15_000)).toBe(18);
    expect(hr(T0 + 20_000)).toBe(36);
    expect(hr(T0 + 25_000)).toBe(54);
    expect(hr(T0 + 30_000)).toBe(72);
    expect(hr(T0 + 3_600_000)).toBe(72);
    // Only heart rate changes.
    const { hr: _hr, ...rest } = applied(effect, T0 + 30_000);
    const { hr: _baseHr, ...baseRest } = BASE;
    expect(rest).toEqual(baseRest);
  });

  it('a zero ramp applies the full effect at onset', () => {
    const effect = createScenarioEffect({ type: 'tachycardia', onsetMs: 5_000, rampMs: 0 }, T0)!;
    expect(applied(effect, T0 + 4_999).hr).toBe(80);
    expect(applied(effect, T0 + 5_000).hr).toBe(152);
  });

  it('couples the channels of hypoxaemia and hypotension', () => {
    const hypox = createScenarioEffect({ type: 'hypoxaemia', onsetMs: 0, rampMs: 0 }, T0)!;
    expect(applied(hypox, T0)).toEqual({ ...BASE, spo2: 83, rr: 25, hr: 98 });
    const hypot = createScenarioEffect({ type: 'hypotension', onsetMs: 0, rampMs: 0 }, T0)!;
    expect(applied(hypot, T0)).toEqual({ ...BASE, sbp: 75, dbp: 50, hr: 110 });
  });

  it('records its ground-truth episode', () => {
    expect(createScenarioEffect({ type: 'tachycardia', onsetMs: 10_000, rampMs: 20_000 }, T0)?.episode).toEqual({
      type: 'tachycardia',
      onset: T0 + 10_000,
      peak: T0 + 30_000,
      offset: null,
      severity: 'severe',
      affected: ['hr'],
    });
    expect(createScenarioEffect({ type: 'hypoxaemia', onsetMs: 0, rampMs: 60_000 }, T0)?.episode).toEqual({
      type: 'hypoxaemia',
      onset: T0,
      peak: T0 + 60_000,
      offset: null,
      severity: 'severe',
      affected: ['spo2', 'rr', 'hr'],
    });
    // A negative ramp is treated as none.
    expect(createScenarioEffect({ type: 'hypotension', onsetMs: 1_000, rampMs: -5 }, T0)?.episode.peak).toBe(T0 + 1_000);
  });
});
