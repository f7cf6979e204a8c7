/**
 * The edge's alarm state machine. It mirrors the cloud's (cloud/src/alarms/alarm-manager.ts), IEC 60601-1-8 states:
 *   raise                  → active
 *   condition ends         → ended (non-latching) or latched (latching: keeps signalling until acknowledged)
 *   acknowledge (active)   → acknowledged, and ended when the condition ends
 *   acknowledge (latched)  → ended
 * One episode is one alarm: a raise while the episode's alarm is open (active or acknowledged) changes nothing; a
 * raise while it is latched ends the latched alarm ("superseded") and opens a new one.
 *
 * Ids are deterministic: alarmId(patientId, `edge/<code>[/<subject>]`, onsetAt). The `edge/` namespace keeps them
 * apart from the cloud's own limit-rule alarms for the same episode (different source, different life cycle); the
 * subject (a device id) keeps two devices of one patient apart.
 */
import { compareAlarms, describeRaise, type Alarm, type AlarmEvidence, type AlarmKind, type AlarmPriority, type AlarmSource, type RuleEvent } from '@vigil/contracts';
import { alarmId } from '@vigil/contracts/alarm-id';

/** What a detector asks to raise. Placement and times come from the detector; state and id from the manager. */
export interface AlarmCondition {
  patientId: string;
  bedId: string;
  code: string;
  /** Tells apart conditions with the same code on one patient (a device id for device-level technical alarms). */
  subject?: string;
  priority: AlarmPriority;
  kind: AlarmKind;
  source: AlarmSource;
  latching: boolean;
  message: string;
  onsetAt: number;
  raisedAt: number;
  evidence: AlarmEvidence;
}

export interface ConditionRef {
  patientId: string;
  code: string;
  subject?: string;
}

export type ConditionEvent =
  | { type: 'raise'; condition: AlarmCondition }
  | ({ type: 'clear'; at: number; detail?: string } & ConditionRef);

export interface LocalAlarmManagerOptions {
  wardId: string;
  /** Ended alarms kept for `history()`, newest first; older ones are forgotten (they went upward already). */
  historyLimit?: number; // alarms
}

const MESSAGE_MAX = 200; // Alarm.message
const DETAIL_MAX = 500; // AlarmEvidence.detail
const ACTOR_MAX = 100; // Alarm.acknowledgedBy

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}\u2026`);
const keyOf = (ref: ConditionRef) => `${ref.patientId}\u0000${ref.code}\u0000${ref.subject ?? ''}`;

/** The edge's id for a condition episode. */
export function localAlarmId(ref: ConditionRef, onsetAt: number): string {
  return alarmId(ref.patientId, `edge/${ref.code}${ref.subject ? `/${ref.subject}` : ''}`, onsetAt);
}

/** A limit engine's raise as a condition for the manager (source 'edge-limit', physiological). */
export function conditionFromRule(event: Extract<RuleEvent, { type: 'raise' }>, bedId: string): AlarmCondition {
  const { rule } = event;
  return {
    patientId: event.patientId,
    bedId,
    code: rule.code,
    priority: rule.priority,
    kind: 'physiological',
    source: 'edge-limit',
    latching: rule.latching,
    ...describeRaise(event),
    onsetAt: event.onsetAt,
    raisedAt: event.raisedAt,
  };
}

export class LocalAlarmManager {
  readonly wardId: string;
  readonly #historyLimit: number;
  /** Open alarms (active, latched, acknowledged) by condition key. */
  readonly #open = new Map<string, Alarm>();
  readonly #keyById = new Map<string, string>();
  /** Ended alarms, oldest first, at most historyLimit. */
  #history: Alarm[] = [];

  constructor(options: LocalAlarmManagerOptions) {
    this.wardId = options.wardId;
    this.#historyLimit = options.historyLimit ?? 500;
  }

  #save(key: string, alarm: Alarm): Alarm {
    if (alarm.state === 'ended') {
      this.#open.delete(key);
      this.#keyById.delete(alarm.id);
      this.#history.push(alarm);
      if (this.#history.length > this.#historyLimit) this.#history = this.#history.slice(-this.#historyLimit);
    } else {
      this.#open.set(key, alarm);
      this.#keyById.set(alarm.id, key);
    }
    return alarm;
  }

  /** Apply one detector event; returns every alarm that changed (a superseded alarm and its successor: two). */
  apply(event: ConditionEvent): Alarm[] {
    if (event.type === 'raise') return this.#raise(event.condition);
    const key = keyOf(event);
    const open = this.#open.get(key);
    if (!open || open.state === 'latched') return [];
    const latch = open.latching && open.state === 'active';
    const at = Math.max(event.at, open.updatedAt);
    const next: Alarm = latch
      ? { ...open, state: 'latched', updatedAt: at }
      : { ...open, state: 'ended', endedAt: at, updatedAt: at };
    return [this.#save(key, next)];
  }

  applyAll(events: readonly ConditionEvent[]): Alarm[] {
    return events.flatMap((e) => this.apply(e));
  }

  #raise(c: AlarmCondition): Alarm[] {
    const key = keyOf(c);
    const open = this.#open.get(key);
    if (open && open.state !== 'latched') return []; // the episode already has its alarm
    const changed: Alarm[] = [];
    if (open) changed.push(this.#save(key, { ...open, state: 'ended', endedAt: c.raisedAt, updatedAt: c.raisedAt }));
    const { detail } = c.evidence;
    const alarm: Alarm = {
      id: localAlarmId(c, c.onsetAt),
      wardId: this.wardId,
      bedId: c.bedId,
      patientId: c.patientId,
      priority: c.priority,
      kind: c.kind,
      source: c.source,
      code: c.code,
      state: 'active',
      latching: c.latching,
      message: clip(c.message, MESSAGE_MAX),
      onsetAt: c.onsetAt,
      raisedAt: c.raisedAt,
      updatedAt: c.raisedAt,
      endedAt: null,
      acknowledgedBy: null,
      acknowledgedAt: null,
      evidence: detail === undefined ? c.evidence : { ...c.evidence, detail: clip(detail, DETAIL_MAX) },
    };
    changed.push(this.#save(key, alarm));
    return changed;
  }

  /**
   * A clinician acknowledges: active → acknowledged (silenced until the condition ends), latched → ended.
   * Unknown, ended or already acknowledged alarms: nothing changes (acknowledging twice is not an error).
   */
  acknowledge(id: string, by: string, at: number): Alarm[] {
    const key = this.#keyById.get(id);
    const open = key === undefined ? undefined : this.#open.get(key);
    if (key === undefined || !open || open.state === 'acknowledged') return [];
    const actor = clip(by.trim() || 'unknown', ACTOR_MAX);
    const when = Math.max(at, open.updatedAt);
    const next: Alarm =
      open.state === 'latched'
        ? { ...open, state: 'ended', endedAt: when, updatedAt: when, acknowledgedBy: actor, acknowledgedAt: when }
        : { ...open, state: 'acknowledged', updatedAt: when, acknowledgedBy: actor, acknowledgedAt: when };
    return [this.#save(key, next)];
  }

  isOpen(ref: ConditionRef): boolean {
    return this.#open.has(keyOf(ref));
  }

  get(id: string): Alarm | undefined {
    const key = this.#keyById.get(id);
    return (key === undefined ? undefined : this.#open.get(key)) ?? this.#history.find((a) => a.id === id);
  }

  /** Open alarms in alarm-list order (compareAlarms). */
  open(): Alarm[] {
    return [...this.#open.values()].sort(compareAlarms);
  }

  /** Recently ended alarms, newest first. */
  history(): Alarm[] {
    return [...this.#history].reverse();
  }
}
