/**
 * The patient's alarms: the REST history (GET /api/alarms?patientId=…) merged with the live changes from the ward room,
 * by alarm id. A change older than the one held (by `updatedAt`) is ignored and `ended` is final, so the same change
 * may arrive twice (REST and socket, or a resync's missed events) without effect. Bounded: the newest MAX_ALARMS.
 */
import { compareAlarms, type Alarm } from '@vigil/contracts';

export const MAX_ALARMS = 200;

export type AlarmIndex = ReadonlyMap<string, Alarm>;

/** Returns the same map when nothing changed, so React can skip the re-render. */
export function mergeAlarms(current: AlarmIndex, incoming: readonly Alarm[], patientId: string): AlarmIndex {
  let next: Map<string, Alarm> | null = null;
  for (const alarm of incoming) {
    if (alarm.patientId !== patientId) continue;
    const held = (next ?? current).get(alarm.id);
    if (held && (held.state === 'ended' || held.updatedAt > alarm.updatedAt)) continue;
    if (held === alarm) continue;
    next ??= new Map(current);
    next.set(alarm.id, alarm);
  }
  if (!next) return current;
  if (next.size > MAX_ALARMS) {
    // Keep open alarms and the newest ended ones.
    const keep = [...next.values()].sort(compareAlarms).slice(0, MAX_ALARMS);
    next = new Map(keep.map((a) => [a.id, a]));
  }
  return next;
}

/** Open alarms first, then by priority, then newest first (IEC 60601-1-8 list order, contracts' compareAlarms). */
export function sortedAlarms(index: AlarmIndex): Alarm[] {
  return [...index.values()].sort(compareAlarms);
}

/** The alarm that sets the patient's alarm state: the most urgent open one, or null. */
export function topAlarm(index: AlarmIndex): Alarm | null {
  let top: Alarm | null = null;
  for (const alarm of index.values()) {
    if (alarm.state === 'ended') continue;
    if (!top || compareAlarms(alarm, top) < 0) top = alarm;
  }
  return top;
}
