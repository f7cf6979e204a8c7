/**
 * The ward served by the edge itself, for the dashboard to fall back to when the cloud is unreachable. It speaks the
 * cloud's contracts exactly: socket.io `ward:join` acknowledged with the WardSnapshot, then `vitals`, `alarm` and
 * `device` events to the ward's room (cloud/src/api/socket-server.ts), and GET /api/wards and /api/wards/:wardId
 * (cloud/src/api/http-app.ts), so the dashboard only changes its base URL.
 *
 * It carries patient data, so it requires a bearer token: `Authorization: Bearer <token>` on REST, `auth.token` in
 * the socket.io handshake. Without a configured token the local view is disabled (no route, no socket.io server).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Socket as TcpSocket } from 'node:net';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import {
  PmError,
  WardId,
  WardJoinRequest,
  type Alarm,
  type ClientToServerEvents,
  type DeviceUpdate,
  type ServerToClientEvents,
  type VitalsUpdate,
  type WardListResponse,
  type WardSnapshot,
} from '@vigil/contracts';

export interface LocalViewOptions {
  wardId: string;
  /** Bearer token (at least 32 characters); undefined or empty disables the local view. */
  token: string | undefined;
  snapshot: () => WardSnapshot;
  /** Origins allowed to call from a browser (the dashboard's), for CORS on REST and socket.io. */
  corsOrigins?: string[];
  logger?: Logger;
  /** Every read of patient data (REST snapshot, ward join), for the audit log (ARCHITECTURE.md, "Secure by default"). */
  audit?: AuditHook;
}

export type AuditHook = (event: { action: 'rest-snapshot' | 'rest-list' | 'ward-join'; wardId: string; address: string | undefined }) => void;

export interface LocalView {
  readonly enabled: boolean;
  /** Handles /api/wards and /api/wards/:wardId; returns false for any other path (the caller's routes go on). */
  handleLocalViewRequest(req: IncomingMessage, res: ServerResponse): boolean;
  vitals(update: VitalsUpdate): void;
  alarm(alarm: Alarm): void;
  device(update: DeviceUpdate): void;
  /** Connected (authenticated) socket.io clients. */
  clients(): number;
  close(): Promise<void>;
}

export const MIN_TOKEN_LENGTH = 32;
const room = (wardId: string) => `ward:${wardId}`;
const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Constant-time check: both sides are hashed first, so neither length nor content leaks through timing. */
export function tokenMatches(expected: string, presented: unknown): boolean {
  if (typeof presented !== 'string' || presented.length === 0) return false;
  return timingSafeEqual(digest(expected), digest(presented));
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

function sendError(res: ServerResponse, error: PmError, headers: Record<string, string> = {}): void {
  res.writeHead(error.status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(error.toBody()));
}

export interface LocalViewRestOptions {
  wardId: string;
  token: string;
  snapshot: () => WardSnapshot;
  corsOrigins?: string[];
  audit?: AuditHook;
}

/**
 * The REST half, for a plain node:http server: GET /api/wards → WardListResponse, GET /api/wards/:wardId →
 * WardSnapshot. Returns true when it answered (the path is its own), false otherwise.
 */
export function handleLocalViewRequest(req: IncomingMessage, res: ServerResponse, options: LocalViewRestOptions): boolean {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const match = /^\/api\/wards(?:\/([^/]*))?\/?$/.exec(path);
  if (!match) return false;
  const origin = req.headers.origin;
  const cors: Record<string, string> =
    origin && options.corsOrigins?.includes(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { ...cors, 'access-control-allow-methods': 'GET', 'access-control-allow-headers': 'authorization', 'access-control-max-age': '600' }).end();
    return true;
  }
  if (req.method !== 'GET') {
    res.writeHead(405, { allow: 'GET, OPTIONS', ...cors }).end();
    return true;
  }
  if (!tokenMatches(options.token, bearer(req))) {
    sendError(res, new PmError('PM_ERR_UNAUTHENTICATED', 'a bearer token is required'), { ...cors, 'www-authenticate': 'Bearer' });
    return true;
  }
  const send = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', ...cors }).end(JSON.stringify(body));
  const raw = match[1];
  if (raw === undefined || raw === '') {
    const snapshot = options.snapshot();
    options.audit?.({ action: 'rest-list', wardId: snapshot.wardId, address: req.socket.remoteAddress });
    const body: WardListResponse = {
      wards: [{ wardId: snapshot.wardId, beds: snapshot.beds.length, activeAlarms: snapshot.alarms.filter((a) => a.state === 'active').length }],
    };
    send(body);
    return true;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    decoded = raw;
  }
  const wardId = WardId.safeParse(decoded);
  if (!wardId.success) {
    sendError(res, new PmError('PM_ERR_VALIDATION', 'wardId is not a valid identifier', [{ path: 'wardId', message: wardId.error.issues[0]?.message ?? '' }]), cors);
  } else if (wardId.data !== options.wardId) {
    sendError(res, new PmError('PM_ERR_NOT_FOUND', `no ward ${wardId.data}`), cors);
  } else {
    options.audit?.({ action: 'rest-snapshot', wardId: wardId.data, address: req.socket.remoteAddress });
    send(options.snapshot());
  }
  return true;
}

const DISABLED: LocalView = {
  enabled: false,
  handleLocalViewRequest: () => false,
  vitals: () => {},
  alarm: () => {},
  device: () => {},
  clients: () => 0,
  close: async () => {},
};

/**
 * Attach the local view to the gateway's HTTP server: a socket.io server (cloud events, bearer token at the
 * handshake) and the REST handler for the server's request listener to call before its own routes.
 */
export function attachLocalView(httpServer: HttpServer, options: LocalViewOptions): LocalView {
  const token = options.token?.trim();
  if (!token) {
    options.logger?.info('local view disabled: no token configured');
    return DISABLED;
  }
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new PmError('PM_ERR_CONFIG_INVALID', `the local view token must be at least ${MIN_TOKEN_LENGTH} characters`);
  }
  const { wardId, logger } = options;
  let alarmCursor = 0;
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, {
    cors: { origin: options.corsOrigins ?? [] },
    serveClient: false,
    // A connection that has not passed the token check within this time is closed (a refused one included).
    connectTimeout: 10_000, // 10 s
  });
  // Latency hygiene: no Nagle on any TCP socket of this server, including those later upgraded to websockets.
  const noDelay = (tcp: TcpSocket) => tcp.setNoDelay(true);
  httpServer.on('connection', noDelay);

  io.use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const header = socket.handshake.headers.authorization;
    const fromHeader = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
    if (tokenMatches(token, auth?.token ?? fromHeader)) {
      next();
      return;
    }
    logger?.warn({ address: socket.handshake.address }, 'local view: refused a socket.io client without a valid token');
    const error = new PmError('PM_ERR_UNAUTHENTICATED', 'a token is required (auth.token)');
    next(Object.assign(new Error(error.message), { data: error.toBody() }));
  });

  io.on('connection', (socket) => {
    socket.on('ward:join', (request, reply) => {
      if (typeof reply !== 'function') return;
      const parsed = WardJoinRequest.safeParse(request);
      if (!parsed.success) {
        reply({ ok: false, error: new PmError('PM_ERR_VALIDATION', 'ward:join needs { wardId }').toBody().error });
        return;
      }
      if (parsed.data.wardId !== wardId) {
        reply({ ok: false, error: new PmError('PM_ERR_NOT_FOUND', `no ward ${parsed.data.wardId}`).toBody().error });
        return;
      }
      for (const joined of socket.rooms) if (joined !== socket.id) void socket.leave(joined);
      void socket.join(room(wardId));
      options.audit?.({ action: 'ward-join', wardId, address: socket.handshake.address });
      // The edge keeps no durable alarm log: its cursor counts this process's alarm pushes, and a join never has
      // missed events to replay (`gap` when the client's cursor is not from this run): the snapshot is the truth.
      const cursor = parsed.data.cursor;
      reply({ ok: true, snapshot: options.snapshot(), cursor: alarmCursor, missed: [], gap: cursor !== undefined && cursor !== alarmCursor });
    });
  });

  const rest: LocalViewRestOptions = {
    wardId,
    token,
    snapshot: options.snapshot,
    ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
    ...(options.audit ? { audit: options.audit } : {}),
  };
  return {
    enabled: true,
    handleLocalViewRequest: (req, res) => handleLocalViewRequest(req, res, rest),
    vitals: (update) => void io.to(room(update.wardId)).emit('vitals', update),
    alarm: (alarm) => void io.to(room(alarm.wardId)).emit('alarm', alarm, ++alarmCursor),
    device: (update) => void io.to(room(update.wardId)).emit('device', update),
    clients: () => io.of('/').sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        httpServer.off('connection', noDelay);
        // io.close() would also close the HTTP server, which belongs to the gateway: disconnect clients only.
        io.disconnectSockets(true);
        io.engine.close();
        resolve();
      }),
  };
}
