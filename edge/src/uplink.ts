/**
 * The uplink: drains the durable outbox to the cloud's broker over MQTT (persistent session, QoS 1), one batch in
 * flight at a time, in outbox order. Records leave the outbox only when the broker has acknowledged their batch;
 * if the gateway dies first they are sent again after restart and the cloud's idempotent store absorbs the repeat.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { topics, type GatewayStatus, type UplinkBatch } from '@vigil/contracts';
import { disableNagle } from '@vigil/contracts/mqtt-node';
import type { EdgeMetrics } from './metrics.ts';
import type { Outbox } from './outbox.ts';

export interface UplinkOptions {
  url: string;
  gatewayId: string;
  wardId: string;
  secret: string | undefined;
  outbox: Outbox;
  metrics: EdgeMetrics;
  logger: Logger;
  batchMaxRecords: number;
  now: () => number;
}

export function createUplink(options: UplinkOptions) {
  const { outbox, metrics, logger, gatewayId, wardId } = options;
  let client: MqttClient | undefined;
  let inFlight: Promise<void> | undefined;
  let scheduled = false;
  let closing = false;

  const status = (state: GatewayStatus['state']): string =>
    JSON.stringify({ v: 1, gatewayId, wardId, t: options.now(), state } satisfies GatewayStatus);

  function pump(): void {
    scheduled = false;
    if (!client?.connected || inFlight || closing) return;
    const entries = outbox.peek(0, options.batchMaxRecords);
    const first = entries[0];
    const last = entries[entries.length - 1];
    if (!first || !last) return;
    const batch: UplinkBatch = {
      v: 1,
      gatewayId,
      wardId,
      batchSeq: last.id,
      sentAt: options.now(),
      records: entries.map((e) => e.record),
    };
    const c = client;
    inFlight = new Promise<void>((resolve) => {
      c.publish(topics.gatewayUplink(gatewayId), JSON.stringify(batch), { qos: 1 }, (err) => {
        if (err) {
          logger.warn({ err: err.message }, 'uplink batch not acknowledged; will retry');
        } else {
          outbox.remove(first.id, last.id);
          metrics.uplinkBatches.inc();
          metrics.uplinkRecords.inc(entries.length);
          metrics.outboxDepth.set(outbox.size);
        }
        resolve();
      });
    }).finally(() => {
      inFlight = undefined;
      schedule();
    });
  }

  /** Coalesce many appends into one batch: pump on the next turn of the event loop. */
  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(pump);
  }

  return {
    start(): void {
      client = mqtt.connect(options.url, {
        clientId: gatewayId,
        username: gatewayId,
        ...(options.secret !== undefined ? { password: options.secret } : {}),
        protocolVersion: 4,
        clean: false, // persistent session: the broker keeps our QoS 1 state across reconnects
        keepalive: 15, // s: a dead link is noticed within ~1.5 keepalives
        reconnectPeriod: 1000, // ms
        connectTimeout: 5000, // ms
        will: { topic: topics.gatewayStatus(gatewayId), payload: Buffer.from(status('offline')), qos: 1, retain: true },
      });
      disableNagle(client); // latency hygiene, see contracts/src/mqtt-node.ts
      client.on('connect', () => {
        metrics.uplinkConnected.set(1);
        logger.info({ url: options.url, backlog: outbox.size }, 'uplink connected');
        client?.publish(topics.gatewayStatus(gatewayId), status('online'), { qos: 1, retain: true });
        schedule();
      });
      client.on('close', () => metrics.uplinkConnected.set(0));
      client.on('error', (err) => logger.warn({ err: err.message }, 'uplink error'));
    },
    /** Called after each outbox append. */
    notify: schedule,
    get connected(): boolean {
      return client?.connected ?? false;
    },
    /** Stop, after giving the batch in flight up to `timeoutMs` to be acknowledged. */
    async close(timeoutMs = 5000): Promise<void> {
      closing = true;
      if (inFlight) await Promise.race([inFlight, new Promise((r) => setTimeout(r, timeoutMs))]);
      if (client?.connected) {
        await new Promise<void>((resolve) => client?.publish(topics.gatewayStatus(gatewayId), status('offline'), { qos: 1, retain: true }, () => resolve()));
      }
      await client?.endAsync(true);
      metrics.uplinkConnected.set(0);
    },
  };
}
export type Uplink = ReturnType<typeof createUplink>;
