/**
 * Runs `npm run demo`'s script as a child process on free ports and a temporary data directory, the way a user
 * would run it, and stops it with SIGINT (Ctrl-C).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './mosquitto.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface RunningDemo {
  dashboardUrl: string;
  cloudUrl: string;
  /** The demo's data directory (VIGIL_DEMO_DATA_DIR), removed by `interrupt`. */
  dataDir: string;
  output: () => string;
  /** The clinician the demo created, from its credentials.txt. */
  credentials(): { username: string; password: string };
  /** Ctrl-C; resolves with the exit code. */
  interrupt(timeoutMs?: number): Promise<number | null>;
}

export async function startDemo(env: Record<string, string>, readyTimeoutMs = 200_000): Promise<RunningDemo> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-demo-'));
  const ports = { dashboard: await freePort(), cloud: await freePort(), uplink: await freePort(), edgeMqtt: await freePort(), edgeHttp: await freePort() };
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/demo.ts')], {
    cwd: root,
    env: {
      ...process.env,
      VIGIL_DEMO_DATA_DIR: dataDir,
      VIGIL_DEMO_DASHBOARD_PORT: String(ports.dashboard),
      VIGIL_DEMO_CLOUD_PORT: String(ports.cloud),
      VIGIL_DEMO_UPLINK_PORT: String(ports.uplink),
      VIGIL_DEMO_EDGE_MQTT_PORT: String(ports.edgeMqtt),
      VIGIL_DEMO_EDGE_HTTP_PORT: String(ports.edgeHttp),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const dashboardUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo not ready in ${readyTimeoutMs / 1000} s:\n${output}`)), readyTimeoutMs);
    const poll = setInterval(() => {
      const match = /Dashboard: (\S+)/.exec(output);
      if (match?.[1]) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(match[1]);
      }
    }, 100);
    void exited.then((code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`demo exited (${code}) before it was ready:\n${output}`));
    });
  });
  return {
    dashboardUrl,
    cloudUrl: `http://127.0.0.1:${ports.cloud}`,
    dataDir,
    output: () => output,
    credentials() {
      const text = readFileSync(join(dataDir, 'credentials.txt'), 'utf8');
      const username = /^username: (\S+)$/m.exec(text)?.[1];
      const password = /^password: (\S+)$/m.exec(text)?.[1];
      if (!username || !password) throw new Error(`no username and password in the demo's credentials.txt:\n${text}`);
      return { username, password };
    },
    async interrupt(timeoutMs = 30_000) {
      if (child.exitCode === null) child.kill('SIGINT');
      const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs))]);
      if (code === 'timeout') {
        child.kill('SIGKILL');
        throw new Error(`demo did not stop within ${timeoutMs / 1000} s of Ctrl-C`);
      }
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
