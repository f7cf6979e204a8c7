/**
 * The pipeline end to end inside the cloud (batch → store → operators → alarms → checkpoint), fed batches directly:
 * idempotence, condition delays, stream reordering, late data, NEWS2 windows, restore after a restart, and the
 * advisory detector's place (it can add an advisory alarm, never touch a rule alarm).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Alarm, UplinkRecord, UplinkSample, VitalCode } from '@vigil/contracts';
import type { AnomalyDetector, AnomalyInput } from '../src/detectors/anomaly-detector.ts';
import { startHarness, type Harness } from './cloud-harness.ts';
import { sample } from './fixtures.ts';

/** A minute boundary, so NEWS2 windows are [T, T + 60 s), [T + 60 s, …). */
const T = 1_764_000_000_000;
let harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
  harnesses = [];
});
async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(options);
  harnesses.push(h);
  return h;
}

/** A device stream of 1 Hz samples from `from` (s after T), vitals by second. */
function stream(n: number, vitalsAt: (s: number) => Partial<Record<VitalCode, number>>, o: Partial<UplinkSample> = {}, from = 0): UplinkSample[] {
  return Array.from({ length: n }, (_, i) => {
    const s = from + i;
    const vitals = vitalsAt(s);
    return sample({
      patientId: 'pt-a1',
      bedId: 'bed-01',
      deviceId: 'mon-a1',
      seq: s,
      t: T + s * 1000,
      receivedAt: T + s * 1000 + 20,
      vitals,
      quality: Object.fromEntries(Object.keys(vitals).map((k) => [k, 'good'])),
      ...o,
    });
  });
}
const normal = { hr: 72, spo2: 97, rr: 15, temp: 36.8, abpSys: 120 };
/** Tachycardia 140/min from s = 20 to 59, then normal. */
const tachy = (s: number) => ({ ...normal, hr: s >= 20 && s < 60 ? 140 : 72 });
const summary = (alarms: Alarm[]) => alarms.map((a) => `${a.id} ${a.code} ${a.state} ${a.onsetAt - T} ${a.raisedAt - T} ${a.endedAt === null ? '-' : a.endedAt - T}`).sort();

async function feedInBatches(h: Harness, records: UplinkRecord[], size: number): Promise<Alarm[]> {
  const changed: Alarm[] = [];
  for (let i = 0; i < records.length; i += size) changed.push(...(await h.feed('ward-a', records.slice(i, i + size))).alarms.map((e) => e.alarm));
  return changed;
}
async function storedAlarms(h: Harness): Promise<Alarm[]> {
  await h.cloud.pipeline.advisoryIdle(); // the anomaly detector's lane commits after the batches
  return (await h.cloud.db.all<{ body: string }>('SELECT body FROM alarms ORDER BY id')).map((r) => JSON.parse(r.body) as Alarm);
}

describe('pipeline: one batch, exactly once', () => {
  it('stores a redelivered batch once and changes nothing the second time', async () => {
    const h = await harness();
    const batch = stream(40, tachy);
    const first = await h.feed('ward-a', batch);
    const second = await h.feed('ward-a', batch);
    expect(first.stored).toBe(40);
    expect(second.stored).toBe(0);
    expect(second.duplicates).toBe(40);
    expect(second.alarms).toEqual([]);
    expect(second.vitals).toEqual([]);
  });

  it('raises a limit alarm once its condition delay has elapsed in event time, and ends it when the condition ends', async () => {
    const h = await harness();
    const changes = await feedInBatches(h, stream(120, tachy), 7);
    const hr = changes.filter((a) => a.code === 'HR_HIGH');
    // Onset at s = 20; the 10 s delay elapses at s = 30; the condition ends at s = 60.
    expect(hr[0]).toMatchObject({ state: 'active', onsetAt: T + 20_000, raisedAt: T + 30_000, priority: 'medium', source: 'limit-rule' });
    expect(hr.at(-1)).toMatchObject({ state: 'ended', endedAt: T + 60_000 });
    expect(new Set(hr.map((a) => a.id)).size).toBe(1);
  });

  it('gives the same alarms when the edge sends live data before its backlog (per-stream reordering)', async () => {
    const records = stream(120, tachy);
    const inOrder = await harness();
    await feedInBatches(inOrder, records, 10);
    // Reconnect after an outage: seconds 25..29 (up to the raise at 30) wait in the backlog while 30..33 go live
    // first: 9 s of event time ahead, within the 10 s reorder bound.
    const reordered = await harness();
    const shuffled = [...records.slice(0, 25), ...records.slice(30, 34), ...records.slice(25, 30), ...records.slice(34)];
    await feedInBatches(reordered, shuffled, 5);
    const a = summary(await storedAlarms(inOrder));
    expect(a.length).toBeGreaterThan(0);
    expect(summary(await storedAlarms(reordered))).toEqual(a);
  });

  it('never raises an alarm from samples the edge forwarded late (its backlog)', async () => {
    const h = await harness();
    const changes = await feedInBatches(h, stream(60, tachy, { late: true }), 10);
    expect(changes.filter((a) => a.source === 'limit-rule')).toEqual([]);
    expect(h.cloud.pipeline.openAlarms('ward-a')).toEqual([]);
  });
});

describe('pipeline: NEWS2 over event-time windows', () => {
  it('scores each closed minute and raises the NEWS2 alarm at the window end, with its onset at the window start', async () => {
    const h = await harness({ config: { outOfOrdernessMs: 5_000 } });
    // HR 140 (3 points: single parameter 3 → low-medium → low priority) over the whole first minute.
    const outcome = await h.feed('ward-a', stream(70, (s) => ({ ...normal, hr: s < 60 ? 140 : 72 })));
    const news2 = outcome.news2.filter((n) => n.end === T + 60_000);
    expect(news2).toHaveLength(1);
    expect(news2[0]!.result.parameters.hr?.points).toBe(3);
    expect(news2[0]!.result.anySingleThree).toBe(true);
    const alarm = outcome.alarms.map((e) => e.alarm).find((a) => a.code === 'NEWS2');
    expect(alarm).toMatchObject({ priority: 'low', onsetAt: T, raisedAt: T + 60_000, source: 'news2', kind: 'physiological' });
    const rows = await h.cloud.db.all<{ total: number; response: string }>('SELECT total, response FROM news2_scores WHERE patient_id = ?', ['pt-a1']);
    expect(rows).toEqual([{ total: 3, response: 'low-medium' }]);
  });

  it('revises a window with a late sample within the allowed lateness, without moving the alarm', async () => {
    const h = await harness({ config: { outOfOrdernessMs: 5_000 } });
    const records = stream(70, () => normal);
    const held = records.splice(30, 1); // one sample of the first minute arrives after the window fired
    await h.feed('ward-a', records);
    const late = await h.feed('ward-a', held.map((r) => ({ ...r, vitals: { ...r.vitals, hr: 200 } })));
    expect(late.news2.map((n) => [n.end - T, n.revision])).toEqual([[60_000, 1]]);
    expect(late.alarms.filter((e) => e.alarm.code === 'NEWS2')).toEqual([]);
  });

  it('keeps a sample later than the allowed lateness as a side output: stored, counted, in no window', async () => {
    const h = await harness({ config: { outOfOrdernessMs: 5_000, allowedLatenessMs: 10_000 } });
    const records = stream(200, () => normal);
    const held = records.splice(10, 1);
    await h.feed('ward-a', records);
    const outcome = await h.feed('ward-a', held);
    expect(outcome.stored).toBe(1);
    expect(outcome.news2).toEqual([]);
    const dropped = await h.cloud.db.all('SELECT seq FROM dropped_late_samples');
    expect(dropped).toEqual([{ seq: 10 }]);
  });
});

describe('pipeline: checkpoint and restore', () => {
  it('after a restart on the same database, continues to exactly the alarms of an uninterrupted run', async () => {
    const records = [...stream(150, tachy), ...stream(150, (s) => ({ ...normal, spo2: s >= 40 && s < 100 ? 85 : 97 }), { deviceId: 'mon-a2', patientId: 'pt-a2', bedId: 'bed-02' })];
    records.sort((a, b) => (a as UplinkSample).t - (b as UplinkSample).t);
    const whole = await harness({ config: { outOfOrdernessMs: 5_000 } });
    await feedInBatches(whole, records, 9);
    const expected = summary(await storedAlarms(whole));
    const expectedNews2 = await whole.cloud.db.all('SELECT patient_id, "end", total, revision FROM news2_scores ORDER BY patient_id, "end"');

    for (const cut of [37, 101, 222]) {
      const first = await startHarness({ config: { outOfOrdernessMs: 5_000 } });
      await feedInBatches(first, records.slice(0, cut), 9);
      await first.close(true);
      const second = await harness({ config: { outOfOrdernessMs: 5_000 }, dir: first.dir });
      expect(second.cloud.restoreReport?.patients).toBeGreaterThan(0);
      // Redelivery of the last batch before the restart is absorbed, then the rest follows.
      await feedInBatches(second, records.slice(Math.max(0, cut - 9), records.length), 9);
      expect(summary(await storedAlarms(second)), `cut at ${cut}`).toEqual(expected);
      expect(await second.cloud.db.all('SELECT patient_id, "end", total, revision FROM news2_scores ORDER BY patient_id, "end"')).toEqual(expectedNews2);
    }
    expect(expected.length).toBeGreaterThanOrEqual(3);
  });

  it('restores samples held behind a gap in their stream (committed, not yet released to the rules)', async () => {
    const records = stream(150, tachy);
    const whole = await harness({ config: { outOfOrdernessMs: 5_000 } });
    await feedInBatches(whole, records, 9);
    const expected = summary(await storedAlarms(whole));
    // Second 26 (inside the condition delay) is held back: 27..32 wait behind it when the processor stops.
    const first = await startHarness({ config: { outOfOrdernessMs: 5_000 } });
    await feedInBatches(first, [...records.slice(0, 26), ...records.slice(27, 33)], 9);
    await first.close(true);
    const second = await harness({ config: { outOfOrdernessMs: 5_000 }, dir: first.dir });
    expect(second.cloud.restoreReport?.pendingSamples).toBe(6);
    await feedInBatches(second, [records[26]!, ...records.slice(33)], 9);
    expect(summary(await storedAlarms(second))).toEqual(expected);
  });
});

describe('pipeline: the anomaly detector is advisory', () => {
  const detector = (anomalous: boolean, fail = false): AnomalyDetector & { seen: AnomalyInput[] } => ({
    name: 'test-double',
    version: '0',
    backend: 'none',
    contextWindows: 3,
    seen: [],
    async scoreBatch(inputs) {
      this.seen.push(...inputs);
      if (fail) throw new Error('model exploded');
      return inputs.map((i) => ({ patientId: i.patientId, score: anomalous ? 0.9 : 0.1, threshold: 0.5, anomalous, contributions: { hr: 0.7, spo2: 0.3 }, explanation: 'heart rate rising over 5 min' }));
    },
  });
  const records = () => stream(400, tachy);
  const config = { outOfOrdernessMs: 5_000, featureWindowMs: 60_000, featureSlideMs: 60_000 };

  it('adds an explained low-priority advisory alarm and leaves every rule alarm exactly as without a detector', async () => {
    const plain = await harness({ config });
    await feedInBatches(plain, records(), 20);
    const yes = detector(true);
    const withModel = await harness({ config, detector: yes });
    await feedInBatches(withModel, records(), 20);
    const rules = (alarms: Alarm[]) => summary(alarms.filter((a) => a.kind !== 'advisory'));
    expect(rules(await storedAlarms(withModel))).toEqual(rules(await storedAlarms(plain)));
    const advisory = (await storedAlarms(withModel)).filter((a) => a.kind === 'advisory');
    expect(advisory).toHaveLength(1);
    expect(advisory[0]).toMatchObject({ code: 'ML_ANOMALY', priority: 'low', source: 'lstm' });
    expect(advisory[0]!.evidence.contributions).toEqual({ hr: 0.7, spo2: 0.3 });
    expect(advisory[0]!.message).toContain('heart rate rising');
    expect(yes.seen.length).toBeGreaterThan(0);
  });

  it('a detector that says "normal", or fails, changes no rule alarm', async () => {
    const plain = await harness({ config });
    await feedInBatches(plain, records(), 20);
    for (const d of [detector(false), detector(true, true)]) {
      const h = await harness({ config, detector: d });
      await feedInBatches(h, records(), 20);
      expect(summary(await storedAlarms(h))).toEqual(summary(await storedAlarms(plain)));
    }
  });
});
