/** Edge gateway configuration, from VIGIL_EDGE_* environment variables (see .env.example). */
import { z } from 'zod';
import { envBoolean, envPort, GatewayId, loadConfig, WardId } from '@vigil/contracts';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

export const EdgeConfigSchema = z.object({
  gatewayId: GatewayId.default('gw-ward-a').describe('this gateway\u2019s id; also its MQTT client id and username on the uplink'),
  wardId: WardId.default('ward-a').describe('the ward this gateway serves'),
  mqttHost: z.string().default('127.0.0.1').describe('device-facing MQTT listener address'),
  mqttPort: envPort.default(1883).describe('device-facing MQTT port (0 = any free port)'),
  httpHost: z.string().default('127.0.0.1').describe('address of /metrics, /livez, /readyz'),
  httpPort: envPort.default(4100).describe('port of /metrics, /livez, /readyz'),
  registryFile: z.string().default('.vigil/edge/device-registry.json').describe('device registry (hashed secrets)'),
  dataDir: z.string().default('.vigil/edge').describe('where the durable outbox lives'),
  uplinkUrl: z.string().default('mqtt://127.0.0.1:1884').describe('the cloud\u2019s uplink broker'),
  uplinkSecret: z.string().min(32).optional().describe('this gateway\u2019s uplink secret'),
  uplinkSecretFile: z.string().optional().describe('file holding the uplink secret (instead of the variable)'),
  tlsPort: envPort.optional().describe('device-facing MQTT over TLS port (off when unset)'),
  tlsCertFile: z.string().optional().describe('TLS listener: server certificate (PEM)'),
  tlsKeyFile: z.string().optional().describe('TLS listener: server private key (PEM)'),
  tlsCaFile: z.string().optional().describe('TLS listener: CA that signs device client certificates (PEM); set = client certificates required'),
  maxPacketBytes: int(1024, 16_777_216).default(65_536).describe('largest MQTT packet accepted from a device, bytes (a waveform chunk is ~15 KB)'),
  maxPayloadBytes: int(256, 1_048_576).default(16_384).describe('largest numerics or status payload accepted, bytes'),
  rateLimitPerS: z.coerce.number().min(0.1).default(50).describe('sustained messages per second per device'),
  rateLimitBurst: int(1).default(600).describe('messages a device may send at once (its reconnect backlog)'),
  maxClockSkewMs: int(1000).default(300_000).describe('how far a sample\u2019s event time may lie from the gateway clock, ms'),
  windowMs: int(100, 60_000).default(1000).describe('edge aggregation window, ms of event time'),
  outboxMaxRecords: int(1000).default(2_000_000).describe('outbox bound; beyond it the oldest records are dropped (OUTBOX_FULL alarm)'),
  outboxFsync: envBoolean.default(false).describe('fsync every outbox commit (power-loss safety, slower)'),
  batchMaxRecords: int(1, 5000).default(500).describe('records per uplink batch at most'),
  backlogRecordsPerS: int(1).default(5000).describe('rate at which a backlog drains after an outage, records/s (live data goes first)'),
  lateAfterMs: int(1000).default(10_000).describe('a record forwarded longer than this after it arrived is marked late'),
  uplinkGzip: envBoolean.default(true).describe('gzip uplink batches'),
  recorder: envBoolean.default(true).describe('record the device stream to session files for replay'),
  recorderDir: z.string().default('.vigil/edge/sessions').describe('where the recorder writes session files'),
  recordWaves: envBoolean.default(false).describe('also record raw waveforms (~95 % of the bytes)'),
  linkDownDelayMs: int(0).default(30_000).describe('cloud link down this long raises CLOUD_LINK_DOWN, ms (rides out a broker restart)'),
  sensorOffDelayMs: int(0).default(10_000).describe('a sensor reported off this long raises SENSOR_OFF, ms'),
  patientLimitsFile: z.string().optional().describe('per-patient critical limits (JSON); ward defaults otherwise'),
  localViewCorsOrigins: z.string().optional().describe('comma-separated dashboard origins allowed to use the local view from a browser'),
  localViewToken: z.string().min(32).optional().describe('bearer token for the edge\u2019s local ward view (off when unset)'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type EdgeConfig = z.infer<typeof EdgeConfigSchema>;

export const EDGE_ENV_PREFIX = 'VIGIL_EDGE_';

export function loadEdgeConfig(env: Record<string, string | undefined> = process.env): EdgeConfig {
  return loadConfig(EdgeConfigSchema, EDGE_ENV_PREFIX, env);
}
