/**
 * The malformed-input corpora against a whole ward (edge + cloud, in process), while a clean device publishes
 * through the edge to the cloud at the same time:
 *   - every bad device payload is rejected by the edge and counted under its reason
 *     (vigil_edge_messages_rejected_total), the device keeps its connection;
 *   - every bad uplink message from a registered gateway (of another ward) is rejected by the cloud's uplink and
 *     counted under its reason (vigil_cloud_uplink_rejected_total), the gateway keeps its connection;
 *   - the clean device loses nothing: every one of its samples is stored in the cloud exactly once.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type VitalsSample } from '@vigil/contracts';
import { waitFor } from '../support/in-process-stack.ts';
import { malformedCorpus, malformedUplinkCorpus } from '../support/malformed-corpus.ts';
import { byReason, delta, startSecurityStack, type SecurityStack } from '../support/security-stack.ts';

const CLEAN_SAMPLES = 600;

const tally = (cases: Array<{ expect: string }>) => {
  const out: Record<string, number> = {};
  for (const c of cases) if (c.expect !== 'accepted' && c.expect !== 'duplicate') out[c.expect] = (out[c.expect] ?? 0) + 1;
  return out;
};

describe('malformed input beside a clean stream', () => {
  let stack: SecurityStack;

  beforeAll(async () => {
    stack = await startSecurityStack({ beds: 2, extraGateways: 2 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('rejects every corpus entry at the edge and at the cloud uplink with its reason; the clean device loses nothing', async () => {
    const [bad, clean] = stack.ward.credentials.devices as [typeof stack.ward.credentials.devices[0], typeof stack.ward.credentials.devices[0]];
    const gateway = stack.extraGateways[0]!;
    const edgeCorpus = malformedCorpus(bad.deviceId, Date.now(), 100);
    const uplinkCorpus = malformedUplinkCorpus(gateway.gatewayId, gateway.wardId, { wardId: stack.ward.gateway.wardId, gatewayId: stack.extraGateways[1]!.gatewayId }, Date.now());
    expect(new Set(edgeCorpus.map((c) => c.name)).size).toBe(edgeCorpus.length);
    expect(new Set(uplinkCorpus.map((c) => c.name)).size).toBe(uplinkCorpus.length);
    expect(edgeCorpus.length).toBeGreaterThanOrEqual(30);
    expect(uplinkCorpus.length).toBeGreaterThanOrEqual(30);

    const edgeUrl = `mqtt://127.0.0.1:${stack.edgePort}`;
    const attacker = await mqtt.connectAsync(edgeUrl, { clientId: bad.deviceId, username: bad.deviceId, password: bad.secret, protocolVersion: 4 });
    const device = await mqtt.connectAsync(edgeUrl, { clientId: clean.deviceId, username: clean.deviceId, password: clean.secret, protocolVersion: 4 });
    const rogue = await mqtt.connectAsync(`mqtt://127.0.0.1:${stack.uplinkPort}`, { clientId: gateway.gatewayId, username: gateway.gatewayId, password: gateway.secret, protocolVersion: 4 });
    const cloudBefore = await byReason(stack.cloud.metrics.rejected);
    const duplicatesBefore = (await stack.cloud.metrics.duplicates.get()).values[0]?.value ?? 0;

    const t0 = Date.now() - CLEAN_SAMPLES * 10;
    const cleanSends: Array<Promise<unknown>> = [];
    let next = 0;
    const sendClean = (count: number) => {
      for (let i = 0; i < count && next < CLEAN_SAMPLES; i++, next++) {
        const sample: VitalsSample = { v: 1, deviceId: clean.deviceId, bootId: 'boot-clean', seq: next, t: t0 + next * 10, vitals: { hr: 60 + (next % 30), spo2: 97 } };
        cleanSends.push(device.publishAsync(topics.deviceVitals(clean.deviceId), JSON.stringify(sample), { qos: 1 }));
      }
    };
    // Interleave: some clean samples, one bad device message, one bad uplink message, and so on.
    const rounds = Math.max(edgeCorpus.length, uplinkCorpus.length);
    for (let i = 0; i < rounds; i++) {
      sendClean(Math.ceil(CLEAN_SAMPLES / rounds));
      const entry = edgeCorpus[i];
      if (entry) await attacker.publishAsync(`vigil/v1/dev/${bad.deviceId}/${entry.channel}`, entry.payload, { qos: 1 });
      const up = uplinkCorpus[i];
      if (up) await rogue.publishAsync(up.channel === 'uplink' ? topics.gatewayUplink(gateway.gatewayId) : topics.gatewayStatus(gateway.gatewayId), up.payload, { qos: 1 });
    }
    sendClean(CLEAN_SAMPLES);
    await Promise.all(cleanSends);
    // Content rejections do not cost the device or the gateway its connection.
    expect(attacker.connected).toBe(true);
    expect(rogue.connected).toBe(true);
    await attacker.endAsync();
    await rogue.endAsync();
    await device.endAsync();

    // Every rejection counted under its reason, at the edge and at the cloud.
    expect(await byReason(stack.edge.metrics.messagesRejected)).toEqual(tally(edgeCorpus));
    expect((await stack.edge.metrics.duplicates.get()).values[0]?.value).toBe(edgeCorpus.filter((c) => c.expect === 'duplicate').length);
    expect(delta(await byReason(stack.cloud.metrics.rejected), cloudBefore)).toEqual(tally(uplinkCorpus));
    expect(((await stack.cloud.metrics.duplicates.get()).values[0]?.value ?? 0) - duplicatesBefore).toBe(uplinkCorpus.filter((c) => c.expect === 'duplicate').length);

    // The clean stream: all stored in the cloud, once each.
    await waitFor('every clean sample in the cloud', async () => (await stack.storedOf(clean.deviceId)).n >= CLEAN_SAMPLES, 30_000);
    expect(await stack.storedOf(clean.deviceId)).toEqual({ n: CLEAN_SAMPLES, d: CLEAN_SAMPLES });
    // Of the bad device and the rogue gateway, only the valid entries of the corpora.
    expect((await stack.storedOf(bad.deviceId)).n).toBe(edgeCorpus.filter((c) => c.expect === 'accepted').length);
    expect((await stack.storedOf('x-mon-01')).n).toBe(uplinkCorpus.filter((c) => c.expect === 'accepted').length);
  }, 90_000);
});
