/**
 * A ward of simulated patients and their devices, publishing over MQTT in real time.
 * Factory + start/close, so tests and the CLI drive it the same way.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DeviceCredential } from '@vigil/contracts';
import { icuMonitor, wearable, type DeviceModel } from './device-models.ts';
import { drawBaseline, PatientPhysiology } from './physiology.ts';
import { Rng } from './rng.ts';
import { createScenarioEffect, type GroundTruthEpisode, type ScenarioSpec } from './scenarios.ts';
import { SimulatedDevice } from './simulated-device.ts';

export interface WardSimulatorOptions {
  brokerUrl: string;
  credentials: DeviceCredential[];
  seed: string;
  /** Scenario per bed id; beds not named are stable. */
  scenarios?: Record<string, ScenarioSpec>;
  /** Sample interval, ms (1 Hz numerics by default). */
  intervalMs?: number;
  /** `seeded` makes boot ids reproducible (for files); live devices draw a fresh one per start. */
  bootIds?: 'random' | 'seeded';
  now?: () => number;
  logger?: Logger;
}

export interface WardSimulator {
  start(): Promise<void>;
  close(): Promise<void>;
  /** Samples published so far, per device. */
  sent(): Record<string, number>;
  groundTruth(): Array<GroundTruthEpisode & { patientId: string; bedId: string }>;
}

interface Member {
  device: SimulatedDevice;
  model: DeviceModel;
  physiology: PatientPhysiology;
  noise: Rng;
}

export function createWardSimulator(options: WardSimulatorOptions): WardSimulator {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 1000;
  const rng = new Rng(options.seed);
  const startTime = Math.floor(now() / intervalMs) * intervalMs;
  const truth: Array<GroundTruthEpisode & { patientId: string; bedId: string }> = [];
  const patients = new Map<string, PatientPhysiology>();
  const members: Member[] = [];

  for (const credential of options.credentials) {
    let physiology = patients.get(credential.patientId);
    if (!physiology) {
      const patientRng = rng.fork(`patient:${credential.patientId}`);
      const spec = options.scenarios?.[credential.bedId];
      const effect = spec ? createScenarioEffect(spec, startTime) : null;
      if (effect) truth.push({ ...effect.episode, patientId: credential.patientId, bedId: credential.bedId });
      physiology = new PatientPhysiology(drawBaseline(patientRng), patientRng.fork('drift'), effect ? [effect] : []);
      patients.set(credential.patientId, physiology);
    }
    const deviceRng = rng.fork(`device:${credential.deviceId}`);
    const model = credential.deviceType === 'wearable' ? wearable(deviceRng.uniform(60, 100), 1.5, startTime) : icuMonitor;
    const bootId = options.bootIds === 'seeded' ? deviceRng.hex(8) : randomUUID();
    members.push({
      device: new SimulatedDevice({ brokerUrl: options.brokerUrl, credential, bootId, now }),
      model,
      physiology,
      noise: deviceRng.fork('noise'),
    });
  }

  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let publishErrors = 0;

  function tick(): void {
    if (stopped) return;
    const t = Math.floor(now() / intervalMs) * intervalMs;
    // A patient's state is computed once per tick, then measured by each of their devices.
    const states = new Map<PatientPhysiology, ReturnType<PatientPhysiology['at']>>();
    for (const m of members) {
      let state = states.get(m.physiology);
      if (!state) {
        state = m.physiology.at(t);
        states.set(m.physiology, state);
      }
      m.device.publish(t, m.model.measure(state, m.noise, t)).catch((err: Error) => {
        if (publishErrors++ % 100 === 0) options.logger?.warn({ deviceId: m.device.deviceId, err: err.message }, 'publish failed');
      });
    }
    const next = (Math.floor(now() / intervalMs) + 1) * intervalMs;
    timer = setTimeout(tick, Math.max(1, next - now()));
  }

  return {
    async start() {
      await Promise.all(members.map((m) => m.device.connect()));
      options.logger?.info({ devices: members.length, patients: patients.size, intervalMs }, 'simulator started');
      tick();
    },
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.all(members.map((m) => m.device.close()));
    },
    sent() {
      return Object.fromEntries(members.map((m) => [m.device.deviceId, m.device.sent]));
    },
    groundTruth() {
      return truth.slice();
    },
  };
}
