/**
 * The system under load: a Vigil cloud and an edge gateway, each its own child process (`node --import tsx
 * <part>/src/main.ts`, configured by its VIGIL_* variables as in production), on free ports and in a temporary
 * directory, with a signed-in clinician of the ward for the dashboard socket. Defaults otherwise (edge recorder on,
 * cloud maintenance jobs on, no anomaly model unless the plan serves one), so the figures are those of a default
 * deployment.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoginResponse } from '@vigil/contracts';
import { PROVISIONING_FILES } from '@vigil/edge';
import { freePort, metric, startProcess, waitForHttp, type Cleanup, type Proc } from '../../edge/bench/bench-processes.ts';
import { UserRepository } from '../../cloud/src/auth/user-repository.ts';
import { openDb } from '../../cloud/src/storage/open-db.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = ['--import', 'tsx'];
export const LOAD_USER = { username: 'load-nurse', password: 'load-benchmark-password-1' };

export interface VigilStack {
  cloud: Proc;
  edge: Proc;
  cloudUrl: string;
  edgeMetricsUrl: string;
  deviceUrl: string;
  dbFile: string;
  token: string;
  stop(): Promise<void>;
}

export async function startVigilStack(options: { dir: string; provisioning: string; wardId: string; gatewayId: string; cleanup: Cleanup; cloudEnv: Record<string, string> }): Promise<VigilStack> {
  const { dir, cleanup } = options;
  const files = (name: keyof typeof PROVISIONING_FILES) => join(options.provisioning, PROVISIONING_FILES[name]);
  const dbFile = join(dir, 'cloud', 'vigil.sqlite');
  mkdirSync(join(dir, 'cloud'), { recursive: true });
  {
    // The user exists before the cloud starts (the cloud has no user-creation route without an admin session).
    const db = await openDb({ dbFile });
    await new UserRepository().create(db, { ...LOAD_USER, role: 'clinician', wards: [options.wardId] });
    await db.close();
  }
  const [cloudHttp, uplink, edgeMqtt, edgeHttp] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const cloudUrl = `http://127.0.0.1:${cloudHttp}`;
  const cloud = cleanup.proc(
    startProcess('cloud', process.execPath, [...tsx, join(root, 'cloud/src/main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        VIGIL_CLOUD_HTTP_PORT: String(cloudHttp),
        VIGIL_CLOUD_EMBEDDED_MQTT_PORT: String(uplink),
        VIGIL_CLOUD_GATEWAY_REGISTRY_FILE: files('gatewayRegistry'),
        VIGIL_CLOUD_DB_FILE: dbFile,
        VIGIL_CLOUD_LOG_LEVEL: 'error',
        ...options.cloudEnv,
      },
    }),
  );
  await waitForHttp(`${cloudUrl}/readyz`, cloud);
  const edgeMetricsUrl = `http://127.0.0.1:${edgeHttp}/metrics`;
  const edge = cleanup.proc(
    startProcess('edge', process.execPath, [...tsx, join(root, 'edge/src/main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        VIGIL_EDGE_GATEWAY_ID: options.gatewayId,
        VIGIL_EDGE_WARD_ID: options.wardId,
        VIGIL_EDGE_MQTT_PORT: String(edgeMqtt),
        VIGIL_EDGE_HTTP_PORT: String(edgeHttp),
        VIGIL_EDGE_REGISTRY_FILE: files('deviceRegistry'),
        VIGIL_EDGE_DATA_DIR: join(dir, 'edge'),
        VIGIL_EDGE_RECORDER_DIR: join(dir, 'recordings'),
        VIGIL_EDGE_UPLINK_URL: `mqtt://127.0.0.1:${uplink}`,
        VIGIL_EDGE_UPLINK_SECRET_FILE: files('gatewaySecret'),
        VIGIL_EDGE_LOG_LEVEL: 'error',
      },
    }),
  );
  await waitForHttp(`http://127.0.0.1:${edgeHttp}/readyz`, edge);
  // Ready = the uplink is connected, so the first samples do not wait in the outbox for the connection.
  for (let i = 0; i < 200 && (await metric(edgeMetricsUrl, 'vigil_edge_uplink_connected')) !== 1; i++) await new Promise((r) => setTimeout(r, 50));

  const res = await fetch(`${cloudUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(LOAD_USER) });
  if (!res.ok) throw new Error(`sign-in of ${LOAD_USER.username} failed: HTTP ${res.status} ${await res.text()}`);
  const { token } = LoginResponse.parse(await res.json());
  return {
    cloud,
    edge,
    cloudUrl,
    edgeMetricsUrl,
    deviceUrl: `mqtt://127.0.0.1:${edgeMqtt}`,
    dbFile,
    token,
    async stop() {
      await cleanup.stop(edge, 30_000);
      await cleanup.stop(cloud, 15_000);
    },
  };
}
