/**
 * The unit every training, evaluation and calibration step works on: one patient's (or one ICU stay's) sequence of
 * sliding feature windows, with what really happened and what the rule-based baselines did over the same data.
 * Simulated wards (simulated-dataset.ts) and PhysioNet stays (physionet/) both become PatientSeries, so the model,
 * the detectors and the metrics never know where the data came from.
 */
import type { GroundTruthEvent, WindowFeatures } from '@vigil/contracts';

/** One alarm episode of a baseline detector (or of the model): when it started and, if it did, ended. */
export interface AlarmEpisode {
  patientId: string;
  /** e.g. HR_HIGH, SPO2_LOW, NEWS2, ML_ANOMALY. */
  code: string;
  priority: 'high' | 'medium' | 'low';
  /** Event time the alarm was raised (after any condition delay), epoch ms. */
  start: number;
  /** Event time the condition ended; null when it lasted to the end of the series. */
  end: number | null;
}

export interface PatientSeries {
  patientId: string;
  source: 'simulator' | 'physionet';
  /** Event-time span the series covers, epoch ms. */
  start: number;
  end: number;
  /** Window geometry: `windows[i]` covers [end − windowMs, end); consecutive windows are slideMs apart. */
  windowMs: number;
  slideMs: number;
  /**
   * Sliding feature windows (contracts/src/features.ts, the same function the cloud's stream processor calls), oldest
   * first, aligned on multiples of slideMs since the epoch. A slot with no sample at all is omitted, exactly as the
   * cloud emits no window for it; the model's input builder fills such gaps explicitly.
   */
  windows: WindowFeatures[];
  /** Ground truth (simulator) or derived events (PhysioNet, e.g. sustained MAP < 65 mmHg); empty when unknown. */
  truth: GroundTruthEvent[];
  /** What the cloud's default limit rules raised over the same samples. */
  limitAlarms: AlarmEpisode[];
  /** What the cloud's NEWS2 detector raised over the same samples. */
  news2Alarms: AlarmEpisode[];
  /** NEWS2 total per tumbling window (end time, total, complete), for score-based comparisons. */
  news2Scores: Array<{ t: number; total: number; complete: boolean }>;
  /** Per-stay outcome when known (PhysioNet: in-hospital death). */
  outcome?: { inHospitalDeath: boolean };
}
