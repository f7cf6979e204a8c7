/** The newest value of every vital and the device states of every bed: what a ward snapshot shows. */
import type { BedState, UplinkSample, UplinkStatus, VitalCode, WardSummary } from '@vigil/contracts';

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
      bed = { wardId, bedId: record.bedId, patientId: record.patientId, latest: {}, devices: [], updatedAt: 0 };
      this.#beds.set(key, bed);
    }
    return bed;
  }

  /** Apply a sample; values older than what the bed already shows do not replace it (out-of-order, backlog). */
  applySample(wardId: string, sample: UplinkSample): BedState {
    const bed = this.#bed(wardId, sample);
    for (const [code, value] of Object.entries(sample.vitals) as Array<[VitalCode, number]>) {
      const current = bed.latest[code];
      if (!current || current.t <= sample.t) {
        bed.latest[code] = { value, t: sample.t, quality: sample.quality[code] ?? 'good' };
      }
    }
    bed.updatedAt = Math.max(bed.updatedAt, sample.t);
    return bed;
  }

  applyStatus(wardId: string, status: UplinkStatus): BedState {
    const bed = this.#bed(wardId, status);
    const existing = bed.devices.find((d) => d.deviceId === status.deviceId);
    if (existing && existing.t > status.t) return bed;
    const device = {
      deviceId: status.deviceId,
      deviceType: status.deviceType,
      state: status.state,
      battery: status.battery ?? existing?.battery ?? null,
      t: status.t,
    };
    bed.devices = [...bed.devices.filter((d) => d.deviceId !== status.deviceId), device].sort((a, b) => a.deviceId.localeCompare(b.deviceId));
    bed.updatedAt = Math.max(bed.updatedAt, status.t);
    return bed;
  }

  bedsOf(wardId: string): BedState[] {
    return [...this.#beds.values()].filter((b) => b.wardId === wardId).sort((a, b) => a.bedId.localeCompare(b.bedId, 'en', { numeric: true }));
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
