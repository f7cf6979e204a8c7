/** @vigil/cloud: the cloud stream processor as a library (the service factory, its configuration and storage seams). */
export * from './config.ts';
export * from './cloud-service.ts';
export * from './uplink/gateway-registry.ts';
export type { Db, DbExecutor } from './storage/db.ts';
export { openDb } from './storage/open-db.ts';
export { IngestRepository, type StoredSample } from './storage/ingest-repository.ts';
export type { AnomalyDetector, AnomalyInput, AnomalyVerdict } from './detectors/anomaly-detector.ts';
