/** Prometheus metrics of the cloud service (one prom-client registry per service instance). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createCloudMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    batches: new Counter({ name: 'vigil_cloud_uplink_batches_total', help: 'uplink batches committed', registers: [registry] }),
    samplesStored: new Counter({ name: 'vigil_cloud_samples_stored_total', help: 'new samples committed', registers: [registry] }),
    duplicates: new Counter({ name: 'vigil_cloud_duplicate_records_total', help: 'records already stored (redelivery), ignored', registers: [registry] }),
    rejected: new Counter({ name: 'vigil_cloud_uplink_rejected_total', help: 'uplink messages rejected, by reason', labelNames: ['reason'], registers: [registry] }),
    alarms: new Counter({ name: 'vigil_cloud_alarms_raised_total', help: 'alarms raised, by priority and kind', labelNames: ['priority', 'kind'], registers: [registry] }),
    endToEnd: new Histogram({
      name: 'vigil_cloud_device_to_stored_seconds',
      help: 'device event time to committed in the cloud',
      buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30, 300],
      registers: [registry],
    }),
    socketClients: new Gauge({ name: 'vigil_cloud_socket_clients', help: 'connected dashboard sockets', registers: [registry] }),
  };
}
export type CloudMetrics = ReturnType<typeof createCloudMetrics>;
