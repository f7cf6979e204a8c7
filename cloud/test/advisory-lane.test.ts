/**
 * The anomaly detector's lane (processing/advisory-lane.ts): a model that is slow, or stuck, holds up no batch and no
 * rule alarm; each patient's windows reach it oldest first however far behind it is; and a crash between a batch's
 * commit and its advisory verdicts loses no advisory alarm (the restore queues the unscored windows again).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Alarm, UplinkSample, VitalCode } from '@vigil/contracts';
import type { AnomalyDetector, AnomalyInput } from '../src/detectors/anomaly-detector.ts';
import { startHarness, type Harness } from './cloud-harness.ts';
import { sample } from './fixtures.ts';

const T = 1_764_000_000_000; // a minute boundary
const config = { outOfOrdernessMs: 5_000, featureWindowMs: 60_000, featureSlideMs: 60_000 };

let harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
  harnesses = [];
});
async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness({ config, ...options });
  harnesses.push(h);
  return h;
}

/** Two patients, 1 Hz, 600 s; pt-a1 tachycardic from 120 to 300 s (a 10 s-delayed HR limit alarm). */
function records(): UplinkSample[] {
  const out: UplinkSample[] = [];
  for (let s = 0; s < 600; s++) {
    for (const [patientId, bedId, deviceId] of [['pt-a1', 'bed-01', 'mon-a1'], ['pt-a2', 'bed-02', 'mon-a2']] as const) {
      const hr = patientId === 'pt-a1' && s >= 120 && s < 300 ? 145 : 72;
      const vitals: Partial<Record<VitalCode, number>> = { hr, spo2: 97, rr: 15, temp: 36.8, abpSys: 120 };
      out.push(sample({ patientId, bedId, deviceId, seq: s, t: T + s * 1000, receivedAt: T + s * 1000 + 20, vitals, quality: { hr: 'good', spo2: 'good', rr: 'good', temp: 'good', abpSys: 'good' } }));
    }
  }
  return out;
}

/** A detector that says "anomalous" for pt-a1's windows ending in (180 s, 360 s]; optionally held until opened. */
function gatedDetector(held: boolean) {
  let open!: () => void;
  const gate = held ? new Promise<void>((resolve) => (open = resolve)) : Promise.resolve();
  const seen: Array<{ patientId: string; end: number }> = [];
  const detector: AnomalyDetector = {
    name: 'gated-double',
    version: '1',
    backend: 'none',
    contextWindows: 3,
    async scoreBatch(inputs: readonly AnomalyInput[]) {
      await gate;
      seen.push(...inputs.map((x) => ({ patientId: x.patientId, end: x.features.end })));
      return inputs.map((x) => {
        const anomalous = x.patientId === 'pt-a1' && x.features.end - T > 180_000 && x.features.end - T <= 360_000;
        return { patientId: x.patientId, score: anomalous ? 0.9 : 0.1, threshold: 0.5, anomalous, contributions: { hr: 1 }, explanation: `heart rate, window ending ${(x.features.end - T) / 1000} s` };
      });
    },
  };
  return { detector, seen, open: () => open?.() };
}

const summary = (alarms: Alarm[]) => alarms.map((a) => `${a.id} ${a.code} ${a.kind} ${a.state} ${a.onsetAt - T} ${a.raisedAt - T} ${a.endedAt === null ? '-' : a.endedAt - T}`).sort();
async function storedAlarms(h: Harness): Promise<Alarm[]> {
  await h.cloud.pipeline.advisoryIdle();
  return (await h.cloud.db.all<{ body: string }>('SELECT body FROM alarms ORDER BY id')).map((r) => JSON.parse(r.body) as Alarm);
}
async function feed(h: Harness, from = 0, to = Infinity): Promise<Alarm[]> {
  const all = records().filter((r) => r.t - T >= from * 1000 && r.t - T < to * 1000);
  const changed: Alarm[] = [];
  for (let i = 0; i < all.length; i += 40) changed.push(...(await h.feed('ward-a', all.slice(i, i + 40))).alarms.map((e) => e.alarm));
  return changed;
}

describe('the advisory lane', () => {
  it('commits every batch and its rule alarms while the model is stuck, and applies the advisory verdicts once it answers', async () => {
    const reference = await harness({ detector: gatedDetector(false).detector });
    await feed(reference);
    const expected = summary(await storedAlarms(reference));
    expect(expected.filter((a) => a.includes(' advisory '))).toHaveLength(1);

    const stuck = gatedDetector(true);
    const h = await harness({ detector: stuck.detector });
    // Every batch resolves although the model has not answered once: the HR limit alarm is raised and ended.
    const changed = await feed(h);
    expect(changed.filter((a) => a.code.startsWith('HR')).map((a) => a.state)).toContain('ended');
    expect(changed.some((a) => a.kind === 'advisory')).toBe(false);
    expect(stuck.seen).toHaveLength(0);
    expect(h.cloud.pipeline.advisoryPending).toBeGreaterThan(0);
    const metric = await h.cloud.metrics.registry.getSingleMetricAsString('vigil_cloud_anomaly_pending_windows');
    expect(Number(/ (\d+)$/m.exec(metric)![1])).toBeGreaterThan(0);

    stuck.open();
    expect(summary(await storedAlarms(h))).toEqual(expected);
    // Each patient's windows reached the model oldest first, one per patient per round.
    for (const id of ['pt-a1', 'pt-a2']) {
      const ends = stuck.seen.filter((x) => x.patientId === id).map((x) => x.end);
      expect(ends.length).toBeGreaterThan(5);
      expect(ends).toEqual([...ends].sort((a, b) => a - b));
      expect(new Set(ends).size).toBe(ends.length);
    }
  });

  it('after a crash between the batches and their verdicts, scores the committed windows again: the same advisory alarm', async () => {
    const reference = await harness({ detector: gatedDetector(false).detector });
    await feed(reference);
    const expected = summary(await storedAlarms(reference));

    // Up to 240 s the model answers; then it hangs, and the cloud stops with windows committed but never scored.
    const first = gatedDetector(false);
    const h1 = await startHarness({ config, detector: first.detector });
    await feed(h1, 0, 240);
    await h1.cloud.pipeline.advisoryIdle();
    const scoredBefore = first.seen.length;
    const hung = gatedDetector(true);
    (first.detector as { scoreBatch: AnomalyDetector['scoreBatch'] }).scoreBatch = hung.detector.scoreBatch.bind(hung.detector);
    await feed(h1, 240, 600);
    expect(h1.cloud.pipeline.advisoryPending).toBeGreaterThan(0);
    const stopping = h1.cloud.pipeline.stopAdvisory(); // what close() does: drop the queue, wait for the round in flight
    hung.open(); // which returns after the stop and is not applied
    await stopping;
    await h1.close(true);

    const again = gatedDetector(false);
    const h2 = await harness({ detector: again.detector, dir: h1.dir });
    expect(h2.cloud.restoreReport?.advisoryQueued).toBeGreaterThan(0);
    expect(summary(await storedAlarms(h2))).toEqual(expected);
    // Only windows after the last applied verdict were scored again.
    expect(Math.min(...again.seen.map((x) => x.end)) - T).toBeGreaterThan(240_000 - 60_000);
    expect(scoredBefore).toBeGreaterThan(0);
  });
});
