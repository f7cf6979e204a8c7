/**
 * Saturation load for the gateway benchmark (a child process): K device connections, each keeping W QoS 1
 * VitalsSamples in flight, a new one sent as soon as one is acknowledged. Raw MQTT 3.1.1 over net sockets, not
 * MQTT.js, so that the client is not the bottleneck: CONNECT is encoded by mqtt-packet, PUBLISH by hand into one
 * buffer per socket read, and the only packets a broker sends back here (CONNACK, PUBACK, PINGRESP) are parsed by
 * hand. Every sample is valid for the contracts: a fresh seq, event time = now, vitals drawn from adult ranges.
 *
 *   node --import tsx edge/bench/load-generator.ts '{"port":1883,"credentialsFile":"…","devices":200,"window":16,"warmupS":5,"measureS":15}'
 * Prints JSON lines: connected, measure-start, measure-end (with acks and PUBACK latency quantiles), done.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { topics, type DeviceCredentials } from '@vigil/contracts';

interface LoadOptions {
  host?: string;
  port: number;
  credentialsFile: string;
  devices: number;
  window: number;
  warmupS: number;
  measureS: number;
}

const o = JSON.parse(process.argv[2] ?? '{}') as LoadOptions;
const say = (event: string, data: Record<string, unknown> = {}) => process.stdout.write(JSON.stringify({ event, ...data }) + '\n');
const credentials = (JSON.parse(readFileSync(o.credentialsFile, 'utf8')) as DeviceCredentials).devices.slice(0, o.devices);
if (credentials.length < o.devices) throw new Error(`only ${credentials.length} credentials for ${o.devices} devices`);

/** A pool of realistic ICU numerics (normal adult ranges), as JSON fragments; sample n uses fragment n mod 64. */
const VITALS = Array.from({ length: 64 }, () => {
  const r = (min: number, max: number, digits = 0) => Number((min + Math.random() * (max - min)).toFixed(digits));
  const sys = r(105, 140);
  const dia = r(60, 85);
  return JSON.stringify({ hr: r(55, 95), spo2: r(94, 100), rr: r(12, 20), abpSys: sys, abpDia: dia, abpMean: Math.round((sys + 2 * dia) / 3), temp: r(36.4, 37.6, 1) });
});

/** Latency histogram in 0.1 ms bins up to 10 s (the last bin holds the rest). */
const BIN_MS = 0.1;
const hist = new Uint32Array(100_001);
let measuring = false;
let acked = 0;
let sent = 0;

function encodePublish(topic: Buffer, id: number, payload: string): Buffer {
  const payloadLen = Buffer.byteLength(payload);
  const remaining = 2 + topic.length + 2 + payloadLen;
  const lenBytes = remaining < 128 ? 1 : remaining < 16384 ? 2 : 3;
  const buf = Buffer.allocUnsafe(1 + lenBytes + remaining);
  buf[0] = 0x32; // PUBLISH, QoS 1 [MQTT-3.3.1]
  let n = remaining;
  let i = 1;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    buf[i++] = byte;
  } while (n > 0);
  buf.writeUInt16BE(topic.length, i);
  topic.copy(buf, i + 2);
  i += 2 + topic.length;
  buf.writeUInt16BE(id, i);
  buf.write(payload, i + 2);
  return buf;
}

class Device {
  readonly #topic: Buffer;
  readonly #prefix: string;
  readonly #sentAt = new Float64Array(65536);
  #socket!: Socket;
  #seq = 0;
  #nextId = 1;
  #pending = Buffer.alloc(0);
  #running = false;
  inFlight = 0;

  constructor(readonly credential: (typeof credentials)[number]) {
    this.#topic = Buffer.from(topics.deviceVitals(credential.deviceId));
    this.#prefix = `{"v":1,"deviceId":"${credential.deviceId}","bootId":"${randomUUID()}","seq":`;
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: o.host ?? '127.0.0.1', port: o.port });
      this.#socket = socket;
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.once('connect', () => {
        const c = this.credential;
        socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: c.deviceId, keepalive: 60, username: c.deviceId, password: Buffer.from(c.secret) }));
      });
      socket.on('data', (data: Buffer) => {
        const out = this.#read(data, resolve, reject);
        if (out.length > 0) socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
      });
      socket.on('close', () => {
        if (this.#running) {
          say('error', { message: `${this.credential.deviceId}: connection closed by the broker` });
          process.exit(1);
        }
      });
    });
  }

  #publish(now: number): Buffer {
    const id = this.#nextId;
    this.#nextId = id === 65535 ? 1 : id + 1;
    this.#sentAt[id] = performance.now();
    const seq = this.#seq++;
    this.inFlight++;
    sent++;
    return encodePublish(this.#topic, id, `${this.#prefix}${seq},"t":${now},"vitals":${VITALS[seq & 63]}}`);
  }

  /** Parse what the broker sent; return the publishes that refill the window. */
  #read(data: Buffer, resolve: () => void, reject: (e: Error) => void): Buffer[] {
    let buf = this.#pending.length > 0 ? Buffer.concat([this.#pending, data]) : data;
    const out: Buffer[] = [];
    let acks = 0;
    for (;;) {
      if (buf.length < 2) break;
      let len = 0;
      let mul = 1;
      let i = 1;
      for (; i < buf.length && i < 5; i++) {
        len += (buf[i]! & 0x7f) * mul;
        mul *= 128;
        if ((buf[i]! & 0x80) === 0) break;
      }
      if (i >= buf.length || buf.length < i + 1 + len) break;
      const type = buf[0]! >> 4;
      const body = buf.subarray(i + 1, i + 1 + len);
      if (type === 2) {
        // CONNACK: return code 0 accepted [MQTT-3.2.2.3]
        if (body[1] === 0) resolve();
        else reject(new Error(`${this.credential.deviceId}: CONNACK return code ${body[1]}`));
      } else if (type === 4) {
        const id = body.readUInt16BE(0);
        this.inFlight--;
        acks++;
        if (measuring) {
          acked++;
          hist[Math.min(hist.length - 1, Math.floor((performance.now() - this.#sentAt[id]!) / BIN_MS))]!++;
        }
      }
      buf = buf.subarray(i + 1 + len);
    }
    this.#pending = buf.length > 0 ? Buffer.from(buf) : Buffer.alloc(0);
    if (this.#running && acks > 0) {
      const now = Date.now();
      while (this.inFlight < o.window) out.push(this.#publish(now));
    }
    return out;
  }

  start(): void {
    this.#running = true;
    const now = Date.now();
    const out: Buffer[] = [];
    while (this.inFlight < o.window) out.push(this.#publish(now));
    this.#socket.write(Buffer.concat(out));
  }

  stop(): void {
    this.#running = false;
  }

  disconnect(): void {
    this.#socket.end(mqttPacket.generate({ cmd: 'disconnect' }));
  }
}

function quantileMs(q: number): number {
  const total = hist.reduce((s, n) => s + n, 0);
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    if (seen > q * total) return Math.round((i + 0.5) * BIN_MS * 10) / 10;
  }
  return NaN;
}

const devices = credentials.map((c) => new Device(c));
const connectStart = performance.now();
// In groups, as a ward's devices would come up, not 200 CONNECTs in the same millisecond.
for (let i = 0; i < devices.length; i += 50) await Promise.all(devices.slice(i, i + 50).map((d) => d.connect()));
say('connected', { devices: devices.length, seconds: (performance.now() - connectStart) / 1000 });
for (const d of devices) d.start();
await new Promise((r) => setTimeout(r, o.warmupS * 1000));
const t0 = performance.now();
const sent0 = sent;
measuring = true;
say('measure-start');
await new Promise((r) => setTimeout(r, o.measureS * 1000));
measuring = false;
const seconds = (performance.now() - t0) / 1000;
say('measure-end', { acked, sent: sent - sent0, seconds, ackedPerS: acked / seconds, pubackP50ms: quantileMs(0.5), pubackP99ms: quantileMs(0.99) });
for (const d of devices) d.stop();
const drainUntil = Date.now() + 3000;
while (devices.some((d) => d.inFlight > 0) && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
for (const d of devices) d.disconnect();
say('done', { unacknowledged: devices.reduce((s, d) => s + d.inFlight, 0) });
setTimeout(() => process.exit(0), 200);
