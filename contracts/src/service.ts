/**
 * The thin life cycle every Node entry point shares: start the service, stop it cleanly on SIGINT/SIGTERM,
 * and fail fast with a readable message (exit 2) when its configuration is invalid. Node-only.
 */
import { once } from 'node:events';
import type { Server } from 'node:net';
import { isPmError } from './errors.ts';

export interface Closable {
  close(): Promise<void>;
}

export async function runService(name: string, start: () => Promise<Closable>): Promise<void> {
  let service: Closable;
  try {
    service = await start();
  } catch (err) {
    if (isPmError(err) && err.code === 'PM_ERR_CONFIG_INVALID') {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${name}: failed to start: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    // A second signal while closing forces the exit.
    process.once(signal, () => process.exit(130));
    service.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`${name}: error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** Listen and resolve with the port actually bound (which differs from `port` when it is 0, as in tests). */
export async function listenOn(server: Server, port: number, host: string): Promise<number> {
  server.listen(port, host);
  await once(server, 'listening');
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}
