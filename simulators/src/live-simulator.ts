/**
 * A simulated ward on the wire: the same ward model as the file generator, each device on its own MQTT connection
 * (see transport/mqtt-device-link.ts), driven by the virtual clock in real time or accelerated.
 */
import type { Logger } from 'pino';
import type { DeviceCredential, SessionDevice } from '@vigil/contracts';
import { createClock, type ClockMode } from './clock.ts';
import { MqttDeviceLink, type LinkStats } from './transport/mqtt-device-link.ts';
import { buildWard, type WardOptions } from './ward.ts';

export interface LiveSimulatorOptions extends Omit<WardOptions, 'devices' | 'start' | 'end' | 'bootIds'> {
  brokerUrl: string;
  credentials: readonly DeviceCredential[];
  clock?: ClockMode;
  /** Event time of the first step (default: now, aligned to the step). */
  start?: number;
  /** Scenario and artifact placement horizon, ms (default 24 h). */
  horizonMs?: number;
  stepMs?: number;
  logger?: Logger;
  /** Called when the broker acknowledges a message, with the publish → PUBACK time (benchmarks). */
  onAck?: (latencyMs: number) => void;
}

export interface LiveSimulator {
  start(): Promise<void>;
  close(): Promise<void>;
  stats(): { devices: number; steps: number; lateSteps: number; links: LinkStats };
  groundTruth(): ReturnType<typeof buildWard>['truth'];
}

export function createLiveSimulator(options: LiveSimulatorOptions): LiveSimulator {
  const stepMs = options.stepMs ?? 1000;
  const start = options.start ?? Math.floor(Date.now() / stepMs) * stepMs;
  const devices: SessionDevice[] = options.credentials.map((c) => ({ deviceId: c.deviceId, deviceType: c.deviceType, patientId: c.patientId, bedId: c.bedId, wardId: c.wardId }));
  const ward = buildWard({ ...options, devices, start, end: start + (options.horizonMs ?? 24 * 3_600_000), bootIds: 'random' });
  const links = ward.generators.map(
    (g, i) =>
      new MqttDeviceLink({
        brokerUrl: options.brokerUrl,
        credential: options.credentials[i]!,
        bootId: g.bootId,
        ...(options.onAck ? { onAck: (_m: unknown, ms: number) => options.onAck!(ms) } : {}),
      }),
  );
  // A live ward starting now runs its steps on the wall clock's own second boundaries.
  const clock = createClock(options.clock ?? { kind: 'realtime' }, start, Date.now, options.start === undefined ? start : Date.now());
  let running = false;
  let loop: Promise<void> | undefined;
  let steps = 0;
  let lateSteps = 0;

  async function run(): Promise<void> {
    for (let t = start; running; t += stepMs) {
      await clock.waitUntil(t);
      if (!running) break;
      // A step that runs more than one step after it was due means the process cannot keep up (benchmarks report it).
      if (clock.mode.kind !== 'fast' && Date.now() - clock.due(t) > stepMs) lateSteps++;
      for (let i = 0; i < ward.generators.length; i++) {
        for (const message of ward.generators[i]!.advance(t)) links[i]!.send(message);
      }
      steps++;
    }
  }

  return {
    async start() {
      await Promise.all(links.map((l) => l.connect()));
      running = true;
      loop = run();
      options.logger?.info({ devices: links.length, patients: ward.patients.length, truth: ward.truth.length, clock: clock.mode }, 'simulator started');
    },
    async close() {
      running = false;
      await loop;
      await Promise.all(links.map((l) => l.close()));
    },
    stats() {
      const total: LinkStats = { sent: 0, acked: 0, dropped: 0, failed: 0 };
      for (const l of links) for (const k of Object.keys(total) as Array<keyof LinkStats>) total[k] += l.stats[k];
      return { devices: links.length, steps, lateSteps, links: total };
    },
    groundTruth() {
      return ward.truth;
    },
  };
}
