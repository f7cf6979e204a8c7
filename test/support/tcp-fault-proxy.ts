/**
 * A TCP proxy for loopback fault injection in the fault suites (netem/tc need privileges these kernels do not give).
 * Put it between a client and a server (device → edge broker, edge → cloud) and cut the link on demand:
 *
 *   const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: brokerPort } });
 *   // connect the client to proxy.port …
 *   proxy.partition();              // existing connections are reset, new ones refused
 *   proxy.partition({ mode: 'blackhole', existing: 'hold' }); // everything goes silent, nothing is closed
 *   proxy.heal();
 *
 * Modes, for connections made during a partition:
 *   refuse    — accepted, then reset at once (RST). The client sees ECONNRESET or an immediate close, much like a
 *               refused connection (a real ECONNREFUSED would need the listener closed, and the port could be lost).
 *   blackhole — accepted and held open without reading or forwarding anything, so the client believes it is
 *               connected and only notices through its own keepalive (MQTT PINGREQ without PINGRESP).
 * Existing connections at partition():
 *   destroy (default) — both sides are reset (RST), as a middlebox dropping its state would.
 *   hold              — both sides are paused silently: no data flows either way, nothing is closed, bytes wait in
 *                       the socket buffers; heal() resumes them where they stopped, as TCP retransmission would.
 * heal() resets the blackholed connections (they never reached the target) and resumes held ones; new connections
 * are forwarded again. TCP_NODELAY is set on both sides, so small MQTT packets are not delayed by the proxy.
 */
import net from 'node:net';

export type PartitionMode = 'refuse' | 'blackhole';

export interface FaultProxyOptions {
  target: { host: string; port: number };
  listenPort?: number; // 0: an ephemeral port, read it from `port`
  listenHost?: string; // '127.0.0.1'
  mode?: PartitionMode; // default for partition(): 'refuse'
}

export interface PartitionOptions {
  mode?: PartitionMode;
  existing?: 'destroy' | 'hold';
}

export interface FaultProxyStats {
  partitioned: boolean;
  mode: PartitionMode;
  /** Connections being forwarded (or held) now. */
  active: number;
  /** Connections currently held silent by a blackhole (new) or a hold (existing). */
  blackholed: number;
  held: number;
  accepted: number;
  refused: number;
  /** Connections reset by partition() or heal(). */
  reset: number;
  bytesUp: number; // client → target
  bytesDown: number; // target → client
}

export interface FaultProxy {
  port: number;
  partition(options?: PartitionOptions): void;
  heal(): void;
  stats(): FaultProxyStats;
  close(): Promise<void>;
}

interface Link {
  client: net.Socket;
  upstream: net.Socket;
  held: boolean;
}

/** Close with an RST rather than a FIN: a fault, not a polite shutdown. */
function reset(socket: net.Socket): void {
  if (socket.destroyed) return;
  if (socket.connecting || socket.readyState === 'open' || socket.readyState === 'readOnly' || socket.readyState === 'writeOnly') {
    socket.resetAndDestroy();
  } else {
    socket.destroy();
  }
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const links = new Set<Link>();
  const holes = new Set<net.Socket>();
  const counts = { accepted: 0, refused: 0, reset: 0, bytesUp: 0, bytesDown: 0 };
  let mode: PartitionMode = options.mode ?? 'refuse';
  let partitioned = false;

  function forward(link: Link, from: net.Socket, to: net.Socket, direction: 'bytesUp' | 'bytesDown'): void {
    from.on('data', (chunk: Buffer) => {
      counts[direction] += chunk.length;
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => !link.held && from.resume());
      }
    });
    from.on('end', () => to.end());
  }

  function resumeInto(link: Link, from: net.Socket, to: net.Socket): void {
    if (!to.writableNeedDrain) from.resume();
    else to.once('drain', () => !link.held && from.resume());
  }

  function connectUpstream(client: net.Socket): void {
    const upstream = net.connect({ host: options.target.host, port: options.target.port, noDelay: true });
    const link: Link = { client, upstream, held: false };
    links.add(link);
    const drop = (): void => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', drop);
    upstream.on('close', drop);
    upstream.on('error', () => undefined); // 'close' follows
    forward(link, client, upstream, 'bytesUp');
    forward(link, upstream, client, 'bytesDown');
  }

  const server = net.createServer({ noDelay: true }, (client) => {
    counts.accepted++;
    client.setNoDelay(true);
    client.on('error', () => undefined); // resets are the point here; 'close' follows
    if (!partitioned) return connectUpstream(client);
    if (mode === 'refuse') {
      counts.refused++;
      return reset(client);
    }
    client.pause(); // read nothing: the kernel buffers fill and the client's writes stall, as over a dead path
    holes.add(client);
    client.on('close', () => holes.delete(client));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.listenPort ?? 0, options.listenHost ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    port: (server.address() as net.AddressInfo).port,
    partition(partition = {}) {
      partitioned = true;
      mode = partition.mode ?? options.mode ?? 'refuse';
      for (const link of links) {
        if (partition.existing === 'hold') {
          link.held = true;
          link.client.pause();
          link.upstream.pause();
        } else {
          counts.reset++;
          links.delete(link);
          reset(link.client);
          reset(link.upstream);
        }
      }
    },
    heal() {
      partitioned = false;
      for (const client of holes) {
        counts.reset++;
        reset(client);
      }
      holes.clear();
      for (const link of links) {
        if (!link.held) continue;
        link.held = false;
        resumeInto(link, link.client, link.upstream);
        resumeInto(link, link.upstream, link.client);
      }
    },
    stats() {
      let held = 0;
      for (const link of links) if (link.held) held++;
      return { partitioned, mode, active: links.size, blackholed: holes.size, held, ...counts };
    },
    async close() {
      for (const link of links) {
        link.client.destroy();
        link.upstream.destroy();
      }
      for (const client of holes) client.destroy();
      links.clear();
      holes.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
