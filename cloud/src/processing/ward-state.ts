/** The newest value of every vital and the device states of every bed: what a ward snapshot shows. */
import { applySampleToBed, applyStatusToBed, compareBeds, emptyBed, type BedState, type News2Score, type UplinkSample, type UplinkStatus, type WardSummary } from '@vigil/contracts';

export class WardStateCache {
  readonly #beds = new Map<string, BedState>();

  static key(wardId: string, bedId: string): string {
    return `${wardId}\u0000${bedId}`;
  }

  /** Load stored beds; `replace` forgets the beds held now (a restore). */
  load(beds: BedState[], replace = false): void {
    if (replace) this.#beds.clear();
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

  /** The newest NEWS2 of a bed (a newer window, or a revision of the shown one); undefined when the bed is unknown. */
  applyNews2(wardId: string, bedId: string, score: News2Score): BedState | undefined {
    const bed = this.#beds.get(WardStateCache.key(wardId, bedId));
    if (!bed || bed.patientId !== score.patientId) return undefined;
    if (bed.news2 && bed.news2.end > score.end) return undefined;
    const { total, response, anySingleThree, complete } = score.result;
    bed.news2 = { total, response, anySingleThree, complete, end: score.end };
    return bed;
  }

  /** The bed a patient is in (the newest, if the patient moved). */
  bedOfPatient(patientId: string): BedState | undefined {
    let found: BedState | undefined;
    for (const bed of this.#beds.values()) if (bed.patientId === patientId && (!found || bed.updatedAt > found.updatedAt)) found = bed;
    return found;
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
