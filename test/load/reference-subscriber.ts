/**
 * The consumer of the mosquitto reference (a child process): one MQTT.js client, subscribed with QoS 1 to every
 * device's numerics (and QoS 0 to its waveform chunks, as the devices publish them), that only counts and
 * timestamps what arrives. It stands where the Vigil edge and cloud stand in the real path, doing none of their
 * work: bare transport, the reference the issue asks for.
 *
 *   node --import tsx test/load/reference-subscriber.ts '{"url":"mqtt://…","username":"…","password":"…","resultFile":"…"}'
 * Prints {"event":"subscribed"}; on SIGTERM writes `resultFile` (every numerics key received with its event time
 * and arrival time) and exits.
 */
import { writeFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { z } from 'zod';
import { disableNagle } from '@vigil/contracts/mqtt-node';

const Options = z.object({ url: z.string().url(), username: z.string(), password: z.string(), resultFile: z.string() }).strict();
const o = Options.parse(JSON.parse(process.argv[2] ?? '{}'));
const say = (event: string, data: Record<string, unknown> = {}) => process.stdout.write(JSON.stringify({ event, ...data }) + '\n');

/** Numerics received: key fields, event time and arrival time, in arrival order. */
const rows: Array<[deviceId: string, bootId: string, seq: number, t: number, arrivedAt: number]> = [];
/** Arrival time of every waveform chunk. */
const waves: number[] = [];
let waveBytes = 0;

const client = mqtt.connect(o.url, { clientId: `load-reference-${process.pid}`, username: o.username, password: o.password, clean: true, protocolVersion: 4, reconnectPeriod: 1000 });
disableNagle(client);
client.on('message', (topic, payload) => {
  const arrivedAt = Date.now();
  if (topic.endsWith('/vitals')) {
    const m = JSON.parse(payload.toString()) as { deviceId: string; bootId: string; seq: number; t: number };
    rows.push([m.deviceId, m.bootId, m.seq, m.t, arrivedAt]);
  } else if (topic.endsWith('/wave')) {
    // Counted, not parsed: the reference does no work on a chunk.
    waves.push(arrivedAt);
    waveBytes += payload.length;
  }
});
client.on('error', (err) => process.stderr.write(`[reference-subscriber] ${err.message}\n`));
await new Promise<void>((resolve) => client.once('connect', () => resolve()));
await client.subscribeAsync({ 'vigil/v1/dev/+/vitals': { qos: 1 }, 'vigil/v1/dev/+/wave': { qos: 0 } });
say('subscribed');

process.on('SIGTERM', () => {
  writeFileSync(o.resultFile, JSON.stringify({ rows, waves, waveBytes }));
  client.end(true);
  process.exit(0);
});
