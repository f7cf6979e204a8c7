/**
 * The device broker's security rules, against a real gateway on port 0: every refusal with its code, counted, and
 * nothing of the refused client stored. TLS with client certificates uses certificates made by openssl here.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type DeviceCredential, type VitalsSample } from '@vigil/contracts';
import { createEdgeGateway, type EdgeGateway } from '../src/edge-gateway.ts';
import { EdgeConfigSchema } from '../src/config.ts';
import { DeviceDirectory } from '../src/device-registry.ts';
import { provisionWard } from '../src/provisioning.ts';

const ward = provisionWard({ wardId: 'ward-s', gatewayId: 'gw-ward-s', beds: 3, wearableBeds: 0 });
const [A, B] = ward.credentials.devices as [DeviceCredential, DeviceCredential];

function sample(deviceId: string, seq: number, bytes = 0): string {
  const body: VitalsSample & { pad?: string } = { v: 1, deviceId, bootId: 'boot-sec', seq, t: Date.now(), vitals: { hr: 70 } };
  return JSON.stringify(bytes > 0 ? { ...body, pad: 'x'.repeat(bytes) } : body);
}

async function counter(gateway: EdgeGateway, name: 'authFailures' | 'frameViolations' | 'messagesRejected', reason: string): Promise<number> {
  const values = (await gateway.metrics[name].get()).values;
  return values.filter((v) => v.labels.reason === reason).reduce((sum, v) => sum + v.value, 0);
}

/** Connect and report the CONNACK outcome: 0 accepted, else the return code. */
function connectOutcome(url: string, options: IClientOptions): Promise<{ code: number; client?: MqttClient }> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, ...options });
    client.once('connect', () => resolve({ code: 0, client }));
    client.once('error', (err) => {
      client.end(true);
      resolve({ code: Number((err as { code?: number }).code ?? -1) });
    });
  });
}

/** Wait until the client is closed by the broker (or `ms` passes). */
function closedWithin(client: MqttClient, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    client.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

describe('device broker security (auth matrix)', () => {
  let dir: string;
  let gateway: EdgeGateway;
  let url: string;
  let tlsUrl: string;
  const certs: Record<string, Buffer> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-broker-'));
    // A CA, a server certificate for 127.0.0.1, and client certificates for devices A and B.
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=vigil-test-ca');
    writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    for (const [name, cn] of [['server', '127.0.0.1'], ['a', A.deviceId], ['b', B.deviceId]] as const) {
      ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
      ssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', ...(name === 'server' ? ['-extfile', 'san.cnf'] : []));
      certs[`${name}.key`] = readFileSync(join(dir, `${name}.key`));
      certs[`${name}.crt`] = readFileSync(join(dir, `${name}.crt`));
    }
    certs['ca.crt'] = readFileSync(join(dir, 'ca.crt'));
    gateway = await createEdgeGateway({
      config: EdgeConfigSchema.parse({
        gatewayId: ward.gateway.gatewayId,
        wardId: 'ward-s',
        mqttPort: 0,
        httpPort: 0,
        tlsPort: 0,
        tlsCertFile: join(dir, 'server.crt'),
        tlsKeyFile: join(dir, 'server.key'),
        tlsCaFile: join(dir, 'ca.crt'),
        dataDir: join(dir, 'edge'),
        uplinkUrl: 'mqtt://127.0.0.1:9', // no cloud: everything stays in the outbox, which is what we count
        maxPacketBytes: 4096,
        rateLimitPerS: 5,
        rateLimitBurst: 20,
        recorder: false,
      }),
      directory: new DeviceDirectory(ward.registry),
      logger: pino({ level: 'silent' }),
    });
    await gateway.start();
    url = `mqtt://127.0.0.1:${gateway.ports.mqtt}`;
    tlsUrl = `mqtts://127.0.0.1:${gateway.ports.mqttTls}`;
  });

  afterAll(async () => {
    await gateway?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const stored = () => gateway.outbox.size + gateway.outbox.pending;

  it('refuses an anonymous client (CONNACK 5, PM_ERR_AUTH_ANONYMOUS)', async () => {
    expect((await connectOutcome(url, { clientId: A.deviceId })).code).toBe(5);
    expect(await counter(gateway, 'authFailures', 'PM_ERR_AUTH_ANONYMOUS')).toBe(1);
  });

  it('refuses a wrong secret and an unknown device (CONNACK 4, PM_ERR_AUTH_BAD_CREDENTIALS)', async () => {
    expect((await connectOutcome(url, { clientId: A.deviceId, username: A.deviceId, password: B.secret })).code).toBe(4);
    expect((await connectOutcome(url, { clientId: 'nobody', username: 'nobody', password: A.secret })).code).toBe(4);
    expect(await counter(gateway, 'authFailures', 'PM_ERR_AUTH_BAD_CREDENTIALS')).toBe(2);
  });

  it('refuses a client id that is not the authenticated device: no takeover of B\u2019s session (CONNACK 2)', async () => {
    expect((await connectOutcome(url, { clientId: B.deviceId, username: A.deviceId, password: A.secret })).code).toBe(2);
    expect(await counter(gateway, 'authFailures', 'PM_ERR_AUTH_CLIENT_ID')).toBe(1);
  });

  it('refuses a Last Will on another device\u2019s topic (CONNACK 5, PM_ERR_WILL_FORBIDDEN)', async () => {
    const will = { topic: topics.deviceStatus(B.deviceId), payload: Buffer.from('{}'), qos: 1 as const, retain: false };
    expect((await connectOutcome(url, { clientId: A.deviceId, username: A.deviceId, password: A.secret, will })).code).toBe(5);
    expect(await counter(gateway, 'authFailures', 'PM_ERR_WILL_FORBIDDEN')).toBe(1);
  });

  it('device A publishing as device B is disconnected and stores nothing (PM_ERR_TOPIC_FORBIDDEN)', async () => {
    const before = stored();
    const { client } = await connectOutcome(url, { clientId: A.deviceId, username: A.deviceId, password: A.secret });
    const closed = closedWithin(client!, 5000);
    client!.publish(topics.deviceVitals(B.deviceId), sample(B.deviceId, 1), { qos: 1 });
    expect(await closed).toBe(true);
    client!.end(true);
    expect(stored()).toBe(before);
    expect(await counter(gateway, 'authFailures', 'PM_ERR_TOPIC_FORBIDDEN')).toBeGreaterThanOrEqual(1);
  });

  it('a payload naming device B on device A\u2019s own topic is rejected (PM_ERR_DEVICE_MISMATCH), the connection stays', async () => {
    const before = stored();
    const { client } = await connectOutcome(url, { clientId: A.deviceId, username: A.deviceId, password: A.secret });
    await client!.publishAsync(topics.deviceVitals(A.deviceId), sample(B.deviceId, 2), { qos: 1 });
    expect(client!.connected).toBe(true);
    await client!.endAsync();
    expect(stored()).toBe(before);
    expect(await counter(gateway, 'messagesRejected', 'device_mismatch')).toBe(1);
  });

  it('device A subscribing to device B\u2019s topics (or anything) gets SUBACK 0x80 (PM_ERR_SUBSCRIBE_FORBIDDEN)', async () => {
    const { client } = await connectOutcome(url, { clientId: A.deviceId, username: A.deviceId, password: A.secret });
    // mqtt.js turns a refusing SUBACK into an error that carries the packet.
    const error = await client!.subscribeAsync([topics.deviceVitals(B.deviceId), '#'], { qos: 1 }).then(
      () => undefined,
      (err: { packet?: { granted?: number[] } }) => err,
    );
    expect(error?.packet?.granted).toEqual([128, 128]);
    await client!.endAsync();
    expect(await counter(gateway, 'authFailures', 'PM_ERR_SUBSCRIBE_FORBIDDEN')).toBe(2);
  });

  it('an oversized packet cuts the connection as soon as its header arrives (PM_ERR_PACKET_TOO_LARGE)', async () => {
    const before = stored();
    const { client } = await connectOutcome(url, { clientId: A.deviceId, username: A.deviceId, password: A.secret });
    const closed = closedWithin(client!, 5000);
    client!.publish(topics.deviceVitals(A.deviceId), sample(A.deviceId, 3, 8000), { qos: 1 });
    expect(await closed).toBe(true);
    client!.end(true);
    expect(stored()).toBe(before);
    expect(await counter(gateway, 'frameViolations', 'packet_too_large')).toBe(1);
  });

  it('a first packet that is not CONNECT cuts the connection (PM_ERR_MQTT_PROTOCOL)', async () => {
    const socket = netConnect(gateway.ports.mqtt, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const closed = new Promise((r) => socket.once('close', r));
    socket.write(mqttPacket.generate({ cmd: 'publish', topic: topics.deviceVitals(A.deviceId), payload: Buffer.from(sample(A.deviceId, 4)), qos: 0, retain: false, dup: false }));
    await closed;
    expect(await counter(gateway, 'frameViolations', 'mqtt_protocol')).toBe(1);
  });

  it('a flooding device is cut off at its rate limit (PM_ERR_RATE_LIMITED); what was accepted before is stored', async () => {
    const before = stored();
    const { client } = await connectOutcome(url, { clientId: B.deviceId, username: B.deviceId, password: B.secret });
    const closed = closedWithin(client!, 10_000);
    // Burst 20 at 5/s: 200 messages at once cannot all pass.
    for (let seq = 1; seq <= 200; seq++) client!.publish(topics.deviceVitals(B.deviceId), sample(B.deviceId, 1000 + seq), { qos: 1 });
    expect(await closed).toBe(true);
    client!.end(true);
    await new Promise((r) => setTimeout(r, 50));
    const accepted = stored() - before;
    expect(accepted).toBeGreaterThanOrEqual(20);
    expect(accepted).toBeLessThan(200);
    expect(await counter(gateway, 'authFailures', 'PM_ERR_RATE_LIMITED')).toBeGreaterThanOrEqual(1);
  });

  describe('TLS with client certificates', () => {
    const tlsBase = () => ({ ca: certs['ca.crt'], rejectUnauthorized: true });

    it('device A with its certificate and secret is accepted and its sample stored', async () => {
      const before = stored();
      const { code, client } = await connectOutcome(tlsUrl, { ...tlsBase(), key: certs['a.key'], cert: certs['a.crt'], clientId: A.deviceId, username: A.deviceId, password: A.secret });
      expect(code).toBe(0);
      await client!.publishAsync(topics.deviceVitals(A.deviceId), sample(A.deviceId, 50), { qos: 1 });
      await client!.endAsync();
      expect(stored()).toBe(before + 1);
    });

    it('no client certificate: the TLS handshake fails and is counted', async () => {
      const before = await counter(gateway, 'frameViolations', 'auth_bad_credentials');
      const { code } = await connectOutcome(tlsUrl, { ...tlsBase(), clientId: A.deviceId, username: A.deviceId, password: A.secret });
      expect(code).not.toBe(0);
      await new Promise((r) => setTimeout(r, 50));
      expect(await counter(gateway, 'frameViolations', 'auth_bad_credentials')).toBe(before + 1);
    });

    it('device B\u2019s certificate with device A\u2019s credentials is refused (CONNACK 4)', async () => {
      const { code } = await connectOutcome(tlsUrl, { ...tlsBase(), key: certs['b.key'], cert: certs['b.crt'], clientId: A.deviceId, username: A.deviceId, password: A.secret });
      expect(code).toBe(4);
    });
  });
});
