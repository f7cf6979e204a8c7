/** What the REST routes and the socket server need from the running service (the routes are plain functions of it). */
import type { Logger } from 'pino';
import type { AlarmEvent, HealthResponse, WardSnapshot } from '@vigil/contracts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { CloudMetrics } from '../metrics.ts';
import type { Pipeline, Repositories } from '../processing/pipeline.ts';
import type { WardStateCache } from '../processing/ward-state.ts';
import type { Db } from '../storage/db.ts';
import type { VitalsHistory } from '../storage/vitals-history.ts';
import type { RecordingStore } from '../replay/recording-store.ts';
import type { ReplayManager } from '../replay/replay-manager.ts';
import type { ReplayMetrics } from '../replay/replay-metrics.ts';
import type { LabService } from '../replay/lab/lab-service.ts';

export interface ApiContext {
  db: Db;
  repos: Repositories & { history: VitalsHistory };
  auth: AuthService;
  audit: AuditLog;
  pipeline: Pipeline;
  wardState: WardStateCache;
  metrics: CloudMetrics;
  logger: Logger;
  now: () => number;
  /** Every ward the cloud knows (registry and data). */
  knownWards(): string[];
  wardSnapshot(wardId: string): WardSnapshot | null;
  /** Push alarm changes made by a REST action to the ward's sockets. */
  publishAlarms(events: AlarmEvent[]): void;
  readiness(): Promise<HealthResponse['checks']>;
  audioPauseMaxS: number;
  requestWaveforms(wardId: string, patientId: string, durationMs: number, requestedBy: string): Promise<void>;
  /** Stored session files (cloud/src/replay/recording-store.ts). */
  recordings: RecordingStore;
  /** Replays of recordings into replay wards (cloud/src/replay/replay-manager.ts). */
  replays: ReplayManager;
  replayMetrics: ReplayMetrics;
  /** The alarm-burden lab over stored recordings (cloud/src/replay/lab/lab-service.ts); absent: its routes answer 404. */
  lab?: LabService;
}
