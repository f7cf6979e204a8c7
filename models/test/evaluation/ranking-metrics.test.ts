import { describe, expect, it } from 'vitest';
import { auprc, auroc, bootstrapCi, leadBeforeEvents, prCurve, rankingSummary, rocCurve } from '../../src/evaluation/ranking-metrics.ts';
import { seededRandom } from '../../src/evaluation/random-detector.ts';
import { alarm, DAY, event, H, MIN, series, T0 } from './fixtures.ts';

// Positives 0.9, 0.5, 0.5; negatives 0.5, 0.2. Pairs: 0.9 beats both (2), each 0.5 ties one (½) and beats one (1):
// U = 2 + 1.5 + 1.5 = 5 of 6 pairs.
const tiedScores = [0.9, 0.5, 0.5, 0.5, 0.2];
const tiedLabels = [true, true, true, false, false];

describe('AUROC', () => {
  it('counts ties as half', () => {
    expect(auroc(tiedScores, tiedLabels)).toBeCloseTo(5 / 6, 12);
  });

  it('is 0.5 for constant scores, 1 for a perfect ranking, 0 for a reversed one', () => {
    expect(auroc([3, 3, 3, 3], [true, false, true, false])).toBe(0.5);
    expect(auroc([4, 3, 2, 1], [true, true, false, false])).toBe(1);
    expect(auroc([1, 2, 3, 4], [true, true, false, false])).toBe(0);
  });

  it('refuses a single class and mismatched inputs', () => {
    expect(() => auroc([1, 2], [true, true])).toThrow(/both/);
    expect(() => auroc([1, 2], [true])).toThrow();
    expect(() => auroc([1, Number.NaN], [true, false])).toThrow(/finite/);
  });

  it('equals the trapezoid area under its ROC curve', () => {
    const roc = rocCurve(tiedScores, tiedLabels);
    expect(roc.map((p) => [p.threshold, p.fpr, p.tpr])).toEqual([
      [null, 0, 0],
      [0.9, 0, 1 / 3],
      [0.5, 0.5, 1],
      [0.2, 1, 1],
    ]);
    let area = 0;
    for (let i = 1; i < roc.length; i++) area += ((roc[i]!.fpr - roc[i - 1]!.fpr) * (roc[i]!.tpr + roc[i - 1]!.tpr)) / 2;
    expect(area).toBeCloseTo(5 / 6, 12);
  });
});

describe('AUPRC (average precision, step-wise)', () => {
  it('matches a hand-worked example', () => {
    // P N P N P: precision at each positive 1, 2/3, 3/5, each a third of recall → (1 + 2/3 + 3/5) / 3 = 34/45.
    expect(auprc([0.9, 0.8, 0.7, 0.6, 0.5], [true, false, true, false, true])).toBeCloseTo(34 / 45, 12);
  });

  it('lets tied scores enter together', () => {
    // 0.9 P: precision 1 at recall ½; the 0.5 tie (P, N) together: precision 2/3 at recall 1 → ½ + ⅓.
    expect(auprc([0.9, 0.5, 0.5], [true, true, false])).toBeCloseTo(5 / 6, 12);
    // Constant scores: AP = prevalence.
    expect(auprc([1, 1, 1, 1], [true, false, false, false])).toBe(0.25);
  });

  it('gives the PR points per distinct threshold', () => {
    expect(prCurve([0.9, 0.5, 0.5], [true, true, false])).toEqual([
      { threshold: 0.9, recall: 0.5, precision: 1 },
      { threshold: 0.5, recall: 1, precision: 2 / 3 },
    ]);
  });
});

describe('bootstrap CIs', () => {
  const next = seededRandom('data');
  const labels = Array.from({ length: 300 }, (_, i) => i % 4 === 0);
  const scores = labels.map((l) => (l ? 0.8 : 0) + next()); // overlapping classes: AUROC around 0.9

  it('is deterministic from the seed and contains the estimate', () => {
    const a = bootstrapCi(scores, labels, 'auroc', { seed: 's1' });
    expect(bootstrapCi(scores, labels, 'auroc', { seed: 's1' })).toEqual(a);
    expect(bootstrapCi(scores, labels, 'auroc', { seed: 's2' })).not.toEqual(a);
    expect(a).toMatchObject({ resamples: 1000, level: 0.95, seed: 's1' });
    expect(a.estimate).toBe(auroc(scores, labels));
    expect(a.lower).toBeLessThan(a.estimate);
    expect(a.upper).toBeGreaterThan(a.estimate);
    expect(a.upper - a.lower).toBeGreaterThan(0.01);
    expect(a.upper - a.lower).toBeLessThan(0.2);
    const p = bootstrapCi(scores, labels, 'auprc', { seed: 's1' });
    expect(p.estimate).toBe(auprc(scores, labels));
    expect(p.lower).toBeLessThan(p.estimate);
    expect(p.upper).toBeGreaterThan(p.estimate);
  });

  it('resamples each class with replacement (checked against an explicit resample)', () => {
    // One resample: lower = upper = the metric of that resample, drawn with the same stream the implementation uses.
    const one = bootstrapCi(scores, labels, 'auroc', { seed: 'k', resamples: 1 });
    const draw = seededRandom('k:auroc');
    const pos = labels.flatMap((l, i) => (l ? [i] : []));
    const neg = labels.flatMap((l, i) => (l ? [] : [i]));
    const picked = [pos, neg].flatMap((cls) => cls.map(() => cls[Math.floor(draw() * cls.length)]!));
    const expected = auroc(picked.map((i) => scores[i]!), picked.map((i) => labels[i]!));
    expect(one.lower).toBeCloseTo(expected, 12);
    expect(one.upper).toBeCloseTo(expected, 12);
    expect(one.lower).not.toBe(one.estimate);
  });

  it('collapses for constant or separated scores', () => {
    expect(bootstrapCi([1, 1, 1, 1], [true, false, true, false], 'auroc')).toMatchObject({ estimate: 0.5, lower: 0.5, upper: 0.5 });
    expect(bootstrapCi([4, 3, 2, 1], [true, true, false, false], 'auprc')).toMatchObject({ estimate: 1, lower: 1, upper: 1 });
  });

  it('summarises with prevalence', () => {
    const s = rankingSummary(scores, labels, { resamples: 200 });
    expect(s).toMatchObject({ n: 300, positives: 75, prevalence: 0.25 });
    expect(s.auroc.resamples).toBe(200);
  });
});

describe('leadBeforeEvents', () => {
  const s = [series('p1', []), series('p2', [])]; // 2 patient-days
  const events = [
    event('p1', { type: 'haemorrhage', onset: T0 + 10 * H, offset: T0 + 12 * H }),
    event('p1', { type: 'haemorrhage', onset: T0 + 20 * H, offset: T0 + 21 * H }),
    event('p2', { type: 'haemorrhage', onset: T0 + 5 * H, offset: T0 + 6 * H }),
  ];
  const options = { series: s, lookbackMs: 6 * H };

  it('counts alerts at least an hour ahead within the lookback, and reports the alert rates', () => {
    const alarms = [
      alarm('p1', T0 + 2 * H), // 8 h before: outside the lookback, false
      alarm('p1', T0 + 8 * H), // 2 h before the first event: counts, lead 120
      alarm('p1', T0 + 9 * H + 30 * MIN), // 30 min before: too late to count, not false
      alarm('p1', T0 + 11 * H), // during the event: not false
      alarm('p1', T0 + 19 * H), // exactly 1 h before the second: counts, lead 60
      alarm('p2', T0 + 4 * H + 1), // 1 ms short of an hour: does not count
    ];
    const r = leadBeforeEvents({ alarms }, events, options);
    expect(r).toMatchObject({ events: 3, eventsWithEarlyAlert: 2, alerts: 6, falseAlerts: 1, patientDays: 2, alertsPerPatientDay: 3, falseAlertsPerPatientDay: 0.5 });
    expect(r.share).toBeCloseTo(2 / 3, 12);
    expect(r.leadMin).toEqual({ n: 2, median: 90, q1: 75, q3: 105 });
    expect(r.options).toEqual({ minLeadMs: H, lookbackMs: 6 * H });
  });

  it('shows what a flapping detector pays for its warnings', () => {
    // An alert run starting every 2 h on both patients: every event warned of, at 12 alerts per patient-day.
    const scores = ['p1', 'p2'].flatMap((patientId) =>
      Array.from({ length: 24 * 12 }, (_, i) => ({ patientId, t: T0 + i * 5 * MIN, score: i % 24 === 0 ? 1 : 0 })),
    );
    const r = leadBeforeEvents({ scores, threshold: 0.5 }, events, options);
    expect(r.share).toBe(1);
    expect(r.alertsPerPatientDay).toBe(12);
    expect(r.falseAlertsPerPatientDay).toBeGreaterThan(5);
    expect(r.patientDays * DAY).toBe(2 * DAY);
  });
});
