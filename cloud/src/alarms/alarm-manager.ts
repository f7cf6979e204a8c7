/**
 * The cloud's alarm manager: the life cycle of alarms, in memory, with IEC 60601-1-8 states and IHE PCD ACM phases
 * (shared/design/CLINICAL.md, "Alarm systems"). It stores nothing: every method returns the changes it made (the
 * full new Alarm and its transition); the caller persists them in the same transaction as the data that caused them
 * and pushes them to the dashboards.
 *
 * One episode is one alarm, keyed (patientId, code); its id is alarmId(patientId, code, onsetAt) of the start that
 * opened it. Several input streams (`sourceKey`) may hold one episode (grouping); `alarm.sources` lists the ones that
 * hold it now (empty once the condition is over), and the condition ends when the last one ends.
 *
 * State table (–: no change; otherwise phase → state after; actor 'system' unless a user acts):
 *
 * | event \ state           | none           | active                     | acknowledged | latched                  | ended        |
 * |-------------------------|----------------|----------------------------|--------------|--------------------------|--------------|
 * | start, source holding   | n/a            | – (idempotent)             | –            | n/a                      | n/a          |
 * | start, source not held  | start → active | update¹, source added      | update¹      | end (superseded) + start²| start²       |
 * | end, others still hold  | –              | update, source removed     | update       | –                        | –            |
 * | end, last source        | –              | end → ended / latch³       | end → ended  | –                        | –            |
 * | update: ↑ / ↓ / text    | –              | escalate/de-escalate/update| the same     | –                        | –            |
 * | acknowledge (user)      | NOT_FOUND      | acknowledge → acknowledged | VALIDATION⁴  | acknowledge → ended      | VALIDATION⁵  |
 * | audio pause (user)      | NOT_FOUND      | audio-pause                | VALIDATION⁴  | audio-pause              | VALIDATION⁵  |
 * | tick: pause expired     | –              | audio-resume               | –            | audio-resume             | –            |
 * | tick: escalation due    | –              | escalate⁶                  | –            | escalate⁶                | –            |
 * | escalate (user)         | NOT_FOUND      | escalate⁶                  | escalate⁶    | escalate⁶                | VALIDATION⁵  |
 *
 * ¹ 'escalate' when the joining source's priority is higher. ² a new alarm, new id. ³ non-latching: end → ended;
 * latching: latch → latched (IEC 60601-1-8: keeps signalling until acknowledged). ⁴ 'alarm already acknowledged'.
 * ⁵ 'alarm has ended'. ⁶ to 'charge_nurse', once per alarm (IHE ACM: a notification not acknowledged escalates); a
 * second is refused ('alarm already escalated') or skipped by tick. Audio pause never stops escalation; an
 * acknowledgement does. Person actions, tick and update keep the state; only start, end and acknowledge move it.
 *
 * Two clocks. Detector transitions are stamped with event time: transition `at`, updatedAt and endedAt (never
 * earlier than the alarm's updatedAt). People's actions and tick's duties are stamped with wall time: transition `at`,
 * acknowledgedAt, audioPausedUntil, escalatedAt; they leave updatedAt alone, so it stays "event time of the last
 * detector transition". An acknowledgement that ends a latched alarm keeps endedAt in event time (when its condition
 * ended); the wall time is in acknowledgedAt. Escalation counts from `signalledAt`: the wall time the manager first
 * produced the alarm, or the one given to load().
 *
 * Replays. Per (episode, source) the manager remembers the event time of the last start or end it applied; an older one
 * is a replay and changes nothing, as do a start of a source that holds and an end of one that does not. After a
 * restart those marks are gone, and an end older than the open alarm's onset is taken to belong to an earlier episode.
 * A start that would open an alarm whose id is known (open, latched or recently ended) changes nothing. One case is
 * left open on purpose: after a restart, the replayed start of a source that has since ended while the episode stayed
 * open is indistinguishable from a late stream joining, so it is applied (and its replayed end removes it again):
 * dropping a late stream's condition would be worse than a repeated update.
 *
 * Edge alarms (adopt) keep the edge's id, state and times and are kept by id, apart from the cloud's episodes. The
 * edge owns their condition, the cloud the people's actions: an acknowledgement, audio pause or escalation made here
 * survives later reports (acknowledged and reported active stays acknowledged; reported latched becomes ended).
 */
import { createHash } from 'node:crypto';
import {
  Alarm,
  AlarmTransition,
  compareAlarms,
  ID_PATTERN,
  PmError,
  PRIORITY_RANK,
  type AlarmEvidence,
  type AlarmKind,
  type AlarmPhase,
  type AlarmPriority,
  type AlarmSource,
  type AlarmState,
} from '@vigil/contracts';
import { alarmId } from '@vigil/contracts/alarm-id';
import { resolveAlarmPolicy, type AlarmPolicy } from './alarm-policy.ts';

export interface AlarmChange {
  alarm: Alarm;
  transition: { phase: AlarmPhase; state: AlarmState; priority: AlarmPriority; at: number; actor: string; detail: string | null };
}

export interface Placement {
  wardId: string;
  bedId: string;
  patientId: string;
}

export interface ConditionStart extends Placement {
  code: string;
  source: AlarmSource;
  kind: AlarmKind;
  priority: AlarmPriority;
  latching: boolean;
  /** Which input stream (device stream, 'news2', 'lstm', …) holds this condition; an episode can have several. */
  sourceKey: string;
  /** Event time. */
  onsetAt: number;
  raisedAt: number;
  message: string;
  evidence: AlarmEvidence;
}

export interface ConditionEnd {
  patientId: string;
  code: string;
  sourceKey: string;
  at: number;
  detail: string;
}

export interface ConditionUpdate {
  patientId: string;
  code: string;
  at: number;
  priority?: AlarmPriority;
  message?: string;
  evidence?: AlarmEvidence;
}

type Transition = AlarmChange['transition'];

interface Entry {
  alarm: Alarm;
  /** Wall time the alarm was first signalled: the escalation clock. */
  signalledAt: number;
  /** Adopted from the edge: kept by id, not an episode of this manager. */
  edge: boolean;
  /** Wall time by which it was known to have ended (set by the action that ended it, or the first tick after). */
  endedSeenAt: number | null;
}

const SYSTEM = 'system';
const EDGE = 'edge';
const MESSAGE_MAX = 200; // Alarm.message
const DETAIL_MAX = 500; // AlarmTransition.detail, AlarmEvidence.detail
const ACTOR_MAX = 100; // Alarm.acknowledgedBy, AlarmTransition.actor
const SOURCES_MAX = 16; // Alarm.sources
const TransitionBody = AlarmTransition.omit({ alarmId: true, n: true });

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}\u2026`);
const clipEvidence = (e: AlarmEvidence): AlarmEvidence => (e.detail === undefined ? e : { ...e, detail: clip(e.detail, DETAIL_MAX) });
const episodeKey = (patientId: string, code: string) => `${patientId}\u0000${code}`;
const secondsOf = (ms: number) => `${Math.round(ms / 1000)} s`;
/** Equality of JSON values, ignoring key order and absent-versus-null. */
const canonical = (value: unknown) =>
  JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
const PHASE_ON_ENTERING: Readonly<Record<AlarmState, AlarmPhase>> = { active: 'update', acknowledged: 'acknowledge', latched: 'latch', ended: 'end' };

/**
 * The id under which a stream is listed in `alarm.sources` (an Id: [A-Za-z0-9._-], at most 64). Keys that are Ids
 * are kept; others (e.g. `mon-01|boot-1`) become a readable form plus a short hash, so two keys never share an id.
 */
export function sourceId(sourceKey: string): string {
  if (ID_PATTERN.test(sourceKey)) return sourceKey;
  const readable = sourceKey.replace(/[^A-Za-z0-9._-]+/g, '.').replace(/^[._-]+/, '').slice(0, 55) || 'src';
  return `${readable}.${createHash('sha256').update(sourceKey).digest('hex').slice(0, 8)}`;
}

function valid(alarm: Alarm): Alarm {
  const parsed = Alarm.safeParse(alarm);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new PmError('PM_ERR_VALIDATION', `alarm ${String(alarm.id)} would be invalid`, details);
  }
  return parsed.data;
}

function phaseOfPriority(before: AlarmPriority, after: AlarmPriority): AlarmPhase {
  const d = PRIORITY_RANK[after] - PRIORITY_RANK[before];
  return d > 0 ? 'escalate' : d < 0 ? 'de-escalate' : 'update';
}

export class AlarmManager {
  readonly policy: AlarmPolicy;
  /** Open and recently ended alarms, by id. */
  readonly #entries = new Map<string, Entry>();
  /** Episode key → id of its open (not ended) alarm. */
  readonly #episodes = new Map<string, string>();
  /** Episode key → source id → event time of the last start or end applied (replay detection). */
  readonly #marks = new Map<string, Map<string, number>>();

  constructor(policy: Partial<AlarmPolicy> = {}) {
    this.policy = resolveAlarmPolicy(policy);
  }

  /**
   * Restore after a restart: open alarms with the wall time they were first signalled. Recently ended alarms may be
   * given too: they answer `get` and keep a replayed start of their episode from opening it again. An alarm whose id
   * is not alarmId(patientId, code, onsetAt) is not one of the cloud's episodes: it is taken as adopted (the edge's).
   */
  load(open: ReadonlyArray<{ alarm: Alarm; signalledAt: number }>): void {
    for (const item of open) {
      const alarm = valid(item.alarm);
      const edge = alarm.id !== alarmId(alarm.patientId, alarm.code, alarm.onsetAt);
      this.#entries.set(alarm.id, { alarm, signalledAt: item.signalledAt, edge, endedSeenAt: null });
      if (edge || alarm.state === 'ended') continue;
      const key = episodeKey(alarm.patientId, alarm.code);
      const current = this.#entries.get(this.#episodes.get(key) ?? '');
      if (!current || current.alarm.raisedAt <= alarm.raisedAt) this.#episodes.set(key, alarm.id);
    }
  }

  conditionStart(c: ConditionStart, wallNow: number): AlarmChange[] {
    const key = episodeKey(c.patientId, c.code);
    const src = sourceId(c.sourceKey);
    if (this.#replayed(key, src, c.raisedAt)) return [];
    const open = this.#openEpisode(key);
    if (open && open.alarm.state !== 'latched') return this.#join(key, open, c, src);
    const id = alarmId(c.patientId, c.code, c.onsetAt);
    if (this.#entries.has(id)) return []; // that episode's start was applied already
    const fresh = valid({
      id,
      wardId: c.wardId,
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
      evidence: clipEvidence(c.evidence),
      audioPausedUntil: null,
      escalatedTo: null,
      escalatedAt: null,
      sources: [src],
    });
    const changes: AlarmChange[] = [];
    if (open) {
      // IEC 60601-1-8 latching: the old alarm still waits for an acknowledgement, but a new episode replaces it.
      const at = Math.max(c.raisedAt, open.alarm.updatedAt);
      const ended: Alarm = { ...open.alarm, state: 'ended', endedAt: at, updatedAt: at, sources: [], audioPausedUntil: null };
      changes.push(this.#commit(open, ended, { phase: 'end', at, actor: SYSTEM, detail: 'superseded by a new episode' }, wallNow));
    }
    const entry: Entry = { alarm: fresh, signalledAt: wallNow, edge: false, endedSeenAt: null };
    changes.push(this.#commit(entry, fresh, { phase: 'start', at: c.raisedAt, actor: SYSTEM, detail: fresh.message }));
    this.#mark(key, src, c.raisedAt);
    return changes;
  }

  conditionEnd(c: ConditionEnd): AlarmChange[] {
    const key = episodeKey(c.patientId, c.code);
    const src = sourceId(c.sourceKey);
    if (this.#replayed(key, src, c.at)) return [];
    const open = this.#openEpisode(key);
    if (!open || open.alarm.state === 'latched') return [];
    const a = open.alarm;
    // Alarms from before `sources` existed name no holder: any source's end is the last one.
    if (a.sources !== undefined && !a.sources.includes(src)) return [];
    if (!this.#marks.get(key)?.has(src) && c.at < a.onsetAt) return []; // after a restart: an earlier episode's end
    const at = Math.max(c.at, a.updatedAt);
    const rest = (a.sources ?? []).filter((s) => s !== src);
    let change: AlarmChange;
    if (rest.length > 0) {
      const detail = `source ${src} ended (${c.detail}); still held by ${rest.join(', ')}`;
      change = this.#commit(open, { ...a, sources: rest, updatedAt: at }, { phase: 'update', at, actor: SYSTEM, detail });
    } else if (a.state === 'active' && a.latching) {
      change = this.#commit(open, { ...a, state: 'latched', sources: [], updatedAt: at }, { phase: 'latch', at, actor: SYSTEM, detail: c.detail });
    } else {
      const ended: Alarm = { ...a, state: 'ended', sources: [], endedAt: at, updatedAt: at, audioPausedUntil: null };
      change = this.#commit(open, ended, { phase: 'end', at, actor: SYSTEM, detail: c.detail });
    }
    this.#mark(key, src, c.at);
    return [change];
  }

  /** Priority or description of an open condition changed (e.g. a NEWS2 band). A latched alarm's condition is over. */
  conditionUpdate(c: ConditionUpdate): AlarmChange[] {
    const open = this.#openEpisode(episodeKey(c.patientId, c.code));
    if (!open || open.alarm.state === 'latched') return [];
    const a = open.alarm;
    if (c.at < a.updatedAt) return []; // older than the alarm's last detector transition: a replay or out of date
    const priority = c.priority ?? a.priority;
    const message = c.message === undefined ? a.message : clip(c.message, MESSAGE_MAX);
    const evidence = c.evidence === undefined ? a.evidence : clipEvidence(c.evidence);
    if (priority === a.priority && message === a.message && canonical(evidence) === canonical(a.evidence)) return [];
    const detail = priority === a.priority ? message : `priority ${a.priority} \u2192 ${priority}: ${message}`;
    const next: Alarm = { ...a, priority, message, evidence, updatedAt: c.at };
    return [this.#commit(open, next, { phase: phaseOfPriority(a.priority, priority), at: c.at, actor: SYSTEM, detail })];
  }

  /**
   * Take over an alarm raised at the edge (its technical alarms) as reported: its id, state and times. Nothing
   * changes for a redelivery or an older report; an episode that began and ended while the cloud was away is still
   * one change (phase 'end'). An id that is one of the cloud's own episodes is not the edge's to change.
   */
  adopt(alarm: Alarm, wallNow: number): AlarmChange[] {
    const reported = valid(alarm);
    const entry = this.#entries.get(reported.id);
    if (!entry) {
      const created: Entry = { alarm: reported, signalledAt: wallNow, edge: true, endedSeenAt: null };
      const phase = reported.state === 'active' ? 'start' : PHASE_ON_ENTERING[reported.state];
      return [this.#commit(created, reported, { phase, at: reported.updatedAt, actor: EDGE, detail: reported.message }, wallNow)];
    }
    const a = entry.alarm;
    if (!entry.edge || a.state === 'ended' || reported.updatedAt < a.updatedAt) return [];
    let state = reported.state;
    if (a.state === 'acknowledged' && state === 'active') state = 'acknowledged';
    if (a.state === 'acknowledged' && state === 'latched') state = 'ended';
    const signalling = state === 'active' || state === 'latched';
    const merged: Alarm = {
      ...reported,
      state,
      endedAt: state === 'ended' ? (reported.endedAt ?? reported.updatedAt) : reported.endedAt,
      acknowledgedBy: reported.acknowledgedBy ?? a.acknowledgedBy,
      acknowledgedAt: reported.acknowledgedAt ?? a.acknowledgedAt,
      audioPausedUntil: signalling ? (a.audioPausedUntil ?? reported.audioPausedUntil ?? null) : null,
      escalatedTo: a.escalatedTo ?? reported.escalatedTo ?? null,
      escalatedAt: a.escalatedAt ?? reported.escalatedAt ?? null,
    };
    if (canonical(merged) === canonical(a)) return [];
    const phase = state !== a.state ? PHASE_ON_ENTERING[state] : phaseOfPriority(a.priority, merged.priority);
    return [this.#commit(entry, merged, { phase, at: reported.updatedAt, actor: EDGE, detail: reported.message }, wallNow)];
  }

  /** IEC 60601-1-8 acknowledged: active → acknowledged (silenced until the condition ends); latched → ended. */
  acknowledge(alarmId: string, user: string, wallNow: number): AlarmChange[] {
    const entry = this.#known(alarmId);
    const actor = this.#actor(user);
    const a = entry.alarm;
    this.#refuseIf(a.state === 'ended', 'alarm has ended');
    this.#refuseIf(a.state === 'acknowledged', 'alarm already acknowledged');
    const acked = { ...a, acknowledgedBy: actor, acknowledgedAt: wallNow, audioPausedUntil: null };
    const latched = a.state === 'latched';
    const next: Alarm = latched ? { ...acked, state: 'ended', endedAt: a.updatedAt } : { ...acked, state: 'acknowledged' };
    return [this.#commit(entry, next, { phase: 'acknowledge', at: wallNow, actor, detail: latched ? 'acknowledged after its condition ended' : null }, wallNow)];
  }

  /** IEC 60601-1-8 audio paused: time-limited (at most audioPauseMaxMs), the visual signal and the state stay. */
  audioPause(alarmId: string, user: string, durationMs: number | undefined, wallNow: number): AlarmChange[] {
    const entry = this.#known(alarmId);
    const actor = this.#actor(user);
    const a = entry.alarm;
    this.#refuseIf(durationMs !== undefined && !(Number.isFinite(durationMs) && durationMs > 0), 'audio pause duration must be a positive number of ms');
    this.#refuseIf(a.state === 'ended', 'alarm has ended');
    this.#refuseIf(a.state === 'acknowledged', 'alarm already acknowledged');
    const ms = Math.min(Math.ceil(durationMs ?? this.policy.audioPauseDefaultMs), this.policy.audioPauseMaxMs);
    return [this.#commit(entry, { ...a, audioPausedUntil: wallNow + ms }, { phase: 'audio-pause', at: wallNow, actor, detail: `audio paused for ${secondsOf(ms)}` })];
  }

  /** IHE ACM escalation to the second role, asked for by a person. Once per alarm. */
  escalate(alarmId: string, user: string, wallNow: number): AlarmChange[] {
    const entry = this.#known(alarmId);
    const actor = this.#actor(user);
    this.#refuseIf(entry.alarm.state === 'ended', 'alarm has ended');
    this.#refuseIf(Boolean(entry.alarm.escalatedTo), 'alarm already escalated');
    return [this.#escalate(entry, wallNow, actor, 'escalated to charge_nurse')];
  }

  /** The wall-clock duties: audio pauses that ran out, escalation of alarms nobody acknowledged, forgetting. */
  tick(wallNow: number): AlarmChange[] {
    const changes: AlarmChange[] = [];
    for (const [id, entry] of this.#entries) {
      if (entry.alarm.state === 'ended') {
        entry.endedSeenAt ??= wallNow;
        if (wallNow - entry.endedSeenAt >= this.policy.recentlyEndedMs) this.#entries.delete(id);
        continue;
      }
      const paused = entry.alarm.audioPausedUntil;
      if (paused != null && paused <= wallNow) {
        changes.push(this.#commit(entry, { ...entry.alarm, audioPausedUntil: null }, { phase: 'audio-resume', at: wallNow, actor: SYSTEM, detail: 'audio pause expired' }));
      }
      const a = entry.alarm;
      const after = this.policy.escalateAfterMs[a.priority];
      if ((a.state === 'active' || a.state === 'latched') && !a.escalatedTo && after !== null && wallNow - entry.signalledAt >= after) {
        changes.push(this.#escalate(entry, wallNow, SYSTEM, `not acknowledged within ${secondsOf(after)}: escalated to charge_nurse`));
      }
    }
    const live = new Set([...this.#entries.values()].filter((e) => !e.edge).map((e) => episodeKey(e.alarm.patientId, e.alarm.code)));
    for (const key of this.#marks.keys()) if (!live.has(key)) this.#marks.delete(key);
    return changes;
  }

  /** An open or recently ended alarm. */
  get(alarmId: string): Alarm | undefined {
    return this.#entries.get(alarmId)?.alarm;
  }

  /** Open (not ended) alarms, in alarm-list order (compareAlarms). */
  openAlarms(wardId?: string): Alarm[] {
    const open = [...this.#entries.values()].map((e) => e.alarm).filter((a) => a.state !== 'ended' && (wardId === undefined || a.wardId === wardId));
    return open.sort(compareAlarms);
  }

  /**
   * Ended alarms still in memory (for ward snapshots), in alarm-list order; `sinceWall`: only those that ended at or
   * after this wall time (one that ended since the last tick counts as just ended).
   */
  recentlyEnded(wardId?: string, sinceWall = Number.NEGATIVE_INFINITY): Alarm[] {
    const ended = [...this.#entries.values()].filter(
      (e) => e.alarm.state === 'ended' && (wardId === undefined || e.alarm.wardId === wardId) && (e.endedSeenAt === null || e.endedSeenAt >= sinceWall),
    );
    return ended.map((e) => e.alarm).sort(compareAlarms);
  }

  #join(key: string, open: Entry, c: ConditionStart, src: string): AlarmChange[] {
    const a = open.alarm;
    const holding = a.sources ?? [];
    if (holding.includes(src)) return []; // a repeated start: a recovery may replay it
    this.#refuseIf(holding.length >= SOURCES_MAX, `alarm ${a.id} already has ${SOURCES_MAX} sources`);
    const priority = PRIORITY_RANK[c.priority] > PRIORITY_RANK[a.priority] ? c.priority : a.priority;
    const at = Math.max(c.raisedAt, a.updatedAt);
    const phase = phaseOfPriority(a.priority, priority);
    const detail = `source ${src} joined${phase === 'escalate' ? `; priority ${a.priority} \u2192 ${priority}` : ''}`;
    const change = this.#commit(open, { ...a, sources: [...holding, src], priority, updatedAt: at }, { phase, at, actor: SYSTEM, detail });
    this.#mark(key, src, c.raisedAt);
    return [change];
  }

  #escalate(entry: Entry, wallNow: number, actor: string, detail: string): AlarmChange {
    return this.#commit(entry, { ...entry.alarm, escalatedTo: 'charge_nurse', escalatedAt: wallNow }, { phase: 'escalate', at: wallNow, actor, detail });
  }

  /** Validate, then store: nothing is kept that the caller could not persist. */
  #commit(entry: Entry, next: Alarm, t: Omit<Transition, 'state' | 'priority'>, wallNow?: number): AlarmChange {
    const alarm = valid(next);
    const transition: Transition = { ...t, state: alarm.state, priority: alarm.priority, detail: t.detail === null ? null : clip(t.detail, DETAIL_MAX) };
    const checked = TransitionBody.safeParse(transition);
    if (!checked.success) throw new PmError('PM_ERR_VALIDATION', `transition of alarm ${alarm.id} would be invalid`, checked.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    entry.alarm = alarm;
    this.#entries.set(alarm.id, entry);
    if (!entry.edge) {
      const key = episodeKey(alarm.patientId, alarm.code);
      if (alarm.state !== 'ended') this.#episodes.set(key, alarm.id);
      else if (this.#episodes.get(key) === alarm.id) this.#episodes.delete(key);
    }
    if (alarm.state === 'ended' && wallNow !== undefined) entry.endedSeenAt = wallNow;
    return { alarm, transition };
  }

  #openEpisode(key: string): Entry | undefined {
    const id = this.#episodes.get(key);
    return id === undefined ? undefined : this.#entries.get(id);
  }

  #replayed(key: string, src: string, at: number): boolean {
    const last = this.#marks.get(key)?.get(src);
    return last !== undefined && at < last;
  }

  #mark(key: string, src: string, at: number): void {
    let marks = this.#marks.get(key);
    if (!marks) this.#marks.set(key, (marks = new Map()));
    marks.set(src, Math.max(marks.get(src) ?? at, at));
  }

  #known(alarmId: string): Entry {
    const entry = this.#entries.get(alarmId);
    if (!entry) throw new PmError('PM_ERR_NOT_FOUND', `no alarm ${alarmId}`);
    return entry;
  }

  #actor(user: string): string {
    const actor = user.trim();
    this.#refuseIf(actor.length === 0 || actor.length > ACTOR_MAX, `user must be 1-${ACTOR_MAX} characters`);
    return actor;
  }

  #refuseIf(condition: boolean, message: string): void {
    if (condition) throw new PmError('PM_ERR_VALIDATION', message);
  }
}
