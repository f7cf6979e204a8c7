/**
 * A ward with history, for the patient view's browser test: cloud and edge in this process (so the cloud can be given
 * an anomaly detector), simulated devices over MQTT through the edge, and the dashboard (`next start`) as a child.
 *
 * History: before the live ward starts, the same devices replay the last `historyMs` of event time at `historySpeed`×
 * (the simulators' accelerated clock) through the same edge and cloud, so charts, NEWS2, rule alarms and ML alarms of
 * the past exist when the browser opens. The edge is configured to accept that (clock skew, per-device rate).
 *
 * The anomaly detector is a transparent stand-in for the served LSTM (the demo's model raises no alarm
 * deterministically): it scores each sliding window by how far its levels are from nominal, per vital, and is
 * anomalous while heart rate's level is above HR_ANOMALY_BPM. It goes through the cloud's real path for advisory
 * alarms (verdict → alarm manager → storage → socket.io and REST), with its per-vital contributions and window.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { CloudConfigSchema, createCloudService, GatewayDirectory, type AnomalyDetector, type AnomalyVerdict, type CloudService } from '@vigil/cloud';
import { FEATURE_VITALS, type ContributionVital, type FeatureVital } from '@vigil/contracts';
import { createEdgeGateway, DeviceDirectory, EdgeConfigSchema, provisionWard, type EdgeGateway, type WardProvisioning } from '@vigil/edge';
import { createLiveSimulator, type LiveSimulator } from '@vigil/simulators';
import { ensureDashboardBuild } from '../../scripts/lib/dashboard-build.ts';
import { waitForHttp } from '../../scripts/lib/process-group.ts';
import { freePort } from './mosquitto.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Heart rate level above which the stand-in detector calls a window anomalous (HR_HIGH's limit is 130). */
export const HR_ANOMALY_BPM = 115;
/** Nominal levels and spreads (a resting adult; simulators' nominal patient) for the stand-in's per-vital deviation. */
const NOMINAL: Readonly<Record<FeatureVital, { level: number; sd: number }>> = {
  hr: { level: 75, sd: 10 },
  spo2: { level: 97.5, sd: 1.5 },
  rr: { level: 16, sd: 3 },
  sbp: { level: 125, sd: 12 },
  map: { level: 92, sd: 10 },
  temp: { level: 36.8, sd: 0.4 },
};

export function thresholdDetector(): AnomalyDetector {
  return {
    name: 'test-threshold',
    version: '1',
    backend: 'none',
    // The cloud scores windows only for a detector that keeps some context (0 reads as "no detector").
    contextWindows: 1,
    async scoreBatch(inputs) {
      return inputs.map(({ patientId, features }): AnomalyVerdict => {
        const deviation: Partial<Record<ContributionVital, number>> = {};
        let total = 0;
        for (const vital of FEATURE_VITALS) {
          const level = features.vitals[vital]?.level;
          if (level === null || level === undefined) continue;
          const z = Math.abs(level - NOMINAL[vital].level) / NOMINAL[vital].sd;
          deviation[vital] = z;
          total += z;
        }
        const contributions = Object.fromEntries(Object.entries(deviation).map(([k, z]) => [k, total > 0 ? z / total : 0]));
        const hr = features.vitals.hr?.level ?? null;
        const anomalous = hr !== null && hr > HR_ANOMALY_BPM;
        return {
          patientId,
          score: total,
          threshold: 3,
          anomalous,
          contributions,
          explanation: anomalous ? `heart rate level ${Math.round(hr)} bpm over the window, far above nominal` : 'within nominal ranges',
        };
      });
    },
  };
}

export interface PatientStackOptions {
  beds: number;
  wearableBeds: number;
  /** Event time replayed before the live ward starts, ms. */
  historyMs: number;
  /** Accelerated clock of the history replay. */
  historySpeed: number;
  /** Scenarios per bed during the history and during the live run (simulators' spec: "tachycardia@8m+3m/severe"). */
  historyScenarios?: Record<string, string>;
  liveScenarios?: Record<string, string>;
  /** Called as soon as the cloud knows every patient (their first samples), early in the history (to chart observations). */
  onPatientsKnown?(stack: { cloudUrl: string; token: string; start: number }): Promise<void>;
}

export interface PatientStack {
  cloud: CloudService;
  edge: EdgeGateway;
  ward: WardProvisioning;
  wardId: string;
  cloudUrl: string;
  dashboardUrl: string;
  credentials: { username: string; password: string };
  /** A signed-in clinician's token, for REST checks from the test. */
  token: string;
  /** Event time at which the history starts and the live ward started. */
  historyStart: number;
  liveStart: number;
  output(): string;
  /** Stops one bed's live devices (the rest of the ward goes on). */
  stopBed(bedId: string): Promise<void>;
  close(): Promise<void>;
}

const WARD = 'ward-p';
const USER = { username: 'nurse-pv', password: 'patient-view-test-password' };

/** Resolve when `probe` holds, polling every 200 ms; reject naming `what` after `timeoutMs`. */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startPatientStack(options: PatientStackOptions): Promise<PatientStack> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-patient-'));
  const ward = provisionWard({ wardId: WARD, gatewayId: `gw-${WARD}`, beds: options.beds, wearableBeds: options.wearableBeds });
  const logger = pino({ level: process.env.VIGIL_TEST_LOG_LEVEL ?? 'silent' });
  const dashboardPort = await freePort();
  let dashboard: ChildProcess | undefined;
  let sim: LiveSimulator | undefined;
  // The live ward: one simulator per bed, so that one bed can fall silent while the ward goes on.
  const liveBeds = new Map<string, LiveSimulator>();
  let output = '';

  ensureDashboardBuild(root, (line) => process.stdout.write(`[patient-stack] ${line}\n`));

  const cloud = await createCloudService({
    config: CloudConfigSchema.parse({
      httpPort: 0,
      embeddedMqttPort: 0,
      dbFile: join(dir, 'cloud.sqlite'),
      maintenance: false,
      corsOrigins: `http://localhost:${dashboardPort},http://127.0.0.1:${dashboardPort}`,
    }),
    gateways: new GatewayDirectory(ward.gatewayRegistry),
    detector: thresholdDetector(),
    logger,
  });
  await cloud.start();
  const edge = await createEdgeGateway({
    config: EdgeConfigSchema.parse({
      gatewayId: ward.gateway.gatewayId,
      wardId: WARD,
      mqttPort: 0,
      httpPort: 0,
      dataDir: join(dir, 'edge'),
      recorder: false,
      uplinkUrl: `mqtt://127.0.0.1:${cloud.ports.mqtt}`,
      uplinkSecret: ward.gateway.secret,
      // The history replay sends old event times, fast.
      maxClockSkewMs: options.historyMs + 600_000,
      rateLimitPerS: Math.max(50, options.historySpeed * 4),
      rateLimitBurst: 10_000,
    }),
    directory: new DeviceDirectory(ward.registry),
    logger,
  });
  await edge.start();
  const cloudUrl = `http://127.0.0.1:${cloud.ports.http}`;
  const edgeUrl = `mqtt://127.0.0.1:${edge.ports.mqtt}`;

  const close = async () => {
    await sim?.close().catch(() => undefined);
    await Promise.all([...liveBeds.values()].map((b) => b.close().catch(() => undefined)));
    if (dashboard && dashboard.exitCode === null) {
      dashboard.kill('SIGTERM');
      await Promise.race([once(dashboard, 'exit'), new Promise((r) => setTimeout(r, 10_000))]);
      if (dashboard.exitCode === null) dashboard.kill('SIGKILL');
    }
    await edge.close();
    await cloud.close();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await cloud.ctx.auth.users.create(cloud.db, { ...USER, role: 'clinician', wards: [WARD] });
    const { token } = await cloud.ctx.auth.login(USER.username, USER.password, {});

    const historyStart = Math.floor((Date.now() - options.historyMs) / 1000) * 1000;
    const newestStored = async () => (await cloud.db.all<{ t: number | null }>('SELECT max(t) AS t FROM samples'))[0]?.t ?? 0;

    // History: the devices replay [historyStart, now) at historySpeed×, then stop. Event time t is due at wall time
    // w0 + (t - historyStart) / speed, so it meets the wall clock (less a 3 s margin) at wall time `stopAt`; the
    // accelerated clock must not run on into the future.
    const devices = ward.credentials.devices;
    const speed = options.historySpeed;
    const w0 = Date.now();
    sim = createLiveSimulator({
      brokerUrl: edgeUrl,
      credentials: devices,
      seed: 'patient-view',
      start: historyStart,
      clock: { kind: 'accelerated', speed },
      ...(options.historyScenarios ? { bedScenarios: options.historyScenarios } : {}),
    });
    await sim.start();
    if (options.onPatientsKnown) {
      const patients = [...new Set(devices.map((d) => d.patientId))];
      await until('every patient to be known', async () => patients.every((p) => cloud.ctx.wardState.bedOfPatient(p) !== undefined), 30_000);
      await options.onPatientsKnown({ cloudUrl, token, start: historyStart });
    }
    const stopAt = (speed * w0 - historyStart - 3_000) / (speed - 1);
    await new Promise((r) => setTimeout(r, Math.max(0, stopAt - Date.now())));
    await sim.close();
    sim = undefined;
    const lastEventT = historyStart + (stopAt - w0) * speed;
    await until('the history to be stored', async () => (await newestStored()) >= lastEventT - 2_000, 60_000);

    // The devices' "online" status carries its start second as event time; it must be newer than the "offline" the
    // edge recorded when the history's connections closed, or the reconnect would read as older news.
    await new Promise((r) => setTimeout(r, 2_000 - (Date.now() % 1_000)));
    // Live: real time from the wall clock's current second (the simulators' default start).
    const liveStart = Math.floor(Date.now() / 1000) * 1000;
    for (const bedId of new Set(devices.map((d) => d.bedId))) {
      const bedSim = createLiveSimulator({
        brokerUrl: edgeUrl,
        credentials: devices.filter((d) => d.bedId === bedId),
        seed: `patient-view-live-${bedId}`,
        ...(options.liveScenarios?.[bedId] ? { bedScenarios: { [bedId]: options.liveScenarios[bedId] } } : {}),
      });
      liveBeds.set(bedId, bedSim);
      await bedSim.start();
    }

    // The dashboard, built in this checkout's VIGIL_DASHBOARD_DIST_DIR, pointed at this cloud.
    dashboard = spawn(process.execPath, [join(root, 'node_modules/next/dist/bin/next'), 'start', '-p', String(dashboardPort), '-H', '127.0.0.1'], {
      cwd: join(root, 'dashboard'),
      env: { ...process.env, VIGIL_DASHBOARD_CLOUD_URL: cloudUrl, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    dashboard.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    dashboard.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const dashboardUrl = `http://127.0.0.1:${dashboardPort}`;
    await waitForHttp(`${dashboardUrl}/login`, 60_000, once(dashboard, 'exit'));

    return {
      cloud,
      edge,
      ward,
      wardId: WARD,
      cloudUrl,
      dashboardUrl,
      credentials: USER,
      token,
      historyStart,
      liveStart,
      output: () => output,
      async stopBed(bedId: string) {
        await liveBeds.get(bedId)?.close();
        liveBeds.delete(bedId);
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
