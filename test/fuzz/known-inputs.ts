/**
 * Inputs known to have crashed or hung MQTT brokers (aedes, mosquitto and others: zero-length topics, a first packet
 * that is not CONNECT, invalid UTF-8, Remaining Lengths that lie), each with the outcome our brokers must give:
 * the connection cut and counted under a catalogue reason, or held open (waiting for bytes that never come) without
 * harm. The same list runs against the edge device broker and the cloud uplink broker.
 */
import type { FuzzIdentity } from './mqtt-mutations.ts';
import { frame, generate, rawConnect, rawPublish, str, u16, varint } from './mqtt-wire.ts';

export type Expected = { cut: string } | { held: true };

export interface KnownInput {
  name: string;
  chunks(id: FuzzIdentity): Buffer[];
  expect: Expected;
}

const login = (id: FuzzIdentity, over: Parameters<typeof rawConnect>[0] | object = {}) =>
  rawConnect({ clientId: id.clientId, username: id.clientId, password: id.password, ...over });
const sample = Buffer.from('{"v":1}');

export const KNOWN_INPUTS: KnownInput[] = [
  { name: 'zero-length topic [MQTT-4.7.3-1]', chunks: (id) => [login(id), rawPublish('', sample)], expect: { cut: 'mqtt_protocol' } },
  { name: 'first packet not CONNECT (PUBLISH) [MQTT-3.1.0-1]', chunks: (id) => [rawPublish(id.ownTopic, sample)], expect: { cut: 'mqtt_protocol' } },
  { name: 'first packet not CONNECT (PINGREQ)', chunks: () => [generate({ cmd: 'pingreq' })], expect: { cut: 'mqtt_protocol' } },
  { name: 'invalid UTF-8 in the topic [MQTT-1.5.3-1]', chunks: (id) => [login(id), rawPublish(Buffer.concat([Buffer.from(id.ownTopic), Buffer.from([0xc3, 0x28])]), sample)], expect: { cut: 'topic_forbidden' } },
  { name: 'UTF-16 surrogate (ED A0 80) in the topic', chunks: (id) => [login(id), rawPublish(Buffer.concat([Buffer.from(id.ownTopic.slice(0, -1)), Buffer.from([0xed, 0xa0, 0x80])]), sample)], expect: { cut: 'topic_forbidden' } },
  { name: 'NUL character in the topic [MQTT-1.5.3-2]', chunks: (id) => [login(id), rawPublish(`${id.ownTopic}\u0000`, sample)], expect: { cut: 'topic_forbidden' } },
  { name: 'wildcard in a PUBLISH topic [MQTT-3.3.2-2]', chunks: (id) => [login(id), rawPublish(`${id.ownTopic}/#`, sample)], expect: { cut: 'mqtt_protocol' } },
  { name: 'topic of 150 levels', chunks: (id) => [login(id), rawPublish(Array.from({ length: 150 }, () => 'a').join('/'), sample)], expect: { cut: 'mqtt_protocol' } },
  { name: 'remaining length longer than the body (CONNECT)', chunks: (id) => [frame(0x10, login(id).subarray(2), 200)], expect: { held: true } },
  { name: 'remaining length longer than the body (PUBLISH after CONNECT)', chunks: (id) => [login(id), frame(0x32, Buffer.concat([str(id.ownTopic), u16(1), sample]), 500)], expect: { held: true } },
  { name: 'remaining length shorter than the body (CONNECT)', chunks: (id) => [frame(0x10, login(id).subarray(2), 8)], expect: { cut: 'mqtt_protocol' } },
  { name: 'string length running past the packet (CONNECT client id)', chunks: (id) => [frame(0x10, Buffer.concat([str('MQTT'), Buffer.from([4, 0xc2]), u16(30), u16(60_000), Buffer.from(id.clientId)]))], expect: { cut: 'mqtt_protocol' } },
  { name: 'oversized remaining length (268,435,455: MQTT maximum)', chunks: () => [Buffer.concat([Buffer.from([0x10]), varint(268_435_455), Buffer.from('MQTT')])], expect: { cut: 'packet_too_large' } },
  { name: 'oversized remaining length on a PUBLISH after CONNECT (100 MB)', chunks: (id) => [login(id), Buffer.concat([Buffer.from([0x32]), varint(100_000_000), str(id.ownTopic)])], expect: { cut: 'packet_too_large' } },
  { name: 'remaining length in five bytes [MQTT-2.2.3]', chunks: () => [Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f])], expect: { cut: 'mqtt_protocol' } },
  { name: 'CONNECT with protocol level 2 [MQTT-3.1.2-2]', chunks: (id) => [login(id, { level: 2 })], expect: { cut: 'mqtt_protocol' } },
  { name: 'CONNECT with protocol level 5 (MQTT 5 not served: CONNACK 1)', chunks: (id) => [login(id, { level: 5 })], expect: { cut: 'mqtt_protocol' } },
  { name: 'CONNECT with protocol level 255', chunks: (id) => [login(id, { level: 0xff })], expect: { cut: 'mqtt_protocol' } },
  { name: 'CONNECT with protocol name MQTX [MQTT-3.1.2-1]', chunks: (id) => [login(id, { protocolName: 'MQTX' })], expect: { cut: 'mqtt_protocol' } },
  { name: 'CONNECT with the reserved flag set [MQTT-3.1.2-3]', chunks: (id) => [login(id, { flags: 0xc3 })], expect: { cut: 'mqtt_protocol' } },
  { name: 'will on a foreign topic', chunks: (id) => [login(id, { will: { topic: id.foreignTopic, payload: sample } })], expect: { cut: 'will_forbidden' } },
  { name: 'will with an empty topic', chunks: (id) => [login(id, { will: { topic: '', payload: sample } })], expect: { cut: 'will_forbidden' } },
  { name: 'will with a wildcard topic', chunks: (id) => [login(id, { will: { topic: '#', payload: sample } })], expect: { cut: 'will_forbidden' } },
  { name: 'will with an invalid UTF-8 topic', chunks: (id) => [login(id, { will: { topic: Buffer.concat([Buffer.from(id.willTopic), Buffer.from([0xff])]), payload: sample } })], expect: { cut: 'will_forbidden' } },
  { name: 'will with QoS 3 [MQTT-3.1.2-14]', chunks: (id) => [login(id, { will: { topic: id.willTopic, payload: sample, qos: 3 } })], expect: { cut: 'mqtt_protocol' } },
  { name: 'second CONNECT [MQTT-3.1.0-2]', chunks: (id) => [login(id), login(id)], expect: { cut: 'mqtt_protocol' } },
  { name: 'server-to-client packet from a client (CONNACK)', chunks: (id) => [login(id), generate({ cmd: 'connack', returnCode: 0, sessionPresent: false })], expect: { cut: 'mqtt_protocol' } },
  { name: 'server-to-client packet from a client (SUBACK)', chunks: (id) => [login(id), generate({ cmd: 'suback', messageId: 1, granted: [0] })], expect: { cut: 'mqtt_protocol' } },
  { name: 'reserved packet type 0 after CONNECT', chunks: (id) => [login(id), Buffer.from([0x00, 0x00])], expect: { cut: 'mqtt_protocol' } },
  { name: 'PUBLISH with QoS 3 [MQTT-3.3.1-4]', chunks: (id) => [login(id), rawPublish(id.ownTopic, sample, 3)], expect: { cut: 'mqtt_protocol' } },
  { name: 'SUBSCRIBE with reserved header flags 0 [MQTT-3.8.1-1]', chunks: (id) => [login(id), frame(0x80, Buffer.concat([u16(1), str(id.ownTopic), Buffer.from([1])]))], expect: { cut: 'mqtt_protocol' } },
  { name: 'anonymous CONNECT', chunks: (id) => [rawConnect({ clientId: id.clientId })], expect: { cut: 'auth_anonymous' } },
  { name: 'wrong secret', chunks: (id) => [login(id, { password: 'not-the-secret' })], expect: { cut: 'auth_bad_credentials' } },
  { name: 'password flag without username flag [MQTT-3.1.2-22]', chunks: (id) => [rawConnect({ clientId: id.clientId, password: id.password })], expect: { cut: 'auth_anonymous' } },
  { name: 'client id of another identity with own credentials', chunks: (id) => [login(id, { clientId: id.foreignClientId })], expect: { cut: 'auth_client_id' } },
  { name: 'empty client id (clean session)', chunks: (id) => [login(id, { clientId: '' })], expect: { cut: 'auth_client_id' } },
  { name: 'publish on a foreign topic', chunks: (id) => [login(id), rawPublish(id.foreignTopic, sample)], expect: { cut: 'topic_forbidden' } },
];
