/**
 * socket.io for the dashboards: one room per ward. A client joins a ward and receives its snapshot in the
 * acknowledgement, then live updates. socket.io is at-most-once, so every (re)join returns a full snapshot: that is
 * the resync after a reconnect.
 */
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { Server } from 'socket.io';
import type { Logger } from 'pino';
import {
  PmError,
  WardJoinRequest,
  type Alarm,
  type ClientToServerEvents,
  type DeviceUpdate,
  type ServerToClientEvents,
  type VitalsUpdate,
  type WardSnapshot,
} from '@vigil/contracts';
import type { CloudMetrics } from '../metrics.ts';

const room = (wardId: string) => `ward:${wardId}`;

export function createSocketServer(
  httpServer: HttpServer,
  deps: { corsOrigins: string[]; metrics: CloudMetrics; logger: Logger; wardSnapshot: (wardId: string) => WardSnapshot | null },
) {
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    cors: { origin: deps.corsOrigins },
    serveClient: false,
  });
  // Latency hygiene: no Nagle on any TCP socket of this HTTP server, including those later upgraded to websockets
  // (at socket.io's own 'connection' the transport is still long-polling).
  httpServer.on('connection', (tcp: Socket) => tcp.setNoDelay(true));

  io.on('connection', (socket) => {
    deps.metrics.socketClients.inc();
    socket.on('disconnect', () => deps.metrics.socketClients.dec());
    socket.on('ward:join', (request, reply) => {
      if (typeof reply !== 'function') return;
      const parsed = WardJoinRequest.safeParse(request);
      if (!parsed.success) {
        reply({ ok: false, error: new PmError('PM_ERR_VALIDATION', 'ward:join needs { wardId }').toBody().error });
        return;
      }
      const snapshot = deps.wardSnapshot(parsed.data.wardId);
      if (!snapshot) {
        reply({ ok: false, error: new PmError('PM_ERR_NOT_FOUND', `no ward ${parsed.data.wardId}`).toBody().error });
        return;
      }
      for (const joined of socket.rooms) if (joined !== socket.id) void socket.leave(joined);
      void socket.join(room(parsed.data.wardId));
      reply({ ok: true, snapshot });
    });
  });

  return {
    io,
    vitals(update: VitalsUpdate): void {
      io.to(room(update.wardId)).emit('vitals', update);
    },
    alarm(alarm: Alarm): void {
      io.to(room(alarm.wardId)).emit('alarm', alarm);
    },
    device(update: DeviceUpdate): void {
      io.to(room(update.wardId)).emit('device', update);
    },
    close: () => new Promise<void>((resolve) => io.close(() => resolve())),
  };
}
