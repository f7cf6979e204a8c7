/**
 * The ward as the edge sees it: newest value of every vital (with its quality) and the device states of every bed,
 * for the local view when the cloud is unreachable. It mirrors the cloud's WardStateCache
 * (cloud/src/processing/ward-state.ts) rule for rule, so the dashboard sees the same thing from either source.
 * (That class is pure and belongs in contracts; the edge cannot depend on the cloud package, hence the mirror.)
 *
 * Differences: one ward only; placement from the device registry, not from the record; every registered bed is
 * present from the start (a silent bed must be visible on a fallback screen, not missing from it).
 */
import type { Alarm, BedState, DeviceRegistryEntry, DeviceUpdate, VitalCode, VitalsUpdate, WardSnapshot } from '@vigil/contracts';
import type { LocalSample, LocalStatus } from './local-alarms/technical-alarms.ts';

export class LocalWardState {
  readonly wardId: string;
  readonly #beds = new Map<string, BedState>();
  #devices = new Map<string, DeviceRegistryEntry>();

  constructor(wardId: string, directory: readonly DeviceRegistryEntry[]) {
    this.wardId = wardId;
    this.setDirectory(directory);
  }

  /** Replace the registry; beds of devices that left keep their last state until a new patient takes them. */
  setDirectory(directory: readonly DeviceRegistryEntry[]): void {
    this.#devices = new Map(directory.filter((d) => d.wardId === this.wardId).map((d) => [d.deviceId, d]));
    for (const d of this.#devices.values()) this.#bed(d);
  }

  #bed(record: { bedId: string; patientId: string }): BedState {
    let bed = this.#beds.get(record.bedId);
    if (!bed || bed.patientId !== record.patientId) {
      // A new patient in the bed starts a fresh tile.
      bed = { wardId: this.wardId, bedId: record.bedId, patientId: record.patientId, latest: {}, devices: [], updatedAt: 0 };
      this.#beds.set(record.bedId, bed);
    }
    return bed;
  }

  /** Apply a sample; values older than what the bed already shows do not replace it. Null for unknown devices. */
  applySample(sample: LocalSample): VitalsUpdate | null {
    const device = this.#devices.get(sample.deviceId);
    if (!device) return null;
    const bed = this.#bed(device);
    for (const [code, value] of Object.entries(sample.vitals) as Array<[VitalCode, number]>) {
      const current = bed.latest[code];
      if (!current || current.t <= sample.t) bed.latest[code] = { value, t: sample.t, quality: sample.quality[code] ?? 'good' };
    }
    bed.updatedAt = Math.max(bed.updatedAt, sample.t);
    return { wardId: this.wardId, bedId: device.bedId, patientId: device.patientId, t: sample.t, vitals: sample.vitals, quality: sample.quality };
  }

  /** Apply a status; an older status than the one shown changes nothing (and returns null). */
  applyStatus(status: LocalStatus): DeviceUpdate | null {
    const entry = this.#devices.get(status.deviceId);
    if (!entry) return null;
    const bed = this.#bed(entry);
    const existing = bed.devices.find((d) => d.deviceId === status.deviceId);
    if (existing && existing.t > status.t) return null;
    const device = {
      deviceId: entry.deviceId,
      deviceType: entry.deviceType,
      state: status.state,
      battery: status.battery ?? existing?.battery ?? null,
      t: status.t,
    };
    bed.devices = [...bed.devices.filter((d) => d.deviceId !== status.deviceId), device].sort((a, b) => a.deviceId.localeCompare(b.deviceId));
    bed.updatedAt = Math.max(bed.updatedAt, status.t);
    return { ...device, wardId: this.wardId, bedId: entry.bedId, patientId: entry.patientId };
  }

  beds(): BedState[] {
    return [...this.#beds.values()].sort((a, b) => a.bedId.localeCompare(b.bedId, 'en', { numeric: true })).map((b) => structuredClone(b));
  }

  /** The ward snapshot the dashboard expects (same contract as the cloud's GET /api/wards/:wardId). */
  snapshot(alarms: readonly Alarm[], at: number): WardSnapshot {
    return { wardId: this.wardId, beds: this.beds(), alarms: alarms.filter((a) => a.wardId === this.wardId && a.state !== 'ended'), at };
  }
}
