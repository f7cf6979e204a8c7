import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/tcp-fault-proxy.ts';

/** Echo server: counts the connections that reach it. */
async function startEcho(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.pipe(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const clients: net.Socket[] = [];

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
    socket.on('error', () => undefined);
    clients.push(socket);
  });
}

/** Resolves with what arrives within `ms` (stops early once `expected` bytes arrived). */
function receive(socket: net.Socket, ms: number, expected = Infinity): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      resolve(text);
    };
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      if (text.length >= expected) done();
    };
    const timer = setTimeout(done, ms);
    socket.on('data', onData);
  });
}

async function echo(socket: net.Socket, text: string): Promise<string> {
  const reply = receive(socket, 2_000, text.length);
  socket.write(text);
  return reply;
}

function closed(socket: net.Socket): Promise<void> {
  return socket.destroyed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
}

describe('startFaultProxy', () => {
  let target: Awaited<ReturnType<typeof startEcho>>;
  let proxy: FaultProxy;

  beforeEach(async () => {
    target = await startEcho();
    proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: target.port } });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await proxy.close();
    await target.close();
  });

  it('forwards data both ways', async () => {
    const client = await connect(proxy.port);
    expect(await echo(client, 'hello')).toBe('hello');
    expect(await echo(client, 'x'.repeat(100_000))).toHaveLength(100_000);
    expect(proxy.stats()).toMatchObject({ active: 1, accepted: 1, bytesUp: 100_005, bytesDown: 100_005 });
  });

  it('partition resets existing connections and refuses new ones; heal restores', async () => {
    const client = await connect(proxy.port);
    expect(await echo(client, 'before')).toBe('before');
    proxy.partition();
    await closed(client);

    const refused = await connect(proxy.port).catch(() => undefined); // accepted, then reset at once
    if (refused) {
      refused.write('lost');
      await closed(refused);
    }
    expect(target.connections()).toBe(1);
    expect(proxy.stats()).toMatchObject({ partitioned: true, mode: 'refuse', active: 0, refused: 1, reset: 1 });

    proxy.heal();
    const again = await connect(proxy.port);
    expect(await echo(again, 'after')).toBe('after');
    expect(target.connections()).toBe(2);
  });

  it('blackhole accepts new connections and holds them without data; heal resets them', async () => {
    proxy.partition({ mode: 'blackhole' });
    const client = await connect(proxy.port);
    client.write('ping');
    expect(await receive(client, 300)).toBe('');
    expect(client.destroyed).toBe(false);
    expect(target.connections()).toBe(0);
    expect(proxy.stats()).toMatchObject({ mode: 'blackhole', blackholed: 1, active: 0 });

    proxy.heal();
    await closed(client);
    const again = await connect(proxy.port);
    expect(await echo(again, 'back')).toBe('back');
  });

  it('existing: hold silences open connections without closing them, and heal resumes them', async () => {
    const client = await connect(proxy.port);
    expect(await echo(client, 'one')).toBe('one');
    proxy.partition({ mode: 'blackhole', existing: 'hold' });
    client.write('two');
    expect(await receive(client, 300)).toBe('');
    expect(proxy.stats()).toMatchObject({ active: 1, held: 1 });

    const reply = receive(client, 2_000, 3);
    proxy.heal();
    expect(await reply).toBe('two');
    expect(proxy.stats()).toMatchObject({ partitioned: false, held: 0, reset: 0 });
  });
});
