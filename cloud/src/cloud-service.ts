/**
 * The cloud service: uplink ingest → pipeline (idempotent storage, event-time operators, detectors, alarm manager,
 * checkpoints) → REST and socket.io, with authentication, audit and maintenance jobs. `createCloudService(options)`
 * wires it; `start()` restores the processor's state from the database, then listens; `close()` stops ingest first.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { compareAlarms, MAX_WAVEFORM_REQUEST_MS, PmError, type AlarmEvent, type GatewayRequest, type WardSnapshot } from '@vigil/contracts';
import { listenOn } from '@vigil/contracts/service';
import type { ApiContext } from './api/api-context.ts';
import { createHttpApp, servedRoutes } from './api/http-app.ts';
import { createSocketServer } from './api/socket-server.ts';
import { createAuditLog } from './audit/audit-log.ts';
import { createAuthService } from './auth/auth-service.ts';
import type { CloudConfig } from './config.ts';
import type { AnomalyDetector } from './detectors/anomaly-detector.ts';
import { createCloudMetrics } from './metrics.ts';
import { createPipeline } from './processing/pipeline.ts';
import { WardStateCache } from './processing/ward-state.ts';
import { AlarmRepository } from './storage/alarm-repository.ts';
import type { Db } from './storage/db.ts';
import { IngestRepository } from './storage/ingest-repository.ts';
import { scheduleMaintenance } from './storage/maintenance-jobs.ts';
import { openDb } from './storage/open-db.ts';
import { PatientRepository } from './storage/patient-repository.ts';
import { OperatorStateRepository } from './storage/state-repository.ts';
import { VitalsHistory } from './storage/vitals-history.ts';
import { WindowRepository } from './storage/window-repository.ts';
import { createRecordingStore } from './replay/recording-store.ts';
import { createReplayManager } from './replay/replay-manager.ts';
import { createReplayMetrics } from './replay/replay-metrics.ts';
import { createLabService } from './replay/lab/lab-service.ts';
import { createEmbeddedUplinkBroker } from './uplink/embedded-broker.ts';
import { GatewayDirectory } from './uplink/gateway-registry.ts';
import { createIngestClient } from './uplink/ingest-client.ts';
import { createUplinkHandler, type UplinkHandlerOptions } from './uplink/uplink-handler.ts';

const VERSION = '0.2.0';
/** Ended alarms stay in a ward snapshot this long, so a dashboard that was away sees how they ended. */
const RECENTLY_ENDED_MS = 15 * 60_000;

export interface CloudServiceOptions {
  config: CloudConfig;
  /** Gateway registry given directly (tests) instead of read from config.gatewayRegistryFile. */
  gateways?: GatewayDirectory;
  /** An open database (tests); otherwise opened from config (SQLite file or PostgreSQL URL). */
  db?: Db;
  /** ML anomaly detector (advisory alarms); none by default. */
  detector?: AnomalyDetector;
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
  const db = options.db ?? (await openDb({ dbFile: config.dbFile, databaseUrl: config.databaseUrl }));
  await db.migrate();
  const repos = {
    ingest: new IngestRepository(),
    alarms: new AlarmRepository(),
    state: new OperatorStateRepository(),
    windows: new WindowRepository(),
    patients: new PatientRepository(),
    history: new VitalsHistory(),
  };
  const wardState = new WardStateCache();
  const audit = createAuditLog(db, { now });
  const auth = createAuthService({
    db,
    audit,
    now,
    config: { idleTimeoutMs: config.idleTimeoutS * 1000, absoluteTimeoutMs: config.absoluteTimeoutS * 1000, breakGlassMs: config.breakGlassS * 1000 },
  });
  if (config.bootstrapAdmin) {
    if (!config.bootstrapAdminPasswordFile) throw new PmError('PM_ERR_CONFIG_INVALID', 'VIGIL_CLOUD_BOOTSTRAP_ADMIN needs VIGIL_CLOUD_BOOTSTRAP_ADMIN_PASSWORD_FILE');
    await auth.ensureBootstrapAdmin({ username: config.bootstrapAdmin, password: readFileSync(config.bootstrapAdminPasswordFile, 'utf8').trim() });
  }
  const pipeline = createPipeline({
    db,
    repos,
    wardState,
    metrics,
    logger,
    now,
    detector: options.detector,
    publishAdvisory: (events) => publishAlarms(events),
    processorConfig: {
      streamReorderMs: config.streamReorderMs,
      outOfOrdernessMs: config.outOfOrdernessMs,
      allowedLatenessMs: config.allowedLatenessMs,
      news2WindowMs: config.news2WindowMs,
      featureWindowMs: config.featureWindowMs,
      featureSlideMs: config.featureSlideMs,
      sessionGapMs: config.sessionGapMs,
    },
    alarmPolicy: {
      audioPauseMaxMs: config.audioPauseMaxS * 1000,
      audioPauseDefaultMs: config.audioPauseMaxS * 1000,
      escalateAfterMs: { high: config.escalateHighS * 1000, medium: config.escalateMediumS * 1000, low: null },
    },
  });

  const knownWards = () => [...new Set([...(gateways?.wards() ?? []), ...wardState.wards(() => 0).map((w) => w.wardId)])];
  function wardSnapshot(wardId: string): WardSnapshot | null {
    if (!knownWards().includes(wardId)) return null;
    const at = now();
    const open = pipeline.openAlarms(wardId);
    const ended = pipeline.alarms.recentlyEnded(wardId, at - RECENTLY_ENDED_MS);
    return { wardId, beds: wardState.bedsOf(wardId), alarms: [...open, ...ended].sort(compareAlarms), at };
  }

  let socket: ReturnType<typeof createSocketServer> | undefined;
  function publishAlarms(events: AlarmEvent[]): void {
    for (const event of events) socket?.alarm(event);
  }

  let ingest: ReturnType<typeof createIngestClient> | undefined;
  const uplinkOptions: UplinkHandlerOptions = {
    gateways,
    metrics,
    logger,
    async onBatch(batch) {
      const outcome = await pipeline.processBatch(batch);
      publishAlarms(outcome.alarms);
      const at = now();
      for (const { alarm } of outcome.raised) metrics.alarmSignal.observe({ priority: alarm.priority }, Math.max(0, at - alarm.raisedAt) / 1000);
      for (const update of outcome.vitals) socket?.vitals(update);
      for (const update of outcome.devices) socket?.device(update);
      for (const update of outcome.news2) socket?.news2(update);
      return outcome;
    },
  };
  // Replays (cloud/src/replay/): batches go through the same pipeline and sockets as a gateway's, into replay wards.
  // The signal-delay metric is left out for them: a recording's event times are not now.
  const replayMetrics = createReplayMetrics(metrics.registry);
  const recordings = createRecordingStore({ dir: config.recordingsDir, maxBytes: config.recordingMaxMb * 1024 * 1024, now });
  const replays = createReplayManager({
    store: recordings,
    logger,
    now,
    maxActive: config.replayMax,
    batchRecords: config.replayBatchRecords,
    knownWards: () => knownWards(),
    async ingest(batch) {
      const outcome = await pipeline.processBatch(batch);
      publishAlarms(outcome.alarms);
      for (const update of outcome.vitals) socket?.vitals(update);
      for (const update of outcome.devices) socket?.device(update);
      for (const update of outcome.news2) socket?.news2(update);
      return outcome;
    },
    onChange(event, status) {
      replayMetrics.active.inc(event === 'start' ? 1 : -1);
      if (event === 'end') replayMetrics.ended.inc({ state: status.state });
    },
  });

  // The alarm-burden lab over the same recordings (cloud/src/replay/lab/): runs one at a time, results in memory.
  const lab = createLabService({ recordings, logger, registry: metrics.registry, now });

  const embedded = config.uplinkUrl
    ? undefined
    : await createEmbeddedUplinkBroker({ gateways: gateways!, ingestUsername: config.ingestUsername, logger, metrics, onUplink: createUplinkHandler(uplinkOptions) });

  async function requestWaveforms(wardId: string, patientId: string, durationMs: number, requestedBy: string): Promise<void> {
    const targets = gateways?.ofWard(wardId) ?? [];
    if (targets.length === 0) throw new PmError('PM_ERR_NOT_FOUND', `no gateway serves ward ${wardId}`);
    if (!ingest) throw new PmError('PM_ERR_INTERNAL', 'cloud service not started');
    const request: GatewayRequest = { v: 1, kind: 'waveforms', patientId, until: now() + Math.min(durationMs, MAX_WAVEFORM_REQUEST_MS), requestedBy };
    for (const gateway of targets) await ingest.requestWaveforms(gateway.gatewayId, request);
    // No patient identifier at info level (pino logs leave the hospital more easily than the database does).
    logger.info({ wardId, durationMs }, 'raw waveforms requested from the edge');
    logger.debug({ wardId, patientId, requestedBy }, 'raw waveform request detail');
  }

  const ctx: ApiContext = {
    db,
    repos,
    auth,
    audit,
    pipeline,
    wardState,
    metrics,
    logger,
    now,
    knownWards,
    wardSnapshot,
    publishAlarms,
    audioPauseMaxS: config.audioPauseMaxS,
    requestWaveforms,
    recordings,
    replays,
    replayMetrics,
    lab,
    readiness: async () => ({
      storage: { ok: await db.ping(), detail: db.describe },
      ingest: { ok: ingest?.connected ?? false, detail: config.uplinkUrl ? 'external broker' : 'embedded broker' },
      processor: { ok: restored, detail: restored ? 'state restored' : 'restoring state' },
    }),
  };

  let httpServer: Server | undefined;
  let restored = false;
  let tickTimer: NodeJS.Timeout | undefined;
  let maintenance: ReturnType<typeof scheduleMaintenance> | undefined;

  const service = {
    logger,
    metrics,
    db,
    pipeline,
    ctx,
    ports: { http: 0, mqtt: 0 },
    /** Figures of the state restore done at start (recovery time). */
    restoreReport: undefined as Awaited<ReturnType<typeof pipeline.restore>> | undefined,
    routes: [] as ReturnType<typeof createHttpApp>['routes'],
    /** "method path" of every route the HTTP app serves (security tests compare it with `routes`). */
    servedRoutes: (): string[] => [],
    async start() {
      const report = await pipeline.restore();
      restored = true;
      service.restoreReport = report;
      metrics.restoreSeconds.set(report.ms / 1000);
      logger.info({ ...report }, 'processor state restored');
      const { app, routes } = createHttpApp(ctx, { corsOrigins, version: VERSION });
      service.routes = routes;
      service.servedRoutes = () => servedRoutes(app);
      httpServer = createServer(app);
      socket = createSocketServer(httpServer, ctx, { corsOrigins, sessionCheckMs: 5_000, pingIntervalMs: config.socketPingIntervalMs, pingTimeoutMs: config.socketPingTimeoutMs });
      service.ports.http = await listenOn(httpServer, config.httpPort, config.httpHost);

      let url = config.uplinkUrl;
      let username = config.ingestUsername;
      let secret = config.ingestSecret;
      if (embedded) {
        service.ports.mqtt = await embedded.listen(config.embeddedMqttPort, config.embeddedMqttHost);
        url = `mqtt://127.0.0.1:${service.ports.mqtt}`;
        ({ username, secret } = embedded.ingestCredentials);
      }
      ingest = createIngestClient({ ...uplinkOptions, url: url!, username, secret, clientId: 'vigil-cloud-ingest', subscribeUplinks: embedded === undefined });
      await ingest.start();
      tickTimer = setInterval(() => {
        pipeline
          .tick()
          .then(publishAlarms)
          .catch((err: unknown) => logger.error({ err }, 'alarm tick failed'));
      }, config.alarmTickMs);
      tickTimer.unref();
      if (config.maintenance) {
        maintenance = scheduleMaintenance({
          db,
          logger,
          metrics,
          config: {
            downsampleCron: config.downsampleCron,
            retentionCron: config.retentionCron,
            compactionCron: config.compactionCron,
            hotRetentionMs: config.hotRetentionH * 3_600_000,
          },
        });
      }
      logger.info({ httpPort: service.ports.http, uplink: config.uplinkUrl ?? `embedded :${service.ports.mqtt}`, storage: db.describe }, 'cloud service started');
    },
    /** Ask the ward's gateway to forward a patient's raw waveforms for `durationMs` (capped at 10 min by the edge). */
    requestWaveforms,
    async close() {
      await replays.close();
      await lab.close();
      clearInterval(tickTimer);
      maintenance?.stop();
      await ingest?.close();
      await embedded?.close();
      await socket?.close(); // also closes the HTTP server
      await pipeline.stopAdvisory();
      await pipeline.exclusive(async () => undefined); // let the batch in progress commit
      if (!options.db) await db.close();
      logger.info('cloud service stopped');
    },
  };
  return service;
}
export type CloudService = Awaited<ReturnType<typeof createCloudService>>;
