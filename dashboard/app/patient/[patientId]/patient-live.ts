/**
 * The live state of one patient outside React: a bounded ring of its samples (for the charts), its newest value per
 * vital (for the readouts), and the newest event time of the whole ward (the staleness reference, as on the ward
 * overview: event time, so a browser clock that is off does not mark values stale). Subscribers are told of every
 * change of this patient's data (not of other beds' samples, which only move the reference: readers poll it once a
 * second); each decides how often to act (charts and readouts: at most once per animation frame).
 */
import type { BedState, LatestValue, VitalCode, VitalsUpdate } from '@vigil/contracts';
import { VitalRing } from './vital-ring.ts';

/** Rows kept: ~1 h of a 1 Hz monitor plus a 5 s wearable (1.2 rows/s) with room to spare; ~0.8 MB at 13 columns. */
export const LIVE_CAPACITY = 7_200;

/** A value older than this, relative to the newest event time in the ward, is stale (same rule as the ward overview). */
export const STALE_AFTER_MS = 30_000; // 30 s
/**
 * A cuff pressure is measured once per cycle (15 min by default in the simulators), so between cycles it is not stale
 * but as old as the cycle: stale after 20 min, the validity NEWS2 gives an SBP (docs/architecture.md).
 */
export const NIBP_STALE_AFTER_MS = 20 * 60_000;

export function staleAfterMs(code: VitalCode): number {
  return code === 'nibpSys' || code === 'nibpDia' || code === 'nibpMean' ? NIBP_STALE_AFTER_MS : STALE_AFTER_MS;
}

export type LatestValues = Partial<Record<VitalCode, LatestValue>>;

export class PatientLive {
  readonly patientId: string;
  readonly ring: VitalRing;
  #latest: LatestValues = {};
  #wardNewestT = 0;
  #version = 0;
  readonly #listeners = new Set<() => void>();

  constructor(patientId: string, capacity = LIVE_CAPACITY) {
    this.patientId = patientId;
    this.ring = new VitalRing(capacity);
  }

  /** Changes with every update of this patient's data. */
  get version(): number {
    return this.#version;
  }

  /** Newest value per vital; a new object whenever one changed. */
  get latest(): LatestValues {
    return this.#latest;
  }

  get wardNewestT(): number {
    return this.#wardNewestT;
  }

  /** Every vitals update of the ward room comes here; only this patient's are kept. Returns whether it was ours. */
  applyVitals(update: VitalsUpdate): boolean {
    if (update.t > this.#wardNewestT) this.#wardNewestT = update.t;
    if (update.patientId !== this.patientId) return false;
    this.ring.push(update.t, update.vitals);
    let latest: LatestValues | null = null;
    for (const [code, value] of Object.entries(update.vitals) as Array<[VitalCode, number | undefined]>) {
      if (value === undefined) continue;
      const held = (latest ?? this.#latest)[code];
      if (held && held.t > update.t) continue; // late data: history, not the readout
      latest ??= { ...this.#latest };
      // The edge judges every value; a missing quality is unjudged rather than suspect (as on the ward overview).
      latest[code] = { value, t: update.t, quality: update.quality[code] ?? 'good' };
    }
    if (latest) this.#latest = latest;
    this.#changed();
    return true;
  }

  /** The bed from a ward snapshot (a join or a resync): newest values that are newer than ours. */
  applyBed(bed: BedState): void {
    let latest: LatestValues | null = null;
    for (const [code, value] of Object.entries(bed.latest) as Array<[VitalCode, LatestValue | undefined]>) {
      if (!value) continue;
      if (value.t > this.#wardNewestT) this.#wardNewestT = value.t;
      const held = this.#latest[code];
      if (held && held.t >= value.t) continue;
      latest ??= { ...this.#latest };
      latest[code] = value;
    }
    if (latest) this.#latest = latest;
    this.#changed();
  }

  /** Raise the staleness reference from other beds of a snapshot. */
  seeWardTime(t: number): void {
    if (t > this.#wardNewestT) this.#wardNewestT = t;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    this.#version++;
    for (const listener of this.#listeners) listener();
  }
}

/** The vitals whose newest value is older than their stale age (staleAfterMs) before `reference`. */
export function staleCodes(latest: LatestValues, reference: number): Set<VitalCode> {
  const out = new Set<VitalCode>();
  for (const [code, value] of Object.entries(latest) as Array<[VitalCode, LatestValue | undefined]>) {
    if (value && reference - value.t > staleAfterMs(code)) out.add(code);
  }
  return out;
}
