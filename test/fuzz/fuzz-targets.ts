/**
 * The two brokers the fuzzer attacks, each with the identity it fuzzes as and how to read its refusal counters:
 *   edge   — the device broker, as a provisioned device (its neighbour is the clean device of the run);
 *   uplink — the cloud's embedded uplink broker, as a registered gateway of another ward (the real edge's uplink
 *            session is the neighbour there).
 */
import { gzipSync } from 'node:zlib';
import { topics } from '@vigil/contracts';
import type { Rng } from '../../simulators/src/rng.ts';
import type { FuzzIdentity } from './mqtt-mutations.ts';
import { edgeRefusals, uplinkRefusals, type SecurityStack } from '../support/security-stack.ts';

export interface FuzzTarget {
  name: 'edge' | 'uplink';
  port: number;
  identity: FuzzIdentity;
  /** Connection-level refusals by catalogue reason (auth, ACL, frame guard, MQTT protocol). */
  refusals(): Promise<Record<string, number>>;
  /** Content rejections of accepted publishes, by reason. */
  contentRejections(): Promise<Record<string, number>>;
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng.next() * items.length)]!;
const randomBytes = (rng: Rng, max: number) => Buffer.from(Array.from({ length: Math.floor(rng.next() * max) }, () => Math.floor(rng.next() * 256)));

/** A JSON text with one byte changed (or not): mostly invalid, sometimes valid. */
function corrupt(rng: Rng, text: string): Buffer {
  const b = Buffer.from(text);
  if (rng.next() < 0.3 || b.length === 0) return b;
  b[Math.floor(rng.next() * b.length)] = Math.floor(rng.next() * 256);
  return b;
}

export function fuzzTargets(stack: SecurityStack): FuzzTarget[] {
  const [clean, fuzz] = stack.ward.credentials.devices as [(typeof stack.ward.credentials.devices)[0], (typeof stack.ward.credentials.devices)[0]];
  const gw = stack.extraGateways[0]!;
  const now = Date.now();
  const edge: FuzzTarget = {
    name: 'edge',
    port: stack.edgePort,
    identity: {
      clientId: fuzz.deviceId,
      password: fuzz.secret,
      ownTopic: topics.deviceVitals(fuzz.deviceId),
      willTopic: topics.deviceStatus(fuzz.deviceId),
      foreignTopic: topics.deviceVitals(clean.deviceId),
      foreignClientId: clean.deviceId,
      payload: (rng) =>
        pick(rng, [
          () => corrupt(rng, JSON.stringify({ v: 1, deviceId: fuzz.deviceId, bootId: 'boot-fuzz', seq: Math.floor(rng.next() * 1e6), t: now, vitals: { hr: 60 + Math.floor(rng.next() * 40) } })),
          () => randomBytes(rng, 64),
          () => Buffer.from(pick(rng, ['', 'null', '[]', '{"__proto__":{}}', '{"v":1,"vitals":{"hr":1e999}}'])),
        ])(),
    },
    refusals: () => edgeRefusals(stack.edge),
    contentRejections: async () => Object.fromEntries((await stack.edge.metrics.messagesRejected.get()).values.map((v) => [String(v.labels.reason), v.value])),
  };
  const uplink: FuzzTarget = {
    name: 'uplink',
    port: stack.uplinkPort,
    identity: {
      clientId: gw.gatewayId,
      password: gw.secret,
      ownTopic: topics.gatewayUplink(gw.gatewayId),
      willTopic: topics.gatewayStatus(gw.gatewayId),
      foreignTopic: topics.gatewayUplink(stack.ward.gateway.gatewayId),
      foreignClientId: stack.ward.gateway.gatewayId,
      payload: (rng) =>
        pick(rng, [
          () => corrupt(rng, JSON.stringify({ v: 1, gatewayId: gw.gatewayId, wardId: gw.wardId, batchSeq: Math.floor(rng.next() * 1e6), sentAt: now, records: [] })),
          () => Buffer.concat([Buffer.from([0x1f, 0x8b]), randomBytes(rng, 64)]),
          () => gzipSync(corrupt(rng, '{"v":1,"gatewayId":"x","records":[]}')),
          () => randomBytes(rng, 64),
        ])(),
    },
    refusals: () => uplinkRefusals(stack.cloud),
    contentRejections: async () => Object.fromEntries((await stack.cloud.metrics.rejected.get()).values.map((v) => [String(v.labels.reason), v.value])),
  };
  return [edge, uplink];
}
