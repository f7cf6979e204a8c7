/**
 * Event-based detection metrics for alarm episodes against ground truth, never point-adjusted: an event counts once
 * however many windows or alarms overlap it, and every alarm counts once as either useful or false. Point adjustment
 * (marking a whole event detected when any point in it is) inflates F1 on its own, even for random scores
 * (Kim et al., "Towards a rigorous evaluation of time-series anomaly detection", AAAI 2022), so it is not used here.
 */
import { CLINICAL_EVENT_TYPES, DERIVED_EVENT_TYPES, type GroundTruthEvent } from '@vigil/contracts';
import type { AlarmEpisode, PatientSeries } from '../data/series.ts';

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export const DEFAULT_EVENT_METRICS_OPTIONS = {
  graceMs: 30 * MINUTE_MS, // 30 min: an alarm this soon after an event ended is about it, not a false alarm
  gradualMinMs: 60 * MINUTE_MS, // 60 min: events whose peak comes ≥ 1 h after onset are "gradual"
};

export interface EventMetricsOptions {
  /** An alarm starting up to this long after an event's end is still a true positive. Default 30 min. */
  graceMs?: number;
  /** An event is gradual when peak − onset ≥ this; sudden otherwise (including no peak). Default 60 min. */
  gradualMinMs?: number;
  /** A detector to compare lead times with (e.g. the limit alarms), over the events both catch. */
  reference?: { name: string; alarms: AlarmEpisode[] };
}

/** Median and interquartile range (quantiles by linear interpolation, Hyndman & Fan type 7); null when n = 0. */
export interface Summary {
  n: number;
  median: number | null;
  q1: number | null;
  q3: number | null;
}

export interface RecallRow {
  key: string;
  events: number;
  caught: number;
  /** caught / events; 0 when there are no events (read it with `events`). */
  recall: number;
}

export interface EventOutcome {
  eventId: string;
  patientId: string;
  type: GroundTruthEvent['type'];
  severity: GroundTruthEvent['severity'];
  kind: 'gradual' | 'sudden';
  onset: number;
  /** offset ?? the series' end. */
  end: number;
  caught: boolean;
  /** Start of the first alarm starting within [onset, end]; null when missed. */
  firstAlarmStart: number | null;
  /** (peak ?? onset) − firstAlarmStart in minutes; positive = raised before the full effect. */
  leadMin: number | null;
}

export interface DetectorResult {
  detector: string;
  options: { graceMs: number; gradualMinMs: number; reference: string | null };
  patients: number;
  patientDays: number;
  events: number;
  caughtEvents: number;
  recall: number;
  alarms: number;
  truePositiveAlarms: number;
  falseAlarms: number;
  /** TP alarms / alarms; 0 when there are no alarms (scikit-learn's zero_division=0 convention). */
  precision: number;
  /** 2PR / (P + R); 0 when both are 0. */
  f1: number;
  alarmsPerPatientDay: number;
  falseAlarmsPerPatientDay: number;
  leadTimeMin: { all: Summary; gradual: Summary; sudden: Summary };
  /** Per event caught by both: reference's first alarm − this detector's, in minutes (positive = earlier). */
  leadOverReferenceMin: (Summary & { reference: string }) | null;
  bySeverity: RecallRow[];
  byType: RecallRow[];
  perEvent: EventOutcome[];
}

/** Quantile by linear interpolation between order statistics (type 7, R's and numpy's default). */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of an empty sample');
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const a = sorted[lo]!;
  const b = sorted[Math.min(lo + 1, sorted.length - 1)]!;
  return a + (h - lo) * (b - a);
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { n: 0, median: null, q1: null, q3: null };
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, median: quantile(sorted, 0.5), q1: quantile(sorted, 0.25), q3: quantile(sorted, 0.75) };
}

export function ratio(numerator: number, denominator: number): number {
  return denominator > 0 ? numerator / denominator : 0;
}

export function f1Score(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** Sum of the series' spans in days. */
export function patientDays(series: readonly PatientSeries[]): number {
  return series.reduce((sum, s) => sum + (s.end - s.start), 0) / DAY_MS;
}

/** The events a detector is asked to catch: clinical changes other than recovery (artifacts and faults are not). */
export function isTargetEvent(event: GroundTruthEvent): boolean {
  return event.category === 'clinical' && event.type !== 'recovery';
}

interface ScoredEvent {
  event: GroundTruthEvent;
  end: number;
}

function targetEventsByPatient(series: readonly PatientSeries[]): Map<string, ScoredEvent[]> {
  const byPatient = new Map<string, ScoredEvent[]>();
  for (const s of series) {
    const list = byPatient.get(s.patientId) ?? [];
    for (const event of s.truth) if (isTargetEvent(event)) list.push({ event, end: event.offset ?? s.end });
    byPatient.set(s.patientId, list);
  }
  return byPatient;
}

function alarmsByPatient(alarms: readonly AlarmEpisode[], known: Map<string, unknown>, detector: string): Map<string, AlarmEpisode[]> {
  const byPatient = new Map<string, AlarmEpisode[]>();
  for (const alarm of alarms) {
    // An alarm for a patient outside the series would silently vanish from every rate: refuse it instead.
    if (!known.has(alarm.patientId)) throw new Error(`${detector}: alarm for patient ${alarm.patientId}, who has no series`);
    const list = byPatient.get(alarm.patientId) ?? [];
    list.push(alarm);
    byPatient.set(alarm.patientId, list);
  }
  for (const list of byPatient.values()) list.sort((a, b) => a.start - b.start);
  return byPatient;
}

/** Start of the first alarm starting within [from, to], or null. `alarms` sorted by start. */
function firstStartWithin(alarms: readonly AlarmEpisode[], from: number, to: number): number | null {
  for (const alarm of alarms) {
    if (alarm.start > to) return null;
    if (alarm.start >= from) return alarm.start;
  }
  return null;
}

function recallRows(outcomes: readonly EventOutcome[], keyOf: (o: EventOutcome) => string, order: readonly string[]): RecallRow[] {
  return order.flatMap((key) => {
    const mine = outcomes.filter((o) => keyOf(o) === key);
    if (mine.length === 0) return [];
    const caught = mine.filter((o) => o.caught).length;
    return [{ key, events: mine.length, caught, recall: ratio(caught, mine.length) }];
  });
}

const SEVERITIES = ['mild', 'moderate', 'severe'] as const;
// Events derived from real recordings (e.g. sustained hypotension in an imported PhysioNet session) are targets too.
const TARGET_TYPES = [...CLINICAL_EVENT_TYPES.filter((t) => t !== 'recovery'), ...DERIVED_EVENT_TYPES];

/**
 * Score one detector's alarm episodes against the series' ground truth.
 * - An event (clinical, not recovery) is caught when an alarm of its patient starts within [onset, offset ?? series end].
 * - An alarm is a true positive when it starts within [onset, (offset ?? series end) + graceMs] of an event of its
 *   patient; any other alarm, including one during an artifact or a technical fault, is false.
 * - Lead time of a caught event = (peak ?? onset) − the first catching alarm's start.
 */
export function evaluateDetector(
  detector: string,
  alarms: readonly AlarmEpisode[],
  series: readonly PatientSeries[],
  options: EventMetricsOptions = {},
): DetectorResult {
  const graceMs = options.graceMs ?? DEFAULT_EVENT_METRICS_OPTIONS.graceMs;
  const gradualMinMs = options.gradualMinMs ?? DEFAULT_EVENT_METRICS_OPTIONS.gradualMinMs;
  const events = targetEventsByPatient(series);
  const mine = alarmsByPatient(alarms, events, detector);
  const reference = options.reference ? alarmsByPatient(options.reference.alarms, events, options.reference.name) : null;

  const perEvent: EventOutcome[] = [];
  const overReference: number[] = [];
  for (const [patientId, list] of events) {
    const patientAlarms = mine.get(patientId) ?? [];
    for (const { event, end } of list) {
      const first = firstStartWithin(patientAlarms, event.onset, end);
      const rise = event.peak !== undefined ? event.peak - event.onset : 0;
      perEvent.push({
        eventId: event.id,
        patientId,
        type: event.type,
        severity: event.severity,
        kind: event.peak !== undefined && rise >= gradualMinMs ? 'gradual' : 'sudden',
        onset: event.onset,
        end,
        caught: first !== null,
        firstAlarmStart: first,
        leadMin: first === null ? null : ((event.peak ?? event.onset) - first) / MINUTE_MS,
      });
      const refFirst = reference ? firstStartWithin(reference.get(patientId) ?? [], event.onset, end) : null;
      if (first !== null && refFirst !== null) overReference.push((refFirst - first) / MINUTE_MS);
    }
  }

  let truePositiveAlarms = 0;
  for (const [patientId, patientAlarms] of mine) {
    const list = events.get(patientId) ?? [];
    for (const alarm of patientAlarms) {
      if (list.some(({ event, end }) => alarm.start >= event.onset && alarm.start <= end + graceMs)) truePositiveAlarms++;
    }
  }

  const days = patientDays(series);
  const caughtEvents = perEvent.filter((o) => o.caught).length;
  const recall = ratio(caughtEvents, perEvent.length);
  const precision = ratio(truePositiveAlarms, alarms.length);
  const falseAlarms = alarms.length - truePositiveAlarms;
  const leads = (kind?: EventOutcome['kind']): number[] =>
    perEvent.flatMap((o) => (o.leadMin !== null && (kind === undefined || o.kind === kind) ? [o.leadMin] : []));
  return {
    detector,
    options: { graceMs, gradualMinMs, reference: options.reference?.name ?? null },
    patients: events.size,
    patientDays: days,
    events: perEvent.length,
    caughtEvents,
    recall,
    alarms: alarms.length,
    truePositiveAlarms,
    falseAlarms,
    precision,
    f1: f1Score(precision, recall),
    alarmsPerPatientDay: ratio(alarms.length, days),
    falseAlarmsPerPatientDay: ratio(falseAlarms, days),
    leadTimeMin: { all: summarize(leads()), gradual: summarize(leads('gradual')), sudden: summarize(leads('sudden')) },
    leadOverReferenceMin: options.reference ? { reference: options.reference.name, ...summarize(overReference) } : null,
    bySeverity: recallRows(perEvent, (o) => o.severity, SEVERITIES),
    byType: recallRows(perEvent, (o) => o.type, TARGET_TYPES),
    perEvent,
  };
}

/** Recall over the severe events (0 when there are none; see `bySeverity` for the count). */
export function severeRecall(result: DetectorResult): number {
  return result.bySeverity.find((row) => row.key === 'severe')?.recall ?? 0;
}

// ---- operating curves: sweep a detector's threshold and score each setting with the same event metrics ----

/** A model's score for one window of one patient; `t` is the window's end, when the score becomes known. */
export interface ScoredWindow {
  patientId: string;
  t: number;
  score: number;
}

export interface HysteresisRule {
  /** Consecutive windows with score ≥ threshold before an alarm is raised. Default 1. */
  raiseAfter?: number;
  /** Consecutive windows with score < threshold − clearMargin before it clears. Default 1. */
  clearAfter?: number;
  /** Clear below threshold − clearMargin, so a score hovering at the threshold does not chatter. Default 0. */
  clearMargin?: number;
  code?: string;
  priority?: AlarmEpisode['priority'];
}

/**
 * Alarm episodes from per-window scores: raised at the window completing `raiseAfter` consecutive windows at or above
 * the threshold, ended at the window completing `clearAfter` consecutive windows below threshold − clearMargin (null
 * when still active at the patient's last window). Windows are taken in time order per patient; a missing window
 * neither raises nor clears.
 */
export function scoresToAlarms(scores: readonly ScoredWindow[], threshold: number, rule: HysteresisRule = {}): AlarmEpisode[] {
  const raiseAfter = rule.raiseAfter ?? 1;
  const clearAfter = rule.clearAfter ?? 1;
  const clearBelow = threshold - (rule.clearMargin ?? 0);
  const byPatient = new Map<string, ScoredWindow[]>();
  for (const w of scores) {
    const list = byPatient.get(w.patientId) ?? [];
    list.push(w);
    byPatient.set(w.patientId, list);
  }
  const alarms: AlarmEpisode[] = [];
  for (const [patientId, windows] of byPatient) {
    windows.sort((a, b) => a.t - b.t);
    let active: AlarmEpisode | null = null;
    let above = 0;
    let below = 0;
    for (const w of windows) {
      above = w.score >= threshold ? above + 1 : 0;
      below = w.score < clearBelow ? below + 1 : 0;
      if (!active && above >= raiseAfter) {
        active = { patientId, code: rule.code ?? 'ML_ANOMALY', priority: rule.priority ?? 'medium', start: w.t, end: null };
        alarms.push(active);
      } else if (active && below >= clearAfter) {
        active.end = w.t;
        active = null;
      }
    }
  }
  return alarms.sort((a, b) => a.start - b.start || a.patientId.localeCompare(b.patientId));
}

export interface OperatingPoint {
  threshold: number;
  recall: number;
  precision: number;
  f1: number;
  alarmsPerPatientDay: number;
  falseAlarmsPerPatientDay: number;
  alarms: number;
  caughtEvents: number;
  events: number;
}

/** Score the detector at each threshold; points come back in the order of `thresholds`. */
export function operatingCurve(
  thresholds: readonly number[],
  alarmsAt: (threshold: number) => readonly AlarmEpisode[],
  series: readonly PatientSeries[],
  options: Omit<EventMetricsOptions, 'reference'> = {},
): OperatingPoint[] {
  return thresholds.map((threshold) => {
    const r = evaluateDetector(`threshold ${threshold}`, alarmsAt(threshold), series, options);
    return {
      threshold,
      recall: r.recall,
      precision: r.precision,
      f1: r.f1,
      alarmsPerPatientDay: r.alarmsPerPatientDay,
      falseAlarmsPerPatientDay: r.falseAlarmsPerPatientDay,
      alarms: r.alarms,
      caughtEvents: r.caughtEvents,
      events: r.events,
    };
  });
}

/** operatingCurve over per-window scores turned into alarms by one hysteresis rule. */
export function operatingCurveFromScores(
  scores: readonly ScoredWindow[],
  thresholds: readonly number[],
  rule: HysteresisRule,
  series: readonly PatientSeries[],
  options: Omit<EventMetricsOptions, 'reference'> = {},
): OperatingPoint[] {
  return operatingCurve(thresholds, (threshold) => scoresToAlarms(scores, threshold, rule), series, options);
}

/** `count` thresholds at evenly spaced quantiles of the scores (distinct values, ascending), for a sweep. */
export function quantileThresholds(scores: readonly number[], count: number): number[] {
  const sorted = [...scores].sort((a, b) => a - b);
  if (sorted.length === 0 || count < 1) return [];
  const ps = count === 1 ? [0.5] : Array.from({ length: count }, (_, i) => i / (count - 1));
  return [...new Set(ps.map((p) => quantile(sorted, p)))];
}

/** Highest F1 with false alarms per patient-day ≤ cap; ties go to fewer alarms, then the higher threshold. */
export function bestF1UnderFalseAlarmCap(points: readonly OperatingPoint[], maxFalseAlarmsPerPatientDay: number): OperatingPoint | null {
  const ok = points.filter((p) => p.falseAlarmsPerPatientDay <= maxFalseAlarmsPerPatientDay);
  return pick(ok, (a, b) => b.f1 - a.f1 || a.alarmsPerPatientDay - b.alarmsPerPatientDay || b.threshold - a.threshold);
}

/**
 * "Equal recall" comparison: among points with recall ≥ minRecall, the one with fewest alarms per patient-day; ties
 * go to the higher recall, then the higher threshold. Null when no point reaches the recall.
 */
export function fewestAlarmsAtRecall(points: readonly OperatingPoint[], minRecall: number): OperatingPoint | null {
  const ok = points.filter((p) => p.recall >= minRecall);
  return pick(ok, (a, b) => a.alarmsPerPatientDay - b.alarmsPerPatientDay || b.recall - a.recall || b.threshold - a.threshold);
}

function pick(points: readonly OperatingPoint[], compare: (a: OperatingPoint, b: OperatingPoint) => number): OperatingPoint | null {
  return [...points].sort(compare)[0] ?? null;
}
