/**
 * One uplink message, from topic and bytes to a committed batch: decode (JSON or gzip, size-capped), validate against
 * the contracts, check that the batch names its gateway's ward, then hand it to the pipeline, which commits it in one
 * transaction. Rejections are counted and logged and return normally (nothing to retry); a storage failure throws,
 * so the caller withholds the acknowledgement and the batch comes again.
 */
import { gunzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import { GatewayStatus, parsePayload, parseTopic, PmError, UplinkBatch } from '@vigil/contracts';
import type { CloudMetrics } from '../metrics.ts';
import type { BatchOutcome } from '../processing/pipeline.ts';
import type { GatewayDirectory } from './gateway-registry.ts';

export interface UplinkHandlerOptions {
  /** When known (embedded broker, or configured), a gateway's batches must name the gateway's ward. */
  gateways: GatewayDirectory | undefined;
  metrics: CloudMetrics;
  logger: Logger;
  onBatch: (batch: UplinkBatch) => Promise<BatchOutcome>;
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

export function createUplinkHandler(options: UplinkHandlerOptions) {
  const { metrics, logger } = options;

  function reject(error: PmError, topic: string): void {
    metrics.rejected.inc({ reason: error.reason });
    logger.warn({ code: error.code, topic, detail: error.message }, 'uplink message rejected');
  }

  /** Handle one message; rejects with PM_ERR_STORE_FAILED when the batch could not be committed. */
  return async function handle(topicName: string, payload: Buffer): Promise<void> {
    const topic = parseTopic(topicName);
    if (!topic || topic.scope !== 'gateway') return reject(new PmError('PM_ERR_TOPIC_FORBIDDEN'), topicName);
    if (topic.channel === 'request') return; // our own requests to gateways, if a broker echoes them
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
    try {
      await options.onBatch(batch);
    } catch (err) {
      const error = new PmError('PM_ERR_STORE_FAILED', (err as Error).message);
      reject(error, topicName);
      throw error;
    }
  };
}
