/**
 * What the ward screen shows while the cloud is unreachable and the edge's local view answers: the edge's live beds
 * and local alarms (critical limits, technical alarms), over the cloud's last known state so that nothing that was on
 * screen disappears. An alarm known to both is taken from the edge (it is live); every other cloud alarm stays, marked
 * as last known. NEWS2 and trends exist only in the cloud, so they are kept from the cloud's view.
 */
import type { Alarm, BedState } from '@vigil/contracts';
import type { WardView } from './ward-store.ts';

export interface FallbackView {
  ward: WardView;
  /** Ids of the alarms that come live from the edge; the rest are the cloud's last known. */
  live: ReadonlySet<string>;
}

export function mergeFallback(cloud: WardView | null, edge: WardView): FallbackView {
  const beds = new Map<string, BedState>(cloud?.beds ?? []);
  for (const [bedId, bed] of edge.beds) {
    const known = beds.get(bedId);
    beds.set(bedId, known?.news2 && known.patientId === bed.patientId ? { ...bed, news2: known.news2 } : bed);
  }
  const alarms = new Map<string, Alarm>();
  for (const [id, alarm] of cloud?.alarms ?? []) if (!edge.ended.has(id)) alarms.set(id, alarm);
  for (const [id, alarm] of edge.alarms) alarms.set(id, alarm);
  return {
    ward: {
      wardId: edge.wardId,
      beds,
      alarms,
      ended: new Set([...(cloud?.ended ?? []), ...edge.ended]),
      newestT: Math.max(cloud?.newestT ?? 0, edge.newestT),
      ...(cloud?.trends ? { trends: cloud.trends } : {}),
    },
    live: new Set(edge.alarms.keys()),
  };
}
