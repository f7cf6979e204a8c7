import { describe, expect, it } from 'vitest';
import { GroundTruthEvent } from '@vigil/contracts';
import {
  bestF1UnderFalseAlarmCap,
  evaluateDetector,
  fewestAlarmsAtRecall,
  operatingCurve,
  operatingCurveFromScores,
  quantile,
  quantileThresholds,
  scoresToAlarms,
  severeRecall,
  summarize,
  type OperatingPoint,
} from '../../src/evaluation/event-metrics.ts';
import { alarm, event, H, MIN, series, T0, ward, wardAlarms } from './fixtures.ts';

describe('fixtures', () => {
  it('are valid ground truth', () => {
    for (const s of ward()) for (const e of s.truth) expect(GroundTruthEvent.parse(e)).toEqual(e);
  });
});

describe('evaluateDetector on the hand-worked ward', () => {
  const r = evaluateDetector('model', wardAlarms(), ward());

  it('counts events once and alarms as TP / false by their start', () => {
    expect(r.patients).toBe(2);
    expect(r.patientDays).toBe(2);
    expect(r.events).toBe(3); // recovery and the artifact are not events
    expect(r.caughtEvents).toBe(2);
    expect(r.recall).toBeCloseTo(2 / 3, 12);
    expect(r.alarms).toBe(7);
    expect(r.truePositiveAlarms).toBe(4);
    expect(r.falseAlarms).toBe(3);
    expect(r.precision).toBeCloseTo(4 / 7, 12);
    expect(r.f1).toBeCloseTo(8 / 13, 12); // 2·(4/7)·(2/3) / (4/7 + 2/3)
    expect(r.falseAlarmsPerPatientDay).toBe(1.5);
    expect(r.alarmsPerPatientDay).toBe(3.5);
  });

  it('measures lead from the first catching alarm to the peak, split gradual / sudden', () => {
    const byId = new Map(r.perEvent.map((o) => [o.eventId, o]));
    expect(byId.get('sepsis-1')).toMatchObject({ caught: true, kind: 'gradual', firstAlarmStart: T0 + 3 * H, leadMin: 120 });
    expect(byId.get('hypox-2')).toMatchObject({ caught: true, kind: 'sudden', leadMin: 20, end: T0 + 24 * H });
    expect(byId.get('tachy-1')).toMatchObject({ caught: false, kind: 'sudden', firstAlarmStart: null, leadMin: null });
    expect(r.leadTimeMin.gradual).toEqual({ n: 1, median: 120, q1: 120, q3: 120 });
    expect(r.leadTimeMin.sudden).toEqual({ n: 1, median: 20, q1: 20, q3: 20 });
    expect(r.leadTimeMin.all).toEqual({ n: 2, median: 70, q1: 45, q3: 95 });
    expect(r.leadOverReferenceMin).toBeNull();
  });

  it('gives recall per severity and per type', () => {
    expect(r.bySeverity).toEqual([
      { key: 'moderate', events: 1, caught: 0, recall: 0 },
      { key: 'severe', events: 2, caught: 2, recall: 1 },
    ]);
    expect(severeRecall(r)).toBe(1);
    expect(r.byType.map((row) => [row.key, row.caught, row.events])).toEqual([
      ['sepsis', 1, 1],
      ['hypoxaemia', 1, 1],
      ['tachyarrhythmia', 0, 1],
    ]);
  });

  it('echoes its options', () => {
    expect(r.options).toEqual({ graceMs: 30 * MIN, gradualMinMs: 60 * MIN, reference: null });
    const custom = evaluateDetector('model', wardAlarms(), ward(), { graceMs: 0, gradualMinMs: 4 * H });
    expect(custom.options).toEqual({ graceMs: 0, gradualMinMs: 4 * H, reference: null });
    expect(custom.truePositiveAlarms).toBe(3); // offset + 30 min − 1 ms is now false
    expect(custom.leadTimeMin.gradual.n).toBe(0); // a 3 h rise is sudden under a 4 h cut-off
  });

  it('compares lead with a reference detector over events both caught', () => {
    const limit = [alarm('p1', T0 + 4 * H + 30 * MIN), alarm('p2', T0 + 4 * H)];
    const withRef = evaluateDetector('model', wardAlarms(), ward(), { reference: { name: 'limit', alarms: limit } });
    // sepsis-1: 4 h 30 − 3 h = +90; hypox-2: 4 h − 4 h 10 = −10
    expect(withRef.leadOverReferenceMin).toEqual({ reference: 'limit', n: 2, median: 40, q1: 15, q3: 65 });
    expect(withRef.options.reference).toBe('limit');
  });
});

describe('evaluateDetector boundaries', () => {
  const s = [series('p', [event('p', { id: 'e', type: 'fever', onset: T0 + 2 * H, offset: T0 + 3 * H })])];
  const one = (start: number) => evaluateDetector('d', [alarm('p', start)], s);

  it('catches from onset to offset inclusive, not a millisecond outside', () => {
    expect(one(T0 + 2 * H - 1).caughtEvents).toBe(0);
    expect(one(T0 + 2 * H).caughtEvents).toBe(1);
    expect(one(T0 + 3 * H).caughtEvents).toBe(1);
    expect(one(T0 + 3 * H + 1).caughtEvents).toBe(0);
  });

  it('counts an alarm as TP up to offset + grace inclusive', () => {
    expect(one(T0 + 2 * H - 1).truePositiveAlarms).toBe(0);
    expect(one(T0 + 3 * H + 30 * MIN - 1).truePositiveAlarms).toBe(1);
    expect(one(T0 + 3 * H + 30 * MIN).truePositiveAlarms).toBe(1);
    expect(one(T0 + 3 * H + 30 * MIN + 1).truePositiveAlarms).toBe(0);
  });

  it('gives a negative lead to an alarm after the peak, and lead to onset without a peak', () => {
    const peaked = [series('p', [event('p', { type: 'sepsis', onset: T0, peak: T0 + 2 * H, offset: T0 + 6 * H })])];
    expect(evaluateDetector('d', [alarm('p', T0 + 3 * H)], peaked).perEvent[0]!.leadMin).toBe(-60);
    expect(evaluateDetector('d', [alarm('p', T0 + 30 * MIN)], peaked).perEvent[0]!.leadMin).toBe(90);
    expect(one(T0 + 2 * H + 15 * MIN).perEvent[0]!.leadMin).toBe(-15);
  });

  it('scores no alarms as precision 0 and F1 0, and refuses alarms of unknown patients', () => {
    const none = evaluateDetector('d', [], s);
    expect([none.recall, none.precision, none.f1, none.alarmsPerPatientDay]).toEqual([0, 0, 0, 0]);
    expect(() => evaluateDetector('d', [alarm('ghost', T0)], s)).toThrow(/ghost/);
  });
});

describe('summaries', () => {
  it('uses type-7 quantiles', () => {
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(summarize([4, 1, 3, 2])).toEqual({ n: 4, median: 2.5, q1: 1.75, q3: 3.25 });
    expect(summarize([])).toEqual({ n: 0, median: null, q1: null, q3: null });
  });
});

describe('scoresToAlarms', () => {
  const scores = [0.1, 0.9, 0.95, 0.2, 0.9, 0.1, 0.1, 0.9].map((score, i) => ({ patientId: 'p', t: T0 + (i + 1) * MIN, score }));
  const at = (k: number) => T0 + k * MIN;

  it('raises and clears on single windows by default', () => {
    expect(scoresToAlarms(scores, 0.5).map((a) => [a.start, a.end])).toEqual([
      [at(2), at(4)],
      [at(5), at(6)],
      [at(8), null],
    ]);
  });

  it('applies raise and clear counts and the clear margin', () => {
    expect(scoresToAlarms(scores, 0.5, { raiseAfter: 2, clearAfter: 2 }).map((a) => [a.start, a.end])).toEqual([[at(3), at(7)]]);
    const hovering = [0.6, 0.45, 0.6, 0.2].map((score, i) => ({ patientId: 'p', t: at(i + 1), score }));
    expect(scoresToAlarms(hovering, 0.5, { clearMargin: 0.1 }).map((a) => [a.start, a.end])).toEqual([[at(1), at(4)]]);
  });

  it('sorts windows per patient and labels alarms', () => {
    const shuffled = [...scores].reverse();
    const alarms = scoresToAlarms(shuffled, 0.5, { code: 'ML', priority: 'high' });
    expect(alarms).toHaveLength(3);
    expect(alarms[0]).toMatchObject({ code: 'ML', priority: 'high', start: at(2) });
  });
});

describe('operating curves', () => {
  it('scores each threshold with the event metrics', () => {
    // Higher threshold → fewer alarms: keep the alarm at 3 h (catching sepsis-1) only below 0.5.
    const all = wardAlarms();
    const points = operatingCurve([0.2, 0.8], (thr) => (thr < 0.5 ? all : all.filter((a) => a.start !== T0 + 3 * H && a.start !== T0 + 4 * H)), ward());
    expect(points.map((p) => [p.threshold, p.caughtEvents, p.alarms])).toEqual([
      [0.2, 2, 7],
      [0.8, 1, 5],
    ]);
    expect(points[1]!.recall).toBeCloseTo(1 / 3, 12);
    expect(points[1]!.precision).toBeCloseTo(2 / 5, 12);
    expect(points[1]!.falseAlarmsPerPatientDay).toBe(1.5);
  });

  it('sweeps per-window scores through a hysteresis rule', () => {
    const s = [series('p', [event('p', { type: 'fever', onset: T0 + 10 * MIN, offset: T0 + 20 * MIN })])];
    const scores = Array.from({ length: 60 }, (_, i) => ({ patientId: 'p', t: T0 + i * MIN, score: i >= 12 && i < 18 ? 0.9 : i === 55 ? 0.6 : 0.1 }));
    const points = operatingCurveFromScores(scores, [0.5, 0.7, 0.95], {}, s);
    expect(points.map((p) => [p.alarms, p.caughtEvents, p.falseAlarmsPerPatientDay])).toEqual([
      [2, 1, 1],
      [1, 1, 0],
      [0, 0, 0],
    ]);
  });

  it('spreads thresholds over score quantiles', () => {
    expect(quantileThresholds([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3)).toEqual([0, 5, 10]);
    expect(quantileThresholds([1, 1, 1], 5)).toEqual([1]);
  });

  const point = (threshold: number, f1: number, recall: number, alarmsPerPatientDay: number, falseAlarmsPerPatientDay: number): OperatingPoint => ({
    threshold, f1, recall, alarmsPerPatientDay, falseAlarmsPerPatientDay, precision: 0, alarms: 0, caughtEvents: 0, events: 0,
  });
  const points = [point(0.1, 0.8, 0.9, 5, 3), point(0.5, 0.7, 0.8, 2, 1), point(0.9, 0.6, 0.6, 1, 0.5)];

  it('picks the best F1 under a false-alarm cap', () => {
    expect(bestF1UnderFalseAlarmCap(points, 2)?.threshold).toBe(0.5);
    expect(bestF1UnderFalseAlarmCap(points, 3)?.threshold).toBe(0.1);
    expect(bestF1UnderFalseAlarmCap(points, 0.1)).toBeNull();
  });

  it('picks the fewest alarms at a required recall', () => {
    expect(fewestAlarmsAtRecall(points, 0.8)?.threshold).toBe(0.5);
    expect(fewestAlarmsAtRecall(points, 0.85)?.threshold).toBe(0.1);
    expect(fewestAlarmsAtRecall(points, 0.95)).toBeNull();
  });
});
