/**
 * MQTT plumbing shared by the Node parts (edge, cloud, simulators). Node-only: import '@vigil/contracts/mqtt-node'.
 *
 * Latency hygiene: MQTT messages here are small, and Nagle's algorithm would hold each one back waiting for the
 * previous one's ACK (measured on these machines: QoS 1 p99 per hop ~4 ms with TCP_NODELAY, 0.1–0.65 s without).
 */
import { createServer, type Socket } from 'node:net';
import { PmError, type ErrorCode } from './errors.ts';
import { listenOn } from './service.ts';

/** What we need of an aedes instance (structural, so this package does not depend on aedes). */
interface BrokerLike {
  handle(socket: Socket): unknown;
  close(callback: () => void): void;
}

/** A TCP listener for an aedes broker, with Nagle off on every accepted socket. */
export function serveBroker(broker: BrokerLike) {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  return {
    /** Resolves with the bound port (differs from `port` when it is 0). */
    listen: (port: number, host: string): Promise<number> => listenOn(server, port, host),
    /** Stop the broker, then the listener; connections still open are destroyed, or server.close() never returns. */
    async close(): Promise<void> {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
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
