/**
 * The malformed-payload corpus against a whole ward (edge + cloud, in process): every bad message is rejected with
 * its counted reason, while a clean device publishing at the same time loses nothing — every one of its samples is
 * stored in the cloud exactly once.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type VitalsSample } from '@vigil/contracts';
import { startInProcessStack, waitFor, type InProcessStack } from '../support/in-process-stack.ts';
import { malformedCorpus } from '../support/malformed-corpus.ts';

const CLEAN_SAMPLES = 400;

describe('malformed payloads beside a clean stream', () => {
  let stack: InProcessStack;

  beforeAll(async () => {
    stack = await startInProcessStack({ beds: 2 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('rejects every corpus entry with its reason; the clean device loses nothing', async () => {
    const [bad, clean] = stack.ward.credentials.devices as [typeof stack.ward.credentials.devices[0], typeof stack.ward.credentials.devices[0]];
    const corpus = malformedCorpus(bad.deviceId, Date.now(), 100);
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    const attacker = await mqtt.connectAsync(stack.edgeUrl, { clientId: bad.deviceId, username: bad.deviceId, password: bad.secret, protocolVersion: 4 });
    const device = await mqtt.connectAsync(stack.edgeUrl, { clientId: clean.deviceId, username: clean.deviceId, password: clean.secret, protocolVersion: 4 });

    const t0 = Date.now() - CLEAN_SAMPLES * 10;
    const cleanSends: Array<Promise<unknown>> = [];
    let next = 0;
    const sendClean = (count: number) => {
      for (let i = 0; i < count && next < CLEAN_SAMPLES; i++, next++) {
        const sample: VitalsSample = { v: 1, deviceId: clean.deviceId, bootId: 'boot-clean', seq: next, t: t0 + next * 10, vitals: { hr: 60 + (next % 30), spo2: 97 } };
        cleanSends.push(device.publishAsync(topics.deviceVitals(clean.deviceId), JSON.stringify(sample), { qos: 1 }));
      }
    };
    // Interleave: some clean samples, one bad message, and so on.
    for (const entry of corpus) {
      sendClean(Math.ceil(CLEAN_SAMPLES / corpus.length));
      await attacker.publishAsync(`vigil/v1/dev/${bad.deviceId}/${entry.channel}`, entry.payload, { qos: 1 });
    }
    sendClean(CLEAN_SAMPLES);
    await Promise.all(cleanSends);
    expect(attacker.connected).toBe(true); // content rejections do not cost the device its connection
    await attacker.endAsync();
    await device.endAsync();

    // Every rejection counted under its reason.
    const expected: Record<string, number> = {};
    for (const entry of corpus) if (entry.expect !== 'accepted' && entry.expect !== 'duplicate') expected[entry.expect] = (expected[entry.expect] ?? 0) + 1;
    const rejected = Object.fromEntries((await stack.edge.metrics.messagesRejected.get()).values.map((v) => [String(v.labels.reason), v.value]));
    expect(rejected).toEqual(expected);
    expect((await stack.edge.metrics.duplicates.get()).values[0]?.value).toBe(corpus.filter((c) => c.expect === 'duplicate').length);

    // The clean stream: all stored in the cloud, once each.
    const count = async () => (await stack.query<{ n: number; d: number }>('SELECT count(*) AS n, count(DISTINCT seq) AS d FROM samples WHERE device_id = ?', [clean.deviceId]))[0]!;
    await waitFor('every clean sample in the cloud', async () => (await count()).n >= CLEAN_SAMPLES, 20_000);
    expect(await count()).toEqual({ n: CLEAN_SAMPLES, d: CLEAN_SAMPLES });
    // Of the bad device, only the one valid sample of the corpus.
    const [badStored] = await stack.query<{ n: number }>('SELECT count(*) AS n FROM samples WHERE device_id = ?', [bad.deviceId]);
    expect(badStored!.n).toBe(corpus.filter((c) => c.expect === 'accepted').length);
  }, 60_000);
});
