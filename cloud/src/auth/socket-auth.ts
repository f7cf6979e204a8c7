/**
 * socket.io authentication (contracts/src/socket-events.ts): the session token from POST /api/auth/login travels in
 * the handshake (`io(url, { auth: { token } })`). A socket without a valid session is refused at connection with an
 * error whose `data` is the ErrorBody (socket.io hands `err.data` to the client's `connect_error`), and a connected
 * socket is disconnected, after a `session:expired` event with the reason, once its session has ended.
 */
import type { ErrorBody } from '@vigil/contracts';
import { isPmError, PmError } from '@vigil/contracts';
import type { ExtendedError, Server, Socket } from 'socket.io';
import type { AuthService, Principal } from './auth-service.ts';

/** What this module keeps in `socket.data`; pass it as socket.io's SocketData generic (or a supertype of it). */
export interface AuthSocketData {
  principal?: Principal;
}

// Any event maps: socket.io's generics are invariant in them, and only `handshake.auth` and `data` are touched here.
type AnySocket = Socket<any, any, any, any>;

function refusal(err: unknown): ExtendedError {
  const pm = isPmError(err) ? err : new PmError('PM_ERR_INTERNAL');
  const refused = new Error(pm.message) as ExtendedError & { data: ErrorBody };
  refused.data = pm.toBody();
  return refused;
}

function handshakeToken(socket: AnySocket): string | undefined {
  const token: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
  return typeof token === 'string' ? token : undefined;
}

/** For `io.use(socketAuthMiddleware(auth))`. */
export function socketAuthMiddleware(auth: Pick<AuthService, 'authenticate'>) {
  return (socket: AnySocket, next: (err?: ExtendedError) => void): void => {
    auth.authenticate(handshakeToken(socket)).then(
      (principal) => {
        (socket.data as AuthSocketData).principal = principal;
        next();
      },
      (err: unknown) => next(refusal(err)),
    );
  };
}

/** The principal of an authenticated socket; PM_ERR_UNAUTHENTICATED if the middleware was not installed. */
export function socketPrincipal(socket: AnySocket): Principal {
  const principal = (socket.data as AuthSocketData | undefined)?.principal;
  if (!principal) throw new PmError('PM_ERR_UNAUTHENTICATED', 'sign-in required');
  return principal;
}

/** Call it (or its `stop`) to stop watching; `checkNow()` runs one pass and resolves to the sockets it disconnected. */
export type SessionWatch = (() => void) & { stop(): void; checkNow(): Promise<number> };

/**
 * Every `intervalMs`, re-check the session of each connected socket (of the default namespace) and disconnect those
 * whose session ended or expired, emitting `session:expired` with the reason first. The check does not slide the
 * idle timeout (a screen left open is not activity); user actions over the socket should call
 * `auth.authenticate(token)` themselves. A check that fails for another reason (database unreachable) leaves the
 * socket connected and tries again next time: dropping every ward display during a database blip would do more harm.
 */
export function watchSessionExpiry(io: Server<any, any, any, any>, auth: Pick<AuthService, 'authenticate'>, intervalMs = 15_000): SessionWatch {
  let running: Promise<number> | undefined;

  async function pass(): Promise<number> {
    let disconnected = 0;
    const sockets = [...io.of('/').sockets.values()] as AnySocket[];
    await Promise.all(
      sockets.map(async (socket) => {
        try {
          (socket.data as AuthSocketData).principal = await auth.authenticate(handshakeToken(socket), { touch: false });
        } catch (err) {
          if (!isPmError(err) || err.code !== 'PM_ERR_UNAUTHENTICATED' || !socket.connected) return;
          socket.emit('session:expired', err.message);
          // true: close the underlying connection (all namespaces); engine.io flushes the event before closing.
          socket.disconnect(true);
          disconnected += 1;
        }
      }),
    );
    return disconnected;
  }

  const checkNow = (): Promise<number> => {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => void checkNow(), intervalMs);
  timer.unref();
  const stop = (): void => clearInterval(timer);
  return Object.assign(stop, { stop, checkNow });
}
