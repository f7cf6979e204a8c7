/**
 * Walking skeleton, in one process on ports 0: a device publishes over MQTT with its own credentials → the edge
 * validates and makes it durable → the uplink forwards → the cloud stores it in SQLite and pushes it on socket.io;
 * a heart rate beyond its limit for longer than the condition delay raises an alarm that reaches the ward room.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type { Alarm, ClientToServerEvents, ServerToClientEvents, VitalsUpdate, WardJoinReply } from '@vigil/contracts';
import { MqttDeviceLink } from '@vigil/simulators';
import { startInProcessStack, waitFor, type InProcessStack } from '../support/in-process-stack.ts';

describe('device → edge → cloud → socket.io', () => {
  let stack: InProcessStack;
  let client: Socket<ServerToClientEvents, ClientToServerEvents>;
  let link: MqttDeviceLink;
  let seq = 0;
  /** Publish one numerics sample as the device (QoS 1). */
  const device = {
    publish(t: number, vitals: Record<string, number>): void {
      link.send({ kind: 'message', sentAt: t, channel: 'vitals', message: { v: 1, deviceId: link.deviceId, bootId: 'boot-1', seq: seq++, t, vitals } });
    },
  };
  const vitals: VitalsUpdate[] = [];
  const alarms: Alarm[] = [];

  beforeAll(async () => {
    stack = await startInProcessStack({ beds: 2 });
    client = io(stack.cloudUrl, { transports: ['websocket'], auth: { token: await stack.token() } });
    client.on('vitals', (u) => vitals.push(u));
    client.on('alarm', (a) => alarms.push(a));
    const reply = await new Promise<WardJoinReply>((resolve) => client.emit('ward:join', { wardId: 'ward-t' }, resolve));
    expect(reply.ok).toBe(true);
    const credential = stack.ward.credentials.devices[0]!;
    link = new MqttDeviceLink({ brokerUrl: stack.edgeUrl, credential, bootId: 'boot-1' });
    await link.connect();
  });

  afterAll(async () => {
    client?.close();
    await link?.close();
    await stack?.close();
  });

  it('stores a published sample in SQLite and emits it to the ward room', async () => {
    const t = Date.now();
    device.publish(t, { hr: 77, spo2: 98 });
    const update = await waitFor('the vitals update', () => vitals.find((u) => u.t === t));
    // The first values of a new stream carry 'questionable': the edge has no established level to judge them by yet.
    expect(update).toMatchObject({ wardId: 'ward-t', bedId: 'bed-01', patientId: 'pt-ward-t-01', vitals: { hr: 77, spo2: 98 }, quality: { hr: 'questionable', spo2: 'questionable' } });
    const stored = await stack.samplesOf('pt-ward-t-01', t, t);
    expect(stored).toMatchObject([{ deviceId: 'ward-t-mon-01', bootId: 'boot-1', seq: 0, patientId: 'pt-ward-t-01', bedId: 'bed-01', t, late: false, vitals: { hr: 77, spo2: 98 } }]);
  });

  it('raises a heart-rate alarm only after the condition delay, in event time', async () => {
    const start = Date.now() + 5000; // event times after the first test's sample, one per second
    // A physiological ramp (an instant jump would be judged a spike by the edge's artifact filter), then 10 s high.
    for (const [i, hr] of [100, 110, 120, 130].entries()) device.publish(start - 4000 + i * 1000, { hr });
    for (let i = 0; i <= 9; i++) device.publish(start + i * 1000, { hr: 150 });
    await waitFor('ten high samples stored', async () => (await stack.samplesOf('pt-ward-t-01', start, start + 9000)).length === 10);
    expect(alarms).toHaveLength(0); // 9 s over the limit < 10 s condition delay
    device.publish(start + 10_000, { hr: 151 });
    const alarm = await waitFor('the HR_HIGH alarm', () => alarms.find((a) => a.code === 'HR_HIGH'));
    expect(alarm).toMatchObject({ state: 'active', priority: 'medium', kind: 'physiological', source: 'limit-rule', onsetAt: start, raisedAt: start + 10_000, bedId: 'bed-01' });
    expect(alarm.evidence).toMatchObject({ vital: 'hr', value: 151, limit: 130, comparator: '>', conditionDelayMs: 10_000 });

    // The condition ends: a non-latching alarm ends by itself.
    device.publish(start + 11_000, { hr: 90 });
    const ended = await waitFor('the alarm to end', () => alarms.find((a) => a.id === alarm.id && a.state === 'ended'));
    expect(ended.endedAt).toBe(start + 11_000);
  });

  it('serves the ward snapshot over REST with the newest values', async () => {
    const response = await fetch(`${stack.cloudUrl}/api/wards/ward-t`, { headers: { authorization: `Bearer ${await stack.token()}` } });
    expect(response.status).toBe(200);
    const snapshot = (await response.json()) as { beds: Array<{ bedId: string; latest: Record<string, { value: number }> }> };
    expect(snapshot.beds.find((b) => b.bedId === 'bed-01')?.latest.hr?.value).toBe(90);
    const missing = await fetch(`${stack.cloudUrl}/api/wards/nope`, { headers: { authorization: `Bearer ${await stack.token()}` } });
    // A ward the user is not assigned to is refused (whether it exists or not: no existence oracle).
    expect(missing.status).toBe(403);
    expect(await missing.json()).toMatchObject({ error: { code: 'PM_ERR_FORBIDDEN' } });
  });
});
