/** Simulator CLI configuration, from VIGIL_SIM_* variables (flags override them). */
import { z } from 'zod';

export const SIM_ENV_PREFIX = 'VIGIL_SIM_';

export const SimConfig = z.object({
  output: z.string().default('mqtt://127.0.0.1:1883').describe('where to send: an MQTT URL (live) or a session file path (.vsession.jsonl[.gz])'),
  credentials: z.string().default('.vigil/demo/provisioning/device-credentials.json').describe('device credentials JSON (from vigil-provision), for MQTT output'),
  ward: z.string().default('ward-sim').describe('ward id of a generated ward (file output)'),
  patients: z.coerce.number().int().min(1).max(100_000).default(12).describe('patients (file output; MQTT output uses at most this many credentials)'),
  wearables: z.coerce.number().int().min(0).default(4).describe('how many of the patients wear a wearable instead of an ICU monitor (file output)'),
  seed: z.string().default('vigil').describe('random seed: same seed and options, same output'),
  mix: z.string().default('').describe('scenario mix, e.g. sepsis:0.1,hypoxaemia:0.05 (the rest stable)'),
  scenarios: z.string().default('').describe('explicit scenarios per bed, comma-separated bed=type@onset+ramp/severity'),
  artifacts: z.enum(['default', 'none']).default('none').describe('artifact and technical-fault rates: default (per device-day) or none'),
  speed: z.string().default('1').describe('1 = real time, N = N× accelerated, max = as fast as possible (files)'),
  hours: z.coerce.number().min(0).default(0).describe('duration in hours (0 = until stopped; files need a duration, default 24)'),
  start: z.string().default('').describe('event time of the start, ISO 8601 (files: default 2026-01-01T00:00:00Z; live: now)'),
  waveforms: z.enum(['true', 'false']).default('false').describe('send ECG and pleth waveform chunks from ICU monitors'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type SimConfig = z.infer<typeof SimConfig>;
