/**
 * The gateway's HTTP server: operational endpoints /metrics (Prometheus), /livez, /readyz with a verdict per
 * dependency, and, when enabled, the local ward view (REST + socket.io, local-view.ts) routed first.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HealthResponse } from '@vigil/contracts';
import { listenOn } from '@vigil/contracts/service';
import type { EdgeMetrics } from './metrics.ts';

export type ReadinessCheck = () => { ok: boolean; detail?: string };

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export function createOpsServer(metrics: EdgeMetrics, checks: Record<string, ReadinessCheck>) {
  let before: RouteHandler | undefined;
  const server: Server = createServer((req, res) => {
    if (before?.(req, res)) return;
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/livez') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } else if (path === '/readyz') {
      const results = Object.fromEntries(Object.entries(checks).map(([name, check]) => [name, check()]));
      const ok = Object.values(results).every((r) => r.ok);
      // The uplink may be down while the ward keeps working: that is "degraded", still ready for devices.
      const body: HealthResponse = { status: ok ? 'ok' : results.mqtt?.ok && results.outbox?.ok ? 'degraded' : 'down', checks: results };
      res.writeHead(body.status === 'down' ? 503 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    } else if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  // Latency hygiene: the local view pushes alarms over websockets from this server.
  server.on('connection', (socket) => socket.setNoDelay(true));
  return {
    server,
    /** Routes tried before the ops endpoints (the local view's REST). */
    route(handler: RouteHandler): void {
      before = handler;
    },
    listen: (port: number, host: string): Promise<number> => listenOn(server, port, host),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
