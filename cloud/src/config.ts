/** Cloud configuration, from VIGIL_CLOUD_* environment variables (see .env.example). */
import { z } from 'zod';
import { envPort, loadConfig } from '@vigil/contracts';

export const CloudConfigSchema = z.object({
  httpHost: z.string().default('127.0.0.1').describe('REST, socket.io and ops listener address'),
  httpPort: envPort.default(4000).describe('REST, socket.io and ops port (0 = any free port)'),
  uplinkUrl: z.string().optional().describe('external uplink broker (e.g. mqtt://mosquitto:1883); unset = embedded aedes'),
  embeddedMqttHost: z.string().default('127.0.0.1').describe('embedded uplink broker address'),
  embeddedMqttPort: envPort.default(1884).describe('embedded uplink broker port'),
  gatewayRegistryFile: z.string().default('.vigil/cloud/gateway-registry.json').describe('gateways allowed on the embedded broker (hashed secrets)'),
  ingestUsername: z.string().default('vigil-cloud-ingest').describe('ingest client\u2019s username on an external broker'),
  ingestSecret: z.string().optional().describe('ingest client\u2019s password on an external broker'),
  dbFile: z.string().default('.vigil/cloud/vigil.sqlite').describe('SQLite database file'),
  corsOrigins: z.string().default('http://localhost:3000,http://127.0.0.1:3000').describe('comma-separated dashboard origins'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type CloudConfig = z.infer<typeof CloudConfigSchema>;

export const CLOUD_ENV_PREFIX = 'VIGIL_CLOUD_';

export function loadCloudConfig(env: Record<string, string | undefined> = process.env): CloudConfig {
  return loadConfig(CloudConfigSchema, CLOUD_ENV_PREFIX, env);
}
