/**
 * MQTT security matrix, on both of the project's brokers: the edge device broker (device credentials) and the cloud
 * uplink broker (gateway credentials). For each: anonymous, wrong secret, publishing on the other principal's
 * topic, subscribing to it, a Last Will on it, and a client-id takeover (a second connection with the victim's
 * client id and the attacker's valid credentials must be refused without disconnecting the victim). Each refusal
 * is counted under its catalogue reason and nothing of the attacker's reaches storage. Plus regressions for the
 * defects the fuzzer found (test/fuzz): server-only packets and a will QoS of 3 cut and counted, and the uplink's
 * packet-size cap.
 */
import { connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@vigil/contracts';
import { UPLINK_MAX_PACKET_BYTES } from '../../cloud/src/uplink/embedded-broker.ts';
import { delta, edgeRefusals, startSecurityStack, uplinkRefusals, type SecurityStack } from '../support/security-stack.ts';
import { asOptions, closedWithin, connectOutcome, subackCodes, type Principal } from '../support/security-mqtt.ts';
import { rawConnect, varint } from '../fuzz/mqtt-wire.ts';

let stack: SecurityStack;

interface Target {
  name: string;
  url: () => string;
  port: () => number;
  victim: () => Principal;
  attacker: () => Principal;
  /** The victim's publish topic, its status (will) topic, and a topic the victim may read. */
  victimTopics: () => { publish: string; status: string; subscribe: string };
  attackerStatus: () => string;
  refusals: () => Promise<Record<string, number>>;
  /** What the broker stored or forwarded so far (must not move on a refused publish). */
  accepted: () => Promise<number>;
  payload: () => string;
}

const device = (i: number): Principal => {
  const d = stack.ward.credentials.devices[i]!;
  return { clientId: d.deviceId, username: d.deviceId, password: d.secret };
};
const gateway = (i: number): Principal => {
  const g = stack.extraGateways[i]!;
  return { clientId: g.gatewayId, username: g.gatewayId, password: g.secret };
};

const TARGETS: Target[] = [
  {
    name: 'edge device broker',
    url: () => `mqtt://127.0.0.1:${stack.edgePort}`,
    port: () => stack.edgePort,
    victim: () => device(0),
    attacker: () => device(1),
    victimTopics: () => ({ publish: topics.deviceVitals(device(0).clientId), status: topics.deviceStatus(device(0).clientId), subscribe: topics.deviceVitals(device(0).clientId) }),
    attackerStatus: () => topics.deviceStatus(device(1).clientId),
    refusals: () => edgeRefusals(stack.edge),
    accepted: async () => (await stack.edge.metrics.messagesAccepted.get()).values.reduce((s, v) => s + v.value, 0),
    payload: () => JSON.stringify({ v: 1, deviceId: device(0).clientId, bootId: 'boot-sec', seq: 1, t: Date.now(), vitals: { hr: 70 } }),
  },
  {
    name: 'cloud uplink broker',
    url: () => `mqtt://127.0.0.1:${stack.uplinkPort}`,
    port: () => stack.uplinkPort,
    victim: () => gateway(0),
    attacker: () => gateway(1),
    victimTopics: () => ({ publish: topics.gatewayUplink(gateway(0).clientId), status: topics.gatewayStatus(gateway(0).clientId), subscribe: topics.gatewayRequest(gateway(0).clientId) }),
    attackerStatus: () => topics.gatewayStatus(gateway(1).clientId),
    refusals: () => uplinkRefusals(stack.cloud),
    accepted: async () => (await stack.cloud.metrics.batches.get()).values.reduce((s, v) => s + v.value, 0),
    payload: () => JSON.stringify({ v: 1, gatewayId: gateway(0).clientId, wardId: stack.extraGateways[0]!.wardId, batchSeq: 1, sentAt: Date.now(), records: [] }),
  },
];

beforeAll(async () => {
  stack = await startSecurityStack({ beds: 2, extraGateways: 2 });
});
afterAll(async () => {
  await stack?.close();
});

describe.each(TARGETS)('MQTT security matrix: $name', (target) => {
  /** Run `fn` and return how the refusal counters moved. */
  const counted = async (fn: () => Promise<void>) => {
    const before = await target.refusals();
    await fn();
    return delta(await target.refusals(), before);
  };

  it('refuses an anonymous client (CONNACK 5, auth_anonymous)', async () => {
    const moved = await counted(async () => expect((await connectOutcome(target.url(), { clientId: target.victim().clientId })).code).toBe(5));
    expect(moved).toEqual({ auth_anonymous: 1 });
  });

  it('refuses a wrong secret (CONNACK 4, auth_bad_credentials)', async () => {
    const moved = await counted(async () => expect((await connectOutcome(target.url(), asOptions({ ...target.victim(), password: target.attacker().password }))).code).toBe(4));
    expect(moved).toEqual({ auth_bad_credentials: 1 });
  });

  it('cuts the attacker publishing on the victim\u2019s topic (topic_forbidden); nothing is accepted', async () => {
    const accepted = await target.accepted();
    const moved = await counted(async () => {
      const { client } = await connectOutcome(target.url(), asOptions(target.attacker()));
      const closed = closedWithin(client!, 5000);
      client!.publish(target.victimTopics().publish, target.payload(), { qos: 1 });
      expect(await closed).toBe(true);
      client!.end(true);
    });
    expect(moved).toEqual({ topic_forbidden: 1 });
    expect(await target.accepted()).toBe(accepted);
  });

  it('refuses the attacker subscribing to the victim\u2019s topic (SUBACK 0x80, subscribe_forbidden)', async () => {
    const moved = await counted(async () => {
      const { client } = await connectOutcome(target.url(), asOptions(target.attacker()));
      expect(await subackCodes(client!, target.victimTopics().subscribe)).toEqual([128]);
      expect(await subackCodes(client!, '#')).toEqual([128]);
      await client!.endAsync();
    });
    expect(moved).toEqual({ subscribe_forbidden: 2 });
  });

  it('refuses a Last Will on the victim\u2019s status topic (CONNACK 5, will_forbidden), allows one on the attacker\u2019s own', async () => {
    const will = (topic: string) => ({ topic, payload: Buffer.from('{}'), qos: 1 as const, retain: false });
    const moved = await counted(async () => expect((await connectOutcome(target.url(), asOptions(target.attacker(), { will: will(target.victimTopics().status) }))).code).toBe(5));
    expect(moved).toEqual({ will_forbidden: 1 });
    const own = await connectOutcome(target.url(), asOptions(target.attacker(), { will: will(target.attackerStatus()) }));
    expect(own.code).toBe(0);
    await own.client!.endAsync();
  });

  it('refuses a client-id takeover with other valid credentials (CONNACK 2) without disconnecting the victim', async () => {
    const { client: victim } = await connectOutcome(target.url(), asOptions(target.victim()));
    let victimClosed = false;
    victim!.on('close', () => (victimClosed = true));
    const moved = await counted(async () => {
      const takeover = await connectOutcome(target.url(), asOptions({ ...target.attacker(), clientId: target.victim().clientId }));
      expect(takeover.code).toBe(2);
    });
    expect(moved).toEqual({ auth_client_id: 1 });
    // The victim's session is untouched: still connected, and a round trip through the broker works.
    await victim!.publishAsync(target.victimTopics().status, '{}', { qos: 1 });
    expect(victimClosed).toBe(false);
    expect(victim!.connected).toBe(true);
    await victim!.endAsync();
  });

  describe('regressions of defects found by the fuzzer', () => {
    const raw = (bytes: Buffer) =>
      new Promise<void>((resolve) => {
        const socket = netConnect({ port: target.port(), host: '127.0.0.1' }, () => socket.write(bytes));
        socket.on('data', () => undefined);
        socket.on('close', () => resolve());
        socket.on('error', () => undefined);
      });
    const login = () => rawConnect({ clientId: target.attacker().clientId, username: target.attacker().username, password: target.attacker().password });

    it('a client sending a server-only packet (PINGRESP, CONNACK) is cut and counted (mqtt_protocol)', async () => {
      const moved = await counted(async () => {
        await raw(Buffer.concat([login(), Buffer.from([0xd0, 0x00])]));
        await raw(Buffer.concat([login(), Buffer.from([0x20, 0x02, 0x00, 0x00])]));
      });
      expect(moved).toEqual({ mqtt_protocol: 2 });
    });

    it('a Last Will with QoS 3 is refused (mqtt_protocol)', async () => {
      const moved = await counted(() => raw(rawConnect({ ...target.attacker(), will: { topic: target.attackerStatus(), payload: Buffer.from('{}'), qos: 3 } })));
      expect(moved).toEqual({ mqtt_protocol: 1 });
    });

    it('a Remaining Length over the broker\u2019s packet limit is cut at the header (packet_too_large)', async () => {
      const limit = target.name === 'cloud uplink broker' ? UPLINK_MAX_PACKET_BYTES : 65_536;
      const moved = await counted(() => raw(Buffer.concat([login(), Buffer.from([0x32]), varint(limit)])));
      expect(moved).toEqual({ packet_too_large: 1 });
    });
  });
});
