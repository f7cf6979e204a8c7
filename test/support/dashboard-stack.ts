/**
 * A ward for the dashboard's browser tests and benchmark, every part real and under the test's control:
 * cloud (in-process, with a clock the test can move forward), one edge gateway with its local ward view, one MQTT
 * device per bed sending 1 Hz numerics chosen by the test, a TCP fault proxy between the browser and the cloud (to
 * cut the dashboard off the cloud while the edge stays reachable), and `next start` of the built dashboard.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { DeviceChannelFlag, VitalCode } from '@vigil/contracts';
import { CloudConfigSchema, createCloudService, GatewayDirectory, type CloudService } from '@vigil/cloud';
import { createEdgeGateway, DeviceDirectory, EdgeConfigSchema, provisionWard, type EdgeGateway, type WardProvisioning } from '@vigil/edge';
import { MqttDeviceLink } from '@vigil/simulators';
import { ensureDashboardBuild } from '../../scripts/lib/dashboard-build.ts';
import { freePort } from './mosquitto.ts';
import { startFaultProxy, type FaultProxy } from './tcp-fault-proxy.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

export type Vitals = Partial<Record<VitalCode, number>>;
/** What a bed's device sends each second: vitals (with device flags), or nothing (`null`: the device is silent). */
export type BedSignal = { vitals: Vitals; flags?: Partial<Record<VitalCode, DeviceChannelFlag>> } | null;

export interface DashboardStackOptions {
  beds: number;
  wardId?: string;
  /** Audio pause the dashboard asks for, s (VIGIL_DASHBOARD_AUDIO_PAUSE_S). */
  audioPauseS?: number;
  /** Serve the edge's local view to the dashboard (fallback while the cloud is unreachable). Default true. */
  edgeView?: boolean;
}

export interface DashboardStack {
  wardId: string;
  ward: WardProvisioning;
  cloud: CloudService;
  edge: EdgeGateway;
  /** Between the browser (and the dashboard server) and the cloud's HTTP port. */
  proxy: FaultProxy;
  dashboardUrl: string;
  /** The cloud's HTTP port directly (not through the proxy). */
  cloudUrl: string;
  /** Move the cloud's wall clock forward (sessions, audio pauses and escalations follow it). */
  advanceClock(ms: number): void;
  /** A user with a fresh password, assigned to `wards`. */
  addUser(username: string, wards: string[], role?: 'clinician' | 'charge_nurse'): Promise<string>;
  /** Set what a bed sends each second from now on (default: its baseline). */
  setBed(bedId: string, signal: BedSignal | 'baseline'): void;
  /** One device status (battery, online/offline) for a bed's device. */
  sendStatus(bedId: string, battery: number): void;
  /** The baseline vitals of bed `i` (1-based) at time t: stable, different per bed, slowly varying. */
  baseline(i: number, t: number): Vitals;
  dashboardOutput(): string;
  close(): Promise<void>;
}

const PASSWORD = 'browser-test-password-0123';
const EDGE_TOKEN = 'edge-local-view-token-for-browser-tests';

/** A stable adult on a ward, varied by bed so that NEWS2 bands and trends differ across the grid. */
function baselineVitals(i: number, t: number): Vitals {
  const wave = Math.sin((t / 40_000 + i) * 2 * Math.PI);
  const hr = 68 + ((i * 7) % 28) + 4 * wave;
  const abpSys = 112 + ((i * 11) % 35) + 3 * wave;
  return {
    hr: Math.round(hr),
    spo2: 95 + (i % 4),
    rr: 13 + (i % 7),
    abpSys: Math.round(abpSys),
    abpDia: Math.round(abpSys * 0.58),
    abpMean: Math.round(abpSys * 0.72),
    temp: Math.round((36.5 + (i % 5) * 0.3) * 10) / 10,
  };
}

export async function startDashboardStack(options: DashboardStackOptions): Promise<DashboardStack> {
  const wardId = options.wardId ?? 'ward-a';
  const dir = mkdtempSync(join(tmpdir(), 'vigil-dash-'));
  const ward = provisionWard({ wardId, gatewayId: `gw-${wardId}`, beds: options.beds, wearableBeds: 0 });
  // A second ward the test users are not assigned to (ward isolation).
  const other = provisionWard({ wardId: 'ward-z', gatewayId: 'gw-ward-z', beds: 1, wearableBeds: 0 });
  const logger = pino({ level: process.env.VIGIL_TEST_LOG_LEVEL ?? 'silent' });
  const dashboardPort = await freePort();
  const origins = `http://127.0.0.1:${dashboardPort},http://localhost:${dashboardPort}`;
  let offset = 0;

  ensureDashboardBuild(root, (line) => process.stdout.write(`[dashboard-stack] ${line}\n`));

  const cloud = await createCloudService({
    config: CloudConfigSchema.parse({
      httpPort: 0,
      embeddedMqttPort: 0,
      dbFile: join(dir, 'cloud.sqlite'),
      maintenance: false,
      corsOrigins: origins,
      alarmTickMs: 200,
      news2WindowMs: 10_000,
      outOfOrdernessMs: 2_000,
    }),
    gateways: new GatewayDirectory({ v: 1, gateways: [...ward.gatewayRegistry.gateways, ...other.gatewayRegistry.gateways] }),
    logger,
    now: () => Date.now() + offset,
  });
  await cloud.start();
  const edge = await createEdgeGateway({
    config: EdgeConfigSchema.parse({
      gatewayId: ward.gateway.gatewayId,
      wardId,
      mqttPort: 0,
      httpPort: 0,
      dataDir: join(dir, 'edge'),
      uplinkUrl: `mqtt://127.0.0.1:${cloud.ports.mqtt}`,
      uplinkSecret: ward.gateway.secret,
      localViewToken: EDGE_TOKEN,
      localViewCorsOrigins: origins,
      recorder: false,
    }),
    directory: new DeviceDirectory(ward.registry),
    logger,
  });
  await edge.start();
  const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: cloud.ports.http } });

  // One device per bed, 1 Hz, event time = now.
  const bootId = `boot-${Date.now().toString(36)}`;
  const devices = ward.credentials.devices.map((credential, index) => ({
    credential,
    index: index + 1,
    seq: 0,
    link: new MqttDeviceLink({ brokerUrl: `mqtt://127.0.0.1:${edge.ports.mqtt}`, credential, bootId }),
    signal: 'baseline' as BedSignal | 'baseline',
  }));
  await Promise.all(devices.map((d) => d.link.connect()));
  const tick = () => {
    const t = Date.now();
    for (const d of devices) {
      const signal = d.signal === 'baseline' ? { vitals: baselineVitals(d.index, t) } : d.signal;
      if (!signal) continue;
      const message = { v: 1 as const, deviceId: d.credential.deviceId, bootId, seq: d.seq++, t, vitals: signal.vitals, ...(signal.flags ? { flags: signal.flags } : {}) };
      d.link.send({ kind: 'message', sentAt: t, channel: 'vitals', message });
    }
  };
  tick();
  const ticker = setInterval(tick, 1000);
  const device = (bedId: string) => {
    const d = devices.find((x) => x.credential.bedId === bedId);
    if (!d) throw new Error(`no bed ${bedId} in ${wardId}`);
    return d;
  };

  const dashboard: ChildProcess = spawn(process.execPath, [join(root, 'node_modules/next/dist/bin/next'), 'start', '-p', String(dashboardPort), '-H', '127.0.0.1'], {
    cwd: join(root, 'dashboard'),
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: '1',
      VIGIL_DASHBOARD_CLOUD_URL: `http://127.0.0.1:${proxy.port}`,
      VIGIL_DASHBOARD_AUDIO_PAUSE_S: String(options.audioPauseS ?? 120),
      ...(options.edgeView === false ? {} : { VIGIL_DASHBOARD_EDGE_VIEWS: `${wardId}=http://127.0.0.1:${edge.ports.http}`, VIGIL_DASHBOARD_EDGE_TOKEN: EDGE_TOKEN }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  dashboard.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  dashboard.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  const dashboardUrl = `http://127.0.0.1:${dashboardPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (dashboard.exitCode !== null) throw new Error(`next start exited (${dashboard.exitCode}):\n${output}`);
    const ok = await fetch(`${dashboardUrl}/login`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`next start not ready in 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }

  return {
    wardId,
    ward,
    cloud,
    edge,
    proxy,
    dashboardUrl,
    cloudUrl: `http://127.0.0.1:${cloud.ports.http}`,
    advanceClock: (ms) => void (offset += ms),
    async addUser(username, wards, role = 'clinician') {
      await cloud.ctx.auth.users.create(cloud.db, { username, password: PASSWORD, role, wards });
      return PASSWORD;
    },
    setBed: (bedId, signal) => void (device(bedId).signal = signal),
    sendStatus(bedId, battery) {
      const d = device(bedId);
      const t = Date.now();
      d.link.send({ kind: 'message', sentAt: t, channel: 'status', message: { v: 1, deviceId: d.credential.deviceId, bootId, t, state: 'online', reason: 'periodic', battery } });
    },
    baseline: baselineVitals,
    dashboardOutput: () => output,
    async close() {
      clearInterval(ticker);
      if (dashboard.exitCode === null) {
        dashboard.kill('SIGTERM');
        await Promise.race([once(dashboard, 'exit'), new Promise((r) => setTimeout(r, 10_000))]);
      }
      await Promise.all(devices.map((d) => d.link.close()));
      await proxy.close();
      await edge.close();
      await cloud.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
