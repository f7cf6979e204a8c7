/**
 * The REST API as data: every route is one entry (method, path, who may call it, what it touches, its schemas from
 * the contracts, its handler). The express router, the access checks, the audit entries and the OpenAPI document are
 * all derived from this one table, so none can drift from the others, and the security tests enumerate it.
 *
 * Access, checked before the handler runs:
 *   auth 'public'  — no session (ops endpoints, the OpenAPI document, sign-in);
 *   auth 'session' — a valid session; then `roles` (if given), then the route's `scope`:
 *     'ward'    — params.wardId must be readable by the user (assigned, or break-glass);
 *     'patient' — the patient's ward (where the patient's bed is) must be readable;
 *     'alarm'   — the alarm's ward must be readable;
 *     'user'    — the data is the caller's own, or filtered to their wards by the handler.
 * `audit` names the audit action; set on every route that reads patient data or acts on an alarm.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { PmError, type Role } from '@vigil/contracts';
import type { Principal } from '../auth/auth-service.ts';

export type Scope = 'ward' | 'patient' | 'alarm' | 'user';

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Undefined on public routes. */
  principal: Principal | undefined;
  /** The ward the route's scope resolved to (ward / patient / alarm scopes). */
  wardId: string | undefined;
  req: Request;
}

export interface RouteSpec<P = any, Q = any, B = any, R = any> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** express path, e.g. /api/wards/:wardId */
  path: string;
  summary: string;
  tag: string;
  auth: 'public' | 'session';
  roles?: readonly Role[];
  scope?: Scope;
  audit?: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Response body schema (JSON); omitted for non-JSON responses (metrics, livez). */
  response?: z.ZodType<R>;
  /** Content type of a non-JSON response. */
  produces?: string;
  handler(ctx: RouteContext<P, Q, B>): Promise<R> | R;
}

/** Identity helper that keeps the handler's types tied to its schemas. */
export function route<P, Q, B, R>(spec: RouteSpec<P, Q, B, R>): RouteSpec<P, Q, B, R> {
  return spec;
}

/** Parse one part of a request; a failure is PM_ERR_VALIDATION naming each offending field. */
export function parsePart<T>(schema: z.ZodType<T> | undefined, value: unknown, part: string): T {
  if (!schema) return (value ?? {}) as T;
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({ path: [part, ...i.path.map(String)].join('.'), message: i.message }));
  throw new PmError('PM_ERR_VALIDATION', `invalid ${part}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
}
