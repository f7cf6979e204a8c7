/**
 * `npm run demo`: the whole system on one machine with embedded defaults — cloud (embedded uplink broker, SQLite),
 * one edge gateway, a simulated ward, and the dashboard. Creates a clinician for the ward and prints the dashboard URL
 * with its sign-in; Ctrl-C stops everything in order.
 * Options: VIGIL_DEMO_* variables (see .env.example).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { loadConfig, isPmError } from '@vigil/contracts';
import { provisionWard, PROVISIONING_FILES, writeWardProvisioning } from '@vigil/edge';
import { ensureDashboardBuild } from './lib/dashboard-build.ts';
import { DEMO_ENV_PREFIX, DemoConfig } from './lib/demo-config.ts';
import { busyPorts, ProcessGroup, waitForHttp } from './lib/process-group.ts';

const root = resolve(fileURLToPath(import.meta.url), '..', '..');


const say = (line: string) => process.stdout.write(`[demo] ${line}\n`);

let config: z.infer<typeof DemoConfig>;
try {
  config = loadConfig(DemoConfig, DEMO_ENV_PREFIX);
} catch (err) {
  process.stderr.write(`demo: ${isPmError(err) ? err.message : String(err)}\n`);
  process.exit(2);
}

const dataDir = resolve(root, config.dataDir);
const files = Object.fromEntries(Object.entries(PROVISIONING_FILES).map(([k, v]) => [k, join(dataDir, 'provisioning', v)])) as Record<keyof typeof PROVISIONING_FILES, string>;
if (!existsSync(files.deviceCredentials)) {
  writeWardProvisioning(provisionWard({ wardId: config.wardId, gatewayId: `gw-${config.wardId}`, beds: config.beds, wearableBeds: Math.min(config.wearableBeds, config.beds) }), join(dataDir, 'provisioning'));
  say(`provisioned ${config.wardId}: ${config.beds} beds, credentials in ${join(config.dataDir, 'provisioning')}`);
}

const cloudDbFile = join(dataDir, 'cloud', 'vigil.sqlite');
/** The committed LSTM model (advisory ML_ANOMALY alarms); the demo runs without it until it is trained. */
const ANOMALY_MODEL = 'models/artefacts/vigil-lstm';
const anomalyModel = existsSync(join(root, ANOMALY_MODEL, 'metadata.json')) ? join(root, ANOMALY_MODEL) : undefined;
const tsx = ['--import', 'tsx'];

/** The demo's sign-in: a clinician of the demo ward. */
const DEMO_USER = 'nurse';
const credentialsFile = join(dataDir, 'credentials.txt');

function storedPassword(): string | undefined {
  if (!existsSync(credentialsFile)) return undefined;
  return /^password: (\S+)$/m.exec(readFileSync(credentialsFile, 'utf8'))?.[1];
}

/**
 * Creates the demo clinician with the cloud's users CLI (cloud/src/users-cli.ts) before the cloud starts, with a
 * random password kept in credentials.txt (mode 0600). A later run keeps that file and its password (the CLI then
 * answers "already exists"), and recreates the user with it if the cloud database was removed.
 */
function ensureDemoUser(): string {
  const kept = storedPassword();
  const password = kept ?? randomBytes(12).toString('base64url'); // 12 random bytes = 16 characters of [A-Za-z0-9_-]
  // The CLI takes the password from a file, never from its command line (visible in `ps`).
  const passwordFile = join(dataDir, `.${DEMO_USER}-password`);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  const args = ['add', '--username', DEMO_USER, '--role', 'clinician', '--wards', config.wardId, '--password-file', passwordFile];
  const result = (() => {
    try {
      return spawnSync(process.execPath, [...tsx, join(root, 'cloud/src/users-cli.ts'), ...args], {
        cwd: root,
        env: { ...process.env, VIGIL_CLOUD_DB_FILE: cloudDbFile },
        encoding: 'utf8',
        timeout: 60_000, // 60 s: tsx start-up, database migrations and one scrypt hash
      });
    } finally {
      rmSync(passwordFile, { force: true });
    }
  })();
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  const exists = result.status !== 0 && output.includes(`user ${DEMO_USER} already exists`);
  if (result.status !== 0 && !exists) {
    throw new Error(`cannot create the demo user ${DEMO_USER}: ${output || result.error?.message || `exit ${result.status}`}`);
  }
  if (exists && kept === undefined) {
    throw new Error(
      `the demo user ${DEMO_USER} exists but ${credentialsFile} with its password is gone; ` +
        `remove ${join(config.dataDir, 'cloud')} (the demo's cloud database) to start afresh`,
    );
  }
  if (kept === undefined) {
    const text = `# Vigil demo sign-in (research and demonstration software, not a medical device)\nusername: ${DEMO_USER}\npassword: ${password}\n`;
    writeFileSync(credentialsFile, text, { mode: 0o600 });
  }
  if (!exists) say(`created the demo clinician ${DEMO_USER} for ${config.wardId}`);
  chmodSync(credentialsFile, 0o600);
  return password;
}

const busy = await busyPorts(config.host, {
  VIGIL_DEMO_DASHBOARD_PORT: config.dashboardPort,
  VIGIL_DEMO_CLOUD_PORT: config.cloudPort,
  VIGIL_DEMO_UPLINK_PORT: config.uplinkPort,
  VIGIL_DEMO_EDGE_MQTT_PORT: config.edgeMqttPort,
  VIGIL_DEMO_EDGE_HTTP_PORT: config.edgeHttpPort,
});
if (busy.length > 0) {
  process.stderr.write(`demo: ports already in use: ${busy.join(', ')}. Is another demo running? Stop it, or choose other ports with these variables.\n`);
  process.exit(2);
}

let demoPassword: string;
try {
  demoPassword = ensureDemoUser();
} catch (err) {
  process.stderr.write(`demo: ${(err as Error).message}\n`);
  process.exit(1);
}

ensureDashboardBuild(root, say);

const group = new ProcessGroup(join(dataDir, 'logs'));
let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say('stopping…');
    await group.stopAll();
    say('stopped.');
  }
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
// A closed terminal sends SIGHUP: stop the services too, instead of dying and leaving them running.
process.on('SIGHUP', () => void stop(0));
process.on('exit', () => group.killAllNow());

try {
  const cloud = group.start({
    name: 'cloud',
    command: process.execPath,
    args: [...tsx, join(root, 'cloud/src/main.ts')],
    env: {
      VIGIL_CLOUD_HTTP_HOST: config.host,
      VIGIL_CLOUD_HTTP_PORT: String(config.cloudPort),
      VIGIL_CLOUD_EMBEDDED_MQTT_PORT: String(config.uplinkPort),
      VIGIL_CLOUD_GATEWAY_REGISTRY_FILE: files.gatewayRegistry,
      VIGIL_CLOUD_DB_FILE: cloudDbFile,
      VIGIL_CLOUD_CORS_ORIGINS: `http://localhost:${config.dashboardPort},http://127.0.0.1:${config.dashboardPort}`,
      VIGIL_CLOUD_LOG_LEVEL: config.logLevel,
      VIGIL_CLOUD_ANOMALY_MODEL: anomalyModel ?? 'none',
    },
  });
  await waitForHttp(`http://${config.host}:${config.cloudPort}/readyz`, 30_000, cloud.exited);
  say(`cloud ready on http://${config.host}:${config.cloudPort} (embedded uplink broker on ${config.uplinkPort})`);
  say(anomalyModel ? `anomaly model: ${ANOMALY_MODEL} (advisory alarms)` : `no anomaly model at ${ANOMALY_MODEL}: skipped, rule alarms only (train one with node --import tsx models/src/cli/train.ts)`);

  const edge = group.start({
    name: 'edge',
    command: process.execPath,
    args: [...tsx, join(root, 'edge/src/main.ts')],
    env: {
      VIGIL_EDGE_GATEWAY_ID: `gw-${config.wardId}`,
      VIGIL_EDGE_WARD_ID: config.wardId,
      VIGIL_EDGE_MQTT_HOST: config.host,
      VIGIL_EDGE_MQTT_PORT: String(config.edgeMqttPort),
      VIGIL_EDGE_HTTP_HOST: config.host,
      VIGIL_EDGE_HTTP_PORT: String(config.edgeHttpPort),
      VIGIL_EDGE_REGISTRY_FILE: files.deviceRegistry,
      VIGIL_EDGE_DATA_DIR: join(dataDir, 'edge'),
      VIGIL_EDGE_UPLINK_URL: `mqtt://${config.host}:${config.uplinkPort}`,
      VIGIL_EDGE_UPLINK_SECRET_FILE: files.gatewaySecret,
      VIGIL_EDGE_LOG_LEVEL: config.logLevel,
    },
  });
  await waitForHttp(`http://${config.host}:${config.edgeHttpPort}/readyz`, 30_000, edge.exited);
  say(`edge gateway ready: devices connect to mqtt://${config.host}:${config.edgeMqttPort}`);

  group.start({
    name: 'simulator',
    command: process.execPath,
    args: [...tsx, join(root, 'simulators/src/cli.ts')],
    env: {
      VIGIL_SIM_OUTPUT: `mqtt://${config.host}:${config.edgeMqttPort}`,
      VIGIL_SIM_PATIENTS: String(config.beds),
      VIGIL_SIM_CREDENTIALS: files.deviceCredentials,
      VIGIL_SIM_SEED: config.seed,
      VIGIL_SIM_SCENARIOS: config.scenarios,
      VIGIL_SIM_LOG_LEVEL: config.logLevel,
    },
  });
  say(`simulator started: ${config.beds} beds, scenarios ${config.scenarios || 'none'}`);

  const dashboard = group.start({
    name: 'dashboard',
    command: process.execPath,
    args: [join(root, 'node_modules/next/dist/bin/next'), 'start', '-p', String(config.dashboardPort), '-H', config.host],
    cwd: join(root, 'dashboard'),
    env: { VIGIL_DASHBOARD_CLOUD_URL: `http://${config.host}:${config.cloudPort}`, NEXT_TELEMETRY_DISABLED: '1' },
  });
  await waitForHttp(`http://${config.host}:${config.dashboardPort}/`, 60_000, dashboard.exited);
  const url = `http://localhost:${config.dashboardPort}/ward/${config.wardId}`;
  say('');
  say(`Dashboard: ${url}`);
  say(`Sign in as ${DEMO_USER}, password ${demoPassword} (kept in ${join(config.dataDir, 'credentials.txt')})`);
  say('Vigil is research and demonstration software, not a medical device. Press Ctrl-C to stop.');
} catch (err) {
  process.stderr.write(`demo: ${(err as Error).message}; logs in ${join(config.dataDir, 'logs')}\n`);
  await stop(1);
}
