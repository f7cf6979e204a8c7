/**
 * The edge gateway: device broker → ingest (validate, dedupe, quality) → local consumers (alarms, aggregation,
 * recorder) → durable outbox → uplink, plus ops endpoints.
 * `createEdgeGateway(config)` wires it; `start()` listens; `close()` stops devices first, then flushes and drains.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import type { GatewayRequest } from '@vigil/contracts';
import type { EdgeConfig } from './config.ts';
import { SampleDeduper } from './dedupe.ts';
import { createDeviceBroker } from './device-broker.ts';
import { createDeviceIngest } from './device-ingest.ts';
import { createLocalPipeline } from './local-pipeline.ts';
import { attachLocalView } from './local-view.ts';
import { DeviceDirectory } from './device-registry.ts';
import { createOpsServer } from './http-server.ts';
import { createEdgeMetrics } from './metrics.ts';
import { Outbox } from './outbox.ts';
import { DeviceRateLimiter } from './rate-limit.ts';
import { RejectionLog } from './rejection-log.ts';
import { createUplink } from './uplink.ts';

export interface EdgeGatewayOptions {
  config: EdgeConfig;
  /** Registry given directly (tests) instead of read from config.registryFile. */
  directory?: DeviceDirectory;
  logger?: Logger;
  now?: () => number;
}

function tlsOptions(config: EdgeConfig) {
  if (config.tlsPort === undefined) return undefined;
  if (!config.tlsCertFile || !config.tlsKeyFile) throw new Error('VIGIL_EDGE_TLS_PORT needs VIGIL_EDGE_TLS_CERT_FILE and VIGIL_EDGE_TLS_KEY_FILE');
  return {
    cert: readFileSync(config.tlsCertFile),
    key: readFileSync(config.tlsKeyFile),
    ...(config.tlsCaFile ? { ca: readFileSync(config.tlsCaFile), requestCert: true, rejectUnauthorized: true } : {}),
  };
}

export async function createEdgeGateway(options: EdgeGatewayOptions) {
  const { config } = options;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: 'edge', gatewayId: config.gatewayId } });
  const directory = options.directory ?? DeviceDirectory.fromFile(config.registryFile);
  const metrics = createEdgeMetrics(config.gatewayId);
  const tls = tlsOptions(config);
  let uplinkNotify = (): void => undefined;
  let requestHandler = (_request: GatewayRequest): void => undefined;
  const outbox = new Outbox(join(config.dataDir, 'outbox.sqlite'), {
    fsync: config.outboxFsync,
    maxRecords: config.outboxMaxRecords,
    onCommit: (records, ms) => {
      metrics.outboxCommitSeconds.observe(ms / 1000);
      metrics.outboxDepth.set(outbox.size);
      if (records > 0) uplinkNotify();
    },
    onFailure: (err, records, first) => {
      metrics.outboxCommitFailures.inc();
      // One error line per streak (a full disk fails every commit); devices are refused and resend.
      if (first) logger.error({ code: 'PM_ERR_STORE_FAILED', err: err.message, records }, 'outbox commit failed (disk full?): device messages refused until commits succeed again');
    },
    onRecover: (failedMs) => logger.warn({ failedMs }, 'outbox commits succeed again'),
    onDrop: (dropped) => {
      metrics.outboxDropped.inc(dropped);
      logger.error({ dropped, bound: config.outboxMaxRecords }, 'outbox full: oldest backlog records dropped (VIGIL_EDGE_OUTBOX_MAX_RECORDS)');
    },
  });
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
    backlogRecordsPerS: config.backlogRecordsPerS,
    lateAfterMs: config.lateAfterMs,
    gzip: config.uplinkGzip,
    now,
    onRequest: (request) => requestHandler(request),
  });
  uplinkNotify = uplink.notify;
  const local = createLocalPipeline({
    wardId: config.wardId,
    gatewayId: config.gatewayId,
    directory,
    outbox,
    metrics,
    logger,
    windowMs: config.windowMs,
    patientLimitsFile: config.patientLimitsFile,
    technical: { linkDownDelayMs: config.linkDownDelayMs, sensorOffDelayMs: config.sensorOffDelayMs },
    recorder: config.recorder ? { dir: config.recorderDir, waves: config.recordWaves } : undefined,
    now,
  });
  requestHandler = (request) => local.requestWaveforms(request.patientId, request.until);
  const ingest = createDeviceIngest({
    outbox,
    deduper: new SampleDeduper(),
    waveDeduper: new SampleDeduper(),
    quality: local.quality,
    observer: local.observer,
    onConsumerError: (err) => logger.error({ err: err.message }, 'local consumer failed; the message is stored regardless'),
    metrics,
    maxPayloadBytes: config.maxPayloadBytes,
    maxClockSkewMs: config.maxClockSkewMs,
    now,
  });
  const broker = await createDeviceBroker({
    directory,
    ingest,
    metrics,
    rejections: new RejectionLog(logger),
    rateLimiter: new DeviceRateLimiter({ perSecond: config.rateLimitPerS, burst: config.rateLimitBurst }, now),
    maxPacketBytes: config.maxPacketBytes,
    ...(tls ? { tls } : {}),
    logger,
  });
  let mqttListening = false;
  const ops = createOpsServer(metrics, {
    mqtt: () => ({ ok: mqttListening }),
    outbox: () => {
      const failure = outbox.failure;
      if (failure) return { ok: false, detail: `commits failing for ${Math.round((Date.now() - failure.since) / 1000)} s (${failure.message}): device messages refused, ${outbox.retrying} gateway records held in memory` };
      return { ok: outbox.size < outbox.bound, detail: `${outbox.size} of ${outbox.bound} records waiting` };
    },
    uplink: () => ({ ok: uplink.connected, detail: uplink.connected ? 'connected' : 'disconnected: buffering in the outbox' }),
  });
  const view = attachLocalView(ops.server, {
    wardId: config.wardId,
    token: config.localViewToken,
    snapshot: () => local.snapshot(),
    corsOrigins: config.localViewCorsOrigins?.split(',').map((o) => o.trim()).filter(Boolean) ?? [],
    logger,
    audit: (event) => logger.info({ audit: event }, 'local view: patient data read'),
  });
  if (view.enabled) {
    ops.route((req, res) => view.handleLocalViewRequest(req, res));
    local.attachView(view);
  }
  let ticker: NodeJS.Timeout | undefined;

  return {
    logger,
    metrics,
    outbox,
    uplink,
    local,
    /** Ports actually bound (differ from config when it asks for 0). */
    ports: { mqtt: 0, http: 0, mqttTls: 0 },
    async start() {
      this.ports.mqtt = await broker.listen(config.mqttPort, config.mqttHost);
      if (broker.listenTls && config.tlsPort !== undefined) this.ports.mqttTls = await broker.listenTls(config.tlsPort, config.mqttHost);
      mqttListening = true;
      this.ports.http = await ops.listen(config.httpPort, config.httpHost);
      uplink.start();
      // Wall-clock duties of the local pipeline (data gaps, link-down alarm, idle windows): once a second, which is
      // also the signal generation delay of those technical alarms.
      ticker = setInterval(() => local.tick(uplink.connected), 1000);
      ticker.unref();
      logger.info({ mqttPort: this.ports.mqtt, tlsPort: this.ports.mqttTls || undefined, httpPort: this.ports.http, devices: directory.size, backlog: outbox.size }, 'edge gateway started');
    },
    /** Graceful: stop taking device data, commit what is queued, drain what the uplink can, close the outbox. */
    async close() {
      mqttListening = false;
      if (ticker) clearInterval(ticker);
      await broker.close();
      await local.close();
      outbox.flush();
      await uplink.close();
      await view.close();
      await ops.close();
      outbox.close();
      logger.info({ left: outbox.size }, 'edge gateway stopped');
    },
  };
}
export type EdgeGateway = Awaited<ReturnType<typeof createEdgeGateway>>;
