/**
 * A whole ward in one process for the security and fuzz suites (ports 0, a temporary directory): a cloud with its
 * embedded uplink broker and an edge gateway, like in-process-stack.ts, plus extra gateway identities registered in
 * the cloud (other wards' gateways) that the suites use as attackers or fuzzers, so that the real edge's uplink
 * session is never the one under attack. Rejection counters are read back normalised to catalogue reasons.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ERRORS, type ErrorCode } from '@vigil/contracts';
import { generateSecret, hashSecret } from '@vigil/contracts/credentials';
import { CloudConfigSchema, createCloudService, GatewayDirectory, type CloudService } from '@vigil/cloud';
import { createEdgeGateway, DeviceDirectory, EdgeConfigSchema, provisionWard, type EdgeConfig, type EdgeGateway, type WardProvisioning } from '@vigil/edge';

export interface ExtraGateway {
  gatewayId: string;
  wardId: string;
  secret: string;
}

export interface SecurityStack {
  cloud: CloudService;
  edge: EdgeGateway;
  ward: WardProvisioning;
  /** Gateways registered in the cloud besides the edge's own (their wards have no edge). */
  extraGateways: ExtraGateway[];
  edgePort: number;
  uplinkPort: number;
  dir: string;
  /** Samples of a device stored in the cloud: total and distinct seqs. */
  storedOf(deviceId: string): Promise<{ n: number; d: number }>;
  close(): Promise<void>;
}

export async function startSecurityStack(options: { beds: number; extraGateways?: number; edge?: Partial<EdgeConfig> }): Promise<SecurityStack> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-security-'));
  const wardId = 'ward-s';
  const ward = provisionWard({ wardId, gatewayId: `gw-${wardId}`, beds: options.beds, wearableBeds: 0 });
  const extraGateways: ExtraGateway[] = Array.from({ length: options.extraGateways ?? 2 }, (_, i) => ({
    gatewayId: `gw-extra-${i + 1}`,
    wardId: `ward-extra-${i + 1}`,
    secret: generateSecret(),
  }));
  const logger = pino({ level: process.env.VIGIL_TEST_LOG_LEVEL ?? 'silent' });
  const cloud = await createCloudService({
    config: CloudConfigSchema.parse({ httpPort: 0, embeddedMqttPort: 0, dbFile: join(dir, 'cloud.sqlite'), maintenance: false }),
    gateways: new GatewayDirectory({
      v: 1,
      gateways: [...ward.gatewayRegistry.gateways, ...extraGateways.map((g) => ({ gatewayId: g.gatewayId, wardId: g.wardId, secretHash: hashSecret(g.secret) }))],
    }),
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
      uplinkUrl: `mqtt://127.0.0.1:${cloud.ports.mqtt}`,
      uplinkSecret: ward.gateway.secret,
      recorder: false,
      ...options.edge,
    }),
    directory: new DeviceDirectory(ward.registry),
    logger,
  });
  await edge.start();
  return {
    cloud,
    edge,
    ward,
    extraGateways,
    edgePort: edge.ports.mqtt,
    uplinkPort: cloud.ports.mqtt,
    dir,
    async storedOf(deviceId) {
      const [row] = await cloud.db.all<{ n: number; d: number }>('SELECT count(*) AS n, count(DISTINCT seq) AS d FROM samples WHERE device_id = ?', [deviceId]);
      return { n: Number(row?.n ?? 0), d: Number(row?.d ?? 0) };
    },
    async close() {
      await edge.close();
      await cloud.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A metric label as a catalogue reason: the edge labels auth failures with codes (PM_ERR_…), the rest with reasons. */
export function asReason(label: string): string {
  return label in ERRORS ? ERRORS[label as ErrorCode].reason : label;
}

type CounterLike = { get(): Promise<{ values: Array<{ value: number; labels: Record<string, string | number | undefined> }> }> };

/** Sum a counter's values by normalised reason. */
export async function byReason(counter: CounterLike): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await counter.get()).values) {
    const reason = asReason(String(v.labels.reason ?? ''));
    out[reason] = (out[reason] ?? 0) + v.value;
  }
  return out;
}

/** after − before, keeping only the reasons that moved. */
export function delta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) !== 0) out[k] = v - (before[k] ?? 0);
  return out;
}

/** Rejections that close the connection, by target: everything the brokers count except refused subscriptions. */
export const NON_CLOSING = new Set(['subscribe_forbidden']);

/** The edge's and the uplink broker's connection-level refusals (closing and not), normalised. */
export async function edgeRefusals(edge: EdgeGateway): Promise<Record<string, number>> {
  const auth = await byReason(edge.metrics.authFailures);
  const frame = await byReason(edge.metrics.frameViolations);
  const out = { ...auth };
  for (const [k, v] of Object.entries(frame)) out[k] = (out[k] ?? 0) + v;
  return out;
}

export async function uplinkRefusals(cloud: CloudService): Promise<Record<string, number>> {
  return byReason(cloud.metrics.uplinkRefused);
}

export const closingTotal = (refusals: Record<string, number>) => Object.entries(refusals).reduce((sum, [k, v]) => sum + (NON_CLOSING.has(k) ? 0 : v), 0);
