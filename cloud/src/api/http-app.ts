/**
 * The REST API and ops endpoints (express 5). An app factory, separate from listen(), so tests call it in-process.
 * Every error leaves as an ErrorBody with a catalogue code.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import cors from 'cors';
import type { Logger } from 'pino';
import { isPmError, PmError, WardId, type HealthResponse, type WardListResponse, type WardSnapshot } from '@vigil/contracts';
import type { CloudMetrics } from '../metrics.ts';

export interface ApiDeps {
  metrics: CloudMetrics;
  logger: Logger;
  corsOrigins: string[];
  listWards: () => WardListResponse;
  wardSnapshot: (wardId: string) => WardSnapshot | null;
  readiness: () => HealthResponse['checks'];
}

export function createHttpApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(cors({ origin: deps.corsOrigins }));

  app.get('/livez', (_req, res) => {
    res.type('text/plain').send('ok');
  });
  app.get('/readyz', (_req, res) => {
    const checks = deps.readiness();
    const ok = Object.values(checks).every((c) => c.ok);
    const body: HealthResponse = { status: ok ? 'ok' : 'down', checks };
    res.status(ok ? 200 : 503).json(body);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  app.get('/api/wards', (_req, res) => {
    res.json(deps.listWards());
  });
  app.get('/api/wards/:wardId', (req, res) => {
    const wardId = WardId.safeParse(req.params.wardId);
    if (!wardId.success) throw new PmError('PM_ERR_VALIDATION', 'wardId is not a valid identifier', [{ path: 'wardId', message: wardId.error.issues[0]?.message ?? '' }]);
    const snapshot = deps.wardSnapshot(wardId.data);
    if (!snapshot) throw new PmError('PM_ERR_NOT_FOUND', `no ward ${wardId.data}`);
    res.json(snapshot);
  });

  app.use((_req, _res, next) => next(new PmError('PM_ERR_NOT_FOUND', 'no such route')));
  // express recognises an error handler by its four parameters.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const error = isPmError(err) ? err : new PmError('PM_ERR_INTERNAL');
    if (!isPmError(err)) deps.logger.error({ err }, 'unhandled API error');
    res.status(error.status).json(error.toBody());
  });
  return app;
}
