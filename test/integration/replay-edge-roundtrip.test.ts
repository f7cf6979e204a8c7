/**
 * Record → replay through the edge: a simulator session is replayed at ×60 by its devices, each over MQTT with its
 * own credentials, into an edge gateway whose clock is the replay's virtual clock, then uplinked to the cloud. The
 * cloud stores exactly the session's samples, and the edge's recorder writes back exactly the session's messages.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionMessage, VitalsSample } from '@vigil/contracts';
import { readSession } from '@vigil/contracts/session-io';
import { CloudConfigSchema, createCloudService, GatewayDirectory } from '@vigil/cloud';
import { createEdgeGateway, DeviceDirectory, EdgeConfigSchema, provisionWard } from '@vigil/edge';
import { generateSession, wardDevices } from '@vigil/simulators';
import { createEdgeMqttSink } from '../../cloud/src/replay/replay-sinks.ts';
import { createReplayer } from '../../cloud/src/replay/replayer.ts';
import { VirtualClock } from '../../cloud/src/replay/virtual-clock.ts';
import { waitFor } from '../support/in-process-stack.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-replay-edge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function messagesOf(path: string): Promise<SessionMessage[]> {
  const out: SessionMessage[] = [];
  for await (const item of readSession(path)) if (item.kind === 'message') out.push(item);
  return out;
}

function files(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).map((f) => join(root, f)).filter((f) => statSync(f).isFile() && f.endsWith('.gz')).sort();
}

const key = (s: { deviceId: string; bootId: string; seq: number }) => `${s.deviceId}|${s.bootId}|${s.seq}`;

describe('replay through an edge gateway', () => {
  it('reproduces the session\u2019s samples in the cloud and its messages in the edge recorder', async () => {
    const wardId = 'ward-rt';
    const start = Date.UTC(2026, 4, 1, 10);
    const session = join(dir, 'source.vsession.jsonl.gz');
    // A whole-hour start keeps the recorder's hourly file boundary out of the 2 minutes.
    await generateSession({ devices: wardDevices(wardId, 3, 1), seed: 'edge-rt', start, end: start + 120_000, bedScenarios: { 'bed-01': 'tachyarrhythmia@10s+5s' }, out: session });
    const source = await messagesOf(session);

    const ward = provisionWard({ wardId, gatewayId: `gw-${wardId}`, beds: 3, wearableBeds: 1 });
    const logger = pino({ level: process.env.VIGIL_TEST_LOG_LEVEL ?? 'silent' });
    const cloud = await createCloudService({
      config: CloudConfigSchema.parse({ httpPort: 0, embeddedMqttPort: 0, dbFile: join(dir, 'cloud.sqlite'), recordingsDir: join(dir, 'recordings'), maintenance: false }),
      gateways: new GatewayDirectory(ward.gatewayRegistry),
      logger,
    });
    await cloud.start();
    // The replay's clock is the edge's clock: its skew and lateness checks see session time.
    const clock = new VirtualClock({ start, speed: 60 });
    const recorderDir = join(dir, 'recorded');
    const edge = await createEdgeGateway({
      config: EdgeConfigSchema.parse({
        gatewayId: ward.gateway.gatewayId,
        wardId,
        mqttPort: 0,
        httpPort: 0,
        dataDir: join(dir, 'edge'),
        uplinkUrl: `mqtt://127.0.0.1:${cloud.ports.mqtt}`,
        uplinkSecret: ward.gateway.secret,
        recorder: true,
        recorderDir,
      }),
      directory: new DeviceDirectory(ward.registry),
      logger,
      now: () => clock.now(),
    });
    await edge.start();
    try {
      const replayer = createReplayer({
        file: session,
        speed: 60,
        clock,
        sink: () => createEdgeMqttSink({ brokerUrl: `mqtt://127.0.0.1:${edge.ports.mqtt}`, credentials: ward.credentials.devices }),
      });
      const result = await replayer.done;
      expect(result.state).toBe('finished');
      expect(result.messages).toBe(source.length);
      expect(result.sink.published).toBe(source.filter((m) => m.channel !== 'wave').length);

      const expected = new Map<string, VitalsSample>();
      for (const m of source) if (m.channel === 'vitals') expected.set(key(m.message), m.message);
      await waitFor('the cloud to store every sample', async () => (await cloud.db.get<{ n: number }>('SELECT count(*) AS n FROM samples'))!.n >= expected.size, 30_000);
      const stored = await cloud.db.all<{ device_id: string; boot_id: string; seq: number; t: number; vitals: string; ward_id: string }>(
        'SELECT device_id, boot_id, seq, t, vitals, ward_id FROM samples ORDER BY device_id, boot_id, seq',
      );
      expect(stored).toHaveLength(expected.size);
      for (const s of stored) {
        const m = expected.get(key({ deviceId: s.device_id, bootId: s.boot_id, seq: s.seq }));
        expect(m, key({ deviceId: s.device_id, bootId: s.boot_id, seq: s.seq })).toBeDefined();
        expect({ t: s.t, vitals: JSON.parse(s.vitals), ward: s.ward_id }).toEqual({ t: m!.t, vitals: m!.vitals, ward: wardId });
      }
    } finally {
      await edge.close();
      await cloud.close();
    }

    // The edge recorded what its devices sent: the same messages (payloads), in the same order.
    const recorded = (await Promise.all(files(recorderDir).map(messagesOf))).flat();
    const payloads = (ms: SessionMessage[]) => ms.filter((m) => m.channel !== 'wave').map((m) => m.message);
    expect(payloads(recorded)).toEqual(payloads(source));
  }, 90_000);
});
