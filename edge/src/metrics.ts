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
    bytesIn: new Counter({ name: 'vigil_edge_device_bytes_total', help: 'device payload bytes received, by channel', labelNames: ['channel'], registers: [registry] }),
    uplinkBytes: new Counter({ name: 'vigil_edge_uplink_bytes_total', help: 'uplink payload bytes acknowledged by the cloud broker (after compression)', registers: [registry] }),
    uplinkJsonBytes: new Counter({ name: 'vigil_edge_uplink_json_bytes_total', help: 'uplink batch bytes before compression', registers: [registry] }),
    uplinkRecordsByType: new Counter({ name: 'vigil_edge_uplink_records_by_type_total', help: 'records acknowledged by the cloud broker, by record type', labelNames: ['type'], registers: [registry] }),
    lateRecords: new Counter({ name: 'vigil_edge_late_records_total', help: 'records forwarded late (held in the outbox longer than VIGIL_EDGE_LATE_AFTER_MS)', registers: [registry] }),
    outboxCommitFailures: new Counter({ name: 'vigil_edge_outbox_commit_failures_total', help: 'outbox writes that failed (a group commit: its device messages refused, not acknowledged; or the delete of acknowledged records): disk full, I/O error', registers: [registry] }),
    outboxDropped: new Counter({ name: 'vigil_edge_outbox_dropped_total', help: 'oldest records dropped because the outbox reached its bound', registers: [registry] }),
    outboxCommitSeconds: new Histogram({ name: 'vigil_edge_outbox_commit_seconds', help: 'duration of one outbox group commit', buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1], registers: [registry] }),
    outboxBacklog: new Gauge({ name: 'vigil_edge_outbox_backlog_records', help: 'records from before the last uplink (re)connection still to drain', registers: [registry] }),
    consumerErrors: new Counter({ name: 'vigil_edge_consumer_errors_total', help: 'failures of a local consumer (alarms, aggregation, recorder); the message is still stored', registers: [registry] }),
    frameViolations: new Counter({ name: 'vigil_edge_connection_violations_total', help: 'connections cut by the MQTT frame guard or a failed TLS handshake, by reason', labelNames: ['reason'], registers: [registry] }),
    localAlarms: new Counter({ name: 'vigil_edge_local_alarms_total', help: 'alarms raised locally at the edge, by priority and kind', labelNames: ['priority', 'kind'], registers: [registry] }),
    recorderRecords: new Gauge({ name: 'vigil_edge_recorder_records', help: 'device messages written to session files since start', registers: [registry] }),
    recorderDrops: new Gauge({ name: 'vigil_edge_recorder_drops', help: 'device messages the recorder could not write (disk slower than input, or errors)', registers: [registry] }),
    ingestSeconds: new Histogram({ name: 'vigil_edge_device_to_outbox_seconds', help: 'device event time to durable in the outbox', buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5], registers: [registry] }),
  };
}
export type EdgeMetrics = ReturnType<typeof createEdgeMetrics>;
