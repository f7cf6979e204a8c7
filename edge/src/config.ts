/** Edge gateway configuration, from VIGIL_EDGE_* environment variables (see .env.example). */
import { z } from 'zod';
import { envPort, GatewayId, loadConfig, WardId } from '@vigil/contracts';

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
  maxPayloadBytes: z.coerce.number().int().min(256).max(1_048_576).default(16_384).describe('largest device payload accepted, bytes'),
  maxClockSkewMs: z.coerce.number().int().min(1000).default(300_000).describe('how far a sample\u2019s event time may lie from the gateway clock, ms'),
  batchMaxRecords: z.coerce.number().int().min(1).max(5000).default(500).describe('records per uplink batch at most'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type EdgeConfig = z.infer<typeof EdgeConfigSchema>;

export const EDGE_ENV_PREFIX = 'VIGIL_EDGE_';

export function loadEdgeConfig(env: Record<string, string | undefined> = process.env): EdgeConfig {
  return loadConfig(EdgeConfigSchema, EDGE_ENV_PREFIX, env);
}
