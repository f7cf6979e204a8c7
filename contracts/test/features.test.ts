import { describe, it, expect } from 'vitest';
import type { SampleQuality, VitalCode } from '../src/index.ts';
import {
  DEFAULT_EXPECTED_INTERVAL_MS,
  FEATURE_VITALS,
  FeatureSample,
  FeatureVital,
  WindowFeatures,
  computeWindowFeatures,
  featureValueOf,
  featureVector,
} from '../src/features.ts';

const T0 = 1_760_000_000_000;
const W10 = { start: T0, end: T0 + 10_000 }; // ten 1 s slots

/** Least-squares slope, textbook form, for checking. */
function lsq(ts: number[], xs: number[]): number {
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  const [mt, mx] = [mean(ts), mean(xs)];
  return ts.reduce((s, t, i) => s + (t - mt) * (xs[i]! - mx), 0) / ts.reduce((s, t) => s + (t - mt) ** 2, 0);
}

function sample(dtMs: number, vitals: Partial<Record<VitalCode, number>>, quality: Partial<Record<VitalCode, SampleQuality>> = {}): FeatureSample {
  return { t: T0 + dtMs, vitals, quality };
}

describe('featureValueOf', () => {
  it('maps catalogue vitals, quality defaulting to good', () => {
    const vitals = { hr: 80, spo2: 97, rr: 16, nibpSys: 120, nibpMean: 90, temp: 37.2 };
    expect(featureValueOf('hr', vitals, {})).toEqual({ value: 80, quality: 'good' });
    expect(featureValueOf('spo2', vitals, { spo2: 'questionable' })).toEqual({ value: 97, quality: 'questionable' });
    expect(featureValueOf('rr', vitals, {})).toEqual({ value: 16, quality: 'good' });
    expect(featureValueOf('sbp', vitals, {})).toEqual({ value: 120, quality: 'good' });
    expect(featureValueOf('map', vitals, {})).toEqual({ value: 90, quality: 'good' });
    expect(featureValueOf('temp', vitals, {})).toEqual({ value: 37.2, quality: 'good' });
  });

  it('prefers invasive pressure when both are present', () => {
    const both = { abpSys: 131, nibpSys: 118, abpMean: 95, nibpMean: 88 };
    expect(featureValueOf('sbp', both, {})?.value).toBe(131);
    expect(featureValueOf('map', both, {})?.value).toBe(95);
    expect(featureValueOf('sbp', { nibpSys: 118 }, {})?.value).toBe(118);
    expect(featureValueOf('map', { abpMean: 95 }, {})?.value).toBe(95);
  });

  it('takes a good cuff value over an invasive artifact in the same sample, else the invasive value', () => {
    const both = { abpSys: 250, nibpSys: 118 };
    expect(featureValueOf('sbp', both, { abpSys: 'artifact' })).toEqual({ value: 118, quality: 'good' });
    expect(featureValueOf('sbp', both, { abpSys: 'artifact', nibpSys: 'questionable' })).toEqual({ value: 250, quality: 'artifact' });
  });

  it('never reads skin temperature as body temperature', () => {
    expect(featureValueOf('temp', { skinTemp: 33 }, {})).toBeUndefined();
    expect(featureValueOf('temp', { skinTemp: 33, temp: 37 }, {})?.value).toBe(37);
  });

  it('treats absent and non-finite values as absent', () => {
    expect(featureValueOf('hr', {}, { hr: 'sensor_off' })).toBeUndefined();
    expect(featureValueOf('hr', { hr: Number.NaN }, {})).toBeUndefined();
  });
});

describe('computeWindowFeatures: hand-computed windows', () => {
  it('computes level, min, max, last, slope, sd, missingness and goodShare over good values only', () => {
    const f = computeWindowFeatures(
      [
        sample(0, { hr: 60 }),
        sample(1000, { hr: 62 }),
        sample(2000, { hr: 64 }),
        sample(3000, { hr: 200 }, { hr: 'artifact' }),
        sample(5000, { hr: 70 }, { hr: 'questionable' }),
        sample(6000, { hr: 66 }),
        sample(7000, { hr: 0 }, { hr: 'sensor_off' }),
      ],
      W10,
    ).vitals.hr;
    expect(f.n).toBe(7); // every value, any quality
    expect(f.nGood).toBe(4);
    expect(f.level).toBe(63); // (60 + 62 + 64 + 66) / 4
    expect(f.min).toBe(60);
    expect(f.max).toBe(66);
    expect(f.last).toBe(66);
    // t (s) 0, 1, 2, 6: mean 2.25; Σdt·dx = 19, Σdt² = 20.75 → 19 / 20.75 per s
    expect(f.slopePerMin).toBeCloseTo((60 * 19) / 20.75, 10);
    expect(f.sd).toBeCloseTo(Math.sqrt(20 / 3), 12); // deviations −3, −1, 1, 3
    expect(f.missingness).toBeCloseTo(0.6, 12); // good values fill slots 0, 1, 2, 6 of 10
    expect(f.goodShare).toBe(4 / 7);
  });

  it('gives the slope per minute', () => {
    const w = { start: T0, end: T0 + 60_000 };
    const f = computeWindowFeatures([sample(0, { spo2: 98 }), sample(30_000, { spo2: 97 }), sample(60_000, { spo2: 0 }), sample(59_000, { spo2: 96.05 })], w).vitals.spo2;
    expect(f.slopePerMin).toBeCloseTo(lsq([0, 0.5, 59 / 60], [98, 97, 96.05]), 10);
    expect(f.slopePerMin).toBeLessThan(-1.9);
    const linear = computeWindowFeatures([sample(0, { rr: 12 }), sample(30_000, { rr: 13 }), sample(45_000, { rr: 13.5 })], w);
    expect(linear.vitals.rr.slopePerMin).toBeCloseTo(2, 12); // 1 /min per 30 s
  });

  it('handles one good value and good values at one time only', () => {
    const one = computeWindowFeatures([sample(4000, { rr: 18 }), sample(5000, { rr: 30 }, { rr: 'artifact' })], W10).vitals.rr;
    expect(one).toEqual({ n: 2, nGood: 1, level: 18, min: 18, max: 18, last: 18, slopePerMin: null, sd: null, missingness: 0.9, goodShare: 0.5 });

    const sameT = computeWindowFeatures([sample(4000, { rr: 18 }), sample(4000, { rr: 20 }), sample(4000, { rr: 19.1 })], W10).vitals.rr;
    expect(sameT.slopePerMin).toBeNull(); // zero time spread
    expect(sameT.sd).toBeCloseTo(Math.sqrt(((18 - 19.0333333) ** 2 + (20 - 19.0333333) ** 2 + (19.1 - 19.0333333) ** 2) / 2), 6);
    expect(sameT.last).toBe(20); // tie at one time: the largest, whatever the order
    expect(sameT.missingness).toBe(0.9);
  });

  it('takes last by time, not by arrival', () => {
    const f = computeWindowFeatures([sample(9000, { hr: 90 }), sample(1000, { hr: 70 }), sample(9500, { hr: 95 }, { hr: 'artifact' })], W10);
    expect(f.vitals.hr.last).toBe(90);
  });

  it('counts a sample at t = start and leaves out t = end', () => {
    const f = computeWindowFeatures(
      [sample(-1, { hr: 1 }), sample(0, { hr: 50 }), sample(9999, { hr: 70 }), sample(10_000, { hr: 999 })],
      W10,
    ).vitals.hr;
    expect(f).toMatchObject({ n: 2, nGood: 2, level: 60, min: 50, max: 70, last: 70 });
    expect(f.missingness).toBeCloseTo(0.8, 12); // slots 0 and 9
  });

  it('maps pressures (invasive first) and ignores skin temperature', () => {
    const f = computeWindowFeatures(
      [
        sample(0, { abpSys: 130, nibpSys: 110, abpMean: 95, nibpMean: 85, skinTemp: 33 }),
        sample(1000, { nibpSys: 120, nibpMean: 87, skinTemp: 33.5 }),
        sample(2000, { skinTemp: 34, temp: 37.5 }),
      ],
      W10,
    ).vitals;
    expect(f.sbp).toMatchObject({ n: 2, level: 125, min: 120, max: 130 });
    expect(f.map).toMatchObject({ n: 2, level: 91, min: 87, max: 95 });
    expect(f.temp).toMatchObject({ n: 1, level: 37.5, last: 37.5 });
  });

  it('returns every feature vital for an empty window', () => {
    const f = computeWindowFeatures([], W10);
    expect(Object.keys(f.vitals)).toEqual([...FEATURE_VITALS]);
    for (const v of FEATURE_VITALS) {
      expect(f.vitals[v]).toEqual({ n: 0, nGood: 0, level: null, min: null, max: null, last: null, slopePerMin: null, sd: null, missingness: 1, goodShare: 0 });
    }
    expect(WindowFeatures.parse(f)).toEqual(f);
    // Only skin temperature and artifacts: still no good value anywhere.
    const g = computeWindowFeatures([sample(0, { skinTemp: 33, hr: 300 }, { hr: 'artifact' })], W10);
    expect(g.vitals.temp.n).toBe(0);
    expect(g.vitals.hr).toMatchObject({ n: 1, nGood: 0, level: null, missingness: 1, goodShare: 0 });
  });

  it('produces output that the strict schema accepts', () => {
    const f = computeWindowFeatures([sample(0, { hr: 80, spo2: 97 }), sample(1000, { hr: 82, abpSys: 120 })], W10);
    expect(WindowFeatures.parse(f)).toEqual(f);
    expect(() => WindowFeatures.parse({ ...f, extra: 1 })).toThrow();
    const { temp: _t, ...noTemp } = f.vitals;
    expect(() => WindowFeatures.parse({ ...f, vitals: noTemp })).toThrow();
  });
});

describe('missingness', () => {
  it('defaults to 1 s slots for every vital', () => {
    expect(DEFAULT_EXPECTED_INTERVAL_MS).toEqual({ hr: 1000, spo2: 1000, rr: 1000, sbp: 1000, map: 1000, temp: 1000 });
  });

  it('counts filled slots, not values, and only good values fill one', () => {
    const w = { start: T0, end: T0 + 60_000 };
    const f = computeWindowFeatures(
      [
        sample(0, { hr: 80 }),
        sample(2000, { hr: 81 }), // same 5 s slot as t = 0
        sample(5000, { hr: 82 }),
        sample(12_000, { hr: 83 }, { hr: 'questionable' }), // fills nothing
        sample(59_999, { hr: 84 }),
      ],
      w,
      { expectedIntervalMs: { hr: 5000 } },
    );
    expect(f.vitals.hr.missingness).toBe(1 - 3 / 12);
    expect(f.vitals.spo2.missingness).toBe(1); // other vitals keep their own (default) interval
  });

  it('works for hourly data', () => {
    const h = 3_600_000;
    const w = { start: T0, end: T0 + 6 * h };
    const f = computeWindowFeatures([sample(0, { temp: 37 }), sample(h + 5, { temp: 37.4 }), sample(5 * h, { temp: 38 })], w, {
      expectedIntervalMs: { temp: h },
    });
    expect(f.vitals.temp.missingness).toBe(0.5);
    expect(f.vitals.temp.slopePerMin).toBeCloseTo(lsq([0, (h + 5) / 60_000, (5 * h) / 60_000], [37, 37.4, 38]), 12);
  });

  it('rounds the slot count and never goes below 0 when the window is not whole intervals', () => {
    const full = Array.from({ length: 11 }, (_, k) => sample(k * 1000 + 200, { hr: 70 })); // 0.2 s … 10.2 s
    const f = computeWindowFeatures(full, { start: T0, end: T0 + 10_400 }); // round(10.4) = 10 slots
    expect(f.vitals.hr.missingness).toBe(0);
    const g = computeWindowFeatures(full.slice(0, 10), { start: T0, end: T0 + 10_600 }); // 11 slots, 10 filled
    expect(g.vitals.hr.missingness).toBeCloseTo(1 / 11, 12);
    const short = computeWindowFeatures([], { start: T0, end: T0 + 300 }); // shorter than one interval: 1 slot
    expect(short.vitals.hr.missingness).toBe(1);
    expect(computeWindowFeatures([sample(100, { hr: 1 })], { start: T0, end: T0 + 300 }).vitals.hr.missingness).toBe(0);
  });

  it('rejects a bad window or interval', () => {
    expect(() => computeWindowFeatures([], { start: T0, end: T0 })).toThrow(RangeError);
    expect(() => computeWindowFeatures([], { start: T0 + 0.5, end: T0 + 10 })).toThrow(RangeError);
    expect(() => computeWindowFeatures([], W10, { expectedIntervalMs: { hr: 0 } })).toThrow(RangeError);
  });
});

describe('determinism', () => {
  /** mulberry32: a small seeded PRNG, so that a failure reproduces. */
  function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  function shuffle<T>(items: readonly T[], rand: () => number): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
  const QUALITIES: readonly SampleQuality[] = ['good', 'good', 'good', 'good', 'questionable', 'artifact', 'sensor_off'];

  function randomSamples(rand: () => number, count: number): FeatureSample[] {
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
    return Array.from({ length: count }, () => {
      const vitals: Partial<Record<VitalCode, number>> = {};
      const quality: Partial<Record<VitalCode, SampleQuality>> = {};
      for (const [code, base, spread] of [
        ['hr', 60, 80], ['spo2', 85, 15], ['rr', 8, 25], ['abpSys', 90, 80], ['nibpSys', 90, 80],
        ['abpMean', 60, 50], ['nibpMean', 60, 50], ['temp', 35, 5], ['skinTemp', 30, 5],
      ] as const) {
        if (rand() < 0.3) continue;
        // Two decimals, as devices report: not exact in binary, so that summation order shows in the bits (raw
        // mulberry32 output is a multiple of 2^-32, whose sums would be exact in any order).
        vitals[code] = Math.round((base + rand() * spread) * 100) / 100;
        if (rand() < 0.5) quality[code] = pick(QUALITIES);
      }
      // Times on a 100 ms grid over 70 s around a 60 s window: ties at one time, and samples outside it.
      return { t: T0 - 5000 + Math.floor(rand() * 700) * 100, vitals, quality };
    });
  }

  function expectBitIdentical(a: WindowFeatures, b: WindowFeatures): void {
    expect(b).toEqual(a);
    for (const v of FEATURE_VITALS) {
      for (const [key, value] of Object.entries(a.vitals[v])) {
        const other = b.vitals[v][key as keyof (typeof b.vitals)[typeof v]];
        expect(Object.is(value, other), `${v}.${key}: ${value} vs ${other}`).toBe(true);
      }
    }
  }

  it('gives bit-identical features for 20 shuffles of 1,000 samples', () => {
    const rand = prng(20_240_601);
    const samples = randomSamples(rand, 1000);
    const window = { start: T0, end: T0 + 60_000 };
    const baseline = computeWindowFeatures(samples, window);
    expect(baseline.vitals.hr.nGood).toBeGreaterThan(100); // the test exercises real sums
    expect(baseline.vitals.sbp.slopePerMin).not.toBeNull();

    const hrValues = samples.filter((s) => s.t >= window.start && s.t < window.end && s.vitals.hr !== undefined).map((s) => s.vitals.hr!);
    let naiveDiffers = false;
    for (let round = 0; round < 20; round++) {
      const shuffled = shuffle(samples, rand);
      expectBitIdentical(baseline, computeWindowFeatures(shuffled, window));
      const again = shuffle(hrValues, rand);
      if (!Object.is(again.reduce((s, x) => s + x, 0), hrValues.reduce((s, x) => s + x, 0))) naiveDiffers = true;
    }
    // Guard: an order-dependent sum would have shown in these shuffles, so the check above can fail.
    expect(naiveDiffers).toBe(true);
  });

  it('does not mutate its input, and ignores -0 vs 0', () => {
    const samples = [sample(2000, { hr: 0 }), sample(1000, { hr: 70 }), sample(2000, { hr: -0 })];
    const copy = structuredClone(samples);
    const a = computeWindowFeatures(samples, W10);
    expect(samples).toEqual(copy);
    const b = computeWindowFeatures([samples[2]!, samples[1]!, samples[0]!], W10);
    expectBitIdentical(a, b);
    expect(Object.is(a.vitals.hr.min, 0)).toBe(true);
  });
});

describe('featureVector', () => {
  const f = computeWindowFeatures(
    [sample(0, { hr: 60, spo2: 95, temp: 37 }), sample(1000, { hr: 64, spo2: 97 })],
    W10,
  );

  it('lists vitals in FEATURE_VITALS order, stats within each vital (level, slope, sd, missingness)', () => {
    const vec = featureVector(f);
    expect(vec).toHaveLength(FEATURE_VITALS.length * 4);
    expect(FEATURE_VITALS).toEqual(['hr', 'spo2', 'rr', 'sbp', 'map', 'temp']);
    expect(FeatureVital.options).toEqual([...FEATURE_VITALS]);
    expect(vec[0]).toBe(62);
    expect(vec[1]).toBeCloseTo(240, 9); // 4 per second
    expect(vec.slice(2, 4)).toEqual([Math.sqrt(8), 0.8]);
    expect(vec[4]).toBe(96);
    expect(vec[5]).toBeCloseTo(120, 9);
    expect(vec.slice(6, 8)).toEqual([Math.sqrt(2), 0.8]);
    expect(vec.slice(8, 12)).toEqual([null, null, null, 1]); // rr: unknown, not imputed
    expect(vec.slice(20, 24)).toEqual([37, null, null, 0.9]);
  });

  it('follows the requested vitals and stats order', () => {
    expect(featureVector(f, ['temp', 'hr'], ['last', 'goodShare', 'min', 'max'])).toEqual([37, 1, 37, 37, 64, 1, 60, 64]);
    expect(featureVector(f, [], ['level'])).toEqual([]);
  });
});

describe('FeatureSample', () => {
  it('accepts an uplink sample, stripping what features do not use', () => {
    const parsed = FeatureSample.parse({ type: 'sample', t: T0, seq: 3, vitals: { hr: 80 }, quality: { hr: 'good' }, late: false });
    expect(parsed).toEqual({ t: T0, vitals: { hr: 80 }, quality: { hr: 'good' } });
    expect(() => FeatureSample.parse({ t: T0, vitals: { pulse: 80 }, quality: {} })).toThrow();
  });
});
