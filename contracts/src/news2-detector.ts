/**
 * NEWS2 over event-time windows: each closed window's features (contracts/src/features.ts) and the patient's charted
 * observations (consciousness, oxygen, SpO2 scale) give a NEWS2 result (contracts/src/news2.ts, CLINICAL.md), and
 * its response band drives one alarm condition per patient, code NEWS2:
 *   high (≥ 7) → high priority; medium (5–6) → medium; low-medium (a single parameter scoring 3) → low;
 *   low / routine → the condition ends.
 * A band change while the condition lasts is an IHE ACM escalate / de-escalate of the same alarm, not a new one.
 *
 * Parameter values: the window's mean of good-quality values (its `level`). A parameter a window lacks (NIBP every
 * 15 min, a device briefly off) is carried from the newest earlier window within its validity (CARRY_FORWARD_MS);
 * beyond that it is missing and the score is partial (`complete: false`, never padded with normal values).
 * Only first emissions (revision 0) move the alarm; a revision caused by late data updates the stored score only.
 *
 * Pure and shared: the cloud's stream processor drives it (cloud/src/processing/stream-processor.ts) and models/
 * replays it offline for its rule baselines (models/src/data/baselines.ts), so both raise the same NEWS2 alarms.
 */
import type { AlarmPriority } from './alarm.ts';
import type { Observation } from './api.ts';
import type { WindowFeatures } from './features.ts';
import type { News2Input, News2Response, News2Result } from './news2.ts';

/** The NEWS2 parameters a device measures (the others are charted observations). */
export type News2Measured = 'rr' | 'spo2' | 'sbp' | 'hr' | 'temp';

/** How long a measured value stands in for a missing one, ms of event time (NIBP cycles at up to 15 min). */
export const CARRY_FORWARD_MS: Readonly<Record<News2Measured, number>> = { rr: 5 * 60_000, spo2: 5 * 60_000, hr: 5 * 60_000, sbp: 20 * 60_000, temp: 60 * 60_000 };

const PRIORITY_OF: Readonly<Record<News2Response, AlarmPriority | null>> = {
  high: 'high',
  medium: 'medium',
  'low-medium': 'low',
  low: null,
  routine: null,
};

/** Per-patient state of the NEWS2 detector (part of the patient's checkpoint). */
export interface News2State {
  /** Newest good value of each measured parameter and its event time. */
  lastKnown: Partial<Record<News2Measured, [value: number, t: number]>>;
  /** Priority of the open NEWS2 condition, or null. */
  active: AlarmPriority | null;
  /** Total and response of the last first-emission, to tell an update from nothing new. */
  last: [total: number, response: News2Response] | null;
}

export const emptyNews2State = (): News2State => ({ lastKnown: {}, active: null, last: null });

export type News2Transition =
  | { type: 'start'; priority: AlarmPriority; message: string }
  | { type: 'update'; priority: AlarmPriority; message: string }
  | { type: 'end'; message: string };

const FEATURE_OF: Readonly<Record<News2Measured, keyof WindowFeatures['vitals']>> = { rr: 'rr', spo2: 'spo2', sbp: 'sbp', hr: 'hr', temp: 'temp' };

/**
 * The NEWS2 input of one window: measured levels (with carry-forward) and the newest observations at its end.
 * `carryForwardMs` is for sparse offline data (hourly charted vitals); the cloud uses the default.
 */
export function news2InputOf(
  features: WindowFeatures,
  state: News2State,
  observation: Observation | undefined,
  carryForwardMs: Readonly<Record<News2Measured, number>> = CARRY_FORWARD_MS,
): News2Input {
  const input: News2Input = { spo2Scale: observation?.spo2Scale ?? 1 };
  for (const p of Object.keys(FEATURE_OF) as News2Measured[]) {
    const f = features.vitals[FEATURE_OF[p]];
    if (f && f.level !== null) {
      input[p] = f.level;
      state.lastKnown[p] = [f.last ?? f.level, features.end];
    } else {
      const known = state.lastKnown[p];
      if (known && features.end - known[1] <= carryForwardMs[p]) input[p] = known[0];
    }
  }
  if (observation?.consciousness) input.consciousness = observation.consciousness;
  if (observation && observation.onOxygen !== null) input.onOxygen = observation.onOxygen;
  return input;
}

/** "NEWS2 7 (high): RR 3, SpO₂ 2, HR 2 — partial, missing temp, consciousness" */
export function describeNews2(result: News2Result): string {
  const points = Object.entries(result.parameters)
    .filter(([, s]) => s && s.points > 0)
    .map(([p, s]) => `${p.toUpperCase()} ${s!.points}`)
    .join(', ');
  const missing = result.complete ? '' : ` \u2014 partial, missing ${result.missing.join(', ')}`;
  return `NEWS2 ${result.total} (${result.response})${points ? `: ${points}` : ''}${missing}`.slice(0, 200);
}

/** Score one first emission and decide the alarm transition, if any; mutates `state`. */
export function news2Transition(result: News2Result, state: News2State): News2Transition | undefined {
  const priority = PRIORITY_OF[result.response];
  const changed = !state.last || state.last[0] !== result.total || state.last[1] !== result.response;
  state.last = [result.total, result.response];
  const message = describeNews2(result);
  if (priority === null) {
    if (state.active === null) return undefined;
    state.active = null;
    return { type: 'end', message };
  }
  if (state.active === null) {
    state.active = priority;
    return { type: 'start', priority, message };
  }
  state.active = priority;
  return changed ? { type: 'update', priority, message } : undefined;
}
