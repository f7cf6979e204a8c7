import { describe, it, expect } from 'vitest';
import { GroundTruthEvent } from '@vigil/contracts';
import type { PatientModel, TrueState } from '../../src/model.ts';
import { Rng } from '../../src/rng.ts';
import {
  createClinicalEpisode, DETERIORATION_TYPES, type ClinicalEpisode, type DeteriorationType, type Severity,
} from '../../src/scenarios/library.ts';
import { H, KEYS, makeModel, mean, MIN, sd, T0, type Key } from '../physiology/helpers.ts';

/**
 * Designed change at the peak of a severe episode, measured as the paired difference (same patient with and without
 * the episode), mean over 10 min from the peak and over the cohort. From the issue text and the library's comments,
 * written out here independently of the library so that a change there has to be made on purpose.
 */
const SEVERE: Record<DeteriorationType, Partial<Record<Key, [number, number]>>> = {
  sepsis: { temp: [1.6, 2.6], hr: [35, 65], rr: [6, 14], sbp: [-42, -25], map: [-30, -15], spo2: [-4, -1.5] },
  respiratory_failure: { spo2: [-13, -8], rr: [9, 18], hr: [8, 20] },
  fever: { temp: [2, 2.9], hr: [18, 30] },
  hypoxaemia: { spo2: [-16, -10], rr: [3, 9], hr: [5, 14] },
  haemorrhage: { sbp: [-46, -30], map: [-35, -20], hr: [30, 55] },
  opioid_respiratory_depression: { rr: [-13, -6], spo2: [-14, -8], hr: [-7, 0] },
  tachyarrhythmia: { hr: [50, 115], sbp: [-18, -10] },
  bradycardia: { hr: [-55, -25], sbp: [-24, -14] },
};
/** Absolute levels at the peak (cohort mean of the raw state). */
const SEVERE_LEVEL: Partial<Record<DeteriorationType, Partial<Record<Key, [number, number]>>>> = {
  opioid_respiratory_depression: { rr: [5, 8] },
  tachyarrhythmia: { hr: [150, 185] },
  bradycardia: { hr: [29, 38] },
};
/** Onset → peak, ms, from the issue text. */
const RAMP: Record<DeteriorationType, [number, number]> = {
  sepsis: [4 * H, 8 * H],
  respiratory_failure: [1 * H, 3 * H],
  fever: [1 * H, 2 * H],
  hypoxaemia: [1 * MIN, 5 * MIN],
  haemorrhage: [10 * MIN, 30 * MIN],
  opioid_respiratory_depression: [10 * MIN, 20 * MIN],
  tachyarrhythmia: [1000, 10_000],
  bradycardia: [5_000, 60_000],
};
/** The vital each type is about, and its direction. */
const PRIMARY: Record<DeteriorationType, [Key, 1 | -1]> = {
  sepsis: ['hr', 1], respiratory_failure: ['spo2', -1], fever: ['temp', 1], hypoxaemia: ['spo2', -1],
  haemorrhage: ['sbp', -1], opioid_respiratory_depression: ['rr', -1], tachyarrhythmia: ['hr', 1], bradycardia: ['hr', -1],
};
/** Noise-sized change per vital: `affected` must list a vital that moved by this much and none that did not. */
const NOISE: Record<Key, number> = { hr: 6, rr: 3, spo2: 2, sbp: 8, dbp: 6, map: 6, temp: 0.5 };
const CODES: Record<Key, string[]> = {
  hr: ['hr'], rr: ['rr'], spo2: ['spo2'], temp: ['temp'], sbp: ['abpSys', 'nibpSys'], dbp: ['abpDia', 'nibpDia'], map: ['abpMean', 'nibpMean'],
};

const N = 12;
const STEP = 5_000;

interface Cohort {
  episodes: ClinicalEpisode[];
  /** Paired difference (sick − plain) and the raw sick state, per patient, at the sampled times. */
  at(i: number, t: number): { delta: Record<Key, number>; sick: TrueState; plain: TrueState };
  /** Cohort means over [from, to] (times relative to each patient's own episode: f(episode) → window). */
  meanDelta(key: Key, window: (e: ClinicalEpisode) => [number, number]): number;
  meanLevel(key: Key, window: (e: ClinicalEpisode) => [number, number]): number;
  samples: Array<Array<{ t: number; sick: TrueState; plain: TrueState }>>;
}

const cache = new Map<string, Cohort>();
function cohort(type: DeteriorationType | 'recovery', severity: Severity, recovers: boolean, of?: DeteriorationType): Cohort {
  const key = `${type}/${severity}/${recovers}/${of}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const episodes: ClinicalEpisode[] = [];
  const samples: Cohort['samples'] = [];
  for (let i = 0; i < N; i++) {
    // Onsets spread over the day so the circadian rhythm averages out of unpaired comparisons.
    const onset = T0 + H + Math.round(((i * 24) / N) * H);
    const episode = createClinicalEpisode(type, {
      onset, patientId: `p-${i}`, bedId: `bed-${i}`, severity, rng: new Rng(`${key}/${i}`), ...(recovers ? { recovers } : {}), ...(of ? { of } : {}),
    });
    episodes.push(episode);
    const first = episode.truths[0]!;
    const times = new Set<number>();
    const window = (from: number, to: number) => {
      for (let t = from; t <= to; t += STEP) times.add(Math.round(t));
    };
    window(first.onset - 10 * MIN, first.onset + MIN);
    const ramp = first.peak! - first.onset;
    for (const f of [0.1, 0.25, 0.5, 0.75]) window(first.onset + f * ramp - 30_000, first.onset + f * ramp + 30_000);
    window(first.peak!, first.peak! + 10 * MIN);
    if (Number.isFinite(episode.end)) {
      const improves = first.offset!;
      window(improves - 2 * MIN, improves + (episode.end - improves) / 2 + 30_000);
      window(episode.end - 30_000, episode.end + 10 * MIN);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const plainModel: PatientModel = makeModel(`lib-${i}`);
    const sickModel: PatientModel = makeModel(`lib-${i}`, [episode]);
    samples.push(sorted.map((t) => ({ t, plain: plainModel.at(t), sick: sickModel.at(t) })));
  }
  const within = (i: number, w: [number, number]) => samples[i]!.filter((x) => x.t >= w[0] && x.t <= w[1]);
  const c: Cohort = {
    episodes,
    samples,
    at(i, t) {
      const x = samples[i]!.find((s) => s.t === t)!;
      return { sick: x.sick, plain: x.plain, delta: Object.fromEntries(KEYS.map((k) => [k, x.sick[k] - x.plain[k]])) as Record<Key, number> };
    },
    meanDelta: (k, w) => mean(episodes.map((e, i) => mean(within(i, w(e)).map((x) => x.sick[k] - x.plain[k])))),
    meanLevel: (k, w) => mean(episodes.map((e, i) => mean(within(i, w(e)).map((x) => x.sick[k])))),
  };
  cache.set(key, c);
  return c;
}

const first = (e: ClinicalEpisode) => e.truths[0]!;
const atPeak = (e: ClinicalEpisode): [number, number] => [first(e).peak!, first(e).peak! + 10 * MIN];
const beforeOnset = (e: ClinicalEpisode): [number, number] => [first(e).onset - 10 * MIN, first(e).onset - 1];

describe.each(DETERIORATION_TYPES)('%s', (type) => {
  it('changes nothing before onset', () => {
    const c = cohort(type, 'severe', false);
    c.samples.forEach((s, i) => {
      const before = s.filter((x) => x.t < first(c.episodes[i]!).onset);
      expect(before.length).toBeGreaterThan(100);
      expect(before.map((x) => x.sick)).toEqual(before.map((x) => x.plain));
    });
  });

  it('moves the designed vitals by the designed amount at the peak (severe)', () => {
    const c = cohort(type, 'severe', false);
    for (const [k, [lo, hi]] of Object.entries(SEVERE[type]) as Array<[Key, [number, number]]>) {
      const d = c.meanDelta(k, atPeak);
      expect(d, k).toBeGreaterThanOrEqual(lo);
      expect(d, k).toBeLessThanOrEqual(hi);
    }
    for (const [k, [lo, hi]] of Object.entries(SEVERE_LEVEL[type] ?? {}) as Array<[Key, [number, number]]>) {
      const level = c.meanLevel(k, atPeak);
      expect(level, k).toBeGreaterThanOrEqual(lo);
      expect(level, k).toBeLessThanOrEqual(hi);
    }
  });

  it('has the designed time course and severity scaling', () => {
    const c = cohort(type, 'severe', false);
    for (const e of c.episodes) {
      const ramp = first(e).peak! - first(e).onset;
      expect(ramp).toBeGreaterThanOrEqual(RAMP[type][0]);
      expect(ramp).toBeLessThanOrEqual(RAMP[type][1]);
      expect(first(e).offset).toBeNull();
      expect(e.end).toBe(Infinity);
    }
    const [k, sign] = PRIMARY[type];
    const full = c.meanDelta(k, atPeak) * sign;
    // A quarter of the way up the ramp the effect is still well below its peak (smoothstep: ~16 %).
    const quarter = c.meanDelta(k, (e) => {
      const t = first(e).onset + 0.25 * (first(e).peak! - first(e).onset);
      return [t - 30_000, t + 30_000];
    }) * sign;
    expect(quarter).toBeLessThan(0.6 * full);
    const moderate = cohort(type, 'moderate', false).meanDelta(k, atPeak) * sign;
    const mild = cohort(type, 'mild', false).meanDelta(k, atPeak) * sign;
    expect(mild).toBeGreaterThan(0);
    expect(moderate).toBeGreaterThan(mild);
    expect(full).toBeGreaterThan(moderate);
  });

  it('lists in `affected` exactly the vitals that changed beyond noise, and the state agrees (unpaired)', () => {
    for (const severity of ['mild', 'severe'] as const) {
      const c = cohort(type, severity, false);
      for (const e of c.episodes) {
        expect(GroundTruthEvent.parse({ id: 'gt-0001', ...e.truth })).toBeTruthy();
        expect(e.truth).toMatchObject({ category: 'clinical', type, severity, patientId: expect.any(String), bedId: expect.any(String) });
      }
      const affected = new Set(c.episodes[0]!.truth.affected);
      for (const k of KEYS) {
        const listed = CODES[k].every((code) => affected.has(code as never));
        const paired = c.meanDelta(k, atPeak);
        if (listed) {
          expect(Math.abs(paired), `${severity} ${k} paired`).toBeGreaterThan(0.6 * NOISE[k]);
          // What a detector sees: the raw state, baseline before onset vs around the peak.
          const raw = c.meanLevel(k, atPeak) - c.meanLevel(k, beforeOnset);
          expect(Math.sign(raw), `${severity} ${k} direction`).toBe(Math.sign(paired));
          expect(Math.abs(raw), `${severity} ${k} raw`).toBeGreaterThan(0.5 * NOISE[k]);
        } else {
          expect(Math.abs(paired), `${severity} ${k} not listed`).toBeLessThan(1.5 * NOISE[k]);
        }
      }
    }
  });

  it('recovers when asked: a recovery record from the improvement, back to baseline at its end', () => {
    const c = cohort(type, 'moderate', true);
    const [k, sign] = PRIMARY[type];
    c.episodes.forEach((e, i) => {
      const [deterioration, recovery] = e.truths;
      expect(e.truths).toHaveLength(2);
      expect(deterioration!.offset).toBe(recovery!.onset);
      expect(recovery).toMatchObject({ type: 'recovery', peak: e.end, offset: e.end, affected: deterioration!.affected });
      expect(recovery!.onset).toBeGreaterThanOrEqual(deterioration!.peak!);
      // After the end, the episode no longer acts: the same patient without it has the same state (HR only differs
      // by the phase of breathing, which the changed breathing rate shifted).
      const after = c.samples[i]!.filter((x) => x.t >= e.end);
      expect(after.length).toBeGreaterThan(100);
      for (const key of ['spo2', 'rr', 'sbp', 'dbp', 'temp'] as const) {
        expect(after.map((x) => x.sick[key]), key).toEqual(after.map((x) => x.plain[key]));
      }
      expect(Math.abs(mean(after.map((x) => x.sick.hr - x.plain.hr)))).toBeLessThan(1.5);
    });
    const peak = c.meanDelta(k, atPeak) * sign;
    const halfway = c.meanDelta(k, (e) => {
      const t = (first(e).offset! + e.end) / 2;
      return [t - 30_000, t + 30_000];
    }) * sign;
    expect(halfway).toBeGreaterThan(0.25 * peak);
    expect(halfway).toBeLessThan(0.75 * peak);
  });
});

describe('recovery', () => {
  it('is a deterioration followed by a recovery record that starts when the improvement begins', () => {
    const c = cohort('recovery', 'severe', true, 'hypoxaemia');
    for (const e of c.episodes) {
      expect(e.type).toBe('recovery');
      expect(e.truth.type).toBe('recovery');
      expect(e.truths.map((r) => r.type)).toEqual(['hypoxaemia', 'recovery']);
      expect(e.truth.onset).toBe(e.truths[0]!.offset);
      expect(GroundTruthEvent.parse({ id: 'gt-0002', ...e.truth })).toBeTruthy();
    }
    // Saturation falls, then comes back: 10 min after the end it is at the baseline again (unpaired, raw).
    const base = c.meanLevel('spo2', beforeOnset);
    expect(c.meanLevel('spo2', atPeak)).toBeLessThan(base - 8);
    expect(Math.abs(c.meanLevel('spo2', (e) => [e.end, e.end + 10 * MIN]) - base)).toBeLessThan(0.5);
  });

  it('draws the deterioration it recovers from when none is given', () => {
    const kinds = new Set(Array.from({ length: 80 }, (_, i) =>
      createClinicalEpisode('recovery', { onset: T0, patientId: 'p', bedId: 'b', rng: new Rng(`of-${i}`) }).truths[0]!.type));
    expect(kinds.size).toBe(DETERIORATION_TYPES.length);
  });
});

describe('specific physiology', () => {
  it('fever raises HR by 8–12 /min per °C through the coupling alone', () => {
    const c = cohort('fever', 'severe', false);
    const ratio = c.meanDelta('hr', atPeak) / c.meanDelta('temp', atPeak);
    expect(ratio).toBeGreaterThan(8);
    expect(ratio).toBeLessThan(12);
  });

  it('tachyarrhythmia is abrupt and irregular; sinus rhythm is not', () => {
    const c = cohort('tachyarrhythmia', 'severe', false);
    const jitter = (which: 'sick' | 'plain') => mean(c.samples.map((s, i) => {
      const w = s.filter((x) => x.t >= first(c.episodes[i]!).peak!);
      return sd(w.slice(1).map((x, j) => x[which].hr - w[j]![which].hr));
    }));
    expect(jitter('sick')).toBeGreaterThan(10);
    expect(jitter('plain')).toBeLessThan(5);
  });

  it('haemorrhage: tachycardia precedes the fall in pressure; opioids: breathing slows before saturation falls', () => {
    const early = (e: ClinicalEpisode): [number, number] => {
      const t = first(e).onset + 0.25 * (first(e).peak! - first(e).onset);
      return [t - 30_000, t + 30_000];
    };
    const bleed = cohort('haemorrhage', 'severe', false);
    const hrShare = bleed.meanDelta('hr', early) / bleed.meanDelta('hr', atPeak);
    const sbpShare = bleed.meanDelta('sbp', early) / bleed.meanDelta('sbp', atPeak);
    expect(hrShare).toBeGreaterThan(sbpShare + 0.1);
    const opioid = cohort('opioid_respiratory_depression', 'severe', false);
    expect(opioid.meanDelta('rr', early) / opioid.meanDelta('rr', atPeak)).toBeGreaterThan(
      opioid.meanDelta('spo2', early) / opioid.meanDelta('spo2', atPeak) + 0.1,
    );
  });

  it('is deterministic for an rng seed', () => {
    const make = (seed: string) => {
      const e = createClinicalEpisode('sepsis', { onset: T0, patientId: 'p', bedId: 'b', rng: new Rng(seed) });
      const s = { hr: 80, spo2: 97, rr: 16, sbp: 120, dbp: 70, map: 86.7, temp: 36.8, activity: 0, breathPhase: 0 };
      e.apply(T0 + 3 * H, s);
      return { truths: e.truths, s };
    };
    expect(make('a')).toEqual(make('a'));
    expect(make('a')).not.toEqual(make('b'));
  });
});
