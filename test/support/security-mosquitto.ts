/**
 * mosquitto as the external uplink broker, configured as docs/security/README.md recommends: no anonymous access,
 * users from a hashed password file, the uplink ACL of test/interop/mosquitto.test.ts (a gateway writes only its
 * own uplink and status topics and reads only its own request topic; the cloud's ingest reads all uplinks and
 * statuses and writes requests), and `use_username_as_clientid true` so that a client id cannot be used to take
 * over another user's session. `hardening: false` leaves that last line out (the interop configuration).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, MOSQUITTO, type RunningMosquitto } from './mosquitto.ts';

export const INGEST_USER = 'vigil-cloud-ingest';

/** The uplink ACL, one block per gateway, then the ingest user (mosquitto acl_file syntax). */
export function uplinkAcl(gatewayIds: string[]): string {
  const blocks = gatewayIds.map((gw) => [`user ${gw}`, `topic write vigil/v1/gw/${gw}/uplink`, `topic write vigil/v1/gw/${gw}/status`, `topic read vigil/v1/gw/${gw}/request`, ''].join('\n'));
  return [...blocks, `user ${INGEST_USER}`, 'topic read vigil/v1/gw/+/uplink', 'topic read vigil/v1/gw/+/status', 'topic write vigil/v1/gw/+/request', ''].join('\n');
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

export async function startUplinkMosquitto(options: { users: Record<string, string>; gatewayIds: string[]; hardening: boolean }): Promise<RunningMosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-mosq-sec-'));
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, Object.entries(options.users).map(([u, p]) => `${u}:${p}`).join('\n') + '\n', { mode: 0o600 });
  execFileSync('mosquitto_passwd', ['-U', passwd]);
  writeFileSync(join(dir, 'acl'), uplinkAcl(options.gatewayIds));
  const port = await freePort();
  const config = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous false',
    `password_file ${passwd}`,
    `acl_file ${join(dir, 'acl')}`,
    'persistence false',
    'user root',
    'log_dest stderr',
    ...(options.hardening ? ['use_username_as_clientid true'] : []),
  ];
  writeFileSync(join(dir, 'mosquitto.conf'), config.join('\n') + '\n');
  const child: ChildProcess = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 10_000;
  while (!(await portOpen(port))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`mosquitto did not listen on ${port}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
