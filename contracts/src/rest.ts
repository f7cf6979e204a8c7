/** REST response bodies. Every error has the same shape, with a stable code from the error catalogue. */
import { z } from 'zod';
import { ERROR_CODES } from './errors.ts';
import { WardSnapshot, WardSummary } from './ward-state.ts';

export const ErrorBody = z
  .object({
    error: z
      .object({
        code: z.enum(ERROR_CODES),
        message: z.string(),
        details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
      })
      .strict(),
  })
  .strict();
export type ErrorBody = z.infer<typeof ErrorBody>;

export const WardListResponse = z.object({ wards: z.array(WardSummary) }).strict();
export type WardListResponse = z.infer<typeof WardListResponse>;

export const WardSnapshotResponse = WardSnapshot;
export type WardSnapshotResponse = WardSnapshot;

/** /readyz: each dependency with its own verdict (medplum-style health check). */
export const HealthResponse = z
  .object({
    status: z.enum(['ok', 'degraded', 'down']),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
  })
  .strict();
export type HealthResponse = z.infer<typeof HealthResponse>;
