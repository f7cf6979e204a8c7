/**
 * The OpenAPI 3.1 document, generated from the route table and the contracts' zod schemas (zod 4's JSON Schema
 * output is draft 2020-12, which OpenAPI 3.1 uses), served at /api/openapi.json.
 */
import { z } from 'zod';
import { ErrorBody, ERRORS } from '@vigil/contracts';
import type { RouteSpec } from './route-table.ts';

const schema = (s: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' });

function parameters(spec: RouteSpec): unknown[] {
  const out: unknown[] = [];
  for (const [where, s] of [['path', spec.params], ['query', spec.query]] as const) {
    if (!s) continue;
    const json = schema(s, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, prop] of Object.entries(json.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: prop });
    }
  }
  return out;
}

export function openApiDocument(routes: readonly RouteSpec[], info: { version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorResponse = { description: 'error (catalogue code in error.code)', content: { 'application/json': { schema: schema(ErrorBody, 'output') } } };
  for (const spec of routes) {
    const path = spec.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const ok = spec.response
      ? { description: 'ok', content: { 'application/json': { schema: schema(spec.response, 'output') } } }
      : { description: 'ok', content: { [spec.produces ?? 'text/plain']: { schema: { type: 'string' } } } };
    paths[path] ??= {};
    paths[path][spec.method] = {
      summary: spec.summary,
      tags: [spec.tag],
      operationId: `${spec.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...(spec.auth === 'session' ? { security: [{ bearer: [] }] } : { security: [] }),
      ...(spec.roles ? { 'x-roles': spec.roles } : {}),
      ...(spec.scope ? { 'x-scope': spec.scope } : {}),
      ...(spec.audit ? { 'x-audit': spec.audit } : {}),
      parameters: parameters(spec),
      ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(spec.body, 'input') } } } } : {}),
      responses: { 200: ok, 400: errorResponse, ...(spec.auth === 'session' ? { 401: errorResponse, 403: errorResponse } : {}), 404: errorResponse },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vigil cloud API',
      version: info.version,
      description: 'Research and demonstration software; not a medical device. Errors: ' + Object.keys(ERRORS).join(', '),
    },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'token from POST /api/auth/login' } } },
    paths,
  };
}
