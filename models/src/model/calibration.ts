/**
 * Choosing how scores become alerts, on VALIDATION data only (the test set is never seen before the report): sweep
 * the fixed threshold, or the floor under Hundman's dynamic threshold, and the hold, and keep the setting with the
 * best event F1 among those raising no more false alarms per patient-day than the limit alarms do on the same
 * validation patients (the "at no more false alarms per patient-day").
 */
import type { AlarmEpisode, PatientSeries } from '../data/series.ts';
import { evaluateDetector, type DetectorResult } from '../evaluation/event-metrics.ts';
import { stepIndex } from '../features/model-input.ts';
import { episodesFromFlags, rethreshold, type Rethreshold } from '../scoring/alert-episodes.ts';
import type { StepVerdict } from '../scoring/error-track.ts';

export interface CalibrationPoint {
  setting: Rethreshold;
  result: DetectorResult;
}

export interface Calibration {
  chosen: CalibrationPoint;
  /** The false-alarm cap the choice respected (limit alarms on the same data), per patient-day. */
  falseAlarmCap: number;
  points: CalibrationPoint[];
}

export function alertsFor(series: readonly PatientSeries[], verdicts: ReadonlyMap<string, StepVerdict[]>, setting: Rethreshold): AlarmEpisode[] {
  const alarms: AlarmEpisode[] = [];
  for (const s of series) {
    const v = verdicts.get(s.patientId) ?? [];
    const emitted = new Set(s.windows.map((w) => stepIndex(w.end, s.slideMs)));
    alarms.push(...episodesFromFlags(s.patientId, v, rethreshold(v, setting), emitted, s.slideMs));
  }
  return alarms;
}

function quantiles(values: number[], qs: readonly number[]): number[] {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return qs.map((q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!).filter((v) => v !== undefined);
}

export const SWEEP_QUANTILES = [0.8, 0.9, 0.95, 0.97, 0.98, 0.985, 0.99, 0.993, 0.995, 0.997, 0.998, 0.999, 0.9995];
export const SWEEP_HOLDS = [5, 15, 30];

export function sweepSettings(verdicts: ReadonlyMap<string, StepVerdict[]>, modes: ReadonlyArray<'fixed' | 'dynamic'>): Rethreshold[] {
  const scores = [...verdicts.values()].flatMap((v) => v.map((x) => x.score));
  const values = [...new Set(quantiles(scores, SWEEP_QUANTILES))];
  const settings: Rethreshold[] = [];
  for (const holdSteps of SWEEP_HOLDS) {
    for (const mode of modes) {
      for (const value of mode === 'dynamic' ? [0, ...values] : values) settings.push({ mode, value, holdSteps });
    }
  }
  return settings;
}

export function calibrate(name: string, series: readonly PatientSeries[], verdicts: ReadonlyMap<string, StepVerdict[]>, modes: ReadonlyArray<'fixed' | 'dynamic'> = ['fixed', 'dynamic']): Calibration {
  const limits = evaluateDetector('limit alarms', series.flatMap((s) => s.limitAlarms), series);
  const cap = limits.falseAlarmsPerPatientDay;
  const points = sweepSettings(verdicts, modes).map((setting) => ({ setting, result: evaluateDetector(name, alertsFor(series, verdicts, setting), series) }));
  const within = points.filter((p) => p.result.falseAlarmsPerPatientDay <= cap);
  const pool = within.length > 0 ? within : points;
  const chosen = pool.reduce((best, p) => (p.result.f1 > best.result.f1 ? p : best));
  return { chosen, falseAlarmCap: cap, points };
}
