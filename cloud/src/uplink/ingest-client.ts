/**
 * The cloud's ingest: an MQTT client (persistent session, QoS 1) on the uplink broker, embedded or external.
 * mqtt.js sends PUBACK only when `handleMessage` calls back, and it calls back after the batch has committed: a
 * crash before that means the broker redelivers, and the idempotent store absorbs the repeat.
 */
import { gunzipSync } from 'node:zlib';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { GatewayStatus, type GatewayRequest, parsePayload, parseTopic, PmError, topics, UplinkBatch } from '@vigil/contracts';
import { disableNagle } from '@vigil/contracts/mqtt-node';
import type { CloudMetrics } from '../metrics.ts';
import type { BatchOutcome } from '../processing/pipeline.ts';
import type { GatewayDirectory } from './gateway-registry.ts';

export interface IngestClientOptions {
  url: string;
  username: string;
  secret: string | undefined;
  clientId: string;
  /** When known (embedded broker, or configured), a gateway's batches must name the gateway's ward. */
  gateways: GatewayDirectory | undefined;
  metrics: CloudMetrics;
  logger: Logger;
  onBatch: (batch: UplinkBatch) => BatchOutcome;
  onGatewayStatus?: (status: GatewayStatus) => void;
}

/** Uplink batches can be large: 5,000 records of ~400 bytes; raw waveform chunks ~15 KB each. */
const UPLINK_LIMITS = { maxBytes: 16 * 1024 * 1024, maxDepth: 8 };

/**
 * Batches arrive as JSON or gzip (the edge compresses by default): gzip starts with 1f 8b, JSON with '{'. The
 * decompressed size is capped, so a small gzip bomb cannot exhaust memory.
 */
export function decodeUplinkPayload(payload: Buffer): Buffer | PmError {
  if (payload.length < 2 || payload[0] !== 0x1f || payload[1] !== 0x8b) return payload;
  try {
    return gunzipSync(payload, { maxOutputLength: UPLINK_LIMITS.maxBytes });
  } catch (err) {
    return new PmError('PM_ERR_UPLINK_ENCODING', `gzip: ${(err as Error).message}`);
  }
}

export function createIngestClient(options: IngestClientOptions) {
  const { metrics, logger } = options;
  let client: MqttClient | undefined;

  function reject(error: PmError, topic: string): void {
    metrics.rejected.inc({ reason: error.reason });
    logger.warn({ code: error.code, topic, detail: error.message }, 'uplink message rejected');
  }

  function handle(topicName: string, payload: Buffer): void {
    const topic = parseTopic(topicName);
    if (!topic || topic.scope !== 'gateway') return reject(new PmError('PM_ERR_TOPIC_FORBIDDEN'), topicName);
    if (topic.channel === 'request') return; // our own requests to gateways, if the broker echoes them
    if (topic.channel === 'status') {
      const parsed = parsePayload(GatewayStatus, payload, UPLINK_LIMITS);
      if (!parsed.ok) return reject(parsed.error, topicName);
      options.onGatewayStatus?.(parsed.value);
      return;
    }
    const decoded = decodeUplinkPayload(payload);
    if (decoded instanceof PmError) return reject(decoded, topicName);
    const parsed = parsePayload(UplinkBatch, decoded, UPLINK_LIMITS);
    if (!parsed.ok) return reject(parsed.error, topicName);
    const batch = parsed.value;
    if (batch.gatewayId !== topic.gatewayId) return reject(new PmError('PM_ERR_DEVICE_MISMATCH', 'batch gatewayId differs from its topic'), topicName);
    const gateway = options.gateways?.get(batch.gatewayId);
    if (options.gateways && gateway?.wardId !== batch.wardId) return reject(new PmError('PM_ERR_UPLINK_WARD_MISMATCH'), topicName);
    options.onBatch(batch);
  }

  return {
    async start(): Promise<void> {
      client = await mqtt.connectAsync(options.url, {
        clientId: options.clientId,
        username: options.username,
        ...(options.secret !== undefined ? { password: options.secret } : {}),
        protocolVersion: 4,
        clean: false, // keep our subscription and unacknowledged messages across reconnects
        keepalive: 15, // s
        reconnectPeriod: 1000, // ms
      });
      disableNagle(client);
      client.handleMessage = (packet, callback) => {
        try {
          handle(packet.topic, packet.payload as Buffer);
          callback();
        } catch (err) {
          // Storage failed: withhold the PUBACK and drop the socket; mqtt.js reconnects and, the session being
          // persistent, the broker redelivers the unacknowledged batch [MQTT-4.4.0-1].
          reject(new PmError('PM_ERR_STORE_FAILED', (err as Error).message), packet.topic);
          callback(err as Error);
          (client as unknown as { stream?: { destroy(): void } } | undefined)?.stream?.destroy();
        }
      };
      await client.subscribeAsync([topics.allGatewayUplinks, topics.allGatewayStatus], { qos: 1 });
      logger.info({ url: options.url }, 'ingest subscribed to the uplink broker');
    },
    get connected(): boolean {
      return client?.connected ?? false;
    },
    /** Ask a gateway to forward a patient's raw waveforms until `until` (QoS 1). */
    async requestWaveforms(gatewayId: string, request: GatewayRequest): Promise<void> {
      if (!client) throw new PmError('PM_ERR_INTERNAL', 'ingest client not started');
      await client.publishAsync(topics.gatewayRequest(gatewayId), JSON.stringify(request), { qos: 1 });
    },
    async close(): Promise<void> {
      await client?.endAsync();
    },
  };
}
