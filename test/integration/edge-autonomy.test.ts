/**
 * The edge on its own feet:
 * - raw waveforms stay at the edge (summaries go up) until the cloud asks for them or a local alarm is active;
 * - with the cloud unreachable, a critical limit alarm is raised locally and served by the edge's own ward view
 *   (token-protected REST and socket.io), and the lost link itself raises CLOUD_LINK_DOWN.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm, ClientToServerEvents, ServerToClientEvents, WardJoinReply, WardSnapshot } from '@vigil/contracts';
import { createEdgeGateway, DeviceDirectory, EdgeConfigSchema, provisionWard, type EdgeGateway } from '@vigil/edge';
import { MqttDeviceLink } from '@vigil/simulators';
import { startInProcessStack, waitFor, type InProcessStack } from '../support/in-process-stack.ts';

function ecgChunk(deviceId: string, seq: number, t: number) {
  const values = Array.from({ length: 250 }, (_, i) => Math.round(800 * Math.sin((2 * Math.PI * i) / 250)));
  return { v: 1 as const, deviceId, bootId: 'boot-w', seq, t, kind: 'ecg' as const, hz: 250, values };
}

describe('raw waveforms: summarised at the edge, forwarded on request or during an alarm', () => {
  let stack: InProcessStack;
  let link: MqttDeviceLink;
  let seq = 0;
  let numericSeq = 0;
  const t0 = Date.now() - 60_000;
  const waveRows = async (reason?: string) =>
    (await stack.query<{ n: number }>(`SELECT count(*) AS n FROM waves${reason ? ' WHERE reason = ?' : ''}`, reason ? [reason] : []))[0]!.n;
  const sendWaves = (n: number) => {
    for (let i = 0; i < n; i++, seq++) link.send({ kind: 'message', sentAt: t0 + seq * 1000, channel: 'wave', message: ecgChunk(link.deviceId, seq, t0 + seq * 1000) });
  };

  beforeAll(async () => {
    stack = await startInProcessStack({ beds: 2 });
    link = new MqttDeviceLink({ brokerUrl: stack.edgeUrl, credential: stack.ward.credentials.devices[0]!, bootId: 'boot-w' });
    await link.connect();
  });
  afterAll(async () => {
    await link?.close();
    await stack?.close();
  });

  it('sends summaries, not raw chunks, while nobody asked', async () => {
    sendWaves(8);
    await waitFor('waveform summaries in the cloud', async () => (await stack.query<{ n: number }>('SELECT count(*) AS n FROM wave_summaries'))[0]!.n >= 5);
    // The first window is pro-rated (the stream began inside it); the next one is whole.
    const summary = JSON.parse((await stack.query<{ body: string }>('SELECT body FROM wave_summaries ORDER BY start LIMIT 1 OFFSET 1'))[0]!.body);
    expect(summary).toMatchObject({ kind: 'ecg', hz: 250, count: 250, expected: 250, min: -800, max: 800, flat: false });
    expect(await waveRows()).toBe(0);
  });

  it('forwards the pre-roll and the following chunks once the cloud requests them', async () => {
    await stack.cloud.requestWaveforms('ward-t', stack.ward.credentials.devices[0]!.patientId, 60_000, 'test-clinician');
    await new Promise((r) => setTimeout(r, 200)); // the request travels cloud → broker → edge
    sendWaves(3);
    // Pre-roll: the edge keeps ~10 s; the 8 earlier chunks plus 3 new ones.
    await waitFor('11 raw chunks in the cloud', async () => (await waveRows('request')) >= 11);
    expect(await waveRows('request')).toBe(11);
  });

  it('a local physiological alarm opens the patient\u2019s waveforms with reason "alarm"', async () => {
    const credential = stack.ward.credentials.devices[1]!;
    const other = new MqttDeviceLink({ brokerUrl: stack.edgeUrl, credential, bootId: 'boot-a' });
    await other.connect();
    try {
      const start = Date.now() - 30_000;
      const chunk = (i: number) => ({ ...ecgChunk(credential.deviceId, i, start + i * 1000), bootId: 'boot-a' });
      // A slow fall of the heart rate to 35 /min: HR_LOW (< 40, 5 s condition delay, a critical limit at the edge).
      const hr = [60, 55, 50, 45, 41, 35, 35, 35, 35, 35, 35, 35, 35];
      hr.forEach((value, i) => {
        other.send({ kind: 'message', sentAt: start + i * 1000, channel: 'wave', message: chunk(i) });
        other.send({ kind: 'message', sentAt: start + i * 1000, channel: 'vitals', message: { v: 1, deviceId: credential.deviceId, bootId: 'boot-a', seq: numericSeq++, t: start + i * 1000, vitals: { hr: value } } });
      });
      const edgeAlarm = await waitFor('the edge HR_LOW alarm', () => stack.edge.local.alarms.open().find((a) => a.patientId === credential.patientId && a.source === 'edge-limit'));
      expect(edgeAlarm).toMatchObject({ code: 'HR_LOW', priority: 'high', latching: true, state: 'active', onsetAt: start + 5000, raisedAt: start + 10_000 });
      await waitFor('raw chunks forwarded for the alarm', async () => (await waveRows('alarm')) > 0);
      // The alarm report reached the cloud too.
      await waitFor('the edge alarm report in the cloud', async () => (await stack.query<{ n: number }>('SELECT count(*) AS n FROM edge_alarm_reports WHERE alarm_id = ?', [edgeAlarm.id]))[0]!.n >= 1);
    } finally {
      await other.close();
    }
  });
});

describe('cloud unreachable: the edge alarms and serves the ward itself', () => {
  const token = 'local-view-token-for-tests-0123456789';
  const ward = provisionWard({ wardId: 'ward-o', gatewayId: 'gw-ward-o', beds: 2, wearableBeds: 0 });
  let dir: string;
  let edge: EdgeGateway;
  let link: MqttDeviceLink;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-autonomy-'));
    edge = await createEdgeGateway({
      config: EdgeConfigSchema.parse({
        gatewayId: ward.gateway.gatewayId,
        wardId: 'ward-o',
        mqttPort: 0,
        httpPort: 0,
        dataDir: join(dir, 'edge'),
        uplinkUrl: 'mqtt://127.0.0.1:9', // nothing listens: the cloud is unreachable from the start
        localViewToken: token,
        linkDownDelayMs: 1500,
        recorder: false,
      }),
      directory: new DeviceDirectory(ward.registry),
      logger: pino({ level: 'silent' }),
    });
    await edge.start();
    link = new MqttDeviceLink({ brokerUrl: `mqtt://127.0.0.1:${edge.ports.mqtt}`, credential: ward.credentials.devices[0]!, bootId: 'boot-o' });
    await link.connect();
  });
  afterAll(async () => {
    await link?.close();
    await edge?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('raises SPO2_LOW locally, pushes it to a local-view client and serves it over REST; refuses clients without the token', async () => {
    const base = `http://127.0.0.1:${edge.ports.http}`;
    expect((await fetch(`${base}/api/wards/ward-o`)).status).toBe(401);
    const refused = io(base, { transports: ['websocket'], reconnection: false });
    const refusal = await new Promise<string>((resolve) => refused.on('connect_error', (err) => resolve(err.message)));
    expect(refusal).toMatch(/token/);
    refused.close();

    const client = io(base, { transports: ['websocket'], auth: { token } }) as import('socket.io-client').Socket<ServerToClientEvents, ClientToServerEvents>;
    const pushed: Alarm[] = [];
    client.on('alarm', (a) => pushed.push(a));
    const reply = await new Promise<WardJoinReply>((resolve) => client.emit('ward:join', { wardId: 'ward-o' }, resolve));
    expect(reply.ok).toBe(true);
    try {
      const credential = ward.credentials.devices[0]!;
      const start = Date.now() - 40_000;
      // SpO2 drifting down to 85 %: SPO2_LOW (< 90 %, 15 s condition delay).
      const spo2 = [96, 95, 93, 91, 89, ...Array.from({ length: 17 }, () => 85)];
      spo2.forEach((value, i) =>
        link.send({ kind: 'message', sentAt: start + i * 1000, channel: 'vitals', message: { v: 1, deviceId: credential.deviceId, bootId: 'boot-o', seq: i, t: start + i * 1000, vitals: { spo2: value, hr: 80 } } }),
      );
      const alarm = await waitFor('SPO2_LOW pushed by the local view', () => pushed.find((a) => a.code === 'SPO2_LOW'));
      expect(alarm).toMatchObject({ source: 'edge-limit', priority: 'high', state: 'active', bedId: credential.bedId, onsetAt: start + 4000, raisedAt: start + 19_000 });
      const snapshot = (await (await fetch(`${base}/api/wards/ward-o`, { headers: { authorization: `Bearer ${token}` } })).json()) as WardSnapshot;
      expect(snapshot.alarms.map((a) => a.code)).toEqual(expect.arrayContaining(['SPO2_LOW']));
      expect(snapshot.beds.find((b) => b.bedId === credential.bedId)?.latest.spo2?.value).toBe(85);
      // The lost link to the cloud is itself a technical alarm (IEC 60601-1-8, distributed alarm system).
      const linkDown = await waitFor('CLOUD_LINK_DOWN', () => edge.local.alarms.open().find((a) => a.code === 'CLOUD_LINK_DOWN'), 10_000);
      expect(linkDown).toMatchObject({ kind: 'technical', bedId: 'ward' });
      // Everything waits in the durable outbox for the cloud.
      expect(edge.outbox.size).toBeGreaterThanOrEqual(spo2.length);
    } finally {
      client.close();
    }
  });
});
