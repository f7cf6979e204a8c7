/**
 * socket.io for the dashboards: one room per ward. A socket needs a valid session (token in the handshake) and an
 * allowed Origin; it may join only a ward its user can read. Joining returns the ward's snapshot and — after a
 * reconnect, given the last cursor the client saw — every alarm change it missed (resync by cursor; socket.io alone
 * is at-most-once). Alarm actions can be sent over the socket too, with the same checks and audit as REST.
 * A socket whose session ends (logout, idle or absolute timeout) is told so and disconnected.
 */
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { Server } from 'socket.io';
import {
  AlarmActionRequest,
  PmError,
  WardJoinRequest,
  type Alarm,
  type AlarmEvent,
  type ClientToServerEvents,
  type DeviceUpdate,
  type News2Update,
  type ServerToClientEvents,
  type VitalsUpdate,
} from '@vigil/contracts';
import type { Principal } from '../auth/auth-service.ts';
import { socketAuthMiddleware, watchSessionExpiry } from '../auth/socket-auth.ts';
import type { ApiContext } from './api-context.ts';
import { performAlarmAction } from './routes/alarm-routes.ts';

const room = (wardId: string) => `ward:${wardId}`;
/** Most missed alarm changes returned on one join; beyond that the snapshot stands alone (`gap: true`). */
const MAX_MISSED = 2_000;

interface SocketData {
  principal: Principal;
}

const errorOf = (err: unknown) => (err instanceof PmError ? err : new PmError('PM_ERR_INTERNAL')).toBody().error;

export function createSocketServer(
  httpServer: HttpServer,
  ctx: ApiContext,
  options: { corsOrigins: string[]; sessionCheckMs: number; pingIntervalMs?: number; pingTimeoutMs?: number },
) {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(httpServer, {
    cors: { origin: options.corsOrigins },
    serveClient: false,
    ...(options.pingIntervalMs !== undefined ? { pingInterval: options.pingIntervalMs } : {}),
    ...(options.pingTimeoutMs !== undefined ? { pingTimeout: options.pingTimeoutMs } : {}),
    // A browser's Origin must be one of the dashboards'; non-browser clients (no Origin header) pass to the token check.
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      const allowed = origin === undefined || options.corsOrigins.includes(origin);
      if (!allowed) ctx.metrics.authFailures.inc({ reason: 'bad_origin' });
      callback(allowed ? null : 'origin not allowed', allowed);
    },
  });
  // Latency hygiene: no Nagle on any TCP socket of this HTTP server, including those later upgraded to websockets.
  httpServer.on('connection', (tcp: Socket) => tcp.setNoDelay(true));
  io.use(socketAuthMiddleware(ctx.auth));
  const stopWatch = watchSessionExpiry(io, ctx.auth, options.sessionCheckMs);

  io.on('connection', (socket) => {
    ctx.metrics.socketClients.inc();
    socket.on('disconnect', () => ctx.metrics.socketClients.dec());

    socket.on('ward:join', async (request, reply) => {
      if (typeof reply !== 'function') return;
      try {
        const parsed = WardJoinRequest.safeParse(request);
        if (!parsed.success) throw new PmError('PM_ERR_VALIDATION', 'ward:join needs { wardId, cursor? }');
        const { wardId, cursor } = parsed.data;
        const principal = socket.data.principal;
        ctx.auth.requireWard(principal, wardId);
        const snapshot = ctx.wardSnapshot(wardId);
        if (!snapshot) throw new PmError('PM_ERR_NOT_FOUND', `no ward ${wardId}`);
        const latest = await ctx.repos.alarms.latestCursor(ctx.db, wardId);
        let missed: AlarmEvent[] = [];
        let gap = false;
        if (cursor !== undefined && cursor < latest) {
          missed = await ctx.repos.alarms.eventsAfter(ctx.db, wardId, cursor, MAX_MISSED);
          // A gap: more missed than one reply carries, or the log was trimmed (retention) past the client's cursor.
          gap = missed.length === MAX_MISSED || cursor + 1 < (await ctx.repos.alarms.oldestCursor(ctx.db, wardId));
        }
        for (const joined of socket.rooms) if (joined !== socket.id) void socket.leave(joined);
        await socket.join(room(wardId));
        await ctx.audit.append({ actor: principal.username, role: principal.role, action: 'ward.join', wardId, patientId: null, resource: `socket ward:join ${wardId}`, detail: null });
        ctx.metrics.auditEntries.inc({ action: 'ward.join' });
        reply({ ok: true, snapshot, cursor: Math.max(latest, missed.at(-1)?.cursor ?? 0), missed, gap });
      } catch (err) {
        if (err instanceof PmError && (err.status === 401 || err.status === 403)) ctx.metrics.authFailures.inc({ reason: err.reason });
        reply({ ok: false, error: errorOf(err) });
      }
    });

    socket.on('alarm:action', async (request, reply) => {
      if (typeof reply !== 'function') return;
      try {
        const parsed = AlarmActionRequest.safeParse(request);
        if (!parsed.success) throw new PmError('PM_ERR_VALIDATION', 'alarm:action needs { alarmId, action, durationS? }');
        const { alarmId, action, durationS } = parsed.data;
        const principal = socket.data.principal;
        const known = ctx.pipeline.alarms.get(alarmId) ?? (await ctx.repos.alarms.get(ctx.db, alarmId));
        if (!known) throw new PmError('PM_ERR_NOT_FOUND', `no alarm ${alarmId}`);
        ctx.auth.requireWard(principal, known.wardId);
        const alarm = await performAlarmAction(ctx, alarmId, action, principal.username, durationS);
        await ctx.audit.append({
          actor: principal.username,
          role: principal.role,
          action: `alarm.${action}`,
          wardId: known.wardId,
          patientId: known.patientId,
          resource: `socket alarm:action ${alarmId}`,
          detail: durationS === undefined ? null : { durationS },
        });
        ctx.metrics.auditEntries.inc({ action: `alarm.${action}` });
        reply({ ok: true, alarm });
      } catch (err) {
        if (err instanceof PmError && (err.status === 401 || err.status === 403)) ctx.metrics.authFailures.inc({ reason: err.reason });
        reply({ ok: false, error: errorOf(err) });
      }
    });
  });

  return {
    io,
    vitals(update: VitalsUpdate): void {
      io.to(room(update.wardId)).emit('vitals', update);
    },
    alarm(event: AlarmEvent): void {
      const alarm: Alarm = event.alarm;
      io.to(room(alarm.wardId)).emit('alarm', alarm, event.cursor);
    },
    device(update: DeviceUpdate): void {
      io.to(room(update.wardId)).emit('device', update);
    },
    news2(update: News2Update): void {
      io.to(room(update.wardId)).emit('news2', update);
    },
    close: () =>
      new Promise<void>((resolve) => {
        stopWatch();
        io.close(() => resolve());
      }),
  };
}
