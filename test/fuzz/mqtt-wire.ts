/**
 * MQTT 3.1.1 on the wire, for the fuzzer: valid packets come from mqtt-packet's own generator (the library aedes
 * parses with), and a small raw encoder builds what mqtt-packet refuses to generate — invalid UTF-8 strings, NUL
 * characters, lying Remaining Lengths, reserved flags — byte for byte as OASIS MQTT 3.1.1 §2–3 lays them out.
 */
import mqttPacket, { type Packet } from 'mqtt-packet';

/** Remaining Length, variable-length encoding [MQTT-2.2.3]; `minBytes` pads it (non-minimal encodings). */
export function varint(value: number, minBytes = 1): Buffer {
  const out: number[] = [];
  let rest = value;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0 || out.length + 1 < minBytes) byte |= 0x80;
    out.push(byte);
  } while (rest > 0 || out.length < minBytes);
  return Buffer.from(out);
}

/** A UTF-8 string field (two-byte length prefix) [MQTT-1.5.3]; a Buffer is written as is (invalid UTF-8 on purpose). */
export function str(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length & 0xffff);
  return Buffer.concat([length, bytes]);
}

export function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value & 0xffff);
  return b;
}

/** Fixed header + body; `claimLength` lets the header lie about the body's size. */
export function frame(typeAndFlags: number, body: Buffer, claimLength = body.length): Buffer {
  return Buffer.concat([Buffer.from([typeAndFlags & 0xff]), varint(claimLength), body]);
}

export interface RawConnect {
  protocolName?: string | Buffer;
  level?: number;
  /** Connect flags byte; computed from the fields when omitted. */
  flags?: number;
  keepalive?: number;
  clientId: string | Buffer;
  will?: { topic: string | Buffer; payload: Buffer; qos?: number; retain?: boolean };
  username?: string | Buffer;
  password?: string | Buffer;
  clean?: boolean;
}

/** CONNECT [MQTT-3.1], every field overridable. */
export function rawConnect(c: RawConnect): Buffer {
  let flags = c.flags;
  if (flags === undefined) {
    flags = (c.clean ?? true) ? 0x02 : 0;
    if (c.will) flags |= 0x04 | ((c.will.qos ?? 0) << 3) | (c.will.retain ? 0x20 : 0);
    if (c.password !== undefined) flags |= 0x40;
    if (c.username !== undefined) flags |= 0x80;
  }
  const parts = [str(c.protocolName ?? 'MQTT'), Buffer.from([c.level ?? 4, flags]), u16(c.keepalive ?? 30), str(c.clientId)];
  if (c.will) parts.push(str(c.will.topic), str(c.will.payload));
  if (c.username !== undefined) parts.push(str(c.username));
  if (c.password !== undefined) parts.push(str(c.password));
  return frame(0x10, Buffer.concat(parts));
}

/** PUBLISH [MQTT-3.3] with a raw topic; `qos` may be 3 (reserved) on purpose. */
export function rawPublish(topic: string | Buffer, payload: Buffer, qos = 1, messageId = 1, flags = 0): Buffer {
  const body = Buffer.concat([str(topic), qos > 0 ? u16(messageId) : Buffer.alloc(0), payload]);
  return frame(0x30 | (qos << 1) | flags, body);
}

/** SUBSCRIBE [MQTT-3.8]; fixed-header flags must be 0b0010. */
export function rawSubscribe(filters: Array<{ topic: string | Buffer; qos: number }>, messageId = 1, headerFlags = 0x02): Buffer {
  const body = Buffer.concat([u16(messageId), ...filters.map((f) => Buffer.concat([str(f.topic), Buffer.from([f.qos])]))]);
  return frame(0x80 | headerFlags, body);
}

/** A valid packet through mqtt-packet's generator (MQTT 3.1.1). */
export function generate(packet: Packet): Buffer {
  return mqttPacket.generate(packet, { protocolVersion: 4 });
}

export interface ParsedStream {
  packets: Packet[];
  error: string | undefined;
}

/** Parse bytes as a broker would (mqtt-packet's parser, as aedes uses it): the packets before the first error. */
export function parseStream(bytes: Buffer): ParsedStream {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const packets: Packet[] = [];
  let error: string | undefined;
  parser.on('packet', (p: Packet) => {
    if (error === undefined) packets.push(p);
  });
  parser.on('error', (e: Error) => {
    error ??= e.message;
  });
  try {
    parser.parse(bytes);
  } catch (e) {
    error ??= (e as Error).message;
  }
  return { packets, error };
}
