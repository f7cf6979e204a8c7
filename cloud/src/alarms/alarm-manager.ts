/**
 * The alarm manager: turns detector events into alarms with IEC 60601-1-8 states, records every transition, and
 * reports each change so it can be pushed to the ward.
 *   raise                  → active
 *   condition ends         → ended (non-latching) or latched (latching: keeps signalling until acknowledged)
 *   acknowledge (active)   → acknowledged, and ended when the condition ends
 *   acknowledge (latched)  → ended
 */
import { describeRaise, type Alarm, type RuleEvent } from '@vigil/contracts';
import type { AlarmTransition, SqliteStore } from '../storage/sqlite-store.ts';
import { alarmId } from '@vigil/contracts/alarm-id';

export interface Placement {
  wardId: string;
  bedId: string;
  patientId: string;
}

export class AlarmManager {
  /** Open alarms by (patient, code): one episode is one alarm. */
  readonly #open = new Map<string, Alarm>();
  readonly #store: SqliteStore;

  constructor(store: SqliteStore) {
    this.#store = store;
  }

  load(alarms: Alarm[]): void {
    for (const alarm of alarms) this.#open.set(`${alarm.patientId}\u0000${alarm.code}`, alarm);
  }

  #save(alarm: Alarm, transition: AlarmTransition): Alarm {
    const key = `${alarm.patientId}\u0000${alarm.code}`;
    if (alarm.state === 'ended') this.#open.delete(key);
    else this.#open.set(key, alarm);
    this.#store.saveAlarm(alarm, transition);
    return alarm;
  }

  /** Apply a rule event; returns every alarm that changed (a superseded alarm and its successor: two). */
  apply(event: RuleEvent, placement: Placement): Alarm[] {
    const key = `${event.patientId}\u0000${event.rule.code}`;
    const open = this.#open.get(key);
    if (event.type === 'raise') {
      if (open && open.state !== 'latched') return []; // the episode already has its alarm
      const { rule } = event;
      const alarm: Alarm = {
        id: alarmId(event.patientId, rule.code, event.onsetAt),
        ...placement,
        priority: rule.priority,
        kind: 'physiological',
        source: 'limit-rule',
        code: rule.code,
        state: 'active',
        latching: rule.latching,
        ...describeRaise(event),
        onsetAt: event.onsetAt,
        raisedAt: event.raisedAt,
        updatedAt: event.raisedAt,
        endedAt: null,
        acknowledgedBy: null,
        acknowledgedAt: null,
      };
      const changed: Alarm[] = [];
      if (open) changed.push(this.#save({ ...open, state: 'ended', endedAt: event.raisedAt, updatedAt: event.raisedAt }, { at: event.raisedAt, state: 'ended', actor: 'system', detail: 'superseded by a new episode' }));
      changed.push(this.#save(alarm, { at: event.raisedAt, state: 'active', actor: 'system', detail: alarm.message }));
      return changed;
    }
    if (!open || open.state === 'latched') return [];
    const latch = open.latching && open.state === 'active';
    const next: Alarm = latch
      ? { ...open, state: 'latched', updatedAt: event.at }
      : { ...open, state: 'ended', endedAt: event.at, updatedAt: event.at };
    return [this.#save(next, { at: event.at, state: next.state, actor: 'system', detail: `condition ended at ${event.value}` })];
  }

  /**
   * Take over an alarm raised elsewhere (the edge's technical alarms) as it was reported: its id, state and times
   * are the edge's, so a redelivery or a replay yields the same alarm. Returns it when it changed anything.
   */
  adopt(alarm: Alarm): Alarm | undefined {
    const key = `${alarm.patientId}\u0000${alarm.code}`;
    const open = this.#open.get(key);
    if (open && open.id === alarm.id && open.updatedAt >= alarm.updatedAt && open.state === alarm.state) return undefined;
    if (!open && alarm.state === 'ended') {
      // An episode that began and ended while the cloud was away is still history.
      this.#store.saveAlarm(alarm, { at: alarm.updatedAt, state: alarm.state, actor: 'edge', detail: alarm.message });
      return alarm;
    }
    return this.#save(alarm, { at: alarm.updatedAt, state: alarm.state, actor: 'edge', detail: alarm.message });
  }

  openAlarms(wardId?: string): Alarm[] {
    const all = [...this.#open.values()];
    return wardId === undefined ? all : all.filter((a) => a.wardId === wardId);
  }
}
