/**
 * A detector that knows nothing: alarms at random times, as a homogeneous Poisson process per patient. Run at the same
 * alarm rate as the model, it is the floor the model must clear; recall and precision above it are what the model
 * learned, not what alarming often buys. Deterministic from a seed string, per patient, so a series' alarms do not
 * depend on which other series are in the set or on their order.
 */
import type { AlarmEpisode, PatientSeries } from '../data/series.ts';
import { DAY_MS, patientDays } from './event-metrics.ts';

/**
 * Seeded uniform numbers in [0, 1): mulberry32 (Tommy Ettinger's 32-bit generator, period 2^32) seeded by a 32-bit
 * FNV-1a hash of the seed string. Small and enough for alarm times and bootstrap resampling; not cryptographic.
 */
export function seededRandom(seed: string): () => number {
  let state = 0x811c9dc5; // FNV-1a offset basis
  for (let i = 0; i < seed.length; i++) state = Math.imul(state ^ seed.charCodeAt(i), 0x01000193); // FNV prime
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomDetectorOptions {
  /** Mean alarms per patient-day (the Poisson rate). */
  ratePerPatientDay: number;
  /** How long each alarm lasts, ms; cut at the series' end (end = null). */
  durationMs: number;
  seed: string;
  code?: string;
  priority?: AlarmEpisode['priority'];
}

/**
 * Alarm starts with exponential gaps of mean 1 / rate from each series' start. Episodes may overlap, unlike a real
 * alarm; the event metrics count alarms by their start, so the realised rate is the requested one.
 */
export function randomDetector(series: readonly PatientSeries[], options: RandomDetectorOptions): AlarmEpisode[] {
  const { ratePerPatientDay, durationMs, seed } = options;
  if (!(ratePerPatientDay >= 0) || !(durationMs >= 0)) throw new RangeError('random detector: rate and duration must be ≥ 0');
  const alarms: AlarmEpisode[] = [];
  if (ratePerPatientDay === 0) return alarms;
  const meanGapMs = DAY_MS / ratePerPatientDay;
  for (const s of series) {
    const next = seededRandom(`${seed}:${s.patientId}:${s.start}`);
    // Inverse-CDF exponential draw; 1 − u is in (0, 1], so the log is finite.
    for (let t = s.start - meanGapMs * Math.log(1 - next()); t < s.end; t -= meanGapMs * Math.log(1 - next())) {
      const start = Math.floor(t); // floor keeps it inside [s.start, s.end)
      const end = start + durationMs;
      alarms.push({
        patientId: s.patientId,
        code: options.code ?? 'RANDOM',
        priority: options.priority ?? 'medium',
        start,
        end: end < s.end ? end : null,
      });
    }
  }
  return alarms.sort((a, b) => a.start - b.start || a.patientId.localeCompare(b.patientId));
}

/**
 * A random detector matched to another detector: its alarms per patient-day and its median alarm duration (an alarm
 * still active at the end counts to the series' end).
 */
export function randomDetectorLike(
  alarms: readonly AlarmEpisode[],
  series: readonly PatientSeries[],
  seed: string,
): { options: RandomDetectorOptions; alarms: AlarmEpisode[] } {
  const ends = new Map(series.map((s) => [s.patientId, s.end]));
  const durations = alarms.map((a) => (a.end ?? ends.get(a.patientId) ?? a.start) - a.start).sort((x, y) => x - y);
  const mid = durations.length >> 1;
  const median = durations.length === 0 ? 0 : durations.length % 2 ? durations[mid]! : (durations[mid - 1]! + durations[mid]!) / 2;
  const days = patientDays(series);
  const options: RandomDetectorOptions = { ratePerPatientDay: days > 0 ? alarms.length / days : 0, durationMs: median, seed };
  return { options, alarms: randomDetector(series, options) };
}
