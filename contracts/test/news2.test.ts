import { describe, it, expect } from 'vitest';
import {
  Consciousness,
  NEWS2_ROUNDING_RULE,
  News2Input,
  News2Parameter,
  News2Response,
  News2Result,
  news2Response,
  roundForNews2,
  scoreNews2,
} from '../src/news2.ts';

/**
 * An independent encoding of the CLINICAL.md chart: explicit [min, max, points] rows over rounded values (temperature
 * in tenths of a degree, so that every row is an integer range). The implementation uses upper-bound ladders instead.
 */
type Row = readonly [min: number, max: number, points: number];
const CHART: Record<'rr' | 'spo2' | 'sbp' | 'hr' | 'temp10', readonly Row[]> = {
  rr: [[0, 8, 3], [9, 11, 1], [12, 20, 0], [21, 24, 2], [25, 200, 3]],
  spo2: [[0, 91, 3], [92, 93, 2], [94, 95, 1], [96, 100, 0]],
  sbp: [[0, 90, 3], [91, 100, 2], [101, 110, 1], [111, 219, 0], [220, 400, 3]],
  hr: [[0, 40, 3], [41, 50, 1], [51, 90, 0], [91, 110, 1], [111, 130, 2], [131, 400, 3]],
  temp10: [[0, 350, 3], [351, 360, 1], [361, 380, 0], [381, 390, 1], [391, 500, 2]],
};
/** Scale 2: rows per oxygen status (undefined oxygen counts as air). */
const SCALE2_AIR: readonly Row[] = [[0, 83, 3], [84, 85, 2], [86, 87, 1], [88, 100, 0]];
const SCALE2_O2: readonly Row[] = [[0, 83, 3], [84, 85, 2], [86, 87, 1], [88, 92, 0], [93, 94, 1], [95, 96, 2], [97, 100, 3]];

function lookup(rows: readonly Row[], value: number): number {
  const row = rows.find(([min, max]) => value >= min && value <= max);
  if (!row) throw new Error(`test chart has no row for ${value}`);
  return row[2];
}

const points = (input: Parameters<typeof scoreNews2>[0], p: News2Parameter) => scoreNews2(input).parameters[p]?.points;

describe('NEWS2 band boundaries, both sides (CLINICAL.md)', () => {
  it.each([
    [8, 3], [9, 1], [11, 1], [12, 0], [20, 0], [21, 2], [24, 2], [25, 3], [0, 3], [60, 3],
  ])('respiration rate %d /min → %d', (rr, expected) => {
    expect(points({ rr }, 'rr')).toBe(expected);
  });

  it.each([
    [91, 3], [92, 2], [93, 2], [94, 1], [95, 1], [96, 0], [100, 0], [0, 3],
  ])('SpO2 scale 1 %d %% → %d, on air or oxygen', (spo2, expected) => {
    expect(points({ spo2, spo2Scale: 1 }, 'spo2')).toBe(expected);
    expect(points({ spo2, spo2Scale: 1, onOxygen: true }, 'spo2')).toBe(expected);
    expect(points({ spo2, spo2Scale: 1, onOxygen: false }, 'spo2')).toBe(expected);
    expect(points({ spo2 }, 'spo2')).toBe(expected); // scale 1 is the default
  });

  it.each([
    // [spo2, air, oxygen]
    [83, 3, 3], [84, 2, 2], [85, 2, 2], [86, 1, 1], [87, 1, 1], [88, 0, 0], [92, 0, 0],
    [93, 0, 1], [94, 0, 1], [95, 0, 2], [96, 0, 2], [97, 0, 3], [100, 0, 3], [0, 3, 3],
  ])('SpO2 scale 2 %d %% → %d on air, %d on oxygen', (spo2, air, o2) => {
    expect(points({ spo2, spo2Scale: 2, onOxygen: false }, 'spo2')).toBe(air);
    expect(points({ spo2, spo2Scale: 2, onOxygen: true }, 'spo2')).toBe(o2);
    // Oxygen not recorded: scored as air, and the o2 parameter is missing.
    expect(points({ spo2, spo2Scale: 2 }, 'spo2')).toBe(air);
  });

  it('air or oxygen: oxygen 2, air 0, not recorded missing', () => {
    expect(scoreNews2({ onOxygen: true }).parameters.o2).toEqual({ value: true, points: 2 });
    expect(scoreNews2({ onOxygen: false }).parameters.o2).toEqual({ value: false, points: 0 });
    expect(scoreNews2({}).parameters.o2).toBeUndefined();
    expect(scoreNews2({}).missing).toContain('o2');
  });

  it.each([
    [90, 3], [91, 2], [100, 2], [101, 1], [110, 1], [111, 0], [219, 0], [220, 3], [0, 3], [300, 3],
  ])('systolic BP %d mmHg → %d', (sbp, expected) => {
    expect(points({ sbp }, 'sbp')).toBe(expected);
  });

  it.each([
    [40, 3], [41, 1], [50, 1], [51, 0], [90, 0], [91, 1], [110, 1], [111, 2], [130, 2], [131, 3], [0, 3], [300, 3],
  ])('pulse %d /min → %d', (hr, expected) => {
    expect(points({ hr }, 'hr')).toBe(expected);
  });

  it.each([
    ['alert', 0], ['confusion', 3], ['voice', 3], ['pain', 3], ['unresponsive', 3],
  ] as const)('consciousness %s → %d', (consciousness, expected) => {
    expect(scoreNews2({ consciousness }).parameters.consciousness).toEqual({ value: consciousness, points: expected });
  });

  it.each([
    [35.0, 3], [35.1, 1], [36.0, 1], [36.1, 0], [38.0, 0], [38.1, 1], [39.0, 1], [39.1, 2], [30, 3], [42, 2],
  ])('temperature %d °C → %d', (temp, expected) => {
    expect(points({ temp }, 'temp')).toBe(expected);
  });
});

describe('rounding rule', () => {
  it.each([
    ['temp', 35.05, 35.1], // 35.05 is 35.04999… in binary, still 35.1
    ['temp', 38.05, 38.1],
    ['temp', 35.049, 35.0],
    ['temp', 36.04, 36.0],
    ['temp', 39.05, 39.1],
    ['temp', 0.05, 0.1],
    ['rr', 20.5, 21],
    ['rr', 20.4, 20],
    ['rr', 20.49999, 20],
    ['spo2', 91.5, 92],
    ['sbp', 90.5, 91],
    ['hr', 130.5, 131],
    ['hr', 0.5, 1],
    ['rr', -0.5, -1], // half away from zero on both sides
    ['temp', -35.05, -35.1],
  ] as const)('%s %d → %d', (parameter, value, expected) => {
    expect(roundForNews2(parameter, value)).toBe(expected);
  });

  it('never returns -0, and NaN for non-finite input', () => {
    expect(Object.is(roundForNews2('rr', -0.4), 0)).toBe(true);
    expect(Object.is(roundForNews2('temp', -0.04), 0)).toBe(true);
    expect(roundForNews2('hr', Number.NaN)).toBeNaN();
    expect(roundForNews2('hr', Infinity)).toBeNaN();
  });

  it('rounds every hundredth of a degree 0.00–99.99 as decimal arithmetic would (half up on the written digits)', () => {
    for (let k = 0; k < 10_000; k++) {
      const tenths = Math.floor(k / 10) + (k % 10 >= 5 ? 1 : 0);
      expect(roundForNews2('temp', k / 100), `${k / 100}`).toBe(tenths / 10);
    }
  });

  it('rounds the mean of two adjacent tenths up, as a window mean fed to the score would be', () => {
    // (35.3 + 35.4) / 2 is 35.349999999999994 in binary: only the epsilon places it at 35.4.
    expect(roundForNews2('temp', (35.3 + 35.4) / 2)).toBe(35.4);
    for (let k = 250; k < 450; k++) {
      const mean = (k / 10 + (k + 1) / 10) / 2;
      expect(roundForNews2('temp', mean), `${k / 10}…${(k + 1) / 10}`).toBe((k + 1) / 10);
    }
    expect(scoreNews2({ temp: (38.0 + 38.1) / 2 }).parameters.temp).toEqual({ value: 38.1, points: 1 });
  });

  it('rounds every tenth 0.0–399.9 to the nearest integer, .5 up', () => {
    for (let k = 0; k < 4000; k++) {
      const whole = Math.floor(k / 10) + (k % 10 >= 5 ? 1 : 0);
      for (const p of ['rr', 'spo2', 'sbp', 'hr'] as const) expect(roundForNews2(p, k / 10), `${p} ${k / 10}`).toBe(whole);
    }
  });

  it('places non-integer observations by their rounded value, and reports that value', () => {
    expect(scoreNews2({ rr: 20.4 }).parameters.rr).toEqual({ value: 20, points: 0 });
    expect(scoreNews2({ rr: 20.5 }).parameters.rr).toEqual({ value: 21, points: 2 });
    expect(scoreNews2({ rr: 8.5 }).parameters.rr).toEqual({ value: 9, points: 1 });
    expect(scoreNews2({ temp: 35.05 }).parameters.temp).toEqual({ value: 35.1, points: 1 });
    expect(scoreNews2({ temp: 35.04 }).parameters.temp).toEqual({ value: 35.0, points: 3 });
    expect(scoreNews2({ temp: 39.05 }).parameters.temp).toEqual({ value: 39.1, points: 2 });
    expect(scoreNews2({ temp: 38.04 }).parameters.temp).toEqual({ value: 38.0, points: 0 });
    expect(scoreNews2({ temp: 38.05 }).parameters.temp).toEqual({ value: 38.1, points: 1 });
    expect(scoreNews2({ temp: 36.05 }).parameters.temp).toEqual({ value: 36.1, points: 0 });
    expect(scoreNews2({ spo2: 95.5 }).parameters.spo2).toEqual({ value: 96, points: 0 });
    expect(scoreNews2({ spo2: 92.5, spo2Scale: 2, onOxygen: true }).parameters.spo2).toEqual({ value: 93, points: 1 });
    expect(scoreNews2({ sbp: 219.5 }).parameters.sbp).toEqual({ value: 220, points: 3 });
    expect(scoreNews2({ hr: 90.4 }).parameters.hr).toEqual({ value: 90, points: 0 });
  });

  it('states the rule in one sentence with its examples', () => {
    expect(NEWS2_ROUNDING_RULE).toMatch(/one decimal for temperature/);
    expect(NEWS2_ROUNDING_RULE).toContain('35.05 °C → 35.1');
    expect(NEWS2_ROUNDING_RULE).toContain('20.5 /min → 21');
    expect(NEWS2_ROUNDING_RULE.trim().split(/\.\s+[A-Z]/)).toHaveLength(1);
  });
});

describe('whole-range walk against the independent chart', () => {
  /** Points rise (or stay) from the normal band outwards in both directions: a V shape with a 0 band. */
  function expectVShape(series: number[], label: string): void {
    const zeroAt = series.indexOf(0);
    expect(zeroAt, `${label}: a 0 band`).toBeGreaterThanOrEqual(0);
    for (let i = 1; i < series.length; i++) {
      const [prev, cur] = [series[i - 1]!, series[i]!];
      if (i <= zeroAt) expect(cur, `${label} step ${i}`).toBeLessThanOrEqual(prev);
      else expect(cur, `${label} step ${i}`).toBeGreaterThanOrEqual(prev);
    }
  }

  it.each([
    ['rr', 0, 60],
    ['spo2', 0, 100],
    ['sbp', 0, 300],
    ['hr', 0, 300],
  ] as const)('%s: every integer and every half step %d–%d', (p, from, to) => {
    const series: number[] = [];
    for (let v: number = from; v <= to; v++) {
      const got = points({ [p]: v }, p)!;
      expect(got, `${p} ${v}`).toBe(lookup(CHART[p], v));
      series.push(got);
      if (v === to) continue;
      // v + 0.49 stays in v's band, v + 0.5 moves to v + 1's band.
      expect(points({ [p]: v + 0.49 }, p), `${p} ${v + 0.49}`).toBe(lookup(CHART[p], v));
      expect(points({ [p]: v + 0.5 }, p), `${p} ${v + 0.5}`).toBe(lookup(CHART[p], v + 1));
    }
    expectVShape(series, p);
  });

  it('temp: every tenth and every half tenth 25.0–45.0 °C', () => {
    const series: number[] = [];
    for (let k = 250; k <= 450; k++) {
      const v = k / 10;
      const got = points({ temp: v }, 'temp')!;
      expect(got, `temp ${v}`).toBe(lookup(CHART.temp10, k));
      series.push(got);
      expect(points({ temp: (k + 0.4) / 10 }, 'temp'), `temp ${(k + 0.4) / 10}`).toBe(lookup(CHART.temp10, k));
      expect(points({ temp: (k + 0.5) / 10 }, 'temp'), `temp ${(k + 0.5) / 10}`).toBe(lookup(CHART.temp10, k + 1));
    }
    expectVShape(series, 'temp');
  });

  it('SpO2 scale 2: every integer 0–100 on air, on oxygen and not recorded', () => {
    const onO2: number[] = [];
    for (let v = 0; v <= 100; v++) {
      expect(points({ spo2: v, spo2Scale: 2, onOxygen: false }, 'spo2'), `air ${v}`).toBe(lookup(SCALE2_AIR, v));
      expect(points({ spo2: v, spo2Scale: 2 }, 'spo2'), `unrecorded ${v}`).toBe(lookup(SCALE2_AIR, v));
      const got = points({ spo2: v, spo2Scale: 2, onOxygen: true }, 'spo2')!;
      expect(got, `O2 ${v}`).toBe(lookup(SCALE2_O2, v));
      onO2.push(got);
    }
    expectVShape(onO2, 'spo2 scale 2 on O2');
  });

  it('the test chart itself covers each range without gaps or overlaps', () => {
    for (const rows of [...Object.values(CHART), SCALE2_AIR, SCALE2_O2]) {
      rows.forEach(([min, max], i) => {
        expect(min).toBeLessThanOrEqual(max);
        if (i > 0) expect(min).toBe(rows[i - 1]![1] + 1);
      });
    }
  });
});

describe('response thresholds', () => {
  it.each([
    [0, false, 'routine'],
    [1, false, 'low'],
    [4, false, 'low'],
    [3, true, 'low-medium'], // a single 3 lifts a low total
    [4, true, 'low-medium'],
    [5, false, 'medium'],
    [6, false, 'medium'],
    [5, true, 'medium'], // the more urgent band wins
    [6, true, 'medium'],
    [7, false, 'high'],
    [7, true, 'high'],
    [20, true, 'high'],
  ] as const)('total %d, single 3: %s → %s', (total, three, expected) => {
    expect(news2Response(total, three)).toBe(expected);
  });

  it('rejects totals that cannot be NEWS2 sums', () => {
    for (const bad of [-1, 1.5, Number.NaN, Infinity]) expect(() => news2Response(bad, false)).toThrow(RangeError);
  });

  it('applies through scoreNews2', () => {
    expect(scoreNews2({ consciousness: 'voice' })).toMatchObject({ total: 3, anySingleThree: true, response: 'low-medium' });
    expect(scoreNews2({ rr: 22, hr: 95 })).toMatchObject({ total: 3, anySingleThree: false, response: 'low' });
    expect(scoreNews2({ rr: 25, hr: 95, temp: 38.5 })).toMatchObject({ total: 5, anySingleThree: true, response: 'medium' });
    expect(scoreNews2({ rr: 25, sbp: 85, temp: 38.5 })).toMatchObject({ total: 7, anySingleThree: true, response: 'high' });
    expect(scoreNews2({ rr: 10, spo2: 95, sbp: 105, hr: 45, temp: 38.5 })).toMatchObject({ total: 5, anySingleThree: false, response: 'medium' });
  });
});

describe('scoreNews2', () => {
  const full = { rr: 22, spo2: 93, onOxygen: true, sbp: 105, hr: 115, consciousness: 'alert', temp: 38.5 } as const;

  it('scores a complete set', () => {
    const result = scoreNews2(full);
    expect(result).toEqual({
      total: 2 + 2 + 2 + 1 + 2 + 0 + 1,
      parameters: {
        rr: { value: 22, points: 2 },
        spo2: { value: 93, points: 2 },
        o2: { value: true, points: 2 },
        sbp: { value: 105, points: 1 },
        hr: { value: 115, points: 2 },
        consciousness: { value: 'alert', points: 0 },
        temp: { value: 38.5, points: 1 },
      },
      missing: [],
      complete: true,
      anySingleThree: false,
      response: 'high',
      spo2Scale: 1,
    });
    expect(News2Result.parse(result)).toEqual(result);
  });

  it('reaches the chart maximum of 20', () => {
    const worst = scoreNews2({ rr: 30, spo2: 80, onOxygen: true, sbp: 80, hr: 150, consciousness: 'unresponsive', temp: 34 });
    expect(worst.total).toBe(20);
    expect(News2Result.parse(worst).total).toBe(20);
  });

  it('reports a partial score as partial, never padded, with missing in parameter order', () => {
    const result = scoreNews2({ temp: 39.5, hr: 120 });
    expect(result.total).toBe(4);
    expect(result.complete).toBe(false);
    expect(result.missing).toEqual(['rr', 'spo2', 'o2', 'sbp', 'consciousness']);
    expect(Object.keys(result.parameters)).toEqual(['hr', 'temp']);
    expect(result.response).toBe('low');

    const empty = scoreNews2({});
    expect(empty).toMatchObject({ total: 0, complete: false, anySingleThree: false, response: 'routine', parameters: {} });
    expect(empty.missing).toEqual(News2Parameter.options);

    const { temp: _t, ...withoutTemp } = full;
    expect(scoreNews2(withoutTemp)).toMatchObject({ total: 9, complete: false, missing: ['temp'] });
  });

  it('carries the scale, defaulting to 1', () => {
    expect(scoreNews2({}).spo2Scale).toBe(1);
    expect(scoreNews2({ spo2Scale: 2 }).spo2Scale).toBe(2);
    expect(News2Input.parse({}).spo2Scale).toBe(1);
  });

  it('rejects malformed input instead of scoring it', () => {
    for (const bad of [
      { rr: Number.NaN },
      { hr: Infinity },
      { sbp: -1 },
      { spo2: 100.5 },
      { spo2Scale: 3 },
      { consciousness: 'drowsy' },
      { onOxygen: 'yes' },
      { heartRate: 80 },
    ]) {
      expect(() => scoreNews2(bad as never), JSON.stringify(bad)).toThrow();
    }
  });

  it('exposes the enums in chart order', () => {
    expect(Consciousness.options).toEqual(['alert', 'confusion', 'voice', 'pain', 'unresponsive']);
    expect(News2Parameter.options).toEqual(['rr', 'spo2', 'o2', 'sbp', 'hr', 'consciousness', 'temp']);
    expect(News2Response.options).toEqual(['routine', 'low', 'low-medium', 'medium', 'high']);
  });
});
