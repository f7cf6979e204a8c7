/**
 * Device phase: live devices are not synchronised to the step, so a ward does not send in whole-second bursts; each
 * device keeps its seeded offset, and a message's event time is the moment it is sent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Aedes, type AedesPublishPacket } from 'aedes';
import { serveBroker } from '@vigil/contracts/mqtt-node';
import type { DeviceCredential, VitalsSample } from '@vigil/contracts';
import { createLiveSimulator } from '../src/live-simulator.ts';
import { buildWard, wardDevices } from '../src/ward.ts';

const credentials = (n: number): DeviceCredential[] =>
  wardDevices('ward-p', n, 0).map((d) => ({ ...d, deviceType: 'icu-monitor', secret: 'x'.repeat(43) }));

/** Samples as the broker receives them, with the wall time of receipt. */
async function broker() {
  const aedes = await Aedes.createBroker();
  const received: Array<{ sample: VitalsSample; at: number }> = [];
  aedes.on('publish', (packet: AedesPublishPacket) => {
    if (packet.topic.endsWith('/vitals')) received.push({ sample: JSON.parse(packet.payload.toString()) as VitalsSample, at: Date.now() });
  });
  const listener = serveBroker(aedes);
  const port = await listener.listen(0, '127.0.0.1');
  return { url: `mqtt://127.0.0.1:${port}`, received, close: listener.close };
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!;

describe('device phase', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('is seeded per device, within the step, and absent unless asked for (session files stay as they were)', () => {
    const devices = wardDevices('ward-p', 100, 10);
    const span = { start: Date.UTC(2026, 0, 1), end: Date.UTC(2026, 0, 2), seed: 's', artifacts: 'none' as const };
    const a = buildWard({ ...span, devices, phaseSpread: { withinMs: 1000, slotMs: 1 } }).phases;
    expect(buildWard({ ...span, devices, phaseSpread: { withinMs: 1000, slotMs: 1 } }).phases).toEqual(a);
    expect(a.every((p) => Number.isInteger(p) && p >= 0 && p < 1000)).toBe(true);
    expect(new Set(a).size).toBeGreaterThan(90);
    expect(buildWard({ ...span, devices, phaseSpread: { withinMs: 1000, slotMs: 10 } }).phases.every((p) => p % 10 === 0)).toBe(true);
    expect(buildWard({ ...span, devices }).phases.every((p) => p === 0)).toBe(true);
  });

  it('accelerated: 100 devices send across the whole step, not all at its start', async () => {
    const speed = 5; // one 1 s step = 200 wall ms
    const spans: Record<string, number[]> = {};
    for (const phase of ['spread', 'aligned'] as const) {
      const b = await broker();
      cleanups.push(b.close);
      const start = Date.UTC(2026, 0, 1);
      const sim = createLiveSimulator({ brokerUrl: b.url, credentials: credentials(100), seed: 'phase', artifacts: 'none', clock: { kind: 'accelerated', speed }, start, phase });
      cleanups.push(() => sim.close());
      await sim.start();
      await new Promise((r) => setTimeout(r, 1500));
      await sim.close();
      // Event times: one per device and step, the devices' offsets spread over the step.
      const offsets = b.received.map((r) => (r.sample.t - start) % 1000);
      if (phase === 'spread') {
        const deciles = new Array(10).fill(0) as number[];
        for (const o of offsets) deciles[Math.floor(o / 100)]!++;
        expect(Math.min(...deciles)).toBeGreaterThan(0);
        expect(Math.max(...deciles) / offsets.length).toBeLessThan(0.25);
      } else {
        expect(offsets.every((o) => o === 0)).toBe(true);
      }
      // Send times: the wall-clock spread of one step's messages at the broker.
      const byStep = new Map<number, number[]>();
      for (const r of b.received) {
        const step = Math.floor((r.sample.t - start) / 1000);
        byStep.set(step, [...(byStep.get(step) ?? []), r.at]);
      }
      spans[phase] = [...byStep.values()].filter((ats) => ats.length === 100).map((ats) => Math.max(...ats) - Math.min(...ats));
      expect(spans[phase]!.length).toBeGreaterThanOrEqual(3);
    }
    // Spread: a step's 100 messages arrive over most of its 200 wall ms; aligned: in one burst.
    expect(quantile(spans.spread!, 0.5)).toBeGreaterThan(120);
    expect(quantile(spans.aligned!, 0.5)).toBeLessThan(quantile(spans.spread!, 0.5) / 2);
  });

  it('real time: a sample is sent at its event time', async () => {
    const b = await broker();
    cleanups.push(b.close);
    const sim = createLiveSimulator({ brokerUrl: b.url, credentials: credentials(20), seed: 'rt-phase', artifacts: 'none' });
    cleanups.push(() => sim.close());
    await sim.start();
    const began = Date.now();
    await new Promise((r) => setTimeout(r, 2500));
    await sim.close();
    // A ward starting now starts on the current second's boundary: what fell due while connecting is sent at once.
    const onTime = b.received.filter((r) => r.sample.t >= began);
    expect(onTime.length).toBeGreaterThanOrEqual(20);
    const lag = onTime.map((r) => r.at - r.sample.t);
    // Never before its event time (a wait under 1 ms is skipped); then on time, give or take a timer tick on a
    // shared machine.
    expect(Math.min(...lag)).toBeGreaterThanOrEqual(-1);
    expect(quantile(lag, 0.5)).toBeLessThanOrEqual(5);
    expect(quantile(lag, 0.9)).toBeLessThanOrEqual(20);
    const offsets = new Set(b.received.map((r) => r.sample.t % 1000));
    expect(offsets.size).toBeGreaterThan(10);
  });
});
