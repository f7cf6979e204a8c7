/**
 * The ward as the edge sees it: newest value of every vital (with its quality) and the device states of every bed,
 * for the local view when the cloud is unreachable. The bed rules are the cloud's (contracts/src/bed-state.ts), so
 * the dashboard sees the same thing from either source.
 *
 * Differences: one ward only; placement from the device registry, not from the record; every registered bed is
 * present from the start (a silent bed must be visible on a fallback screen, not missing from it).
 */
import { applySampleToBed, applyStatusToBed, compareBeds, emptyBed, type Alarm, type BedState, type DeviceRegistryEntry, type DeviceUpdate, type VitalsUpdate, type WardSnapshot } from '@vigil/contracts';
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
      bed = emptyBed(this.wardId, record.bedId, record.patientId);
      this.#beds.set(record.bedId, bed);
    }
    return bed;
  }

  /** Apply a sample; values older than what the bed already shows do not replace it. Null for unknown devices. */
  applySample(sample: LocalSample): VitalsUpdate | null {
    const device = this.#devices.get(sample.deviceId);
    if (!device) return null;
    applySampleToBed(this.#bed(device), sample);
    return { wardId: this.wardId, bedId: device.bedId, patientId: device.patientId, t: sample.t, vitals: sample.vitals, quality: sample.quality };
  }

  /** Apply a status; an older status than the one shown changes nothing (and returns null). */
  applyStatus(status: LocalStatus): DeviceUpdate | null {
    const entry = this.#devices.get(status.deviceId);
    if (!entry) return null;
    // Type and placement from the registry, never from the record.
    const device = applyStatusToBed(this.#bed(entry), { ...status, deviceId: entry.deviceId, deviceType: entry.deviceType });
    if (!device) return null;
    return { ...device, wardId: this.wardId, bedId: entry.bedId, patientId: entry.patientId };
  }

  beds(): BedState[] {
    return [...this.#beds.values()].sort(compareBeds).map((b) => structuredClone(b));
  }

  /** The ward snapshot the dashboard expects (same contract as the cloud's GET /api/wards/:wardId). */
  snapshot(alarms: readonly Alarm[], at: number): WardSnapshot {
    return { wardId: this.wardId, beds: this.beds(), alarms: alarms.filter((a) => a.wardId === this.wardId && a.state !== 'ended'), at };
  }
}
