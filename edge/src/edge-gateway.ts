/**
 * The edge gateway: device broker → ingest → durable outbox → uplink, plus ops endpoints.
 * `createEdgeGateway(config)` wires it; `start()` listens; `close()` stops devices first, then drains.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import type { EdgeConfig } from './config.ts';
import { SampleDeduper } from './dedupe.ts';
import { createDeviceBroker } from './device-broker.ts';
import { createDeviceIngest } from './device-ingest.ts';
import { DeviceDirectory } from './device-registry.ts';
import { createOpsServer } from './http-server.ts';
import { createEdgeMetrics } from './metrics.ts';
import { Outbox } from './outbox.ts';
import { RejectionLog } from './rejection-log.ts';
import { createUplink } from './uplink.ts';

export interface EdgeGatewayOptions {
  config: EdgeConfig;
  /** Registry given directly (tests) instead of read from config.registryFile. */
  directory?: DeviceDirectory;
  logger?: Logger;
  now?: () => number;
}

export async function createEdgeGateway(options: EdgeGatewayOptions) {
  const { config } = options;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: 'edge', gatewayId: config.gatewayId } });
  const directory = options.directory ?? DeviceDirectory.fromFile(config.registryFile);
  const metrics = createEdgeMetrics(config.gatewayId);
  const outbox = new Outbox(join(config.dataDir, 'outbox.sqlite'));
  const uplinkSecret = config.uplinkSecret ?? (config.uplinkSecretFile ? readFileSync(config.uplinkSecretFile, 'utf8').trim() : undefined);
  const uplink = createUplink({
    url: config.uplinkUrl,
    gatewayId: config.gatewayId,
    wardId: config.wardId,
    secret: uplinkSecret,
    outbox,
    metrics,
    logger,
    batchMaxRecords: config.batchMaxRecords,
    now,
  });
  const ingestCore = createDeviceIngest({
    outbox,
    deduper: new SampleDeduper(),
    metrics,
    maxPayloadBytes: config.maxPayloadBytes,
    maxClockSkewMs: config.maxClockSkewMs,
    now,
  });
  const ingest: typeof ingestCore = {
    ingest(device, channel, payload) {
      const outcome = ingestCore.ingest(device, channel, payload);
      if (outcome.result === 'stored') uplink.notify();
      return outcome;
    },
  };
  const broker = await createDeviceBroker({ directory, ingest, metrics, rejections: new RejectionLog(logger), logger });
  let mqttListening = false;
  const ops = createOpsServer(metrics, {
    mqtt: () => ({ ok: mqttListening }),
    outbox: () => ({ ok: true, detail: `${outbox.size} records waiting` }),
    uplink: () => ({ ok: uplink.connected, detail: uplink.connected ? 'connected' : 'disconnected: buffering in the outbox' }),
  });

  return {
    logger,
    metrics,
    outbox,
    /** Ports actually bound (differ from config when it asks for 0). */
    ports: { mqtt: 0, http: 0 },
    async start() {
      this.ports.mqtt = await broker.listen(config.mqttPort, config.mqttHost);
      mqttListening = true;
      this.ports.http = await ops.listen(config.httpPort, config.httpHost);
      uplink.start();
      logger.info({ mqttPort: this.ports.mqtt, httpPort: this.ports.http, devices: directory.size, backlog: outbox.size }, 'edge gateway started');
    },
    /** Graceful: stop taking device data, flush the batch in flight, close the outbox. */
    async close() {
      mqttListening = false;
      await broker.close();
      await uplink.close();
      await ops.close();
      outbox.close();
      logger.info('edge gateway stopped');
    },
  };
}
export type EdgeGateway = Awaited<ReturnType<typeof createEdgeGateway>>;
