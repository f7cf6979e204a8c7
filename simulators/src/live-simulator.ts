/**
 * A simulated ward on the wire: the same ward model as the file generator, each device on its own MQTT connection
 * (see transport/mqtt-device-link.ts), driven by the virtual clock in real time or accelerated.
 *
 * Phase: real devices are not synchronised to the wall clock's second, so in real time by default ('spread') each
 * device sends at its own seeded offset within the step (see `phaseSpread` in ward.ts) instead of all at once:
 * 2,000 devices at 1 Hz are then ~2 messages per ms, not a burst of 2,000 every second. A device measures, then
 * sends: a message's event time is the moment it is sent. 'aligned' sends every device's messages at the step boundary.
 */
import type { Logger } from 'pino';
import type { DeviceCredential, SessionDevice } from '@vigil/contracts';
import { createClock, type ClockMode } from './clock.ts';
import { MqttDeviceLink, type LinkStats } from './transport/mqtt-device-link.ts';
import { buildWard, type WardOptions } from './ward.ts';

export interface LiveSimulatorOptions extends Omit<WardOptions, 'devices' | 'start' | 'end' | 'bootIds' | 'phaseSpread'> {
  brokerUrl: string;
  credentials: readonly DeviceCredential[];
  clock?: ClockMode;
  /** Event time of the first step (default: now, aligned to the step). */
  start?: number;
  /** Scenario and artifact placement horizon, ms (default 24 h). */
  horizonMs?: number;
  stepMs?: number;
  /**
   * 'spread': each device at its own offset within the step; 'aligned': all at the step boundary, event times on the
   * step grid as in session files. Default: 'spread' in real time (a live ward), 'aligned' accelerated or fast, where
   * a step lasts a few wall ms at most and the run replays simulated time rather than loading a gateway like a ward.
   */
  phase?: 'spread' | 'aligned';
  /** Resolution of the spread phases, ms of event time (default 1). */
  phaseSlotMs?: number;
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
  const clockMode = options.clock ?? { kind: 'realtime' };
  const slotMs = options.phaseSlotMs ?? 1;
  if (!(slotMs > 0 && slotMs <= stepMs)) throw new Error(`phaseSlotMs must be in (0, stepMs], got ${slotMs}`);
  const phase = options.phase ?? (clockMode.kind === 'realtime' ? 'spread' : 'aligned');
  const phaseSpread = phase === 'spread' ? { withinMs: stepMs, slotMs } : undefined;
  const ward = buildWard({ ...options, devices, start, end: start + (options.horizonMs ?? 24 * 3_600_000), bootIds: 'random', ...(phaseSpread ? { phaseSpread } : {}) });
  // Devices grouped by phase, in phase order: one wake-up per distinct phase and step, not one per device.
  const byPhase = new Map<number, number[]>();
  ward.phases.forEach((p, i) => (byPhase.get(p) ?? byPhase.set(p, []).get(p)!).push(i));
  const slots = [...byPhase].sort(([a], [b]) => a - b).map(([offset, indices]) => ({ offset, devices: indices }));
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
  const clock = createClock(clockMode, start, Date.now, options.start === undefined ? start : Date.now());
  let running = false;
  let loop: Promise<void> | undefined;
  let steps = 0;
  let lateSteps = 0;

  /** Like clock.waitUntil, but no timer for less than 1 ms of wall time (Node would round it up to 1 ms). */
  function reach(t: number): Promise<void> | undefined {
    return clock.mode.kind !== 'fast' && clock.due(t) - Date.now() >= 1 ? clock.waitUntil(t) : undefined;
  }

  async function run(): Promise<void> {
    for (let t = start; running; t += stepMs) {
      for (const [n, slot] of slots.entries()) {
        const at = t + slot.offset;
        await reach(at);
        if (!running) return;
        // A step that starts more than one step after it was due means the process cannot keep up (benchmarks report it).
        if (n === 0 && clock.mode.kind !== 'fast' && Date.now() - clock.due(at) > stepMs) lateSteps++;
        for (const i of slot.devices) {
          for (const message of ward.generators[i]!.advance(at)) links[i]!.send(message);
        }
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
