/**
 * A cloud service in-process for the cloud's own tests: ports 0, a temporary SQLite file, two wards (ward-a, ward-b)
 * with a gateway each, and four users (clinician of ward-a, clinician of ward-b, charge nurse of ward-a, admin of
 * ward-a) signed in. Batches go straight to the pipeline (`feed`), the uplink transport is tested elsewhere.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { hashSecret } from '@vigil/contracts/credentials';
import type { Role, UplinkBatch, UplinkRecord } from '@vigil/contracts';
import { CloudConfigSchema, type CloudConfig } from '../src/config.ts';
import { createCloudService, type CloudService } from '../src/cloud-service.ts';
import type { AnomalyDetector } from '../src/detectors/anomaly-detector.ts';
import { GatewayDirectory } from '../src/uplink/gateway-registry.ts';

export const PASSWORD = 'correct horse battery staple';
export const USERS: ReadonlyArray<{ username: string; role: Role; wards: string[] }> = [
  { username: 'nurse-a', role: 'clinician', wards: ['ward-a'] },
  { username: 'nurse-b', role: 'clinician', wards: ['ward-b'] },
  { username: 'charge-a', role: 'charge_nurse', wards: ['ward-a'] },
  { username: 'admin-a', role: 'admin', wards: ['ward-a'] },
];

export interface Harness {
  cloud: CloudService;
  base: string;
  dir: string;
  dbFile: string;
  tokens: Record<string, string>;
  feed(wardId: string, records: UplinkRecord[]): ReturnType<CloudService['pipeline']['processBatch']>;
  get(path: string, token?: string): Promise<Response>;
  send(method: string, path: string, body: unknown, token?: string): Promise<Response>;
  close(keepDir?: boolean): Promise<void>;
}

let batchSeq = 0;

export async function startHarness(
  options: { config?: Partial<CloudConfig>; detector?: AnomalyDetector; dir?: string; now?: () => number; logger?: pino.Logger } = {},
): Promise<Harness> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'vigil-cloud-'));
  const dbFile = join(dir, 'cloud.sqlite');
  const gateways = new GatewayDirectory({
    v: 1,
    gateways: [
      { gatewayId: 'gw-a', wardId: 'ward-a', secretHash: hashSecret('a'.repeat(32)) },
      { gatewayId: 'gw-b', wardId: 'ward-b', secretHash: hashSecret('b'.repeat(32)) },
    ],
  });
  const cloud = await createCloudService({
    config: CloudConfigSchema.parse({ httpPort: 0, embeddedMqttPort: 0, dbFile, maintenance: false, ...options.config }),
    gateways,
    logger: options.logger ?? pino({ level: process.env.VIGIL_TEST_LOG_LEVEL ?? 'silent' }),
    ...(options.detector ? { detector: options.detector } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  await cloud.start();
  const base = `http://127.0.0.1:${cloud.ports.http}`;
  const tokens: Record<string, string> = {};
  for (const user of USERS) {
    if (!(await cloud.ctx.auth.users.get(cloud.db, user.username))) await cloud.ctx.auth.users.create(cloud.db, { ...user, password: PASSWORD });
    tokens[user.username] = (await cloud.ctx.auth.login(user.username, PASSWORD, {})).token;
  }
  const headers = (token?: string) => ({ 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) });
  return {
    cloud,
    base,
    dir,
    dbFile,
    tokens,
    feed(wardId, records) {
      const batch: UplinkBatch = { v: 1, gatewayId: wardId === 'ward-a' ? 'gw-a' : 'gw-b', wardId, batchSeq: ++batchSeq, sentAt: Date.now(), records };
      return cloud.pipeline.processBatch(batch);
    },
    get: (path, token) => fetch(`${base}${path}`, { headers: headers(token) }),
    send: (method, path, body, token) => fetch(`${base}${path}`, { method, headers: headers(token), body: JSON.stringify(body) }),
    async close(keepDir = false) {
      await cloud.close();
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
