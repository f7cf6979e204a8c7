/**
 * History zoom: the span a chart shows and the resolution it is loaded at from GET /api/patients/:id/vitals.
 * The choice follows the API's own default (cloud/src/storage/vitals-history.ts, defaultResolution): raw samples up
 * to 15 min (900 points per vital at 1 Hz), 1 min rollups (mean, min, max) up to 24 h (at most 1,440 points, well
 * under the API's 5,000), so a 24 h trend costs the same to draw as 15 min of raw data. The min–max envelope of a
 * rollup keeps a brief excursion visible that a mean alone would flatten.
 */
import { RESOLUTION_MS, type Resolution } from '@vigil/contracts';

export type ZoomKey = '15m' | '1h' | '24h';

export interface Zoom {
  key: ZoomKey;
  label: string;
  spanMs: number;
  resolution: Resolution;
  /** Rollup views reload their history this often, so the live 1 Hz tail drawn after it stays short. */
  refreshMs: number | null;
}

export const ZOOMS: readonly Zoom[] = [
  { key: '15m', label: '15 min', spanMs: 15 * 60_000, resolution: 'raw', refreshMs: null },
  { key: '1h', label: '1 h', spanMs: 3_600_000, resolution: '1m', refreshMs: 5 * 60_000 },
  { key: '24h', label: '24 h', spanMs: 86_400_000, resolution: '1m', refreshMs: 5 * 60_000 },
];

export const DEFAULT_ZOOM: ZoomKey = '15m';

export function zoomOf(key: ZoomKey): Zoom {
  return ZOOMS.find((z) => z.key === key) ?? ZOOMS[0]!;
}

/** Width of one history point, ms (0 for raw samples). */
export function resolutionMs(resolution: Resolution): number {
  return resolution === 'raw' ? 0 : RESOLUTION_MS[resolution];
}

/** The REST path of a zoom's history ending at `to` (server time, ms). */
export function historyPath(patientId: string, zoom: Zoom, to: number): string {
  const end = Math.ceil(to);
  const query = new URLSearchParams({ from: String(end - zoom.spanMs), to: String(end), resolution: zoom.resolution });
  return `/api/patients/${encodeURIComponent(patientId)}/vitals?${query.toString()}`;
}
