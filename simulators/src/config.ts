/** Simulator CLI configuration, from VIGIL_SIM_* variables (flags override them). */
import { z } from 'zod';

export const SIM_ENV_PREFIX = 'VIGIL_SIM_';

export const SimConfig = z.object({
  broker: z.string().default('mqtt://127.0.0.1:1883'),
  credentials: z.string().default('.vigil/demo/provisioning/device-credentials.json').describe('device credentials JSON (from vigil-provision)'),
  seed: z.string().default('vigil'),
  scenarios: z.string().default(''),
  intervalMs: z.coerce.number().int().min(10).max(3_600_000).default(1000),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type SimConfig = z.infer<typeof SimConfig>;
