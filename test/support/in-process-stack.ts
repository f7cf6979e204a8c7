/**
 * A whole ward in one process, on ports 0 and a temporary directory: cloud (with its embedded uplink broker) and
 * one edge gateway, provisioned with fresh credentials. Used by the cross-part integration suites.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { CloudConfigSchema, createCloudService, GatewayDirectory, IngestRepository, type CloudService, type StoredSample } from '@vigil/cloud';
import { createEdgeGateway, DeviceDirectory, EdgeConfigSchema, provisionWard, type EdgeGateway, type WardProvisioning } from '@vigil/edge';

export interface InProcessStack {
  cloud: CloudService;
  edge: EdgeGateway;
  ward: WardProvisioning;
  dir: string;
  edgeUrl: string;
  cloudUrl: string;
  /** A read on the cloud's database. */
  query<T extends Record<string, unknown>>(sql: string, params?: Array<string | number>): Promise<T[]>;
  samplesOf(patientId: string, from: number, to: number): Promise<StoredSample[]>;
  countSamples(): Promise<number>;
  /** A signed-in clinician of the stack's ward (created on first use): the bearer / socket token. */
  token(): Promise<string>;
  close(): Promise<void>;
}

export interface StackLayout {
  beds: number;
  wearableBeds?: number;
  wardId?: string;
  /** Use an external uplink broker instead of the cloud's embedded one; called with the provisioned ward first. */
  externalUplink?: (ward: WardProvisioning) => Promise<{ url: string; ingestUsername: string; ingestSecret: string }>;
}

export async function startInProcessStack(layout: StackLayout = { beds: 2 }): Promise<InProcessStack> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-stack-'));
  const wardId = layout.wardId ?? 'ward-t';
  const ward = provisionWard({ wardId, gatewayId: `gw-${wardId}`, beds: layout.beds, wearableBeds: layout.wearableBeds ?? 0 });
  const external = layout.externalUplink ? await layout.externalUplink(ward) : undefined;
  const logger = pino({ level: process.env.VIGIL_TEST_LOG_LEVEL ?? 'silent' });
  const cloud = await createCloudService({
    config: CloudConfigSchema.parse({
      httpPort: 0,
      embeddedMqttPort: 0,
      dbFile: join(dir, 'cloud.sqlite'),
      maintenance: false,
      ...(external ? { uplinkUrl: external.url, ingestUsername: external.ingestUsername, ingestSecret: external.ingestSecret } : {}),
    }),
    gateways: new GatewayDirectory(ward.gatewayRegistry),
    logger,
  });
  await cloud.start();
  const edge = await createEdgeGateway({
    config: EdgeConfigSchema.parse({
      gatewayId: ward.gateway.gatewayId,
      wardId,
      mqttPort: 0,
      httpPort: 0,
      dataDir: join(dir, 'edge'),
      uplinkUrl: external?.url ?? `mqtt://127.0.0.1:${cloud.ports.mqtt}`,
      uplinkSecret: ward.gateway.secret,
    }),
    directory: new DeviceDirectory(ward.registry),
    logger,
  });
  await edge.start();
  const ingest = new IngestRepository();
  let token: string | undefined;
  return {
    cloud,
    edge,
    ward,
    dir,
    edgeUrl: `mqtt://127.0.0.1:${edge.ports.mqtt}`,
    cloudUrl: `http://127.0.0.1:${cloud.ports.http}`,
    query: (sql, params = []) => cloud.db.all(sql, params),
    samplesOf: (patientId, from, to) => ingest.samplesOf(cloud.db, patientId, from, to),
    countSamples: () => ingest.countSamples(cloud.db),
    async token() {
      if (!token) {
        const password = 'integration-test-password';
        await cloud.ctx.auth.users.create(cloud.db, { username: 'nurse-test', password, role: 'clinician', wards: [wardId] });
        token = (await cloud.ctx.auth.login('nurse-test', password, {})).token;
      }
      return token;
    },
    async close() {
      await edge.close();
      await cloud.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolve when `predicate` holds, polling; reject with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
