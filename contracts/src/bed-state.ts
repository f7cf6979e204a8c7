/**
 * How a bed's state (newest value per vital, device states) follows the stream. One set of rules for the cloud's
 * ward state and the edge's local view, so the dashboard sees the same bed from either source.
 */
import type { SampleQuality } from './uplink.ts';
import type { VitalCode } from './vitals.ts';
import type { BedDevice, BedState } from './ward-state.ts';

export function emptyBed(wardId: string, bedId: string, patientId: string): BedState {
  return { wardId, bedId, patientId, latest: {}, devices: [], updatedAt: 0 };
}

/** Values older than what the bed already shows do not replace it (out-of-order, backlog). */
export function applySampleToBed(
  bed: BedState,
  sample: { t: number; vitals: Partial<Record<VitalCode, number>>; quality: Partial<Record<VitalCode, SampleQuality>> },
): void {
  for (const [code, value] of Object.entries(sample.vitals) as Array<[VitalCode, number]>) {
    const current = bed.latest[code];
    if (!current || current.t <= sample.t) bed.latest[code] = { value, t: sample.t, quality: sample.quality[code] ?? 'good' };
  }
  bed.updatedAt = Math.max(bed.updatedAt, sample.t);
}

/** The device's new state, or null when the bed already shows a newer status of it (nothing changes). */
export function applyStatusToBed(
  bed: BedState,
  status: Pick<BedDevice, 'deviceId' | 'deviceType' | 'state' | 't'> & { battery?: number | undefined },
): BedDevice | null {
  const existing = bed.devices.find((d) => d.deviceId === status.deviceId);
  if (existing && existing.t > status.t) return null;
  const device: BedDevice = {
    deviceId: status.deviceId,
    deviceType: status.deviceType,
    state: status.state,
    battery: status.battery ?? existing?.battery ?? null,
    t: status.t,
  };
  bed.devices = [...bed.devices.filter((d) => d.deviceId !== status.deviceId), device].sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  bed.updatedAt = Math.max(bed.updatedAt, status.t);
  return device;
}

/** Beds in bed-number order (bed-2 before bed-10). */
export function compareBeds(a: BedState, b: BedState): number {
  return a.bedId.localeCompare(b.bedId, 'en', { numeric: true });
}
