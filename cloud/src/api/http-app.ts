/**
 * The REST API and ops endpoints (express 5), mounted from the route table (route-table.ts). An app factory, separate
 * from listen(), so tests call it in-process. For each request: session (unless public) → role → scope (the ward the
 * route touches must be readable by the user) → validated params / query / body → handler → validated JSON answer,
 * and an audit entry for routes that read patient data or act on alarms. Every error leaves as an ErrorBody with a
 * catalogue code; refusals are counted by reason.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import cors from 'cors';
import { isPmError, PmError } from '@vigil/contracts';
import type { Principal } from '../auth/auth-service.ts';
import { requestToken } from '../auth/http-auth.ts';
import type { ApiContext } from './api-context.ts';
import { openApiDocument } from './openapi.ts';
import { allRoutes } from './routes/index.ts';
import { parsePart, type RouteSpec } from './route-table.ts';

export interface HttpAppOptions {
  corsOrigins: string[];
  version: string;
}

export function createHttpApp(ctx: ApiContext, options: HttpAppOptions): { app: express.Express; routes: RouteSpec[] } {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(cors({ origin: options.corsOrigins }));
  app.use(express.json({ limit: '256kb' }));
  const routes = allRoutes(ctx);
  const openapi = openApiDocument(routes, { version: options.version });
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openapi);
  });

  /** The ward a route's scope touches; throws NOT_FOUND for an unknown patient or alarm (before any ward check). */
  async function wardOf(spec: RouteSpec, params: Record<string, string>): Promise<{ wardId?: string; patientId?: string }> {
    if (spec.scope === 'ward') return { wardId: params.wardId };
    if (spec.scope === 'patient') {
      const bed = ctx.wardState.bedOfPatient(params.patientId!);
      if (!bed) throw new PmError('PM_ERR_NOT_FOUND', `no patient ${params.patientId}`);
      return { wardId: bed.wardId, patientId: params.patientId };
    }
    if (spec.scope === 'alarm') {
      const alarm = ctx.pipeline.alarms.get(params.alarmId!) ?? (await ctx.repos.alarms.get(ctx.db, params.alarmId!));
      if (!alarm) throw new PmError('PM_ERR_NOT_FOUND', `no alarm ${params.alarmId}`);
      return { wardId: alarm.wardId, patientId: alarm.patientId };
    }
    return {};
  }

  for (const spec of routes) {
    app[spec.method](spec.path, async (req: Request, res: Response) => {
      let principal: Principal | undefined;
      if (spec.auth === 'session') {
        principal = await ctx.auth.authenticate(requestToken(req));
        if (spec.roles && !spec.roles.includes(principal.role)) throw new PmError('PM_ERR_FORBIDDEN', `this needs the role ${spec.roles.join(' or ')}`);
      }
      const params = parsePart(spec.params, req.params, 'params');
      const query = parsePart(spec.query, req.query, 'query');
      const body = parsePart(spec.body, spec.method === 'get' ? undefined : req.body, 'body');
      const { wardId, patientId } = spec.auth === 'session' ? await wardOf(spec, params as Record<string, string>) : {};
      if (wardId !== undefined) ctx.auth.requireWard(principal!, wardId);
      const result = await spec.handler({ params, query, body, principal, wardId, req });
      if (spec.audit && principal) {
        await ctx.audit.append({
          actor: principal.username,
          role: principal.role,
          action: spec.audit,
          wardId: wardId ?? null,
          patientId: patientId ?? null,
          resource: `${spec.method.toUpperCase()} ${req.path}`,
          detail: spec.method === 'get' ? null : auditDetail(body),
        });
        ctx.metrics.auditEntries.inc({ action: spec.audit });
      }
      if (spec.path === '/readyz') res.status((result as { status: string }).status === 'ok' ? 200 : 503);
      if (spec.response) res.json(result);
      else res.type(spec.produces ?? 'text/plain').send(result as string);
    });
  }

  app.use((_req, _res, next) => next(new PmError('PM_ERR_NOT_FOUND', 'no such route')));
  // express recognises an error handler by its four parameters.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    let error: PmError;
    if (isPmError(err)) error = err;
    else if ((err as { type?: string }).type === 'entity.parse.failed') error = new PmError('PM_ERR_VALIDATION', 'request body is not valid JSON');
    else if ((err as { type?: string }).type === 'entity.too.large') error = new PmError('PM_ERR_VALIDATION', 'request body too large');
    else {
      error = new PmError('PM_ERR_INTERNAL');
      ctx.logger.error({ err }, 'unhandled API error');
    }
    if (error.status === 401 || error.status === 403) ctx.metrics.authFailures.inc({ reason: error.reason });
    res.status(error.status).json(error.toBody());
  });
  return { app, routes };
}

/** What an action's audit entry keeps of its body: the fields, never a password. */
function auditDetail(body: unknown): Record<string, unknown> | null {
  if (!body || typeof body !== 'object') return null;
  const { password: _p, ...rest } = body as Record<string, unknown>;
  return Object.keys(rest).length > 0 ? rest : null;
}

/** "method path" of every route express actually serves (from its router stack), for the security tests. */
export function servedRoutes(app: express.Express): string[] {
  const stack = (app as unknown as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } }).router.stack;
  return stack.flatMap((layer) => (layer.route ? Object.keys(layer.route.methods).map((m) => `${m} ${layer.route!.path}`) : []));
}
