/** Prometheus metrics of the cloud service (one prom-client registry per service instance). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The anomaly detector's metrics (cloud/src/detectors/model-detector.ts). Part of every cloud registry, at zero when no
 * model is configured; `registers: []` gives a detector used alone its own, unexposed set.
 */
export function createAnomalyMetrics(registers: Registry[]) {
  return {
    windowsScored: new Counter({ name: 'vigil_cloud_anomaly_windows_scored_total', help: 'feature windows scored by the anomaly model', registers }),
    pendingWindows: new Gauge({ name: 'vigil_cloud_anomaly_pending_windows', help: 'closed feature windows waiting for the anomaly model (its lane runs beside the batches)', registers }),
    laneLagSeconds: new Gauge({ name: 'vigil_cloud_anomaly_lag_seconds', help: 'wall time minus the end of the newest window whose advisory verdict was committed', registers }),
    patientsTracked: new Gauge({ name: 'vigil_cloud_anomaly_patients_tracked', help: 'patients whose scorer state the anomaly model keeps (forgotten after a context of silence)', registers }),
    laneFailures: new Counter({ name: 'vigil_cloud_anomaly_round_failures_total', help: 'scoring rounds the anomaly model failed (advisory verdicts skipped; rule alarms unaffected)', registers }),
    scoringSeconds: new Histogram({
      name: 'vigil_cloud_anomaly_scoring_seconds',
      help: 'time to score one batch of windows (a rebuild of patients from their history included)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30],
      registers,
    }),
    batchWindows: new Histogram({ name: 'vigil_cloud_anomaly_batch_windows', help: 'windows per scored batch', buckets: [1, 4, 16, 64, 256, 1024, 4096], registers }),
    anomalous: new Counter({ name: 'vigil_cloud_anomaly_verdicts_anomalous_total', help: 'advisory verdicts that said anomalous (one per window while an anomaly lasts)', registers }),
    reloads: new Counter({ name: 'vigil_cloud_anomaly_model_reloads_total', help: 'model reloads, by result (swapped, unchanged, refused)', labelNames: ['result'], registers }),
    modelInfo: new Gauge({ name: 'vigil_cloud_anomaly_model_info', help: 'the anomaly model serving: 1 for its name, version and tfjs backend', labelNames: ['model', 'version', 'backend'], registers }),
  };
}
export type AnomalyMetrics = ReturnType<typeof createAnomalyMetrics>;

export function createCloudMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    batches: new Counter({ name: 'vigil_cloud_uplink_batches_total', help: 'uplink batches committed', registers: [registry] }),
    samplesStored: new Counter({ name: 'vigil_cloud_samples_stored_total', help: 'new samples committed', registers: [registry] }),
    duplicates: new Counter({ name: 'vigil_cloud_duplicate_records_total', help: 'records already stored (redelivery), ignored', registers: [registry] }),
    rejected: new Counter({ name: 'vigil_cloud_uplink_rejected_total', help: 'uplink messages rejected, by reason', labelNames: ['reason'], registers: [registry] }),
    uplinkRefused: new Counter({
      name: 'vigil_cloud_uplink_refused_total',
      help: 'embedded uplink broker: connections, publishes and subscriptions refused (credentials, ACL, malformed MQTT), by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    alarms: new Counter({ name: 'vigil_cloud_alarms_raised_total', help: 'alarms raised, by priority and kind', labelNames: ['priority', 'kind'], registers: [registry] }),
    endToEnd: new Histogram({
      name: 'vigil_cloud_device_to_stored_seconds',
      help: 'device event time to committed in the cloud',
      buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30, 300],
      registers: [registry],
    }),
    alarmSignal: new Histogram({
      name: 'vigil_cloud_alarm_signal_seconds',
      help: 'alarm raised (event time of the deciding sample) to pushed to the ward\u2019s dashboards: the distributed alarm system\u2019s signal generation delay (IEC 60601-1-8), network included',
      labelNames: ['priority'],
      buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30, 300],
      registers: [registry],
    }),
    watermarkLag: new Gauge({ name: 'vigil_cloud_watermark_lag_seconds', help: 'wall clock minus the window watermark of the patients in the last batch', registers: [registry] }),
    lateDropped: new Counter({ name: 'vigil_cloud_late_samples_dropped_total', help: 'samples beyond the allowed lateness: stored, but in no window (side output)', registers: [registry] }),
    streamGaps: new Counter({ name: 'vigil_cloud_stream_gaps_skipped_total', help: 'gaps in device streams given up after the reorder wait', registers: [registry] }),
    restoreSeconds: new Gauge({ name: 'vigil_cloud_restore_seconds', help: 'time the last state restore took', registers: [registry] }),
    auditEntries: new Counter({ name: 'vigil_cloud_audit_entries_total', help: 'audit log entries appended, by action', labelNames: ['action'], registers: [registry] }),
    authFailures: new Counter({ name: 'vigil_cloud_auth_failures_total', help: 'refused requests and sockets, by reason', labelNames: ['reason'], registers: [registry] }),
    maintenance: new Histogram({ name: 'vigil_cloud_maintenance_seconds', help: 'maintenance job duration, by job', labelNames: ['job'], buckets: [0.01, 0.1, 1, 10, 60], registers: [registry] }),
    socketClients: new Gauge({ name: 'vigil_cloud_socket_clients', help: 'connected dashboard sockets', registers: [registry] }),
    anomaly: createAnomalyMetrics([registry]),
  };
}
export type CloudMetrics = ReturnType<typeof createCloudMetrics>;
