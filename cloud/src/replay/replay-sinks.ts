/**
 * Where a replay's device messages go:
 *   cloud ingest — the edge's own checks (edge-equivalent.ts), then uplink batches into the cloud's batch handler
 *                  (the function the uplink broker calls: pipeline + sockets), one at a time: the replayer waits for
 *                  each batch to commit, which is its back-pressure;
 *   edge (MQTT)  — each device connects to an edge gateway's broker with its own credentials and publishes its
 *                  messages at QoS 1, as a device does; the replayer waits for the PUBACKs (the edge acknowledges a
 *                  message once it is durable in its outbox), a bounded window of them in flight.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { MAX_UPLINK_RECORDS, topics, type DeviceCredential, type SessionDevice, type SessionMessage, type UplinkBatch, type UplinkRecord } from '@vigil/contracts';
import { EdgeEquivalent, type EdgeEquivalentStats } from './edge-equivalent.ts';

export interface ReplaySink {
  /** Take one message; a returned promise means "wait before the next one" (back-pressure). */
  add(message: SessionMessage): Promise<void> | void;
  /** Hand over everything taken so far and wait until the pipeline has it. */
  flush(): Promise<void>;
  close(): Promise<void>;
  stats(): Record<string, number>;
}

export interface CloudIngestSinkOptions {
  wardId: string;
  /** Gateway id the batches carry (a replay is its own gateway). */
  gatewayId: string;
  devices: readonly SessionDevice[];
  /** The cloud's batch handler: stores, processes and publishes one batch; resolves once committed. */
  ingest: (batch: UplinkBatch) => Promise<unknown>;
  /**
   * Records per batch; default MAX_UPLINK_RECORDS. In-process batches never cross the uplink, so they may be larger:
   * fewer transactions and checkpoint rounds (every batch of a merged ward touches most of its patients).
   */
  batchRecords?: number | undefined;
}

export function createCloudIngestSink(options: CloudIngestSinkOptions): ReplaySink & { edge: EdgeEquivalentStats } {
  const edge = new EdgeEquivalent(options.devices);
  const max = Math.max(1, options.batchRecords ?? MAX_UPLINK_RECORDS);
  let records: UplinkRecord[] = [];
  let batchSeq = 0;
  let batches = 0;
  async function flush(): Promise<void> {
    if (records.length === 0) return;
    const batch: UplinkBatch = { v: 1, gatewayId: options.gatewayId, wardId: options.wardId, batchSeq: batchSeq++, sentAt: lastT, records };
    records = [];
    await options.ingest(batch);
    batches++;
  }
  let lastT = 0;
  return {
    edge: edge.stats,
    add(message) {
      const record = edge.convert(message);
      if (!record) return;
      lastT = message.sentAt;
      records.push(record);
      if (records.length >= max) return flush();
    },
    flush,
    close: flush,
    stats: () => ({ ...edge.stats, batches }),
  };
}

export interface EdgeMqttSinkOptions {
  /** The edge gateway's device broker, e.g. mqtt://127.0.0.1:1883. */
  brokerUrl: string;
  /** Device credentials (provisioning) of every device the session names. */
  credentials: readonly DeviceCredential[];
  /** Publishes awaiting their PUBACK at most (all devices together). */
  inFlight?: number;
}

export function createEdgeMqttSink(options: EdgeMqttSinkOptions): ReplaySink {
  const byDevice = new Map(options.credentials.map((c) => [c.deviceId, c]));
  const clients = new Map<string, Promise<MqttClient>>();
  const window = Math.max(1, options.inFlight ?? 256);
  const pending = new Set<Promise<void>>();
  let published = 0;
  let failed: Error | undefined;

  function client(deviceId: string): Promise<MqttClient> {
    let c = clients.get(deviceId);
    if (c) return c;
    const credential = byDevice.get(deviceId);
    if (!credential) return Promise.reject(new Error(`no device credential for ${deviceId}: provision the replay's edge with the session's devices`));
    c = new Promise<MqttClient>((resolve, reject) => {
      const m = mqtt.connect(options.brokerUrl, { clientId: deviceId, username: deviceId, password: credential.secret, reconnectPeriod: 1000, connectTimeout: 10_000 });
      m.once('connect', () => resolve(m));
      m.once('error', (err) => reject(err));
    });
    clients.set(deviceId, c);
    return c;
  }

  const topicOf = (m: SessionMessage) =>
    m.channel === 'vitals' ? topics.deviceVitals(m.message.deviceId) : m.channel === 'status' ? topics.deviceStatus(m.message.deviceId) : topics.deviceWave(m.message.deviceId);

  return {
    async add(message) {
      if (failed) throw failed;
      const mqttClient = await client(message.message.deviceId);
      const qos = message.channel === 'wave' ? 0 : 1; // as devices do (simulators' mqtt-device-link.ts)
      const p: Promise<void> = mqttClient
        .publishAsync(topicOf(message), JSON.stringify(message.message), { qos })
        .then(() => {
          published++;
        })
        .catch((err: unknown) => {
          failed ??= err as Error;
        })
        .finally(() => pending.delete(p));
      pending.add(p);
      if (pending.size >= window) await Promise.race(pending);
    },
    async flush() {
      await Promise.all(pending);
      if (failed) throw failed;
    },
    async close() {
      await Promise.all(pending);
      await Promise.all([...clients.values()].map((c) => c.then((m) => m.endAsync(), () => undefined)));
      clients.clear();
    },
    stats: () => ({ published, devices: clients.size }),
  };
}
