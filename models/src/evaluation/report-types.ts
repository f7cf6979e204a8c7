/**
 * The shape of an evaluation report: the evaluation CLI fills it, report-writer.ts renders it (report.md, report.json,
 * plots). Plain types rather than zod: the object is built in-process from the metric functions' own return types
 * and never parsed from outside, so a schema would only duplicate them.
 */
import type { DetectorResult, OperatingPoint } from './event-metrics.ts';
import type { LeadBeforeEventsResult, PrPoint, RankingMetrics, RocPoint } from './ranking-metrics.ts';

export interface DatasetSummary {
  /** e.g. "Simulated ward, 40 beds × 7 days" or "PhysioNet 2012 set A, test split". */
  name: string;
  source: 'simulator' | 'physionet';
  patients: number;
  patientDays: number;
  /** Target events (clinical, not recovery, or derived events). */
  events: number;
  description?: string;
}

export interface OperatingCurveEntry {
  /** The detector whose threshold is swept (the model). */
  detector: string;
  /** How scores become alarms, e.g. "raise after 2 windows ≥ threshold, clear after 3 below". */
  rule: string;
  points: OperatingPoint[];
  /** Points picked from the curve, e.g. { label: 'best F1 at ≤ 2 FA/pt-day', point }. */
  chosen: Array<{ label: string; point: OperatingPoint }>;
}

/** Event metrics of every detector over one dataset (the same series, the same options). */
export interface EventDetectionSection {
  /** Section title; also names the plots (slugified). */
  dataset: string;
  /** The model first, then the baselines (limit, NEWS2, random at the model's rate). */
  detectors: DetectorResult[];
  operatingCurve: OperatingCurveEntry | null;
}

/** A promise the issue makes (a row with ✔/✘). The caller measures `value`; the writer judges it. */
export interface Target {
  id: string;
  /** e.g. "Recall of severe events". */
  label: string;
  /** The detector it is about, or null for a comparison / the whole system. */
  detector: string | null;
  comparator: '>=' | '<=';
  target: number;
  /** The measured value; null when it could not be measured (counted as not met). */
  value: number | null;
  unit?: string;
}

export interface TargetResult extends Target {
  met: boolean;
  /** |target − value| when not met and measured; null otherwise. */
  missedBy: number | null;
}

/** One scorer ranked against one binary outcome (e.g. in-hospital death per PhysioNet stay). */
export interface RankingEntry extends RankingMetrics {
  task: string;
  detector: string;
  roc: RocPoint[];
  pr?: PrPoint[];
}

export interface LeadBeforeEventsEntry extends LeadBeforeEventsResult {
  /** e.g. "sustained MAP < 65 mmHg". */
  task: string;
  detector: string;
}

export interface EvaluationReport {
  title: string;
  /** ISO 8601; set by the caller so two runs over the same data give the same report apart from this line. */
  generatedAt: string;
  /** Markdown written by the caller: data, splits, training, thresholds chosen and on what. */
  method: string;
  datasets: DatasetSummary[];
  eventDetection: EventDetectionSection[];
  targets: Target[];
  ranking: RankingEntry[];
  leadBeforeEvents: LeadBeforeEventsEntry[];
  /** Limitations and anything else a reader must know, one bullet each. */
  notes: string[];
  /** Seeds, model hash, commit, versions: whatever identifies the run. */
  provenance: Record<string, string | number | boolean | null>;
}
