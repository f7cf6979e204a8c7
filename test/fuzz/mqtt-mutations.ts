/**
 * The MQTT mutation fuzzer's scripts: a valid session (CONNECT with the target's fuzz credentials, then a few
 * PUBLISH / SUBSCRIBE / PING / acknowledgement packets from mqtt-packet's generator), to which one to three named
 * mutations are applied — at the byte level (flips, inserts, truncation), the fixed header (type, flags, a
 * Remaining Length that lies) or a field (topic, client id, protocol level, will, QoS). Every choice comes from the
 * seeded Rng, so a seed replays the same byte streams (the mutation kinds are reported by name).
 */
import type { Rng } from '../../simulators/src/rng.ts';
import { frame, generate, rawConnect, rawPublish, rawSubscribe, str, u16, varint, type RawConnect } from './mqtt-wire.ts';

/** Who the fuzzer is on a target: its own (valid) credentials, topics it may and may not use. */
export interface FuzzIdentity {
  clientId: string;
  password: string;
  /** A topic this identity may publish on. */
  ownTopic: string;
  /** The topic its Last Will may name. */
  willTopic: string;
  /** A topic of someone else (another device or gateway). */
  foreignTopic: string;
  /** A client id of someone else (takeover attempts with the fuzzer's credentials). */
  foreignClientId: string;
  /** A payload for the own topic: valid sometimes, malformed often. */
  payload(rng: Rng): Buffer;
}

export interface Script {
  kinds: string[];
  /** Written one after the other (each chunk one socket write). */
  chunks: Buffer[];
  /** MQTT packets in the script (mutated ones included). */
  packets: number;
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng.next() * items.length)]!;
const int = (rng: Rng, min: number, max: number) => min + Math.floor(rng.next() * (max - min + 1));
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xc0, 0xfe, 0x30, 0x10, 0x2f, 0x23, 0x2b];
const INVALID_UTF8 = [Buffer.from([0xc3, 0x28]), Buffer.from([0xff]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xe2, 0x82]), Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80])];

function connectFields(id: FuzzIdentity, over: Partial<RawConnect> = {}): RawConnect {
  return { clientId: id.clientId, username: id.clientId, password: id.password, keepalive: 30, ...over };
}

/** The valid session the mutations start from. */
function baseline(rng: Rng, id: FuzzIdentity): Buffer[] {
  const packets = [rawConnect(connectFields(id, rng.next() < 0.2 ? { will: { topic: id.willTopic, payload: id.payload(rng), qos: 1 } } : {}))];
  const n = int(rng, 1, 4);
  let messageId = int(rng, 1, 60_000);
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    messageId += 1;
    if (r < 0.55) packets.push(generate({ cmd: 'publish', topic: id.ownTopic, payload: id.payload(rng), qos: pick(rng, [0, 1, 1, 2] as const), dup: false, retain: false, messageId }));
    else if (r < 0.65) packets.push(generate({ cmd: 'subscribe', messageId, subscriptions: [{ topic: pick(rng, [id.ownTopic, id.foreignTopic, '#']), qos: 1 }] }));
    else if (r < 0.7) packets.push(generate({ cmd: 'unsubscribe', messageId, unsubscriptions: [id.ownTopic] }));
    else if (r < 0.8) packets.push(generate({ cmd: 'pingreq' }));
    else if (r < 0.9) packets.push(generate({ cmd: pick(rng, ['puback', 'pubrec', 'pubrel', 'pubcomp'] as const), messageId }));
    else packets.push(generate({ cmd: 'disconnect' }));
  }
  return packets;
}

type Mutation = (rng: Rng, packets: Buffer[], id: FuzzIdentity) => Buffer[];

/** One packet replaced (index ≥ 1: after the CONNECT, unless the mutation is about CONNECT). */
const at = (packets: Buffer[], index: number, replacement: Buffer[]): Buffer[] => [...packets.slice(0, index), ...replacement, ...packets.slice(index + 1)];
const later = (rng: Rng, packets: Buffer[]) => (packets.length > 1 ? int(rng, 1, packets.length - 1) : 1);
const anyIndex = (rng: Rng, packets: Buffer[]) => int(rng, 0, packets.length - 1);
const withConnect = (_rng: Rng, id: FuzzIdentity, packets: Buffer[], over: Partial<RawConnect>) => at(packets, 0, [rawConnect(connectFields(id, over))]);
const publishOn = (rng: Rng, id: FuzzIdentity, packets: Buffer[], topic: string | Buffer, qos = 1) =>
  at(packets, later(rng, packets), [rawPublish(topic, id.payload(rng), qos, int(rng, 1, 65_535))]);

/** Rewrite one packet's Remaining Length (the body stays as it is). */
function relength(packet: Buffer, claim: (bodyLength: number) => Buffer): Buffer {
  let i = 1;
  while (i < packet.length && i < 5 && packet[i]! & 0x80) i++;
  const body = packet.subarray(Math.min(i + 1, packet.length));
  return Buffer.concat([packet.subarray(0, 1), claim(body.length), body]);
}

function mutateBytes(rng: Rng, packet: Buffer, op: 'flip' | 'set' | 'insert' | 'delete' | 'truncate' | 'append' | 'duplicate'): Buffer {
  const b = Buffer.from(packet);
  const i = int(rng, 0, Math.max(0, b.length - 1));
  switch (op) {
    case 'flip':
      b[i] = b[i]! ^ (1 << int(rng, 0, 7));
      return b;
    case 'set':
      b[i] = pick(rng, INTERESTING);
      return b;
    case 'insert':
      return Buffer.concat([b.subarray(0, i), Buffer.from([pick(rng, INTERESTING)]), b.subarray(i)]);
    case 'delete':
      return Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
    case 'truncate':
      return b.subarray(0, i);
    case 'append':
      return Buffer.concat([b, Buffer.from(Array.from({ length: int(rng, 1, 16) }, () => int(rng, 0, 255)))]);
    case 'duplicate':
      return Buffer.concat([b.subarray(0, i), b.subarray(i, Math.min(b.length, i + int(rng, 1, 8))), b.subarray(i)]);
  }
}

const bytes = (op: Parameters<typeof mutateBytes>[2]): Mutation => (rng, packets) => {
  const i = anyIndex(rng, packets);
  return at(packets, i, [mutateBytes(rng, packets[i]!, op)]);
};

/** Every mutation kind, by name. */
export const MUTATIONS: Record<string, Mutation> = {
  // Byte level
  'bit-flip': bytes('flip'),
  'byte-set': bytes('set'),
  'byte-insert': bytes('insert'),
  'byte-delete': bytes('delete'),
  truncate: bytes('truncate'),
  'append-garbage': bytes('append'),
  'duplicate-slice': bytes('duplicate'),
  // Fixed header
  'type-nibble': (rng, p) => {
    const i = anyIndex(rng, p);
    const b = Buffer.from(p[i]!);
    b[0] = (int(rng, 0, 15) << 4) | (b[0]! & 0x0f);
    return at(p, i, [b]);
  },
  'flags-nibble': (rng, p) => {
    const i = anyIndex(rng, p);
    const b = Buffer.from(p[i]!);
    b[0] = (b[0]! & 0xf0) | int(rng, 0, 15);
    return at(p, i, [b]);
  },
  'remaining-length-longer': (rng, p) => {
    const i = anyIndex(rng, p);
    return at(p, i, [relength(p[i]!, (n) => varint(n + int(rng, 1, 300)))]);
  },
  'remaining-length-shorter': (rng, p) => {
    const i = anyIndex(rng, p);
    return at(p, i, [relength(p[i]!, (n) => varint(Math.max(0, n - int(rng, 1, 20))))]);
  },
  'remaining-length-oversize': (rng, p) => {
    const i = anyIndex(rng, p);
    return at(p, i, [relength(p[i]!, () => varint(pick(rng, [70_000, 17_000_000, 100_000_000, 268_435_455])))]);
  },
  'remaining-length-five-bytes': (rng, p) => {
    const i = anyIndex(rng, p);
    return at(p, i, [relength(p[i]!, () => Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f]))]);
  },
  'remaining-length-non-minimal': (rng, p) => {
    const i = anyIndex(rng, p);
    return at(p, i, [relength(p[i]!, (n) => varint(n, int(rng, 2, 4)))]);
  },
  // Topics
  'topic-empty': (rng, p, id) => publishOn(rng, id, p, ''),
  'topic-invalid-utf8': (rng, p, id) => publishOn(rng, id, p, Buffer.concat([Buffer.from(id.ownTopic), pick(rng, INVALID_UTF8)])),
  'topic-nul': (rng, p, id) => publishOn(rng, id, p, `${id.ownTopic}\u0000x`),
  'topic-wildcard': (rng, p, id) => publishOn(rng, id, p, pick(rng, ['#', `${id.ownTopic}/#`, '+/+', `${id.ownTopic}+`])),
  'topic-deep': (rng, p, id) => publishOn(rng, id, p, Array.from({ length: int(rng, 9, 200) }, () => 'a').join('/')),
  'topic-foreign': (rng, p, id) => publishOn(rng, id, p, id.foreignTopic),
  'topic-system': (rng, p, id) => publishOn(rng, id, p, pick(rng, ['$SYS/broker/clients', '$share/g/x', '/leading', 'trailing/'])),
  'topic-huge': (rng, p, id) => publishOn(rng, id, p, 'x'.repeat(int(rng, 60_000, 65_535))),
  'publish-qos-3': (rng, p, id) => publishOn(rng, id, p, id.ownTopic, 3),
  'publish-message-id-zero': (rng, p, id) => at(p, later(rng, p), [rawPublish(id.ownTopic, id.payload(rng), 1, 0)]),
  'publish-qos0-dup': (rng, p, id) => at(p, later(rng, p), [rawPublish(id.ownTopic, id.payload(rng), 0, 0, 0x08)]),
  // CONNECT
  'client-id-empty': (rng, p, id) => withConnect(rng, id, p, { clientId: '', clean: rng.next() < 0.5 }),
  'client-id-invalid-utf8': (rng, p, id) => withConnect(rng, id, p, { clientId: Buffer.concat([Buffer.from(id.clientId), pick(rng, INVALID_UTF8)]) }),
  'client-id-foreign': (rng, p, id) => withConnect(rng, id, p, { clientId: id.foreignClientId }),
  'client-id-long': (rng, p, id) => withConnect(rng, id, p, { clientId: 'c'.repeat(int(rng, 65, 5000)) }),
  'protocol-level': (rng, p, id) => withConnect(rng, id, p, { level: pick(rng, [0, 1, 2, 3, 5, 6, 7, 0x84, 0xff]) }),
  'protocol-name': (rng, p, id) => withConnect(rng, id, p, { protocolName: pick(rng, ['MQTX', 'MQIsdp', '', 'mqtt', 'MQTT\u0000']) }),
  'connect-reserved-flag': (rng, p, id) => withConnect(rng, id, p, { flags: 0xc2 | 0x01 }),
  'connect-flags-random': (rng, p, id) => withConnect(rng, id, p, { flags: int(rng, 0, 255) }),
  'will-foreign-topic': (rng, p, id) => withConnect(rng, id, p, { will: { topic: id.foreignTopic, payload: id.payload(rng) } }),
  'will-empty-topic': (rng, p, id) => withConnect(rng, id, p, { will: { topic: '', payload: Buffer.from('x') } }),
  'will-wildcard-topic': (rng, p, id) => withConnect(rng, id, p, { will: { topic: '#', payload: Buffer.from('x') } }),
  'will-invalid-utf8': (rng, p, id) => withConnect(rng, id, p, { will: { topic: Buffer.concat([Buffer.from(id.willTopic), pick(rng, INVALID_UTF8)]), payload: Buffer.from('x') } }),
  'will-qos-3': (rng, p, id) => withConnect(rng, id, p, { will: { topic: id.willTopic, payload: Buffer.from('x'), qos: 3 } }),
  'password-without-username': (rng, p, id) => withConnect(rng, id, p, { username: undefined as never, flags: 0x42 }),
  anonymous: (rng, p, id) => withConnect(rng, id, p, { username: undefined as never, password: undefined as never }),
  'wrong-password': (rng, p, id) => withConnect(rng, id, p, { password: Buffer.from(Array.from({ length: int(rng, 0, 80) }, () => int(rng, 0, 255))) }),
  'keepalive-extreme': (rng, p, id) => withConnect(rng, id, p, { keepalive: pick(rng, [0, 1, 65_535]) }),
  // SUBSCRIBE
  'subscribe-bad-flags': (rng, p, id) => at(p, later(rng, p), [rawSubscribe([{ topic: id.ownTopic, qos: 1 }], 7, int(rng, 0, 15) & ~0x02 & 0x0f)]),
  'subscribe-qos-3': (rng, p, id) => at(p, later(rng, p), [rawSubscribe([{ topic: id.ownTopic, qos: pick(rng, [3, 0x83, 0xff]) }])]),
  'subscribe-empty': (rng, p) => at(p, later(rng, p), [frame(0x82, u16(9))]),
  'subscribe-bad-filter': (rng, p, id) => at(p, later(rng, p), [rawSubscribe([{ topic: pick(rng, ['', 'a/#/b', 'a+', Buffer.from([0xff]), `${id.foreignTopic}`]), qos: 1 }])]),
  // Sequence
  'second-connect': (rng, p, id) => at(p, later(rng, p), [rawConnect(connectFields(id)), p[later(rng, p)] ?? Buffer.alloc(0)]),
  'first-not-connect': (rng, p, id) => [generate({ cmd: 'publish', topic: id.ownTopic, payload: id.payload(rng), qos: 1, dup: false, retain: false, messageId: 3 }), ...p.slice(1)],
  'server-only-packet': (rng, p) =>
    at(p, later(rng, p), [pick(rng, [generate({ cmd: 'connack', returnCode: 0, sessionPresent: false }), generate({ cmd: 'suback', messageId: 1, granted: [0] }), generate({ cmd: 'pingresp' }), generate({ cmd: 'unsuback', messageId: 1, granted: [] } as never)]), p[later(rng, p)] ?? Buffer.alloc(0)]),
  'reserved-packet-type': (rng, p) => at(p, later(rng, p), [Buffer.from([pick(rng, [0x00, 0xf0]), 0x00])]),
  'repeat-packet': (rng, p) => {
    const i = later(rng, p);
    return at(p, i, Array.from({ length: int(rng, 2, 40) }, () => p[i] ?? Buffer.alloc(0)));
  },
  'shuffle-packets': (rng, p) => [...p].sort(() => rng.next() - 0.5),
  'random-bytes': (rng) => [Buffer.from(Array.from({ length: int(rng, 1, 200) }, () => int(rng, 0, 255)))],
  'string-length-overrun': (rng, p, id) => at(p, 0, [frame(0x10, Buffer.concat([str('MQTT'), Buffer.from([4, 0xc2]), u16(30), u16(int(rng, 100, 65_535)), Buffer.from(id.clientId)]))]),
};

export const MUTATION_KINDS = Object.keys(MUTATIONS);

/** One script: a valid session, one to three mutations, then a framing (one write, per packet, or random splits). */
export function nextScript(rng: Rng, id: FuzzIdentity): Script {
  let packets = baseline(rng, id);
  const kinds: string[] = [];
  for (let n = int(rng, 1, 3); n > 0; n--) {
    const kind = pick(rng, MUTATION_KINDS);
    kinds.push(kind);
    packets = MUTATIONS[kind]!(rng, packets, id).filter((b) => b.length > 0);
  }
  const all = Buffer.concat(packets);
  const framing = rng.next();
  let chunks: Buffer[];
  if (framing < 0.4) chunks = [all];
  else if (framing < 0.8) chunks = packets;
  else {
    chunks = [];
    for (let i = 0; i < all.length; ) {
      const n = int(rng, 1, 64);
      chunks.push(all.subarray(i, i + n));
      i += n;
    }
    kinds.push('split-writes');
  }
  return { kinds, chunks: chunks.length > 0 ? chunks : [Buffer.from([0x10])], packets: Math.max(1, packets.length) };
}
