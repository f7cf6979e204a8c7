/**
 * Edge aggregation of numerics: per patient, all of the patient's devices merged (an ICU monitor and a wearable),
 * and per vital, event-time tumbling windows [start, start + windowMs) aligned to multiples of windowMs since the
 * epoch, with mean, min, max, last, count and the share of good-quality values (UplinkWindow).
 *
 * Closing. Per patient, watermark = newest event time seen − outOfOrderMs; a window is emitted once watermark ≥ its
 * end. The default 2 s covers one missed-then-retried QoS 1 publish of a 1 Hz monitor and the clock offset between
 * two NTP-synced devices of one patient, while keeping the trend at most ~3 s behind the bedside.
 *
 * Lateness. A sample whose window has already closed (start < the patient's closed horizon) is late: it is never
 * merged into an emitted window. It goes into a late window for the same [start, end), emitted with `late: true`
 * on the next advance() or flush() (or at once when a patient holds maxLateWindows of them). A late window is an
 * addendum, not a replacement: count, mean, min, max and goodShare combine with the on-time window (weighted by
 * count); `last` is the last of the late values only. Nothing is lost: raw samples are forwarded separately.
 * `late: true` also keeps the addendum from raising an alarm, as for windows the uplink forwards late. A device's
 * backlog after a drop-out is usually not late here: its event times follow the patient's last window, so it
 * forms on-time windows (emitted late in wall time, which the uplink's lateAfterMs marks).
 *
 * Idle flush. advance(now) (processing time, call it about once a second) emits the open windows of a patient
 * whose devices have sent nothing for more than windowMs + outOfOrderMs of wall time, so a patient whose devices
 * stopped still gets their last window out. Samples for those windows that arrive later (a device's backlog after
 * a drop-out) are then late, by the rule above.
 *
 * Cost and memory: O(1) per value (vitals are indexed, accumulators are pooled typed arrays). Per patient at most
 * (outOfOrderMs / windowMs + 2) open windows and maxLateWindows late ones; a patient idle for evictAfterMs with
 * nothing pending is forgotten (its later samples then start afresh).
 */
import { VITAL_CODES, VITALS, type SampleQuality, type UplinkWindow, type VitalCode, type VitalWindowStats } from '@vigil/contracts';

export interface NumericWindowsOptions {
  /** Window size, ms; windows are aligned to multiples of it since the epoch. */
  windowMs?: number;
  /** Allowed out-of-orderness: how far behind the patient's newest sample a sample may be and still merge, ms. */
  outOfOrderMs?: number;
  /** Late windows held per patient before the oldest is emitted early. */
  maxLateWindows?: number;
  /** Forget a patient idle this long (wall time) with nothing pending, ms. */
  evictAfterMs?: number;
}

export const NUMERIC_WINDOW_DEFAULTS: Required<NumericWindowsOptions> = {
  windowMs: 1000, // 1 s, the default
  outOfOrderMs: 2000, // 2 s, see above
  maxLateWindows: 32, // 32 windows of backlog per patient before early emission
  evictAfterMs: 3_600_000, // 1 h
};

export interface PatientPlacement {
  patientId: string;
  bedId: string;
}

export interface NumericWindowsStats {
  patients: number;
  windows: number;
  lateWindows: number;
  lateSamples: number;
  idleFlushes: number;
}

type Vitals = Partial<Record<VitalCode, number>>;
type Quality = Partial<Record<VitalCode, SampleQuality>>;

const N = VITAL_CODES.length;
const INDEX: Readonly<Record<string, number>> = Object.fromEntries(VITAL_CODES.map((c, i) => [c, i]));
// Means are rounded two decimals finer than the catalogue displays the vital: exact enough, and short in JSON.
const MEAN_SCALE = VITAL_CODES.map((c) => 10 ** (VITALS[c].decimals + 2));
// Accumulator fields per vital.
const SUM = 0, MIN = 1, MAX = 2, LAST = 3, LAST_T = 4, COUNT = 5, GOOD = 6, F = 7;
const NONE: readonly UplinkWindow[] = Object.freeze([]);

class Acc {
  start = 0;
  mask = 0; // bit i set: vital i has values
  readonly s = new Float64Array(N * F);
}

interface PatientState {
  patientId: string;
  bedId: string;
  maxT: number;
  /** Every window ending at or before this has closed; earlier samples are late. */
  closedUpTo: number;
  open: Acc[]; // sorted by start
  late: Acc[];
  touched: boolean;
  lastActive: number;
}

export class NumericWindows {
  readonly windowMs: number;
  readonly outOfOrderMs: number;
  private readonly maxLate: number;
  private readonly evictAfterMs: number;
  private readonly patients = new Map<string, PatientState>();
  private readonly pool: Acc[] = [];
  private readonly counters = { windows: 0, lateWindows: 0, lateSamples: 0, idleFlushes: 0 };

  constructor(options: NumericWindowsOptions = {}) {
    const o = { ...NUMERIC_WINDOW_DEFAULTS, ...options };
    if (!(Number.isInteger(o.windowMs) && o.windowMs > 0)) throw new RangeError('windowMs must be a positive integer');
    if (!(o.outOfOrderMs >= 0)) throw new RangeError('outOfOrderMs must be >= 0');
    this.windowMs = o.windowMs;
    this.outOfOrderMs = o.outOfOrderMs;
    this.maxLate = Math.max(1, o.maxLateWindows);
    this.evictAfterMs = o.evictAfterMs;
  }

  /**
   * Add one sample (event time `t`, ms) of a patient's device; returns the windows this closes (often none).
   * Non-finite values and unknown codes are ignored; a vital without a quality verdict counts as good.
   */
  add(patient: PatientPlacement, t: number, vitals: Vitals, quality: Quality): readonly UplinkWindow[] {
    let p = this.patients.get(patient.patientId);
    if (!p) {
      p = { patientId: patient.patientId, bedId: patient.bedId, maxT: -Infinity, closedUpTo: -Infinity, open: [], late: [], touched: true, lastActive: 0 };
      this.patients.set(patient.patientId, p);
    }
    p.bedId = patient.bedId;
    p.touched = true;
    const W = this.windowMs;
    const start = t - (((t % W) + W) % W);

    if (start < p.closedUpTo) {
      this.counters.lateSamples++;
      let acc: Acc | undefined;
      for (const a of p.late) if (a.start === start) acc = a;
      let out: UplinkWindow[] | undefined;
      if (!acc) {
        if (p.late.length >= this.maxLate) this.emitOldestLate(p, (out = []));
        acc = this.acquire(start);
        p.late.push(acc);
      }
      accumulate(acc, t, vitals, quality);
      return out ?? NONE;
    }

    const open = p.open;
    let acc: Acc | undefined;
    let k = 0;
    for (; k < open.length; k++) {
      const a = open[k]!;
      if (a.start === start) { acc = a; break; }
      if (a.start > start) break;
    }
    if (!acc) {
      acc = this.acquire(start);
      open.splice(k, 0, acc);
    }
    accumulate(acc, t, vitals, quality);
    if (t <= p.maxT) return NONE;
    p.maxT = t;
    const horizon = Math.floor((t - this.outOfOrderMs) / W) * W;
    if (horizon > p.closedUpTo) p.closedUpTo = horizon;
    if (open[0]!.start + W > horizon) return NONE;
    const out: UplinkWindow[] = [];
    while (open.length > 0 && open[0]!.start + W <= horizon) this.emit(p, open.shift()!, false, out);
    return out;
  }

  /**
   * Processing-time housekeeping at wall time `now` (ms): idle-flush patients whose devices went quiet, emit
   * pending late windows, forget long-idle patients.
   */
  advance(now: number): UplinkWindow[] {
    const out: UplinkWindow[] = [];
    const idleMs = this.windowMs + this.outOfOrderMs;
    for (const p of this.patients.values()) {
      if (p.touched) {
        p.touched = false;
        p.lastActive = now;
      } else if (now - p.lastActive > idleMs && p.open.length > 0) {
        this.counters.idleFlushes++;
        this.closeOpen(p, Infinity, out);
      }
      this.emitLate(p, out);
      if (!p.touched && p.open.length === 0 && now - p.lastActive > this.evictAfterMs) this.patients.delete(p.patientId);
    }
    return out;
  }

  /** Emit every open window ending at or before `upTo` (all when omitted, e.g. at shutdown) and all late windows. */
  flush(upTo = Infinity): UplinkWindow[] {
    const out: UplinkWindow[] = [];
    for (const p of this.patients.values()) {
      this.closeOpen(p, upTo, out);
      this.emitLate(p, out);
    }
    return out;
  }

  /** Forget a patient (discharge): pending windows are dropped; flush first to keep them. */
  remove(patientId: string): void {
    const p = this.patients.get(patientId);
    if (!p) return;
    for (const a of p.open) this.release(a);
    for (const a of p.late) this.release(a);
    this.patients.delete(patientId);
  }

  stats(): NumericWindowsStats {
    return { patients: this.patients.size, ...this.counters };
  }

  private closeOpen(p: PatientState, upTo: number, out: UplinkWindow[]): void {
    const W = this.windowMs;
    while (p.open.length > 0 && p.open[0]!.start + W <= upTo) {
      const a = p.open.shift()!;
      p.closedUpTo = Math.max(p.closedUpTo, a.start + W);
      this.emit(p, a, false, out);
    }
  }

  private emitLate(p: PatientState, out: UplinkWindow[]): void {
    if (p.late.length === 0) return;
    p.late.sort((a, b) => a.start - b.start);
    for (const a of p.late) this.emit(p, a, true, out);
    p.late.length = 0;
  }

  private emitOldestLate(p: PatientState, out: UplinkWindow[]): void {
    let oldest = 0;
    for (let i = 1; i < p.late.length; i++) if (p.late[i]!.start < p.late[oldest]!.start) oldest = i;
    const [a] = p.late.splice(oldest, 1);
    this.emit(p, a!, true, out);
  }

  /** Push the window's record to `out` (unless no valid value reached it) and recycle its accumulator. */
  private emit(p: PatientState, a: Acc, late: boolean, out: UplinkWindow[]): void {
    if (a.mask === 0) {
      this.release(a);
      return;
    }
    const vitals: Partial<Record<VitalCode, VitalWindowStats>> = {};
    const s = a.s;
    for (let i = 0; i < N; i++) {
      if ((a.mask & (1 << i)) === 0) continue;
      const o = i * F;
      const count = s[o + COUNT]!;
      const scale = MEAN_SCALE[i]!;
      vitals[VITAL_CODES[i]!] = {
        mean: Math.round((s[o + SUM]! / count) * scale) / scale,
        min: s[o + MIN]!,
        max: s[o + MAX]!,
        last: s[o + LAST]!,
        count,
        goodShare: s[o + GOOD]! / count,
      };
    }
    if (late) this.counters.lateWindows++;
    else this.counters.windows++;
    // A late window is an addendum to the window already emitted for the same interval.
    out.push({ type: 'window', patientId: p.patientId, bedId: p.bedId, start: a.start, end: a.start + this.windowMs, vitals, late, addendum: late });
    this.release(a);
  }

  private acquire(start: number): Acc {
    const a = this.pool.pop() ?? new Acc();
    a.start = start;
    a.mask = 0;
    return a;
  }

  private release(a: Acc): void {
    if (this.pool.length < 4096) this.pool.push(a);
  }
}

function accumulate(a: Acc, t: number, vitals: Vitals, quality: Quality): void {
  const s = a.s;
  for (const code in vitals) {
    const i = INDEX[code];
    const v = vitals[code as VitalCode];
    if (i === undefined || typeof v !== 'number' || !Number.isFinite(v)) continue;
    const o = i * F;
    const q = quality[code as VitalCode];
    const good = q === undefined || q === 'good' ? 1 : 0;
    const bit = 1 << i;
    if ((a.mask & bit) === 0) {
      a.mask |= bit;
      s[o + SUM] = v;
      s[o + MIN] = v;
      s[o + MAX] = v;
      s[o + LAST] = v;
      s[o + LAST_T] = t;
      s[o + COUNT] = 1;
      s[o + GOOD] = good;
      continue;
    }
    s[o + SUM]! += v;
    if (v < s[o + MIN]!) s[o + MIN] = v;
    if (v > s[o + MAX]!) s[o + MAX] = v;
    // Ties in event time (two devices, same instant): the value that arrived later wins.
    if (t >= s[o + LAST_T]!) {
      s[o + LAST] = v;
      s[o + LAST_T] = t;
    }
    s[o + COUNT]! += 1;
    s[o + GOOD]! += good;
  }
}
