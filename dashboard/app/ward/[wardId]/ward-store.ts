/**
 * The dashboard's copy of one ward, and the pure functions that apply the cloud's messages to it.
 * Kept free of React and socket.io so the merge rules can be read (and tested) on their own.
 * Each function returns new objects only for the beds it touched, so memoised tiles skip the rest.
 */
import type { Alarm, BedState, DeviceUpdate, LatestValue, News2Update, VitalCode, VitalsUpdate, WardSnapshot } from '@vigil/contracts';
import type { BedTrend } from './bed-trends.ts';

export interface WardView {
  wardId: string;
  beds: ReadonlyMap<string, BedState>;
  /** Open alarms only (state !== 'ended'), keyed by alarm id. */
  alarms: ReadonlyMap<string, Alarm>;
  /**
   * Ids of alarms known to have ended, newest last, at most ENDED_MEMORY. `ended` is final, so a replay of an earlier
   * transition of one of them (a missed event after a snapshot, an update buffered during a join) must not bring it
   * back onto the screen.
   */
  ended: ReadonlySet<string>;
  /** Newest event time seen in the ward: the reference for staleness (event time, not the browser clock). */
  newestT: number;
  /** Per bed, the last minutes of HR and SpO2 for the tile's sparkline (bed-trends.ts); filled from live updates. */
  trends?: ReadonlyMap<string, BedTrend>;
}

/** Ended alarm ids remembered; replays concern recent alarms only, and a central station runs for weeks. */
const ENDED_MEMORY = 1_000;

function newestOf(bed: BedState): number {
  let t = 0;
  for (const v of Object.values(bed.latest)) if (v && v.t > t) t = v.t;
  return t;
}

/** The snapshot replaces everything: it is how the dashboard resyncs after every (re)connect. */
export function fromSnapshot(snapshot: WardSnapshot): WardView {
  const beds = new Map<string, BedState>();
  let newestT = 0;
  for (const bed of snapshot.beds) {
    beds.set(bed.bedId, bed);
    newestT = Math.max(newestT, newestOf(bed));
  }
  const alarms = new Map<string, Alarm>();
  const ended = new Set<string>();
  // The snapshot has the open alarms and the recently ended ones; the ended ones only guard against replays.
  for (const alarm of [...snapshot.alarms].sort((a, b) => a.updatedAt - b.updatedAt)) {
    if (alarm.state === 'ended') ended.add(alarm.id);
    else alarms.set(alarm.id, alarm);
  }
  return { wardId: snapshot.wardId, beds, alarms, ended: trimmed(ended), newestT };
}

/**
 * Working copy the socket handlers write into between two screen frames. Its maps are copy-on-write: a handler
 * replaces a map rather than mutating it, so a published view keeps its identity until something really changed
 * (the alarm list stays memoised while only vitals flow).
 */
export interface WardDraft {
  wardId: string;
  beds: ReadonlyMap<string, BedState>;
  alarms: ReadonlyMap<string, Alarm>;
  ended: ReadonlySet<string>;
  newestT: number;
  trends?: ReadonlyMap<string, BedTrend>;
}

export function toDraft(view: WardView): WardDraft {
  return { ...view };
}

export function toView(draft: WardDraft): WardView {
  return { ...draft };
}

function withEntry<V>(map: ReadonlyMap<string, V>, key: string, value: V | undefined): ReadonlyMap<string, V> {
  const next = new Map(map);
  if (value === undefined) next.delete(key);
  else next.set(key, value);
  return next;
}

/** Drops the oldest ids (insertion order) beyond ENDED_MEMORY; mutates a set this module just built. */
function trimmed(ids: Set<string>): Set<string> {
  for (const id of ids) {
    if (ids.size <= ENDED_MEMORY) break;
    ids.delete(id);
  }
  return ids;
}

function blankBed(update: { wardId: string; bedId: string; patientId: string }, t: number): BedState {
  return { wardId: update.wardId, bedId: update.bedId, patientId: update.patientId, latest: {}, devices: [], updatedAt: t };
}

export function applyVitals(draft: WardDraft, update: VitalsUpdate): void {
  if (update.wardId !== draft.wardId) return;
  const bed = draft.beds.get(update.bedId) ?? blankBed(update, update.t);
  const latest: Partial<Record<VitalCode, LatestValue>> = { ...bed.latest };
  let changed = !draft.beds.has(update.bedId) || bed.patientId !== update.patientId;
  for (const [code, value] of Object.entries(update.vitals) as Array<[VitalCode, number | undefined]>) {
    if (value === undefined) continue;
    // Late (backlog) data may arrive after newer values: it belongs in history, not on the live tile.
    const current = latest[code];
    if (current && current.t > update.t) continue;
    // The edge sends a quality with every value; a missing one is treated as unjudged rather than suspect.
    latest[code] = { value, t: update.t, quality: update.quality[code] ?? 'good' };
    changed = true;
  }
  if (!changed) return;
  draft.beds = withEntry(draft.beds, update.bedId, {
    ...bed,
    patientId: update.patientId,
    latest,
    updatedAt: Math.max(bed.updatedAt, update.t),
  });
  draft.newestT = Math.max(draft.newestT, update.t);
}

/**
 * The cloud sends the full alarm on every state change: upsert by id; `ended` leaves the active list. Idempotent,
 * so the same change may arrive twice (live and again among a join's `missed` events): a change older than what is
 * shown (by `updatedAt`) is ignored, and `ended` is final: it always wins, and nothing after it reopens the alarm.
 */
export function applyAlarm(draft: WardDraft, alarm: Alarm): void {
  if (alarm.wardId !== draft.wardId) return;
  if (draft.ended.has(alarm.id)) return;
  if (alarm.state === 'ended') {
    draft.ended = trimmed(new Set(draft.ended).add(alarm.id));
    if (draft.alarms.has(alarm.id)) draft.alarms = withEntry(draft.alarms, alarm.id, undefined);
    return;
  }
  const current = draft.alarms.get(alarm.id);
  // An older transition (e.g. buffered before a snapshot that already has a newer one) must not win.
  if (current && current.updatedAt > alarm.updatedAt) return;
  draft.alarms = withEntry(draft.alarms, alarm.id, alarm);
}

export function applyDevice(draft: WardDraft, update: DeviceUpdate): void {
  if (update.wardId !== draft.wardId) return;
  const bed = draft.beds.get(update.bedId) ?? blankBed(update, update.t);
  const current = bed.devices.find((d) => d.deviceId === update.deviceId);
  if (current && current.t > update.t) return;
  const device = { deviceId: update.deviceId, deviceType: update.deviceType, state: update.state, battery: update.battery, t: update.t };
  const devices = current ? bed.devices.map((d) => (d.deviceId === update.deviceId ? device : d)) : [...bed.devices, device];
  draft.beds = withEntry(draft.beds, update.bedId, { ...bed, devices });
}

/**
 * The newest NEWS2 of a bed, as the cloud's own ward state keeps it (cloud/src/processing/ward-state.ts): a score for
 * an older window never replaces a newer one; a revision of the same window (late data) does.
 */
export function applyNews2(draft: WardDraft, update: News2Update): void {
  if (update.wardId !== draft.wardId) return;
  const bed = draft.beds.get(update.bedId);
  if (!bed || bed.patientId !== update.patientId) return;
  if (bed.news2 && bed.news2.end > update.end) return;
  const { total, response, anySingleThree, complete } = update.result;
  draft.beds = withEntry(draft.beds, update.bedId, { ...bed, news2: { total, response, anySingleThree, complete, end: update.end } });
}
