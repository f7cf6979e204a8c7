/** Metrics of recordings and replays, on the cloud's registry (`/metrics`). */
import { Counter, Gauge, type Registry } from 'prom-client';

export function createReplayMetrics(registry: Registry) {
  const registers = [registry];
  return {
    active: new Gauge({ name: 'vigil_cloud_replays_active', help: 'replays running or paused', registers }),
    ended: new Counter({ name: 'vigil_cloud_replays_ended_total', help: 'replays ended, by final state (finished, stopped, failed)', labelNames: ['state'], registers }),
    uploads: new Counter({ name: 'vigil_cloud_recording_uploads_total', help: 'recording uploads, by result (stored or an error reason)', labelNames: ['result'], registers }),
  };
}
export type ReplayMetrics = ReturnType<typeof createReplayMetrics>;
