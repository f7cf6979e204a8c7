/** Cloud configuration, from VIGIL_CLOUD_* environment variables (see .env.example). */
import { z } from 'zod';
import { envBoolean, envPort, loadConfig } from '@vigil/contracts';

const ms = (min: number) => z.coerce.number().int().min(min);
const cronExpr = z.string().regex(/^(\S+\s+){4,5}\S+$/, 'a cron expression of 5 or 6 fields');

export const CloudConfigSchema = z.object({
  httpHost: z.string().default('127.0.0.1').describe('REST, socket.io and ops listener address'),
  httpPort: envPort.default(4000).describe('REST, socket.io and ops port (0 = any free port)'),
  uplinkUrl: z.string().optional().describe('external uplink broker (e.g. mqtt://mosquitto:1883); unset = embedded aedes'),
  embeddedMqttHost: z.string().default('127.0.0.1').describe('embedded uplink broker address'),
  embeddedMqttPort: envPort.default(1884).describe('embedded uplink broker port'),
  gatewayRegistryFile: z.string().default('.vigil/cloud/gateway-registry.json').describe('gateways allowed on the embedded broker (hashed secrets)'),
  ingestUsername: z.string().default('vigil-cloud-ingest').describe('ingest client\u2019s username on an external broker'),
  ingestSecret: z.string().optional().describe('ingest client\u2019s password on an external broker'),
  dbFile: z.string().default('.vigil/cloud/vigil.sqlite').describe('SQLite database file (used unless DATABASE_URL is set)'),
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL').optional().describe('PostgreSQL instead of SQLite, e.g. postgres://vigil:secret@db:5432/vigil'),
  // Event-time processing (cloud/src/processing/stream-processor.ts)
  streamReorderMs: ms(0).default(10_000).describe('longest wait for a missing seq in a device stream, ms of event time (= the edge\u2019s late threshold)'),
  outOfOrdernessMs: ms(0).default(10_000).describe('bounded out-of-orderness of the window watermarks, ms'),
  allowedLatenessMs: ms(0).default(120_000).describe('late samples within this revise their window; later ones are side output, ms'),
  news2WindowMs: ms(10_000).default(60_000).describe('tumbling window of the NEWS2 score, ms'),
  featureWindowMs: ms(10_000).default(300_000).describe('sliding feature window (anomaly detector input), ms'),
  featureSlideMs: ms(1_000).default(60_000).describe('slide of the feature window, ms'),
  sessionGapMs: ms(1_000).default(60_000).describe('a gap this long ends a monitoring session (session window), ms'),
  // Alarm manager (cloud/src/alarms/alarm-policy.ts)
  audioPauseMaxS: z.coerce.number().int().min(10).max(600).default(120).describe('longest audio pause a user can set, s (IEC 60601-1-8: time-limited)'),
  escalateHighS: z.coerce.number().int().min(10).default(60).describe('an unacknowledged high-priority alarm escalates to the charge nurse after this, s'),
  escalateMediumS: z.coerce.number().int().min(10).default(180).describe('the same for medium priority, s (low priority never escalates)'),
  alarmTickMs: ms(100).default(1_000).describe('how often audio pauses and escalations are checked, ms'),
  // Dashboards (socket.io): engine.io's heartbeat is what drops a client that stopped reading (docs/faults.md)
  socketPingIntervalMs: ms(1_000).default(25_000).describe('socket.io heartbeat: ping every, ms (engine.io default)'),
  socketPingTimeoutMs: ms(1_000).default(20_000).describe('socket.io heartbeat: a client that does not answer within this is dropped, ms (engine.io default)'),
  // Authentication
  idleTimeoutS: z.coerce.number().int().min(60).default(900).describe('a session ends after this long without a request, s'),
  absoluteTimeoutS: z.coerce.number().int().min(300).default(43_200).describe('a session ends this long after sign-in whatever the activity, s'),
  breakGlassS: z.coerce.number().int().min(60).default(3_600).describe('how long break-glass access to a ward lasts, s'),
  bootstrapAdmin: z.string().optional().describe('create this admin user at start when no user exists (password from BOOTSTRAP_ADMIN_PASSWORD_FILE)'),
  bootstrapAdminPasswordFile: z.string().optional().describe('file holding the bootstrap admin\u2019s password (12+ characters)'),
  // Maintenance (node-cron; cloud/src/storage/maintenance-jobs.ts)
  downsampleCron: cronExpr.default('* * * * *').describe('when to roll full-rate samples up into 1 min / 15 min / 1 h'),
  retentionCron: cronExpr.default('17 * * * *').describe('when to delete data past its retention'),
  compactionCron: cronExpr.default('*/15 * * * *').describe('when to compact checkpoints and the database'),
  hotRetentionH: z.coerce.number().int().min(1).default(48).describe('full-rate samples are kept this long (then only rollups), h'),
  maintenance: envBoolean.default(true).describe('run the maintenance jobs'),
  // Anomaly detection (advisory ML_ANOMALY alarms; cloud/src/detectors/model-detector.ts)
  anomalyModel: z.string().min(1).default('none').describe('LSTM anomaly model artefact directory (e.g. models/artefacts/vigil-lstm); none = no advisory ML alarms (the rule alarms never depend on it)'),
  anomalyModelWatch: envBoolean.default(true).describe('reload the anomaly model when its directory gets a new artefact (metadata.json written last)'),
  // Recordings and replays (cloud/src/replay/, docs/replay.md)
  recordingsDir: z.string().default('.vigil/cloud/recordings').describe('where uploaded and imported session files are kept'),
  recordingMaxMb: z.coerce.number().int().min(1).default(512).describe('largest recording accepted by upload, MiB (as sent: compressed if gzip)'),
  replayBatchRecords: z.coerce.number().int().min(100).max(100_000).default(5_000).describe('records per pipeline transaction of a replay (larger: faster at max speed, but each holds the writer longer)'),
  replayMax: z.coerce.number().int().min(1).max(64).default(4).describe('replays running at once; more are refused (PM_ERR_REPLAY_LIMIT)'),
  corsOrigins: z.string().default('http://localhost:3000,http://127.0.0.1:3000').describe('comma-separated dashboard origins'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type CloudConfig = z.infer<typeof CloudConfigSchema>;

export const CLOUD_ENV_PREFIX = 'VIGIL_CLOUD_';

export function loadCloudConfig(env: Record<string, string | undefined> = process.env): CloudConfig {
  return loadConfig(CloudConfigSchema, CLOUD_ENV_PREFIX, env);
}
