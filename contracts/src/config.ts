/**
 * Service configuration from prefixed environment variables (medplum-style): each service declares a zod object
 * with camelCase keys and defaults; `fooBarMs` is read from `${prefix}FOO_BAR_MS`. Invalid values fail fast at start
 * with every offending variable named.
 */
import { z } from 'zod';
import { PmError } from './errors.ts';

export function envName(prefix: string, key: string): string {
  return prefix + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** "true/false/1/0/yes/no" → boolean; anything else is an error, not a silent false. */
export const envBoolean = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

/** A TCP port; 0 asks the OS for a free one (tests). */
export const envPort = z.coerce.number().int().min(0).max(65535);

export function loadConfig<S extends z.ZodObject>(
  schema: S,
  prefix: string,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[envName(prefix, key)];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (!result.success) {
    const details = result.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      return { path: envName(prefix, key), message: issue.message };
    });
    throw new PmError(
      'PM_ERR_CONFIG_INVALID',
      `invalid configuration: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  return result.data;
}

/** Every variable a schema reads, with its default: the source of truth for .env.example. */
export function describeConfig(schema: z.ZodObject, prefix: string): Array<{ name: string; description: string | undefined }> {
  return Object.entries(schema.shape).map(([key, field]) => ({
    name: envName(prefix, key),
    description: (field as z.ZodType).description,
  }));
}
