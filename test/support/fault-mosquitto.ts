/**
 * An external uplink broker for the broker-restart fault: Debian's mosquitto on a fixed loopback port, users from a
 * hashed password file, an ACL (the gateway publishes its uplink and status, the cloud's ingest reads them), and
 * persistence on, so that a restart keeps the persistent sessions and the QoS 1 messages queued for them
 * (mosquitto.conf(5): `persistence`, saved on shutdown and every `autosave_interval` s). `restart()` stops it by a
 * signal (SIGTERM: a graceful restart, the database is saved; SIGKILL: a crash, what was not saved is gone) and
 * starts it again on the same port and database.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WardProvisioning } from '@vigil/edge';
import { freePort, MOSQUITTO } from './mosquitto.ts';
import { sleep, until } from './fault-ward.ts';

export const INGEST_USER = 'vigil-cloud-ingest';

export interface UplinkMosquitto {
  port: number;
  url: string;
  /** Variables that point the cloud at this broker. */
  cloudEnv: Record<string, string>;
  /** Stop by `signal`, wait `pauseMs`, start again (same port, same database); resolves once it listens. */
  restart(signal: 'SIGTERM' | 'SIGKILL', pauseMs: number): Promise<void>;
  running(): boolean;
  output(): string;
  close(): Promise<void>;
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    import('node:net').then(({ createConnection }) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => (socket.end(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
  });

export async function startUplinkMosquitto(ward: WardProvisioning, ingestSecret: string, autosaveS = 1): Promise<UplinkMosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-mosq-fault-'));
  const gw = ward.gateway.gatewayId;
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, `${gw}:${ward.gateway.secret}\n${INGEST_USER}:${ingestSecret}\n`, { mode: 0o600 });
  execFileSync('mosquitto_passwd', ['-U', passwd]);
  writeFileSync(
    join(dir, 'acl'),
    [`user ${gw}`, `topic write vigil/v1/gw/${gw}/uplink`, `topic write vigil/v1/gw/${gw}/status`, `topic read vigil/v1/gw/${gw}/request`, '', `user ${INGEST_USER}`, 'topic read vigil/v1/gw/+/uplink', 'topic read vigil/v1/gw/+/status', 'topic write vigil/v1/gw/+/request', ''].join('\n'),
  );
  const port = await freePort();
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${passwd}`,
      `acl_file ${join(dir, 'acl')}`,
      'persistence true',
      `persistence_location ${dir}/`,
      `autosave_interval ${autosaveS}`, // s between saves of the in-memory database (a crash loses what came after)
      'max_queued_messages 100000', // a batch is ~500 records: the cloud away for minutes must not overflow its queue
      'user root',
      'log_dest stderr',
    ].join('\n') + '\n',
  );
  let child: ChildProcess | undefined;
  let log = '';
  const spawnBroker = async () => {
    const c = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-16_000)));
    child = c;
    await until('mosquitto to listen', async () => {
      if (c.exitCode !== null) throw new Error(`mosquitto exited (${c.exitCode}): ${log}`);
      return listening(port);
    }, 15_000, 50);
  };
  const stop = async (signal: NodeJS.Signals) => {
    const c = child;
    if (c && c.exitCode === null && c.signalCode === null) {
      const exited = once(c, 'exit');
      c.kill(signal);
      await exited;
    }
  };
  await spawnBroker();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    cloudEnv: { VIGIL_CLOUD_UPLINK_URL: `mqtt://127.0.0.1:${port}`, VIGIL_CLOUD_INGEST_USERNAME: INGEST_USER, VIGIL_CLOUD_INGEST_SECRET: ingestSecret },
    async restart(signal, pauseMs) {
      await stop(signal);
      await sleep(pauseMs);
      await spawnBroker();
    },
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    output: () => log,
    async close() {
      await stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
