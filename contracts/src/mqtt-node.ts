/**
 * MQTT plumbing shared by the Node parts (edge, cloud, simulators). Node-only: import '@vigil/contracts/mqtt-node'.
 *
 * Latency hygiene: MQTT messages here are small, and Nagle's algorithm would hold each one back waiting for the
 * previous one's ACK (measured on these machines: QoS 1 p99 per hop ~4 ms with TCP_NODELAY, 0.1–0.65 s without).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import { guardConnection } from './mqtt-frame-guard.ts';
export { brokerErrorAsRejection } from './mqtt-frame-guard.ts';
import { PmError, type ErrorCode } from './errors.ts';
import { listenOn } from './service.ts';

/** What we need of an aedes instance (structural, so this package does not depend on aedes). */
interface BrokerLike {
  handle(connection: Duplex): unknown;
  close(callback: () => void): void;
}

export interface ServeBrokerOptions {
  /** Largest MQTT packet accepted, bytes (fixed header included); larger ones cut the connection. */
  maxPacketBytes?: number;
  /** Called when the frame guard cuts a connection (metric, log). */
  onViolation?: (error: PmError, socket: Socket) => void;
  /** Serve MQTT over TLS (e.g. with `requestCert` for client certificates) instead of plain TCP. */
  tls?: TlsOptions;
}

/** The TCP (or TLS) socket under a guarded broker connection, e.g. to read a client certificate. */
export function socketOf(connection: unknown): Socket | TLSSocket | undefined {
  return (connection as { socket?: Socket } | undefined)?.socket;
}

/**
 * A listener for an aedes broker: Nagle off on every accepted socket, and every connection behind the MQTT frame
 * guard (packet size, first packet CONNECT, see mqtt-frame-guard.ts).
 */
export function serveBroker(broker: BrokerLike, options: ServeBrokerOptions = {}) {
  const sockets = new Set<Socket>();
  const maxPacketBytes = options.maxPacketBytes ?? 268_435_455; // MQTT 3.1.1's own maximum
  const accept = (socket: Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const connection = guardConnection(socket, maxPacketBytes, (error) => options.onViolation?.(error, socket));
    Object.defineProperty(connection, 'socket', { value: socket });
    broker.handle(connection);
  };
  const server: Server = options.tls ? createTlsServer(options.tls, accept) : createServer(accept);
  // A TLS handshake failure (no or untrusted client certificate) never reaches the broker; it still counts.
  server.on('tlsClientError', (err: Error, socket: Socket) => {
    options.onViolation?.(new PmError('PM_ERR_AUTH_BAD_CREDENTIALS', `TLS handshake failed: ${err.message}`), socket);
  });
  const listenerApi = {
    /** Resolves with the bound port (differs from `port` when it is 0). */
    listen: (port: number, host: string): Promise<number> => listenOn(server, port, host),
    /** Stop the broker, then the listener; connections still open are destroyed, or server.close() never returns. */
    async close(): Promise<void> {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await closeServer();
    },
    /** Stop this listener only (a broker served on two listeners is closed once). */
    closeServer,
  };
  async function closeServer(): Promise<void> {
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  }
  return listenerApi;
}

/** CONNACK return codes of MQTT 3.1.1 (Table 3.1). */
export const CONNACK = { identifierRejected: 2, badCredentials: 4, notAuthorized: 5 } as const;

/** An aedes authenticate error: aedes sends its `returnCode` in the CONNACK. */
export function connackError(code: ErrorCode, returnCode: number): PmError & { returnCode: number } {
  return Object.assign(new PmError(code), { returnCode });
}

/** What we need of an MQTT.js client: its socket is replaced at every reconnect. */
interface ClientLike {
  on(event: 'connect', listener: () => void): unknown;
}

/** Turn Nagle off on an MQTT.js client's socket now and after every reconnect (MQTT.js has no option for it). */
export function disableNagle(client: ClientLike): void {
  const apply = () => (client as unknown as { stream?: { setNoDelay?: (v: boolean) => void } }).stream?.setNoDelay?.(true);
  apply();
  client.on('connect', apply);
}
