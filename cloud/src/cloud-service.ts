/**
 * The cloud service: uplink ingest → pipeline (storage, ward state, limit rules, alarm manager) → REST and
 * socket.io. `createCloudService(options)` wires it; `start()` listens; `close()` stops ingest first.
 */
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { compareAlarms, LimitRuleEngine, MAX_WAVEFORM_REQUEST_MS, PmError, type GatewayRequest, type WardSnapshot } from '@vigil/contracts';
import { listenOn } from '@vigil/contracts/service';
import { AlarmManager } from './alarms/alarm-manager.ts';
import { createHttpApp } from './api/http-app.ts';
import { createSocketServer } from './api/socket-server.ts';
import type { CloudConfig } from './config.ts';
import { createCloudMetrics } from './metrics.ts';
import { createPipeline } from './processing/pipeline.ts';
import { WardStateCache } from './processing/ward-state.ts';
import { SqliteStore } from './storage/sqlite-store.ts';
import { createEmbeddedUplinkBroker } from './uplink/embedded-broker.ts';
import { GatewayDirectory } from './uplink/gateway-registry.ts';
import { createIngestClient } from './uplink/ingest-client.ts';
import { createUplinkHandler, type UplinkHandlerOptions } from './uplink/uplink-handler.ts';

export interface CloudServiceOptions {
  config: CloudConfig;
  /** Gateway registry given directly (tests) instead of read from config.gatewayRegistryFile. */
  gateways?: GatewayDirectory;
  logger?: Logger;
  now?: () => number;
}

export async function createCloudService(options: CloudServiceOptions) {
  const { config } = options;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: 'cloud' } });
  const gateways =
    options.gateways ?? (existsSync(config.gatewayRegistryFile) ? GatewayDirectory.fromFile(config.gatewayRegistryFile) : undefined);
  if (!config.uplinkUrl && !gateways) {
    throw new Error(`the embedded uplink broker needs a gateway registry; none at ${config.gatewayRegistryFile}`);
  }
  const corsOrigins = config.corsOrigins.split(',').map((s) => s.trim()).filter(Boolean);
  const metrics = createCloudMetrics();
  const store = new SqliteStore(config.dbFile);
  const wardState = new WardStateCache();
  wardState.load(store.loadBeds());
  const alarms = new AlarmManager(store);
  alarms.load(store.loadOpenAlarms());
  const pipeline = createPipeline({ store, wardState, rules: new LimitRuleEngine(), alarms, metrics, now });

  const knownWards = () => new Set([...(gateways?.wards() ?? []), ...wardState.wards(() => 0).map((w) => w.wardId)]);
  function wardSnapshot(wardId: string): WardSnapshot | null {
    if (!knownWards().has(wardId)) return null;
    return { wardId, beds: wardState.bedsOf(wardId), alarms: alarms.openAlarms(wardId).sort(compareAlarms), at: now() };
  }
  function listWards() {
    return {
      wards: [...knownWards()].sort().map((wardId) => ({ wardId, beds: wardState.bedsOf(wardId).length, activeAlarms: alarms.openAlarms(wardId).length })),
    };
  }

  let push: ReturnType<typeof createSocketServer> | undefined;
  const uplinkOptions: UplinkHandlerOptions = {
    gateways,
    metrics,
    logger,
    onBatch(batch) {
      const outcome = pipeline.processBatch(batch);
      for (const update of outcome.vitals) push?.vitals(update);
      for (const update of outcome.devices) push?.device(update);
      for (const alarm of outcome.alarms) push?.alarm(alarm);
      return outcome;
    },
  };
  const embedded = config.uplinkUrl
    ? undefined
    : await createEmbeddedUplinkBroker({ gateways: gateways!, ingestUsername: config.ingestUsername, logger, onUplink: createUplinkHandler(uplinkOptions) });
  let httpServer: Server | undefined;
  let socket: ReturnType<typeof createSocketServer> | undefined;
  let ingest: ReturnType<typeof createIngestClient> | undefined;

  const service = {
    logger,
    metrics,
    store,
    ports: { http: 0, mqtt: 0 },
    async start() {
      const app = createHttpApp({
        metrics,
        logger,
        corsOrigins,
        listWards,
        wardSnapshot,
        readiness: () => ({
          storage: { ok: store.db.open },
          ingest: { ok: ingest?.connected ?? false, detail: config.uplinkUrl ? 'external broker' : 'embedded broker' },
        }),
      });
      httpServer = createServer(app);
      socket = createSocketServer(httpServer, { corsOrigins, metrics, logger, wardSnapshot });
      service.ports.http = await listenOn(httpServer, config.httpPort, config.httpHost);

      let url = config.uplinkUrl;
      let username = config.ingestUsername;
      let secret = config.ingestSecret;
      if (embedded) {
        service.ports.mqtt = await embedded.listen(config.embeddedMqttPort, config.embeddedMqttHost);
        url = `mqtt://127.0.0.1:${service.ports.mqtt}`;
        ({ username, secret } = embedded.ingestCredentials);
      }
      push = socket;
      ingest = createIngestClient({
        ...uplinkOptions,
        url: url!,
        username,
        secret,
        clientId: 'vigil-cloud-ingest',
        subscribeUplinks: embedded === undefined,
      });
      await ingest.start();
      logger.info({ httpPort: service.ports.http, uplink: config.uplinkUrl ?? `embedded :${service.ports.mqtt}` }, 'cloud service started');
    },
    /**
     * Ask the ward's gateway to forward a patient's raw waveforms for `durationMs` (capped at 10 min by the edge).
     * The gateway is found from the registry; an unknown ward is PM_ERR_NOT_FOUND.
     */
    async requestWaveforms(wardId: string, patientId: string, durationMs: number, requestedBy: string): Promise<void> {
      const targets = gateways?.ofWard(wardId) ?? [];
      if (targets.length === 0) throw new PmError('PM_ERR_NOT_FOUND', `no gateway serves ward ${wardId}`);
      if (!ingest) throw new PmError('PM_ERR_INTERNAL', 'cloud service not started');
      const request: GatewayRequest = { v: 1, kind: 'waveforms', patientId, until: now() + Math.min(durationMs, MAX_WAVEFORM_REQUEST_MS), requestedBy };
      for (const gateway of targets) await ingest.requestWaveforms(gateway.gatewayId, request);
      logger.info({ wardId, patientId, durationMs, requestedBy }, 'raw waveforms requested from the edge');
    },
    async close() {
      await ingest?.close();
      await embedded?.close();
      await socket?.close(); // also closes the HTTP server
      store.close();
      logger.info('cloud service stopped');
    },
  };
  return service;
}
export type CloudService = Awaited<ReturnType<typeof createCloudService>>;
