/**
 * The live runner drives the same ward model over MQTT on the virtual clock: in real time one step per second,
 * accelerated N steps per second, with event times following the simulated clock, not the wall clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Aedes, type AedesPublishPacket } from 'aedes';
import { serveBroker } from '@vigil/contracts/mqtt-node';
import type { DeviceCredential, VitalsSample } from '@vigil/contracts';
import { createLiveSimulator, type LiveSimulator } from '../src/live-simulator.ts';

const credentials: DeviceCredential[] = [1, 2].map((i) => ({
  deviceId: `dev-${i}`, deviceType: 'icu-monitor', secret: 'x'.repeat(43), patientId: `pt-${i}`, bedId: `bed-0${i}`, wardId: 'ward-t',
}));

async function broker() {
  const aedes = await Aedes.createBroker();
  const samples: VitalsSample[] = [];
  aedes.on('publish', (packet: AedesPublishPacket) => {
    if (packet.topic.endsWith('/vitals')) samples.push(JSON.parse(packet.payload.toString()) as VitalsSample);
  });
  const listener = serveBroker(aedes);
  const port = await listener.listen(0, '127.0.0.1');
  return { url: `mqtt://127.0.0.1:${port}`, samples, close: listener.close };
}

describe('createLiveSimulator', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('accelerated ×30 runs ~30 simulated seconds per wall second, with simulated event times', async () => {
    const b = await broker();
    cleanups.push(b.close);
    const start = Date.UTC(2026, 0, 1);
    const sim: LiveSimulator = createLiveSimulator({ brokerUrl: b.url, credentials, seed: 'acc', artifacts: 'none', clock: { kind: 'accelerated', speed: 30 }, start });
    cleanups.push(() => sim.close());
    await sim.start();
    const wallStart = Date.now();
    await new Promise((r) => setTimeout(r, 2000));
    const wall = (Date.now() - wallStart) / 1000;
    const ts = b.samples.filter((s) => s.deviceId === 'dev-1').map((s) => s.t);
    const simulatedS = (Math.max(...ts) - start) / 1000;
    // Paced, not free-running (the upper bound); the lower bound is loose: this machine is shared.
    expect(simulatedS / wall).toBeGreaterThan(5);
    expect(simulatedS / wall).toBeLessThan(40);
    expect(Math.min(...ts)).toBe(start);
    // Consecutive seqs at 1 s event-time spacing: nothing skipped at speed.
    const seqs = b.samples.filter((s) => s.deviceId === 'dev-1').map((s) => s.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
  });

  it('real time: one sample per device per second, on the wall clock', async () => {
    const b = await broker();
    cleanups.push(b.close);
    const sim = createLiveSimulator({ brokerUrl: b.url, credentials, seed: 'rt', artifacts: 'none' });
    cleanups.push(() => sim.close());
    await sim.start();
    await new Promise((r) => setTimeout(r, 2500));
    const dev1 = b.samples.filter((s) => s.deviceId === 'dev-1');
    expect(dev1.length).toBeGreaterThanOrEqual(2);
    expect(dev1.length).toBeLessThanOrEqual(4);
    for (const s of dev1) expect(Math.abs(s.t - Date.now())).toBeLessThan(5000);
    expect(sim.stats().lateSteps).toBe(0);
  });
});
