/**
 * The simulated device's radio behaviour against a real aedes broker that goes away and comes back:
 * buffered in order across the outage, bounded with drop-oldest, QoS by message class, Last Will on power loss.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Aedes } from 'aedes';
import type { AedesPublishPacket } from 'aedes';
import { serveBroker } from '@vigil/contracts/mqtt-node';
import type { DeviceCredential, SessionMessage } from '@vigil/contracts';
import { MqttDeviceLink } from '../../src/transport/mqtt-device-link.ts';

const credential: DeviceCredential = { deviceId: 'dev-1', deviceType: 'icu-monitor', secret: 'x'.repeat(43), patientId: 'pt-1', bedId: 'bed-01', wardId: 'ward-t' };

function sample(seq: number): SessionMessage {
  return { kind: 'message', sentAt: 1_000 + seq, channel: 'vitals', message: { v: 1, deviceId: 'dev-1', bootId: 'b1', seq, t: 1_000 + seq, vitals: { hr: 70 } } };
}

async function startBroker(port = 0) {
  const aedes = await Aedes.createBroker();
  const received: AedesPublishPacket[] = [];
  aedes.on('publish', (packet, client) => {
    if (client || packet.topic.startsWith('vigil/')) received.push(packet);
  });
  const listener = serveBroker(aedes);
  const bound = await listener.listen(port, '127.0.0.1');
  return { port: bound, received, close: listener.close };
}

async function until(what: string, check: () => boolean, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const seqs = (packets: AedesPublishPacket[]) =>
  packets.filter((p) => p.topic.endsWith('/vitals')).map((p) => (JSON.parse(p.payload.toString()) as { seq: number }).seq);

describe('MqttDeviceLink', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('buffers while the broker is away and delivers in order after the reconnect', async () => {
    let broker = await startBroker();
    const port = broker.port;
    const link = new MqttDeviceLink({ brokerUrl: `mqtt://127.0.0.1:${port}`, credential, bootId: 'b1' });
    cleanups.push(() => link.close());
    await link.connect();
    link.send(sample(0));
    await until('seq 0', () => seqs(broker.received).includes(0));
    await broker.close();
    await until('disconnect noticed', () => !link.connected);
    for (let seq = 1; seq <= 5; seq++) link.send(sample(seq));
    expect(link.stats.dropped).toBe(0);
    broker = await startBroker(port);
    cleanups.push(() => broker.close());
    await until('buffered samples', () => seqs(broker.received).length >= 5);
    expect(seqs(broker.received)).toEqual([1, 2, 3, 4, 5]);
    await until('all six acknowledged', () => link.stats.acked === 6); // the broker sees a message before its PUBACK reaches the device
    expect(link.stats).toMatchObject({ sent: 6, acked: 6, dropped: 0, failed: 0 });
  });

  it('keeps only the newest `bufferLimit` messages during a long outage, counting the rest as dropped', async () => {
    let broker = await startBroker();
    const port = broker.port;
    const link = new MqttDeviceLink({ brokerUrl: `mqtt://127.0.0.1:${port}`, credential, bootId: 'b1', bufferLimit: 3 });
    cleanups.push(() => link.close());
    await link.connect();
    await broker.close();
    await until('disconnect noticed', () => !link.connected);
    for (let seq = 0; seq < 8; seq++) link.send(sample(seq));
    expect(link.stats.dropped).toBe(5);
    broker = await startBroker(port);
    cleanups.push(() => broker.close());
    await until('the 3 newest', () => seqs(broker.received).length >= 3);
    await new Promise((r) => setTimeout(r, 200));
    expect(seqs(broker.received)).toEqual([5, 6, 7]);
  });

  it('sends numerics with QoS 1 and waveform chunks with QoS 0, and does not buffer waveforms', async () => {
    const broker = await startBroker();
    cleanups.push(() => broker.close());
    const link = new MqttDeviceLink({ brokerUrl: `mqtt://127.0.0.1:${broker.port}`, credential, bootId: 'b1' });
    cleanups.push(() => link.close());
    await link.connect();
    link.send(sample(0));
    link.send({ kind: 'message', sentAt: 1000, channel: 'status', message: { v: 1, deviceId: 'dev-1', bootId: 'b1', t: 1000, state: 'online', reason: 'startup' } });
    link.send({ kind: 'message', sentAt: 1000, channel: 'wave', message: { v: 1, deviceId: 'dev-1', bootId: 'b1', seq: 1, t: 1000, kind: 'ecg', hz: 250, values: [0, 1, 2] } });
    await until('both', () => broker.received.filter((p) => p.topic.startsWith('vigil/v1/dev/dev-1/')).length >= 3);
    const qos = Object.fromEntries(broker.received.map((p) => [p.topic.split('/').pop(), p.qos]));
    expect(qos).toMatchObject({ vitals: 1, wave: 0, status: 1 });
  });

  it('a dying device drops its connection without DISCONNECT, so the broker publishes its Last Will', async () => {
    const broker = await startBroker();
    cleanups.push(() => broker.close());
    const link = new MqttDeviceLink({ brokerUrl: `mqtt://127.0.0.1:${broker.port}`, credential, bootId: 'b1' });
    cleanups.push(() => link.close());
    await link.connect();
    link.send({ kind: 'message', sentAt: 2000, channel: 'status', message: { v: 1, deviceId: 'dev-1', bootId: 'b1', t: 2000, state: 'offline', reason: 'connection_lost', battery: 0 } });
    await until('the Last Will', () => broker.received.some((p) => p.topic === 'vigil/v1/dev/dev-1/status' && p.payload.toString().includes('connection_lost')));
    link.send(sample(9)); // a dead device sends nothing more
    await new Promise((r) => setTimeout(r, 200));
    expect(seqs(broker.received)).toEqual([]);
  });
  it('keeps and resends what a refusing broker never acknowledged (connection closed during the replay)', async () => {
    // A gateway whose disk is full refuses each publish by closing the connection (edge/src/device-broker.ts); the
    // device reconnects every second and MQTT.js replays its unacknowledged messages, then fails those published
    // meanwhile with 'Connection closed'. None may be lost: they go back into the ring.
    const aedes = await Aedes.createBroker();
    let refusing = true;
    const accepted = new Set<number>();
    aedes.authorizePublish = (_client, packet, done) => {
      // Refused after a moment, as a failed group commit is (the device keeps publishing meanwhile).
      if (refusing && packet.topic.endsWith('/vitals')) return void setTimeout(() => done(new Error('store failed')), 50);
      if (packet.topic.endsWith('/vitals')) accepted.add((JSON.parse(packet.payload.toString()) as { seq: number }).seq);
      done(null);
    };
    const listener = serveBroker(aedes);
    const port = await listener.listen(0, '127.0.0.1');
    cleanups.push(async () => {
      await listener.close();
    });
    const link = new MqttDeviceLink({ brokerUrl: `mqtt://127.0.0.1:${port}`, credential, bootId: 'b1' });
    cleanups.push(() => link.close());
    await link.connect();
    let seq = 0;
    const timer = setInterval(() => link.send(sample(seq++)), 10);
    await new Promise((r) => setTimeout(r, 3_500));
    refusing = false;
    await new Promise((r) => setTimeout(r, 500));
    clearInterval(timer);
    const sent = seq;
    await until('every sample acknowledged or failed', () => link.stats.acked + link.stats.failed >= sent, 15_000);
    expect(link.stats.failed).toBe(0);
    expect(link.stats.dropped).toBe(0);
    expect([...accepted].sort((a, b) => a - b)).toEqual(Array.from({ length: sent }, (_, i) => i));
  }, 30_000);
});
