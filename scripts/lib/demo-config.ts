/** `npm run demo` configuration, from VIGIL_DEMO_* variables. */
import { z } from 'zod';
import { envPort } from '@vigil/contracts';

export const DEMO_ENV_PREFIX = 'VIGIL_DEMO_';

export const DemoConfig = z.object({
  dataDir: z.string().default('.vigil/demo'),
  wardId: z.string().default('ward-a'),
  beds: z.coerce.number().int().min(1).max(200).default(12),
  wearableBeds: z.coerce.number().int().min(0).default(4),
  seed: z.string().default('demo'),
  // A tachycardia, a hypoxaemia and a haemorrhage-like hypotension, so the first minutes show alarms.
  scenarios: z.string().default('bed-03=tachycardia@20s+30s/severe,bed-06=hypoxaemia@60s+60s/severe,bed-05=hypotension@120s+60s/severe'),
  dashboardPort: envPort.default(3000),
  cloudPort: envPort.default(4000),
  uplinkPort: envPort.default(1884),
  edgeMqttPort: envPort.default(1883),
  edgeHttpPort: envPort.default(4100),
  host: z.string().default('127.0.0.1'),
  logLevel: z.string().default('warn'),
});

