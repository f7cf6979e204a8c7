/** Ops endpoints (no session; no patient data): liveness, readiness per dependency, Prometheus metrics. */
import { HealthResponse } from '@vigil/contracts';
import type { ApiContext } from '../api-context.ts';
import { route } from '../route-table.ts';

export function opsRoutes(ctx: ApiContext) {
  return [
    route({ method: 'get', path: '/livez', tag: 'ops', summary: 'The process is alive', auth: 'public', produces: 'text/plain', handler: () => 'ok' }),
    route({
      method: 'get',
      path: '/readyz',
      tag: 'ops',
      summary: 'Ready to serve: each dependency with its own verdict (503 when one is down)',
      auth: 'public',
      response: HealthResponse,
      handler: async () => {
        const checks = await ctx.readiness();
        return { status: Object.values(checks).every((c) => c.ok) ? 'ok' : 'down', checks } as const;
      },
    }),
    route({
      method: 'get',
      path: '/metrics',
      tag: 'ops',
      summary: 'Prometheus metrics (no patient identifiers)',
      auth: 'public',
      produces: 'text/plain; version=0.0.4',
      handler: () => ctx.metrics.registry.metrics(),
    }),
  ];
}
