/** Small hand-made series for the evaluation tests: times are offsets from T0 so expected values can be worked out by hand. */
import type { GroundTruthEvent } from '@vigil/contracts';
import type { AlarmEpisode, PatientSeries } from '../../src/data/series.ts';

export const T0 = 1_760_000_000_000;
export const MIN = 60_000;
export const H = 3_600_000;
export const DAY = 86_400_000;

let nextId = 0;
export function event(patientId: string, fields: Partial<GroundTruthEvent> & Pick<GroundTruthEvent, 'type' | 'onset'>): GroundTruthEvent {
  return {
    id: `gt-${String(++nextId).padStart(4, '0')}`,
    category: 'clinical',
    patientId,
    bedId: `bed-${patientId}`,
    offset: null,
    severity: 'moderate',
    affected: ['hr'],
    ...fields,
  };
}

export function series(patientId: string, truth: GroundTruthEvent[], span = DAY, start = T0): PatientSeries {
  return {
    patientId,
    source: 'simulator',
    start,
    end: start + span,
    windowMs: 5 * MIN,
    slideMs: MIN,
    windows: [],
    truth,
    limitAlarms: [],
    news2Alarms: [],
    news2Scores: [],
  };
}

export function alarm(patientId: string, start: number, end: number | null = null, code = 'TEST'): AlarmEpisode {
  return { patientId, code, priority: 'medium', start, end };
}

/**
 * Two patients, one day each (2 patient-days).
 * p1: sepsis (severe) onset 2 h, peak 5 h (gradual), offset 8 h; tachyarrhythmia (moderate) 12 h–12 h 30 (sudden);
 *     a recovery 9–11 h and a motion artifact 15 h–15 h 10, neither of them an event.
 * p2: hypoxaemia (severe) onset 4 h, peak 4 h 30 (sudden: < 60 min), no offset (lasts to the series' end).
 */
export function ward(): PatientSeries[] {
  return [
    series('p1', [
      event('p1', { id: 'sepsis-1', type: 'sepsis', severity: 'severe', onset: T0 + 2 * H, peak: T0 + 5 * H, offset: T0 + 8 * H }),
      event('p1', { id: 'tachy-1', type: 'tachyarrhythmia', severity: 'moderate', onset: T0 + 12 * H, offset: T0 + 12 * H + 30 * MIN }),
      event('p1', { type: 'recovery', severity: 'mild', onset: T0 + 9 * H, offset: T0 + 11 * H }),
      event('p1', { category: 'artifact', type: 'motion_artifact', severity: 'mild', onset: T0 + 15 * H, offset: T0 + 15 * H + 10 * MIN }),
    ]),
    series('p2', [event('p2', { id: 'hypox-2', type: 'hypoxaemia', severity: 'severe', onset: T0 + 4 * H, peak: T0 + 4 * H + 30 * MIN })]),
  ];
}

/**
 * Seven alarms on ward(): 4 true positives, 3 false; catches sepsis-1 (first at 3 h: lead 120 min) and hypox-2 (at
 * 4 h 10: lead 20 min), misses tachy-1.
 */
export function wardAlarms(): AlarmEpisode[] {
  return [
    alarm('p1', T0 + 2 * H - 1), // 1 ms before onset: neither catches nor TP
    alarm('p1', T0 + 3 * H), // catches sepsis-1
    alarm('p1', T0 + 4 * H), // TP, not the first
    alarm('p1', T0 + 8 * H + 30 * MIN - 1), // offset + grace − 1 ms: TP, does not catch
    alarm('p1', T0 + 8 * H + 30 * MIN + 1), // offset + grace + 1 ms: false
    alarm('p1', T0 + 15 * H + 5 * MIN), // during the artifact: false
    alarm('p2', T0 + 4 * H + 10 * MIN), // catches hypox-2
  ];
}
