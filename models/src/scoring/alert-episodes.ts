/**
 * Verdicts → alert episodes, exactly as the cloud turns them into advisory alarms (stream-processor applyVerdicts):
 * only steps where a window was emitted get a verdict; an alert starts at the first anomalous one (at the window's
 * end) and ends at the first one that is not. Also re-thresholding for calibration sweeps: the smoothed score and
 * the dynamic threshold do not depend on the threshold's floor, the fixed value or the hold, so a sweep over those
 * needs no rescoring.
 */
import type { AlarmEpisode } from '../data/series.ts';
import type { StepVerdict } from './error-track.ts';

export interface Rethreshold {
  mode: 'fixed' | 'dynamic';
  /** Fixed: the threshold. Dynamic: the floor under the dynamic threshold. */
  value: number;
  holdSteps: number;
}

/** Anomalous flags of a verdict sequence (contiguous indices) under other threshold settings. */
export function rethreshold(verdicts: readonly StepVerdict[], r: Rethreshold): boolean[] {
  let lastExceed = -Infinity;
  return verdicts.map((v) => {
    const eps = r.mode === 'fixed' ? r.value : Math.max(r.value, v.dynamic);
    if (v.score === v.score && v.score > eps) lastExceed = v.index;
    return v.index - lastExceed < r.holdSteps;
  });
}

export function episodesFromFlags(patientId: string, verdicts: readonly StepVerdict[], flags: readonly boolean[], emitted: ReadonlySet<number>, slideMs: number, code = 'ML_ANOMALY'): AlarmEpisode[] {
  const episodes: AlarmEpisode[] = [];
  let open: AlarmEpisode | null = null;
  verdicts.forEach((v, i) => {
    if (!emitted.has(v.index)) return;
    const t = v.index * slideMs;
    if (flags[i] && !open) {
      open = { patientId, code, priority: 'low', start: t, end: null };
      episodes.push(open);
    } else if (!flags[i] && open) {
      open.end = t;
      open = null;
    }
  });
  return episodes;
}
