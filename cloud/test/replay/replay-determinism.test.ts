/**
 * Replay straight into cloud ingest: a session's samples arrive in the cloud exactly as recorded (round trip), and
 * because processing runs in event time, ×1, ×60 and 'max' give the same alarms with the same ids and transitions.
 * Each speed runs in a fresh cloud with the same replay namespace, so ids are comparable as they are.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplaySpeed, SessionMessage, VitalsSample } from '@vigil/contracts';
import { readSession } from '@vigil/contracts/session-io';
import { generateSession, wardDevices } from '@vigil/simulators';
import { createCloudIngestSink } from '../../src/replay/replay-sinks.ts';
import { createReplayer, type ReplayResult } from '../../src/replay/replayer.ts';
import { startHarness } from '../cloud-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-replay-det-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const start = Date.UTC(2026, 2, 1);
const WARD = 'replay-det';
const PREFIX = 'rdet.';

// Short enough for the ×1 run (~20 s of wall time), eventful enough to raise many alarms: eight beds, each with an
// episode reaching full effect within seconds (ramps forced to 2-4 s), one on a wearable.
const session = join(dir, 'short.vsession.jsonl.gz');
const BED_SCENARIOS = {
  'bed-01': 'tachyarrhythmia@0s+2s/severe',
  'bed-02': 'bradycardia@0s+2s/severe',
  'bed-03': 'hypoxaemia@0s+3s/severe',
  'bed-04': 'haemorrhage@1s+3s/severe',
  'bed-05': 'respiratory_failure@0s+4s/severe',
  'bed-06': 'opioid_respiratory_depression@2s+3s/severe',
  'bed-07': 'sepsis@0s+4s/severe',
  'bed-08': 'fever@0s+2s/severe',
};

interface Outcome {
  result: ReplayResult;
  alarms: Array<{ alarm_id: string; n: number; at: number; state: string; phase: string | null; priority: string | null }>;
  samples: Array<{ device_id: string; boot_id: string; seq: number; t: number; vitals: string; patient_id: string; ward_id: string }>;
}

async function replayAt(speed: ReplaySpeed, file = session): Promise<Outcome> {
  // Escalation runs on the wall clock: out of reach here, so only event-time behaviour is compared.
  const h = await startHarness({ config: { escalateHighS: 3600, escalateMediumS: 3600 } });
  try {
    const replayer = createReplayer({
      file,
      speed,
      mapping: { wardId: WARD, idPrefix: PREFIX },
      sink: (header) => createCloudIngestSink({ wardId: WARD, gatewayId: `gw-${WARD}`, devices: header.devices, ingest: (b) => h.cloud.pipeline.processBatch(b) }),
    });
    const result = await replayer.done;
    const alarms = await h.cloud.db.all<Outcome['alarms'][number]>('SELECT alarm_id, n, at, state, phase, priority FROM alarm_transitions ORDER BY alarm_id, n');
    const samples = await h.cloud.db.all<Outcome['samples'][number]>('SELECT device_id, boot_id, seq, t, vitals, patient_id, ward_id FROM samples ORDER BY device_id, boot_id, seq');
    return { result, alarms, samples };
  } finally {
    await h.close();
  }
}

let sessionMessages: SessionMessage[] = [];
beforeAll(async () => {
  await generateSession({ devices: wardDevices('ward-src', 8, 1), seed: 'replay-det', start, end: start + 20_000, bedScenarios: BED_SCENARIOS, out: session });
  for await (const item of readSession(session)) if (item.kind === 'message') sessionMessages.push(item);
}, 60_000);

describe('replay into cloud ingest', () => {
  let max: Outcome;

  it('stores exactly the session\u2019s samples (round trip), in the replay ward and namespace', async () => {
    max = await replayAt('max');
    expect(max.result.state).toBe('finished');
    expect(max.result.messages).toBe(sessionMessages.length);
    // What the edge would forward: every vitals message once (a resend of the same key is a duplicate), none invented.
    const expected = new Map<string, VitalsSample>();
    for (const m of sessionMessages) if (m.channel === 'vitals') expected.set(`${m.message.deviceId}|${m.message.bootId}|${m.message.seq}`, m.message);
    const stored = new Map(max.samples.map((s) => [`${s.device_id.slice(PREFIX.length)}|${s.boot_id}|${s.seq}`, s]));
    expect(stored.size).toBe(max.samples.length);
    expect([...stored.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, s] of stored) {
      const m = expected.get(key)!;
      expect({ t: s.t, vitals: JSON.parse(s.vitals) }, key).toEqual({ t: m.t, vitals: m.vitals });
      expect(s.ward_id).toBe(WARD);
      expect(s.patient_id.startsWith(PREFIX)).toBe(true);
    }
    expect(max.alarms.length).toBeGreaterThan(0);
  }, 60_000);

  it('gives identical alarms (ids and transitions) at ×1 and as fast as possible', async () => {
    const x1 = await replayAt(1);
    expect(x1.result.state).toBe('finished');
    // Real time: the replay took about the session's 20 s (not asserted tightly: shared machine).
    expect(x1.result.wallMs).toBeGreaterThan(15_000);
    expect(x1.alarms).toEqual(max.alarms);
    expect(x1.samples).toEqual(max.samples);
  }, 120_000);

  it('gives identical alarms at ×60 and as fast as possible over 20 minutes (NEWS2 windows, alarms that end)', async () => {
    const long = join(dir, 'long.vsession.jsonl.gz');
    await generateSession({
      devices: wardDevices('ward-src', 8, 2),
      seed: 'replay-det-long',
      start,
      end: start + 20 * 60_000,
      bedScenarios: { ...BED_SCENARIOS, 'bed-01': 'tachyarrhythmia@5m+5s/severe', 'bed-08': 'fever@0s+10m/severe' },
      out: long,
    });
    const fast = await replayAt('max', long);
    const x60 = await replayAt(60, long);
    expect(x60.result.state).toBe('finished');
    expect(fast.alarms.length).toBeGreaterThan(10);
    expect(fast.alarms.some((a) => a.phase === 'end' || a.state === 'ended')).toBe(true);
    expect(x60.alarms).toEqual(fast.alarms);
    expect(x60.samples).toEqual(fast.samples);
  }, 180_000);
});
