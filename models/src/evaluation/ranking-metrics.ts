/**
 * Threshold-free ranking metrics (AUROC, AUPRC) with percentile-bootstrap confidence intervals, and the early-warning
 * check used on PhysioNet: does an alert come at least an hour before a derived event, and at what alarm rate.
 */
import type { GroundTruthEvent } from '@vigil/contracts';
import type { AlarmEpisode, PatientSeries } from '../data/series.ts';
import {
  MINUTE_MS,
  patientDays,
  quantile,
  ratio,
  scoresToAlarms,
  summarize,
  type HysteresisRule,
  type ScoredWindow,
  type Summary,
} from './event-metrics.ts';
import { seededRandom } from './random-detector.ts';

export interface RocPoint {
  /** Alert when score ≥ threshold; null for the starting point (above every score: nothing flagged). */
  threshold: number | null;
  fpr: number;
  tpr: number;
}

export interface PrPoint {
  threshold: number;
  recall: number;
  precision: number;
}

export interface ConfidenceInterval {
  estimate: number;
  lower: number;
  upper: number;
  level: number;
  resamples: number;
  seed: string;
  method: 'percentile bootstrap, stratified by class';
}

export interface RankingMetrics {
  n: number;
  positives: number;
  /** Share of positives: the AUPRC of a random ranking, to read AUPRC against. */
  prevalence: number;
  auroc: ConfidenceInterval;
  /** Average precision, step-wise (no interpolation), tied scores entering together. */
  auprc: ConfidenceInterval;
}

/** Tie groups of the items by descending score: each group lists the indices sharing one score. */
interface Ranking {
  labels: readonly boolean[];
  groups: Array<{ score: number; members: number[] }>;
}

function rank(scores: readonly number[], labels: readonly boolean[]): Ranking {
  if (scores.length !== labels.length) throw new RangeError(`ranking: ${scores.length} scores for ${labels.length} labels`);
  if (scores.some((s) => !Number.isFinite(s))) throw new RangeError('ranking: scores must be finite numbers');
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const groups: Ranking['groups'] = [];
  for (const i of order) {
    const last = groups.at(-1);
    if (last && last.score === scores[i]) last.members.push(i);
    else groups.push({ score: scores[i]!, members: [i] });
  }
  return { labels, groups };
}

/** Per tie group, the weight of positives and of negatives (weight = how often the item is drawn; 1 without bootstrap). */
function groupCounts(r: Ranking, weights: ArrayLike<number> | null): Array<{ score: number; pos: number; neg: number }> {
  return r.groups.map(({ score, members }) => {
    let pos = 0, neg = 0;
    for (const i of members) {
      const w = weights ? weights[i]! : 1;
      if (r.labels[i]) pos += w;
      else neg += w;
    }
    return { score, pos, neg };
  });
}

function requireBothClasses(pos: number, neg: number, what: string): void {
  if (pos === 0 || neg === 0) throw new RangeError(`${what} is undefined without both positives and negatives`);
}

/**
 * AUROC as the Mann–Whitney U statistic over P·N pairs: a positive scored above a negative counts 1, a tie ½
 * (Hanley & McNeil, Radiology 1982). Constant scores give exactly 0.5.
 */
function aurocOf(r: Ranking, weights: ArrayLike<number> | null): number {
  const counts = groupCounts(r, weights);
  const P = counts.reduce((s, g) => s + g.pos, 0);
  const N = counts.reduce((s, g) => s + g.neg, 0);
  requireBothClasses(P, N, 'AUROC');
  let negBelow = N;
  let u = 0;
  for (const g of counts) {
    negBelow -= g.neg;
    u += g.pos * (negBelow + 0.5 * g.neg);
  }
  return u / (P * N);
}

/**
 * Average precision: Σ over thresholds (recall_k − recall_{k−1}) · precision_k, thresholds at each distinct score from
 * the highest down. Step-wise, not the trapezoid (which overstates a PR curve; Davis & Goadrich, ICML 2006); the same
 * definition as scikit-learn's average_precision_score.
 */
function auprcOf(r: Ranking, weights: ArrayLike<number> | null): number {
  const counts = groupCounts(r, weights);
  const P = counts.reduce((s, g) => s + g.pos, 0);
  const N = counts.reduce((s, g) => s + g.neg, 0);
  requireBothClasses(P, N, 'AUPRC');
  let tp = 0, fp = 0, ap = 0;
  for (const g of counts) {
    tp += g.pos;
    fp += g.neg;
    if (g.pos > 0) ap += (g.pos / P) * (tp / (tp + fp));
  }
  return ap;
}

export function auroc(scores: readonly number[], labels: readonly boolean[]): number {
  return aurocOf(rank(scores, labels), null);
}

export function auprc(scores: readonly number[], labels: readonly boolean[]): number {
  return auprcOf(rank(scores, labels), null);
}

/** ROC points from (0, 0) to (1, 1), one per distinct score, descending threshold. */
export function rocCurve(scores: readonly number[], labels: readonly boolean[]): RocPoint[] {
  const counts = groupCounts(rank(scores, labels), null);
  const P = counts.reduce((s, g) => s + g.pos, 0);
  const N = counts.reduce((s, g) => s + g.neg, 0);
  requireBothClasses(P, N, 'ROC');
  const points: RocPoint[] = [{ threshold: null, fpr: 0, tpr: 0 }];
  let tp = 0, fp = 0;
  for (const g of counts) {
    tp += g.pos;
    fp += g.neg;
    points.push({ threshold: g.score, fpr: fp / N, tpr: tp / P });
  }
  return points;
}

/** PR points, one per distinct score, descending threshold (no artificial recall-0 point). */
export function prCurve(scores: readonly number[], labels: readonly boolean[]): PrPoint[] {
  const counts = groupCounts(rank(scores, labels), null);
  const P = counts.reduce((s, g) => s + g.pos, 0);
  requireBothClasses(P, counts.reduce((s, g) => s + g.neg, 0), 'PR curve');
  let tp = 0, fp = 0;
  return counts.map((g) => {
    tp += g.pos;
    fp += g.neg;
    return { threshold: g.score, recall: tp / P, precision: tp / (tp + fp) };
  });
}

export interface BootstrapOptions {
  /** Default 1,000 resamples. */
  resamples?: number;
  /** Default 0.95. */
  level?: number;
  /** Default 'bootstrap'. Same seed and data → same interval. */
  seed?: string;
}

/**
 * Percentile bootstrap CI (Efron & Tibshirani 1993, ch. 13), resampling positives and negatives separately so every
 * resample keeps the observed prevalence and both classes. Bounds by type-7 quantiles of the resampled values.
 */
export function bootstrapCi(
  scores: readonly number[],
  labels: readonly boolean[],
  metric: 'auroc' | 'auprc',
  options: BootstrapOptions = {},
): ConfidenceInterval {
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  const seed = options.seed ?? 'bootstrap';
  const r = rank(scores, labels);
  const of = metric === 'auroc' ? aurocOf : auprcOf;
  const estimate = of(r, null);
  const positives = labels.flatMap((l, i) => (l ? [i] : []));
  const negatives = labels.flatMap((l, i) => (l ? [] : [i]));
  const next = seededRandom(`${seed}:${metric}`);
  const weights = new Float64Array(labels.length);
  const values: number[] = [];
  for (let b = 0; b < resamples; b++) {
    weights.fill(0);
    for (const cls of [positives, negatives]) {
      for (let k = 0; k < cls.length; k++) weights[cls[Math.floor(next() * cls.length)]!]! += 1;
    }
    values.push(of(r, weights));
  }
  values.sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  return {
    estimate,
    lower: quantile(values, alpha),
    upper: quantile(values, 1 - alpha),
    level,
    resamples,
    seed,
    method: 'percentile bootstrap, stratified by class',
  };
}

/** AUROC and AUPRC with bootstrap CIs, and the prevalence AUPRC should be read against. */
export function rankingSummary(scores: readonly number[], labels: readonly boolean[], options: BootstrapOptions = {}): RankingMetrics {
  const positives = labels.filter(Boolean).length;
  return {
    n: labels.length,
    positives,
    prevalence: ratio(positives, labels.length),
    auroc: bootstrapCi(scores, labels, 'auroc', options),
    auprc: bootstrapCi(scores, labels, 'auprc', options),
  };
}

// ---- early warning before derived events ----

export type AlertInput =
  | { alarms: readonly AlarmEpisode[] }
  /** Alerts are the starts of runs of windows at or above the threshold (scoresToAlarms with `rule`). */
  | { scores: readonly ScoredWindow[]; threshold: number; rule?: HysteresisRule };

export interface LeadBeforeEventsOptions {
  /** The series the alerts and events come from: patient-days and the end of events with no offset. */
  series: readonly PatientSeries[];
  /** An alert counts only when it starts at least this long before onset. Default 1 h. */
  minLeadMs?: number;
  /** …and no longer than this before onset. */
  lookbackMs: number;
}

export interface LeadBeforeEventsResult {
  options: { minLeadMs: number; lookbackMs: number };
  events: number;
  /** Events with an alert starting within [onset − lookback, onset − minLead]. */
  eventsWithEarlyAlert: number;
  share: number;
  /** onset − the earliest such alert's start, minutes. */
  leadMin: Summary;
  alerts: number;
  /** Alerts starting outside [onset − lookback, offset ?? series end] of every event of their patient. */
  falseAlerts: number;
  patientDays: number;
  /** Beside `share`: alerting all the time finds every event, at a rate this shows. */
  alertsPerPatientDay: number;
  falseAlertsPerPatientDay: number;
}

/**
 * Share of events warned of at least `minLeadMs` ahead (within `lookbackMs`), the median lead of the earliest such
 * warning, and the alert and false-alert rates that came with it. Events are taken as given (e.g. derived sustained
 * MAP < 65 mmHg episodes); filter them before calling.
 */
export function leadBeforeEvents(input: AlertInput, events: readonly GroundTruthEvent[], options: LeadBeforeEventsOptions): LeadBeforeEventsResult {
  const minLeadMs = options.minLeadMs ?? 60 * MINUTE_MS;
  const { lookbackMs, series } = options;
  const alarms = 'alarms' in input ? input.alarms : scoresToAlarms(input.scores, input.threshold, input.rule);
  const seriesEnd = new Map<string, number>();
  for (const s of series) seriesEnd.set(s.patientId, Math.max(s.end, seriesEnd.get(s.patientId) ?? -Infinity));
  const startsByPatient = new Map<string, number[]>();
  for (const a of alarms) {
    const starts = startsByPatient.get(a.patientId) ?? [];
    starts.push(a.start);
    startsByPatient.set(a.patientId, starts);
  }

  const leads: number[] = [];
  for (const e of events) {
    const early = (startsByPatient.get(e.patientId) ?? []).filter((t) => t >= e.onset - lookbackMs && t <= e.onset - minLeadMs);
    if (early.length > 0) leads.push((e.onset - early.reduce((a, b) => Math.min(a, b))) / MINUTE_MS);
  }
  const falseAlerts = alarms.filter(
    (a) =>
      !events.some(
        (e) => e.patientId === a.patientId && a.start >= e.onset - lookbackMs && a.start <= (e.offset ?? seriesEnd.get(e.patientId) ?? e.onset),
      ),
  ).length;
  const days = patientDays(series);
  return {
    options: { minLeadMs, lookbackMs },
    events: events.length,
    eventsWithEarlyAlert: leads.length,
    share: ratio(leads.length, events.length),
    leadMin: summarize(leads),
    alerts: alarms.length,
    falseAlerts,
    patientDays: days,
    alertsPerPatientDay: ratio(alarms.length, days),
    falseAlertsPerPatientDay: ratio(falseAlerts, days),
  };
}
