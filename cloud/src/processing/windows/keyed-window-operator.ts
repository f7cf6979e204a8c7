/**
 * Keyed event-time windows (ARCHITECTURE.md, guarantee "Event time"): every decision below is a function of the
 * elements' own timestamps, never of the wall clock, so a replay gives the same emissions at any speed.
 *
 * Semantics
 * - Keys are independent (one per patient). A key's watermark is maxEventTime − outOfOrdernessMs (bounded
 *   out-of-orderness), −Infinity before its first on-time element. Elements with `late: true` (an edge backlog) are
 *   windowed normally but never raise maxEventTime, so a backlog cannot close windows of live data. Watermarks never
 *   go backwards. `advanceTo(key, time)` raises maxEventTime as an element at `time` would (end of a replay, idle key).
 * - Windows are half-open [start, end). Fixed windows (tumbling, sliding) are aligned to epoch 0. A session is a
 *   maximal run of elements with gaps < gapMs; its window is [first t, last t + gapMs). Empty windows never fire.
 * - A window fires (revision 0) when watermark ≥ end. A later element for a window that is complete but still within
 *   lateness (watermark < end + allowedLatenessMs) updates it and it is emitted again at once with revision + 1. A
 *   window that was empty when it completed counts as having fired silently: late data creating it comes out as
 *   revision 1. So revision 0 ⇔ emitted because the watermark reached the end; revision > 0 ⇔ caused by late data.
 *   Consumers store revisions (the newest wins) but never raise new alarms from them.
 * - Each element's disposition: 'dropped-late' when it changed no window (every window it belongs to is past
 *   end + allowedLatenessMs; the caller keeps it as a side output); 'late-revision' when it changed a window that was
 *   already complete or already emitted; 'on-time' otherwise. With sliding windows an element may miss its earliest
 *   windows (already past lateness) and still count in later ones; it is reported by what it changed.
 * - Sessions. An element that falls inside a session (first ≤ t < last + gap) joins it, and is dropped if that
 *   session is past lateness (a closed session is final). Any other element is judged by its own window
 *   [t, t + gap): dropped if watermark ≥ t + gap + allowedLatenessMs, otherwise it starts a session or extends the
 *   next one backwards. A joining element can bridge to the next session: they merge. Changing an emitted session
 *   (extending, merging) is a revision: revision = max of the merged sessions' revisions + 1, and the emission lists
 *   in `supersedes` the bounds of the earlier emissions it replaces when they differ from its own. A late element can
 *   push an emitted session's end past the watermark: it is re-emitted (as a revision) when the watermark reaches the
 *   new end, and stays a revision even if live elements join it meanwhile. Session bounds are kept (without elements)
 *   until watermark ≥ end + gap + allowedLatenessMs so that an element inside a closed session is always recognised.
 * - Emissions of one call are ordered by window end, then start. compute() sees the window's elements sorted by
 *   `order` (default: by t), which must sort by t first; give it a tie-breaker (e.g. seq) if two elements of a key can
 *   share a timestamp. So the same elements in any arrival order whose displacement stays within
 *   outOfOrdernessMs give identical emissions (nothing is late then: every element arrives with t ≥ watermark).
 * - Purge: fixed windows are dropped once watermark ≥ end + allowedLatenessMs, an element once all its windows are.
 *   `retainFrom(key)` is the earliest event time the key still needs: the buffered elements are exactly the accepted
 *   elements with t ≥ retainFrom (a dropped element is always older).
 * - State: one time-ordered buffer per key (append fast path, binary insert otherwise); compute gets a slice.
 *   `snapshotKey` holds no elements (max event time, revisions, session bounds); `restoreKey` rebuilds the key from it
 *   plus the elements added before the snapshot with t ≥ retainFrom, re-read by the caller from its own storage.
 * - compute() must not throw: an exception leaves the key half-advanced (restore it from a snapshot).
 */
import { PmError } from '@vigil/contracts';
import { firstStartEndingAfter, fixedWindows, latestStart, validateWindowSpec, type FixedWindows, type WindowBounds, type WindowSpec } from './window-assigners.ts';

export type Disposition = 'on-time' | 'late-revision' | 'dropped-late';

export interface TimedElement {
  /** Event time, ms since the epoch. */
  t: number;
  /** Backlog data: windowed normally, never advances the watermark. */
  late?: boolean;
}

export interface WindowEmission<R> {
  key: string;
  window: WindowBounds;
  /** 0: the watermark reached the end; 1, 2, …: updates by late elements within allowed lateness. */
  revision: number;
  result: R;
  /** Number of elements in the window. */
  count: number;
  /** Sessions only: bounds of earlier emissions of this key that this one replaces (extended or merged sessions). */
  supersedes?: WindowBounds[];
}

export interface AddResult<R> {
  disposition: Disposition;
  emissions: WindowEmission<R>[];
}

export interface KeyedWindowOptions<E extends TimedElement, R> {
  spec: WindowSpec;
  /** Bound on how far behind the newest element of the key an element may arrive and still be on time, ms. */
  outOfOrdernessMs: number;
  /** How long after a window fired it still accepts elements (as revisions), ms of watermark. */
  allowedLatenessMs: number;
  compute(key: string, window: WindowBounds, elements: readonly E[]): R;
  /** Total order of a key's elements; must sort by t first. Default: by t. */
  order?: (a: E, b: E) => number;
  /**
   * Session windows only: keep a running count per session instead of its elements (compute gets no elements; the
   * emission's `count` is the session's). A monitoring session of 1 Hz data can stay open for days: buffered, it
   * would hold ~86,000 elements per patient per day in memory and in every restore.
   */
  countOnly?: boolean;
}

export interface SessionSnapshot {
  start: number;
  /** Event time of the session's last element; the window ends at last + gapMs. */
  last: number;
  /** Revision of the latest emission, −1 if never emitted. */
  revision: number;
  /** Changed since its latest emission (re-emitted when complete). */
  dirty: boolean;
  /** Past allowed lateness: final, elements released, bounds kept to recognise late elements. */
  closed: boolean;
  /** Bounds of the emissions the next emission replaces. */
  emitted: WindowBounds[];
  /** Elements in the session (countOnly operators; absent in snapshots of a buffering operator). */
  count?: number;
}

/** A key's state without its elements: small and JSON-serialisable. */
export interface KeySnapshot {
  v: 1;
  /** Newest event time of an on-time element (or advanceTo); null before any. */
  maxEventTime: number | null;
  /** Fixed windows revised at least once and not yet purged: [start, revision]. Others are implied by the watermark. */
  revisions?: Array<[number, number]>;
  /** Sessions not yet forgotten, ordered by start. */
  sessions?: SessionSnapshot[];
}

class KeyState<E> {
  buf: E[] = [];
  maxT = -Infinity;
  revisions = new Map<number, number>();
  sessions: SessionSnapshot[] = [];
}

const byTime = (a: TimedElement, b: TimedElement): number => a.t - b.t;

/** First index whose element has t ≥ time (after = false) or t > time (after = true). */
function search(buf: readonly TimedElement[], time: number, after: boolean): number {
  let lo = 0;
  let hi = buf.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const t = buf[mid]!.t;
    if (t < time || (after && t === time)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class KeyedWindowOperator<E extends TimedElement, R> {
  readonly #fixed: FixedWindows | undefined;
  readonly #gap: number;
  readonly #ooo: number;
  readonly #lateness: number;
  readonly #compute: KeyedWindowOptions<E, R>['compute'];
  readonly #order: (a: E, b: E) => number;
  readonly #countOnly: boolean;
  readonly #keys = new Map<string, KeyState<E>>();
  #elements = 0;

  constructor(options: KeyedWindowOptions<E, R>) {
    const spec = validateWindowSpec(options.spec);
    for (const name of ['outOfOrdernessMs', 'allowedLatenessMs'] as const) {
      const v = options[name];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new PmError('PM_ERR_CONFIG_INVALID', `windows: ${name} must be a finite number ≥ 0, got ${String(v)}`);
    }
    this.#fixed = fixedWindows(spec);
    this.#gap = spec.kind === 'session' ? spec.gapMs : 0;
    this.#ooo = options.outOfOrdernessMs;
    this.#lateness = options.allowedLatenessMs;
    this.#compute = options.compute;
    this.#order = options.order ?? byTime;
    if (options.countOnly && spec.kind !== 'session') throw new PmError('PM_ERR_CONFIG_INVALID', 'windows: countOnly is for session windows');
    this.#countOnly = options.countOnly ?? false;
  }

  /** Add one element of a key; returns its disposition and the emissions it caused. */
  add(key: string, element: E): AddResult<R> {
    const t = element.t;
    if (!Number.isFinite(t)) throw new RangeError(`windows: element time must be a finite number, got ${String(t)}`);
    let s = this.#keys.get(key);
    if (!s) this.#keys.set(key, (s = new KeyState<E>()));
    const wm = s.maxT - this.#ooo;
    const emissions: WindowEmission<R>[] = [];
    const disposition = this.#fixed ? this.#addFixed(key, s, element, wm, this.#fixed, emissions) : this.#addSession(key, s, element, wm, emissions);
    if (element.late !== true && t > s.maxT) {
      s.maxT = t;
      this.#advance(key, s, wm, emissions);
    }
    return { disposition, emissions };
  }

  /** Raise the key's max event time to `time` (never lowers it), firing what completes. Creates the key if new. */
  advanceTo(key: string, time: number): WindowEmission<R>[] {
    if (!Number.isFinite(time)) throw new RangeError(`windows: advanceTo needs a finite time, got ${String(time)}`);
    let s = this.#keys.get(key);
    if (!s) this.#keys.set(key, (s = new KeyState<E>()));
    const emissions: WindowEmission<R>[] = [];
    if (time > s.maxT) {
      const wm = s.maxT - this.#ooo;
      s.maxT = time;
      this.#advance(key, s, wm, emissions);
    }
    return emissions;
  }

  /** −Infinity before the key's first on-time element. */
  watermark(key: string): number {
    const s = this.#keys.get(key);
    return s ? s.maxT - this.#ooo : -Infinity;
  }

  /** Earliest event time the key may still need (see restoreKey); −Infinity before its watermark exists. */
  retainFrom(key: string): number {
    const s = this.#keys.get(key);
    return s ? this.#retainFrom(s) : -Infinity;
  }

  snapshotKey(key: string): KeySnapshot | undefined {
    const s = this.#keys.get(key);
    if (!s) return undefined;
    const snap: KeySnapshot = { v: 1, maxEventTime: s.maxT === -Infinity ? null : s.maxT };
    if (this.#fixed) snap.revisions = [...s.revisions].sort((a, b) => a[0] - b[0]);
    else snap.sessions = s.sessions.map((x) => ({ ...x, emitted: x.emitted.map((b) => ({ ...b })) }));
    return snap;
  }

  /**
   * Rebuild a key from its snapshot and the elements added before the snapshot was taken (any order; those older
   * than the snapshot's retainFrom are ignored). Elements added after the snapshot must go through add() again.
   */
  restoreKey(key: string, snapshot: KeySnapshot, elements: readonly E[]): void {
    if (snapshot?.v !== 1 || (snapshot.maxEventTime !== null && !Number.isFinite(snapshot.maxEventTime))) throw new Error('windows: not a v1 key snapshot');
    if ((snapshot.sessions !== undefined) === (this.#fixed !== undefined)) throw new Error(`windows: snapshot does not match the operator's ${this.#fixed ? 'fixed' : 'session'} windows`);
    const s = new KeyState<E>();
    s.maxT = snapshot.maxEventTime ?? -Infinity;
    for (const [start, revision] of snapshot.revisions ?? []) s.revisions.set(start, revision);
    s.sessions = (snapshot.sessions ?? []).map((x) => ({ ...x, emitted: x.emitted.map((b) => ({ ...b })) }));
    const from = this.#retainFrom(s);
    s.buf = elements.filter((e) => e.t >= from).sort(this.#order);
    let open = 0;
    for (let i = 0; i < s.buf.length; i++) {
      const t = s.buf[i]!.t;
      if (i > 0 && s.buf[i - 1]!.t > t) throw new RangeError('windows: order must sort elements by t first');
      if (this.#fixed) continue;
      while (open < s.sessions.length && (s.sessions[open]!.closed || s.sessions[open]!.last < t)) open++;
      const x = s.sessions[open];
      if (!x || t < x.start) throw new Error(`windows: restored element at t=${t} lies outside the snapshot's sessions`);
    }
    if (this.#countOnly) {
      // A snapshot of a buffering operator: count each open session's elements once, then keep counts only.
      for (const x of s.sessions) if (x.count === undefined && !x.closed) x.count = search(s.buf, x.last, true) - search(s.buf, x.start, false);
      s.buf = [];
    }
    this.deleteKey(key);
    this.#keys.set(key, s);
    this.#elements += s.buf.length;
  }

  keys(): string[] {
    return [...this.#keys.keys()];
  }

  deleteKey(key: string): void {
    const s = this.#keys.get(key);
    if (!s) return;
    this.#elements -= s.buf.length;
    this.#keys.delete(key);
  }

  stats(): { keys: number; elements: number } {
    return { keys: this.#keys.size, elements: this.#elements };
  }

  #retainFrom(s: KeyState<E>): number {
    if (s.maxT === -Infinity) return -Infinity;
    const wm = s.maxT - this.#ooo;
    if (this.#fixed) return firstStartEndingAfter(wm - this.#lateness, this.#fixed);
    // Counting sessions need no element back, except to count an open session a buffering snapshot left uncounted.
    if (this.#countOnly) return s.sessions.find((x) => !x.closed && x.count === undefined)?.start ?? Infinity;
    for (const x of s.sessions) if (!x.closed) return x.start;
    // No open session: an accepted element at or after the watermark would be in one; every dropped one is older.
    return wm;
  }

  /** Insert keeping the buffer sorted by order (upper bound: equal elements stay in arrival order). */
  #insert(s: KeyState<E>, e: E): void {
    const buf = s.buf;
    const n = buf.length;
    let at = n;
    if (n > 0 && this.#order(buf[n - 1]!, e) > 0) {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.#order(buf[mid]!, e) <= 0) lo = mid + 1;
        else hi = mid;
      }
      at = lo;
    }
    if ((at > 0 && buf[at - 1]!.t > e.t) || (at < n && buf[at]!.t < e.t)) throw new RangeError('windows: order must sort elements by t first');
    if (at === n) buf.push(e);
    else buf.splice(at, 0, e);
    this.#elements++;
  }

  #emit(key: string, s: KeyState<E>, start: number, end: number, revision: number, lo: number, hi: number): WindowEmission<R> {
    const result = this.#compute(key, { start, end }, s.buf.slice(lo, hi));
    return { key, window: { start, end }, revision, result, count: hi - lo };
  }

  #addFixed(key: string, s: KeyState<E>, e: E, wm: number, w: FixedWindows, out: WindowEmission<R>[]): Disposition {
    const { sizeMs, slideMs } = w;
    const newest = latestStart(e.t, slideMs);
    if (newest + sizeMs + this.#lateness <= wm) return 'dropped-late';
    this.#insert(s, e);
    if (newest + slideMs > wm) return 'on-time'; // its earliest window is not complete yet
    let changed = false;
    for (let start = newest - sizeMs + slideMs; start <= newest; start += slideMs) {
      const end = start + sizeMs;
      if (end > wm) break;
      if (end + this.#lateness <= wm) continue; // purged: final
      const lo = search(s.buf, start, false);
      const hi = search(s.buf, end, false);
      // Revision 0 is implied for every complete window (fired when the watermark passed, silently if empty).
      const revision = (s.revisions.get(start) ?? 0) + 1;
      s.revisions.set(start, revision);
      out.push(this.#emit(key, s, start, end, revision, lo, hi));
      changed = true;
    }
    return changed ? 'late-revision' : 'on-time';
  }

  #addSession(key: string, s: KeyState<E>, e: E, wm: number, out: WindowEmission<R>[]): Disposition {
    const t = e.t;
    const gap = this.#gap;
    const ss = s.sessions;
    // Last session starting at or before t (usually the newest one).
    let i = ss.length - 1;
    if (i >= 0 && ss[i]!.start > t) {
      let lo = 0;
      let hi = ss.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ss[mid]!.start <= t) lo = mid + 1;
        else hi = mid;
      }
      i = lo - 1;
    }
    let cur: SessionSnapshot;
    if (i >= 0 && t < ss[i]!.last + gap) {
      cur = ss[i]!;
      if (cur.closed) return 'dropped-late';
      if (this.#countOnly) cur.count = (cur.count ?? 0) + 1;
      else this.#insert(s, e);
      if (t > cur.last) cur.last = t;
    } else {
      if (t + gap + this.#lateness <= wm) return 'dropped-late';
      if (!this.#countOnly) this.#insert(s, e);
      cur = { start: t, last: t, revision: -1, dirty: false, closed: false, emitted: [], ...(this.#countOnly ? { count: 1 } : {}) };
      i++;
      if (i === ss.length) ss.push(cur);
      else ss.splice(i, 0, cur);
    }
    // Bridge: the sessions that now lie within gap of cur merge into it (never closed ones, see the header).
    while (i + 1 < ss.length && ss[i + 1]!.start < cur.last + gap) {
      const next = ss[i + 1]!;
      if (next.last > cur.last) cur.last = next.last;
      if (next.revision > cur.revision) cur.revision = next.revision;
      if (this.#countOnly) cur.count = (cur.count ?? 0) + (next.count ?? 0);
      cur.emitted.push(...next.emitted);
      ss.splice(i + 1, 1);
    }
    if (cur.revision >= 0) cur.dirty = true;
    if (cur.last + gap <= wm) {
      if (cur.revision < 0) cur.revision = 0; // complete on creation: as if it had fired silently, like a fixed window
      out.push(this.#emitSession(key, s, cur));
      return 'late-revision';
    }
    return cur.revision >= 0 ? 'late-revision' : 'on-time';
  }

  #emitSession(key: string, s: KeyState<E>, x: SessionSnapshot): WindowEmission<R> {
    const end = x.last + this.#gap;
    const emission = this.#countOnly
      ? { key, window: { start: x.start, end }, revision: x.revision + 1, result: this.#compute(key, { start: x.start, end }, []), count: x.count ?? 0 }
      : this.#emit(key, s, x.start, end, x.revision + 1, search(s.buf, x.start, false), search(s.buf, x.last, true));
    const supersedes = x.emitted.filter((b) => b.start !== x.start || b.end !== end);
    if (supersedes.length > 0) emission.supersedes = supersedes;
    x.revision++;
    x.dirty = false;
    x.emitted = [{ start: x.start, end }];
    return emission;
  }

  /** The watermark rose from `from` to maxT − outOfOrderness: fire what completed, purge what is past lateness. */
  #advance(key: string, s: KeyState<E>, from: number, out: WindowEmission<R>[]): void {
    const wm = s.maxT - this.#ooo;
    const buf = s.buf;
    const w = this.#fixed;
    if (w) {
      const { sizeMs, slideMs } = w;
      // Fixed windows with end in (from, wm] fire; revision 0 (windows never fire before completion).
      let end = from === -Infinity ? -Infinity : latestStart(from, slideMs) + slideMs;
      if (end <= wm) {
        let i = search(buf, end - sizeMs, false);
        while (i < buf.length) {
          end = Math.max(end, latestStart(buf[i]!.t, slideMs) + slideMs); // skip windows with no elements
          if (end > wm) break;
          const lo = search(buf, end - sizeMs, false);
          const hi = search(buf, end, false);
          if (hi > lo) out.push(this.#emit(key, s, end - sizeMs, end, 0, lo, hi));
          end += slideMs;
          i = search(buf, end - sizeMs, false);
        }
      }
      const retain = firstStartEndingAfter(wm - this.#lateness, w);
      if (buf.length > 0 && buf[0]!.t < retain) {
        const n = search(buf, retain, false);
        buf.splice(0, n);
        this.#elements -= n;
      }
      if (s.revisions.size > 0) for (const start of s.revisions.keys()) if (start < retain) s.revisions.delete(start);
      return;
    }
    const gap = this.#gap;
    const ss = s.sessions;
    let i = 0;
    while (i < ss.length) {
      const x = ss[i]!;
      const end = x.last + gap;
      if (end > wm) break; // session ends grow with their starts
      if (!x.closed && (x.revision < 0 || x.dirty)) out.push(this.#emitSession(key, s, x));
      if (!x.closed && end + this.#lateness <= wm) {
        // Closed sessions form a prefix, so this one's elements are at the front of the buffer.
        const n = search(buf, x.last, true);
        buf.splice(0, n);
        this.#elements -= n;
        x.closed = true;
        x.emitted = [];
      }
      if (end + gap + this.#lateness <= wm) ss.splice(i, 1);
      else i++;
    }
  }
}
