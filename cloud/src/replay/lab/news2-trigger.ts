/**
 * NEWS2 triggers other than the cloud's: which NEWS2 results raise an alarm, and at what priority. The alarm itself
 * still comes from the cloud's code: the result's response band is rewritten to the band of the priority the
 * triggers give, and contracts' news2Transition turns the sequence of windows into start / update / end exactly as
 * for the default bands (news2-detector.ts: high → high, medium → medium, low-medium → low, below → no alarm).
 */
import { news2Transition, PRIORITY_RANK, type AlarmPriority, type LabNews2Trigger, type News2Response, type News2Result, type News2State, type News2Transition } from '@vigil/contracts';

const BAND_OF: Readonly<Record<AlarmPriority, News2Response>> = { high: 'high', medium: 'medium', low: 'low-medium' };

/** The highest priority among the triggers the result meets, or null. */
export function triggerPriority(result: News2Result, triggers: readonly LabNews2Trigger[]): AlarmPriority | null {
  let best: AlarmPriority | null = null;
  for (const t of triggers) {
    const holds = 'minTotal' in t ? result.total >= t.minTotal : result.anySingleThree;
    if (holds && (best === null || PRIORITY_RANK[t.priority] > PRIORITY_RANK[best])) best = t.priority;
  }
  return best;
}

/** The transition of one first-emission window under `triggers`; mutates `state` (news2Transition). */
export function triggeredTransition(result: News2Result, triggers: readonly LabNews2Trigger[], state: News2State): News2Transition | undefined {
  const priority = triggerPriority(result, triggers);
  // 'low' (1-4) is a band without an alarm. The alarm's message names the rewritten band.
  return news2Transition({ ...result, response: priority === null ? 'low' : BAND_OF[priority] }, state);
}

/** True when the triggers are the cloud's own bands (the processor's NEWS2 alarms can be used as they are). */
export function isDefaultTriggers(triggers: readonly LabNews2Trigger[]): boolean {
  const key = (t: LabNews2Trigger) => ('minTotal' in t ? `t${t.minTotal}:${t.priority}` : `s3:${t.priority}`);
  const mine = triggers.map(key).sort().join(',');
  return mine === ['t7:high', 't5:medium', 's3:low'].sort().join(',');
}
