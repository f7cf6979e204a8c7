/**
 * The live samples of one patient, bounded: the newest `capacity` rows, each a time and one value per vital (NaN where
 * the row's device did not measure that vital). Columnar typed arrays in a ring, so an hour of 1 Hz data costs a few
 * hundred kB and pushing a sample allocates nothing (after a vital's first value).
 *
 * Samples from several devices of a patient interleave by event time, and a socket message can arrive a little after
 * a newer one (another device, another uplink batch), so a late row is inserted in order when it is within
 * REORDER_REACH rows of the newest; older ones are left to the history API (counted in `dropped`).
 */
import type { VitalCode } from '@vigil/contracts';

/** Rows a late sample may be moved back past: ~16 s of two 1 Hz devices, more than an uplink batch's spread. */
export const REORDER_REACH = 32;

export interface RingRows {
  /** Event times, ascending. */
  t: number[];
  /** Per requested vital, a value or undefined (not measured in that row), aligned with `t`. */
  values: Array<Array<number | undefined>>;
}

export class VitalRing {
  readonly capacity: number;
  /** Samples too far out of order to place (they reach the chart with the next history load). */
  dropped = 0;
  readonly #t: Float64Array;
  readonly #cols = new Map<VitalCode, Float64Array>();
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`ring capacity must be an integer >= 2, got ${capacity}`);
    this.capacity = capacity;
    this.#t = new Float64Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Event time of the newest row, or null when empty. */
  get newestT(): number | null {
    return this.#size === 0 ? null : this.#t[this.#slot(this.#size - 1)]!;
  }

  get oldestT(): number | null {
    return this.#size === 0 ? null : this.#t[this.#slot(0)]!;
  }

  /** The vitals that have had a value in this ring. */
  get codes(): VitalCode[] {
    return [...this.#cols.keys()];
  }

  clear(): void {
    this.#start = 0;
    this.#size = 0;
  }

  /**
   * Adds one sample. A row with the same time as an existing one is merged into it (two devices, one instant).
   * Returns false when the sample was dropped (non-finite time, or too far out of order).
   */
  push(t: number, vitals: Partial<Record<VitalCode, number>>): boolean {
    if (!Number.isFinite(t)) return false;
    // Find the row position: scan back from the newest, at most REORDER_REACH rows.
    let i = this.#size;
    while (i > 0 && this.#t[this.#slot(i - 1)]! > t) {
      if (this.#size - i >= REORDER_REACH) {
        this.dropped++;
        return false;
      }
      i--;
    }
    if (i > 0 && this.#t[this.#slot(i - 1)] === t) {
      this.#write(this.#slot(i - 1), vitals);
      return true;
    }
    if (i === 0 && this.#size === this.capacity) {
      // Older than everything kept in a full ring: it would be evicted at once.
      this.dropped++;
      return false;
    }
    if (this.#size === this.capacity) {
      // Evict the oldest row.
      this.#start = (this.#start + 1) % this.capacity;
      this.#size--;
      i--;
    }
    // Shift rows [i, size) one slot towards the newest end (at most REORDER_REACH of them).
    for (let j = this.#size; j > i; j--) this.#copy(this.#slot(j - 1), this.#slot(j));
    this.#size++;
    const slot = this.#slot(i);
    this.#t[slot] = t;
    for (const col of this.#cols.values()) col[slot] = NaN;
    this.#write(slot, vitals);
    return true;
  }

  /** Rows with from <= t, oldest first, where at least one of `codes` has a value. */
  rows(codes: readonly VitalCode[], from = -Infinity): RingRows {
    const cols = codes.map((c) => this.#cols.get(c));
    const out: RingRows = { t: [], values: codes.map(() => []) };
    // Binary search for the first row at or after `from` (rows are in time order).
    let lo = 0;
    let hi = this.#size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#t[this.#slot(mid)]! < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.#size; i++) {
      const slot = this.#slot(i);
      let any = false;
      for (const col of cols) if (col && !Number.isNaN(col[slot]!)) any = true;
      if (!any) continue;
      out.t.push(this.#t[slot]!);
      cols.forEach((col, k) => {
        const v = col ? col[slot]! : NaN;
        out.values[k]!.push(Number.isNaN(v) ? undefined : v);
      });
    }
    return out;
  }

  #slot(i: number): number {
    return (this.#start + i) % this.capacity;
  }

  #copy(from: number, to: number): void {
    this.#t[to] = this.#t[from]!;
    for (const col of this.#cols.values()) col[to] = col[from]!;
  }

  #write(slot: number, vitals: Partial<Record<VitalCode, number>>): void {
    for (const [code, value] of Object.entries(vitals) as Array<[VitalCode, number | undefined]>) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      let col = this.#cols.get(code);
      if (!col) {
        col = new Float64Array(this.capacity).fill(NaN);
        this.#cols.set(code, col);
      }
      col[slot] = value;
    }
  }
}
