/** The newest value of every vital and the device states of every bed: what a ward snapshot shows. */
import { applySampleToBed, applyStatusToBed, compareBeds, emptyBed, type BedState, type UplinkSample, type UplinkStatus, type WardSummary } from '@vigil/contracts';

export class WardStateCache {
  readonly #beds = new Map<string, BedState>();

  static key(wardId: string, bedId: string): string {
    return `${wardId}\u0000${bedId}`;
  }

  load(beds: BedState[]): void {
    for (const bed of beds) this.#beds.set(WardStateCache.key(bed.wardId, bed.bedId), bed);
  }

  #bed(wardId: string, record: { bedId: string; patientId: string }): BedState {
    const key = WardStateCache.key(wardId, record.bedId);
    let bed = this.#beds.get(key);
    if (!bed || bed.patientId !== record.patientId) {
      // A new patient in the bed starts a fresh tile.
      bed = emptyBed(wardId, record.bedId, record.patientId);
      this.#beds.set(key, bed);
    }
    return bed;
  }

  /** Apply a sample; values older than what the bed already shows do not replace it (out-of-order, backlog). */
  applySample(wardId: string, sample: UplinkSample): BedState {
    const bed = this.#bed(wardId, sample);
    applySampleToBed(bed, sample);
    return bed;
  }

  applyStatus(wardId: string, status: UplinkStatus): BedState {
    const bed = this.#bed(wardId, status);
    applyStatusToBed(bed, status);
    return bed;
  }

  bedsOf(wardId: string): BedState[] {
    return [...this.#beds.values()].filter((b) => b.wardId === wardId).sort(compareBeds);
  }

  wards(activeAlarms: (wardId: string) => number): WardSummary[] {
    const counts = new Map<string, number>();
    for (const bed of this.#beds.values()) counts.set(bed.wardId, (counts.get(bed.wardId) ?? 0) + 1);
    return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([wardId, beds]) => ({ wardId, beds, activeAlarms: activeAlarms(wardId) }));
  }

  hasWard(wardId: string): boolean {
    for (const bed of this.#beds.values()) if (bed.wardId === wardId) return true;
    return false;
  }
}
