/**
 * The MQTT security matrix against mosquitto as the external uplink broker (Debian's mosquitto 2.0), configured
 * with the project's uplink ACL (test/support/security-mosquitto.ts). mosquitto drops an ACL-denied publish
 * silently (it still acknowledges it), so "refused" is checked where it matters: the cloud's ingest subscriber never
 * receives it. Found here: the ACL alone does not stop a client-id takeover — a second gateway connecting with the
 * first one's client id disconnects it — so the recommended configuration adds `use_username_as_clientid true`.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@vigil/contracts';
import { generateSecret } from '@vigil/contracts/credentials';
import { waitFor } from '../support/in-process-stack.ts';
import type { RunningMosquitto } from '../support/mosquitto.ts';
import { INGEST_USER, startUplinkMosquitto } from '../support/security-mosquitto.ts';
import { asOptions, collect, connectOutcome, subackCodes, type Principal } from '../support/security-mqtt.ts';

const A: Principal = { clientId: 'gw-a', username: 'gw-a', password: generateSecret() };
const B: Principal = { clientId: 'gw-b', username: 'gw-b', password: generateSecret() };
const INGEST: Principal = { clientId: INGEST_USER, username: INGEST_USER, password: generateSecret() };
const users = Object.fromEntries([A, B, INGEST].map((p) => [p.username, p.password]));

/** Drop the TCP connection without DISCONNECT, so the broker publishes the client's Last Will. */
const dropAbruptly = (client: MqttClient) => (client as unknown as { stream: { destroy(): void } }).stream.destroy();

describe('mosquitto uplink broker, recommended configuration (ACL + use_username_as_clientid)', () => {
  let broker: RunningMosquitto;
  let ingest: MqttClient;
  let received: Array<{ topic: string; payload: string }>;

  beforeAll(async () => {
    broker = await startUplinkMosquitto({ users, gatewayIds: [A.username, B.username], hardening: true });
    ingest = (await connectOutcome(broker.url, asOptions(INGEST))).client!;
    received = collect(ingest);
    expect(await subackCodes(ingest, topics.allGatewayUplinks)).toEqual([1]);
    expect(await subackCodes(ingest, topics.allGatewayStatus)).toEqual([1]);
  });
  afterAll(async () => {
    await ingest?.endAsync();
    await broker?.stop();
  });

  it('refuses an anonymous client and a wrong secret at CONNECT', async () => {
    expect((await connectOutcome(broker.url, { clientId: A.clientId })).code).toBe(5);
    expect([4, 5]).toContain((await connectOutcome(broker.url, asOptions({ ...A, password: B.password }))).code);
  });

  it('never delivers a gateway\u2019s publish on another gateway\u2019s uplink topic', async () => {
    const b = (await connectOutcome(broker.url, asOptions(B))).client!;
    await b.publishAsync(topics.gatewayUplink(A.username), 'forged by gw-b', { qos: 1 });
    await b.publishAsync(topics.gatewayUplink(B.username), 'own by gw-b', { qos: 1 });
    // Same publisher, same subscriber: in order, so once the second is in, the first would have been.
    await waitFor('gw-b\u2019s own uplink at the ingest', () => received.some((m) => m.payload === 'own by gw-b'));
    expect(received.filter((m) => m.payload === 'forged by gw-b')).toEqual([]);
    await b.endAsync();
  });

  it('never delivers another gateway\u2019s requests to a gateway that subscribes to them', async () => {
    const b = (await connectOutcome(broker.url, asOptions(B))).client!;
    const bReceived = collect(b);
    // mosquitto 2.0.11 grants the subscription (SUBACK 1) and applies the ACL's read rule at each delivery.
    await subackCodes(b, topics.gatewayRequest(A.username));
    expect(await subackCodes(b, topics.gatewayRequest(B.username))).toEqual([1]);
    await ingest.publishAsync(topics.gatewayRequest(A.username), 'for gw-a', { qos: 1 });
    await ingest.publishAsync(topics.gatewayRequest(B.username), 'for gw-b', { qos: 1 });
    await waitFor('gw-b\u2019s own request', () => bReceived.some((m) => m.payload === 'for gw-b'));
    expect(bReceived.filter((m) => m.payload === 'for gw-a')).toEqual([]);
    await b.endAsync();
  });

  it('never publishes a Last Will a gateway set on another gateway\u2019s status topic', async () => {
    const forged = (await connectOutcome(broker.url, asOptions(B, { will: { topic: topics.gatewayStatus(A.username), payload: Buffer.from('forged will'), qos: 1, retain: false } }))).client;
    if (forged) dropAbruptly(forged);
    const own = (await connectOutcome(broker.url, asOptions(B, { will: { topic: topics.gatewayStatus(B.username), payload: Buffer.from('own will'), qos: 1, retain: false } }))).client!;
    dropAbruptly(own);
    await waitFor('gw-b\u2019s own will at the ingest', () => received.some((m) => m.payload === 'own will'));
    expect(received.filter((m) => m.payload === 'forged will')).toEqual([]);
  });

  it('a second connection with gw-a\u2019s client id and gw-b\u2019s credentials does not disconnect gw-a', async () => {
    const a = (await connectOutcome(broker.url, asOptions(A))).client!;
    let aClosed = false;
    a.on('close', () => (aClosed = true));
    const intruder = await connectOutcome(broker.url, asOptions({ ...B, clientId: A.clientId }));
    // Accepted as gw-b (the client id is replaced by the username), so it takes over nothing.
    await a.publishAsync(topics.gatewayUplink(A.username), 'gw-a still here', { qos: 1 });
    await waitFor('gw-a\u2019s publish after the attempt', () => received.some((m) => m.payload === 'gw-a still here'));
    expect(aClosed).toBe(false);
    await intruder.client?.endAsync();
    await a.endAsync();
  });
});

describe('mosquitto with the ACL alone (the interop configuration): why use_username_as_clientid is required', () => {
  let broker: RunningMosquitto;

  beforeAll(async () => {
    broker = await startUplinkMosquitto({ users, gatewayIds: [A.username, B.username], hardening: false });
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('lets gw-b take gw-a\u2019s session over by its client id (the finding the hardening line fixes)', async () => {
    const a = (await connectOutcome(broker.url, asOptions(A))).client!;
    let aClosed = false;
    a.on('close', () => (aClosed = true));
    const intruder = await connectOutcome(broker.url, asOptions({ ...B, clientId: A.clientId }));
    expect(intruder.code).toBe(0);
    await waitFor('gw-a disconnected by the takeover', () => aClosed);
    await intruder.client?.endAsync();
    a.end(true);
  });
});
