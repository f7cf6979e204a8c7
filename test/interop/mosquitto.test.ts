/**
 * Interoperability with a real, independent MQTT implementation (Debian's mosquitto):
 * - mosquitto_pub with a device's credentials publishes a sample that reaches the cloud's store;
 * - anonymous, wrong-secret and foreign-topic clients are refused, and nothing of theirs is stored;
 * - mosquitto_sub with a device's credentials cannot subscribe;
 * - the cloud runs against an external mosquitto as its uplink broker (a configuration away from embedded).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type VitalsSample } from '@vigil/contracts';
import { generateSecret } from '@vigil/contracts/credentials';
import { startInProcessStack, waitFor, type InProcessStack } from '../support/in-process-stack.ts';
import { startMosquitto, type RunningMosquitto } from '../support/mosquitto.ts';

const run = promisify(execFile);

interface Outcome {
  code: number;
  stderr: string;
}

async function mosquitto(tool: 'mosquitto_pub' | 'mosquitto_sub', args: string[]): Promise<Outcome> {
  try {
    const { stderr } = await run(tool, args, { timeout: 15_000 });
    return { code: 0, stderr };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stderr: e.stderr ?? '' };
  }
}

function sample(deviceId: string, seq: number, hr: number): string {
  const body: VitalsSample = { v: 1, deviceId, bootId: 'mosq-boot', seq, t: Date.now(), vitals: { hr } };
  return JSON.stringify(body);
}

describe.each([
  { uplink: 'embedded aedes' as const },
  { uplink: 'external mosquitto' as const },
])('mosquitto clients against the edge (cloud uplink: $uplink)', ({ uplink }) => {
  let stack: InProcessStack;
  let broker: RunningMosquitto | undefined;
  let device: { deviceId: string; secret: string; patientId: string };
  let port: string;

  beforeAll(async () => {
    stack = await startInProcessStack({
      beds: 2,
      ...(uplink === 'external mosquitto'
        ? {
            externalUplink: async (ward) => {
              const ingestSecret = generateSecret();
              const gw = ward.gateway.gatewayId;
              broker = await startMosquitto({
                users: { [gw]: ward.gateway.secret, 'vigil-cloud-ingest': ingestSecret },
                acl: [
                  `user ${gw}`,
                  `topic write vigil/v1/gw/${gw}/uplink`,
                  `topic write vigil/v1/gw/${gw}/status`,
                  `topic read vigil/v1/gw/${gw}/request`,
                  '',
                  'user vigil-cloud-ingest',
                  'topic read vigil/v1/gw/+/uplink',
                  'topic read vigil/v1/gw/+/status',
                  'topic write vigil/v1/gw/+/request',
                  '',
                ].join('\n'),
              });
              return { url: broker.url, ingestUsername: 'vigil-cloud-ingest', ingestSecret };
            },
          }
        : {}),
    });
    const credential = stack.ward.credentials.devices[0]!;
    device = { deviceId: credential.deviceId, secret: credential.secret, patientId: credential.patientId };
    port = String(stack.edge.ports.mqtt);
  });

  afterAll(async () => {
    await stack?.close();
    await broker?.stop();
  });

  const pubArgs = (extra: string[], topic: string, message: string) => ['-h', '127.0.0.1', '-p', port, '-q', '1', '-t', topic, '-m', message, ...extra];

  it('mosquitto_pub with the device credentials: the sample is stored in the cloud', async () => {
    const before = Date.now();
    const result = await mosquitto('mosquitto_pub', pubArgs(['-i', device.deviceId, '-u', device.deviceId, '-P', device.secret], topics.deviceVitals(device.deviceId), sample(device.deviceId, 1, 88)));
    expect(result).toEqual({ code: 0, stderr: '' });
    const stored = await waitFor('the sample in the cloud store', async () => {
      const rows = await stack.samplesOf(device.patientId, before, Date.now());
      return rows.length > 0 ? rows : undefined;
    });
    expect(stored).toMatchObject([{ deviceId: device.deviceId, bootId: 'mosq-boot', seq: 1, vitals: { hr: 88 } }]);
  });

  it.each([
    { name: 'anonymous', extra: () => ['-i', device.deviceId], message: /not authori[sz]ed/i },
    { name: 'wrong secret', extra: () => ['-i', device.deviceId, '-u', device.deviceId, '-P', generateSecret()], message: /bad user name or password|not authori[sz]ed/i },
    { name: 'client id of another device', extra: () => ['-i', 'someone-else', '-u', device.deviceId, '-P', device.secret], message: /identifier rejected/i },
  ])('$name is refused at CONNECT and stores nothing', async ({ extra, message }) => {
    const before = (await stack.countSamples());
    const result = await mosquitto('mosquitto_pub', pubArgs(extra(), topics.deviceVitals(device.deviceId), sample(device.deviceId, 99, 77)));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
    await new Promise((r) => setTimeout(r, 300));
    expect((await stack.countSamples())).toBe(before);
  });

  it('publishing as another device is refused (connection closed) and stores nothing', async () => {
    const other = stack.ward.credentials.devices[1]!;
    const before = (await stack.countSamples());
    await mosquitto('mosquitto_pub', pubArgs(['-i', device.deviceId, '-u', device.deviceId, '-P', device.secret], topics.deviceVitals(other.deviceId), sample(other.deviceId, 5, 66)));
    await new Promise((r) => setTimeout(r, 300));
    expect((await stack.countSamples())).toBe(before);
    const forbidden = await stack.edge.metrics.authFailures.get();
    expect(forbidden.values.find((v) => v.labels.reason === 'PM_ERR_TOPIC_FORBIDDEN')?.value).toBeGreaterThanOrEqual(1);
  });

  it('mosquitto_sub with the device credentials cannot subscribe', async () => {
    const refusals = async () =>
      (await stack.edge.metrics.authFailures.get()).values.find((v) => v.labels.reason === 'PM_ERR_SUBSCRIBE_FORBIDDEN')?.value ?? 0;
    const before = await refusals();
    const result = await mosquitto('mosquitto_sub', ['-h', '127.0.0.1', '-p', port, '-i', device.deviceId, '-u', device.deviceId, '-P', device.secret, '-t', topics.deviceVitals(device.deviceId), '-C', '1', '-W', '3']);
    // The broker answers SUBACK 0x80 [MQTT-3.9.3-2]; mosquitto_sub 2.0.11 reports it on stderr (and exits 0).
    expect(result.stderr).toMatch(/All subscription requests were denied/);
    expect(await refusals()).toBe(before + 1);
  });
});
