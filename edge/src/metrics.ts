/** Prometheus metrics of the gateway (prom-client, one registry per gateway so tests can run several). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createEdgeMetrics(gatewayId: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ gateway: gatewayId });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    messagesAccepted: new Counter({ name: 'vigil_edge_messages_accepted_total', help: 'device messages made durable in the outbox', labelNames: ['channel'], registers: [registry] }),
    messagesRejected: new Counter({ name: 'vigil_edge_messages_rejected_total', help: 'device messages rejected, by reason', labelNames: ['reason'], registers: [registry] }),
    waveformValues: new Counter({ name: 'vigil_edge_waveform_values_total', help: 'waveform values received (validated, summarised at the edge)', labelNames: ['kind'], registers: [registry] }),
    duplicates: new Counter({ name: 'vigil_edge_duplicates_total', help: 'device messages dropped as duplicates of an already stored key', registers: [registry] }),
    authFailures: new Counter({ name: 'vigil_edge_auth_failures_total', help: 'refused MQTT connections, subscriptions and publishes', labelNames: ['reason'], registers: [registry] }),
    connectedDevices: new Gauge({ name: 'vigil_edge_connected_devices', help: 'authenticated device connections', registers: [registry] }),
    outboxDepth: new Gauge({ name: 'vigil_edge_outbox_records', help: 'records waiting in the durable outbox', registers: [registry] }),
    uplinkConnected: new Gauge({ name: 'vigil_edge_uplink_connected', help: '1 when the uplink to the cloud is connected', registers: [registry] }),
    uplinkBatches: new Counter({ name: 'vigil_edge_uplink_batches_total', help: 'uplink batches acknowledged by the cloud broker', registers: [registry] }),
    uplinkRecords: new Counter({ name: 'vigil_edge_uplink_records_total', help: 'records acknowledged by the cloud broker', registers: [registry] }),
    ingestSeconds: new Histogram({ name: 'vigil_edge_device_to_outbox_seconds', help: 'device event time to durable in the outbox', buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5], registers: [registry] }),
  };
}
export type EdgeMetrics = ReturnType<typeof createEdgeMetrics>;
