import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import type { UplinkBatch, UplinkRecord } from '@vigil/contracts';
import { alarmId } from '@vigil/contracts/alarm-id';
import { AlarmManager } from '../src/alarms/alarm-manager.ts';
import { createCloudMetrics, type CloudMetrics } from '../src/metrics.ts';
import { LimitRuleEngine } from '@vigil/contracts';
import { createPipeline, type Pipeline } from '../src/processing/pipeline.ts';
import { WardStateCache } from '../src/processing/ward-state.ts';
import { SqliteStore } from '../src/storage/sqlite-store.ts';
import { T0, sample, status } from './fixtures.ts';

const NOW = T0 + 60_000;

function batch(records: UplinkRecord[], batchSeq = 1): UplinkBatch {
  return { v: 1, gatewayId: 'gw-a', wardId: 'ward-a', batchSeq, sentAt: NOW - 100, records };
}

/** hr over the HR_HIGH limit (130) for 10 s of event time: samples at T0 .. T0+10s. */
function tachycardia(): UplinkRecord[] {
  return Array.from({ length: 11 }, (_, i) => sample({ seq: i + 1, t: T0 + i * 1_000, vitals: { hr: 140 + i }, quality: { hr: 'good' } }));
}

async function counter(metric: { get(): Promise<{ values: Array<{ value: number; labels: object }> }> }): Promise<Array<[object, number]>> {
  return (await metric.get()).values.map((v) => [v.labels, v.value]);
}

describe('createPipeline', () => {
  let store: SqliteStore;
  let wardState: WardStateCache;
  let alarms: AlarmManager;
  let metrics: CloudMetrics;
  let pipeline: Pipeline;

  beforeEach(() => {
    store = new SqliteStore(':memory:');
    wardState = new WardStateCache();
    alarms = new AlarmManager(store);
    metrics = createCloudMetrics();
    pipeline = createPipeline({ store, wardState, rules: new LimitRuleEngine(), alarms, metrics, now: () => NOW });
  });
  afterEach(() => {
    store.close();
  });

  it('stores new samples and reports vitals, beds and the alarm they raise', () => {
    const outcome = pipeline.processBatch(batch(tachycardia()));
    expect(outcome.stored).toBe(11);
    expect(outcome.duplicates).toBe(0);
    expect(store.countSamples()).toBe(11);
    expect(outcome.vitals).toHaveLength(11);
    expect(outcome.vitals[0]).toEqual({ wardId: 'ward-a', bedId: 'bed-01', patientId: 'pt-1', t: T0, vitals: { hr: 140 }, quality: { hr: 'good' } });
    expect(outcome.vitals.map((v) => v.t - T0)).toEqual([0, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000, 10_000]);
    expect(outcome.alarms.map((a) => [a.id, a.code, a.state, a.onsetAt, a.raisedAt, a.wardId, a.bedId, a.patientId])).toEqual([
      [alarmId('pt-1', 'HR_HIGH', T0), 'HR_HIGH', 'active', T0, T0 + 10_000, 'ward-a', 'bed-01', 'pt-1'],
    ]);
    expect(outcome.beds).toEqual([
      { wardId: 'ward-a', bedId: 'bed-01', patientId: 'pt-1', latest: { hr: { value: 150, t: T0 + 10_000, quality: 'good' } }, devices: [], updatedAt: T0 + 10_000 },
    ]);
    expect(outcome.devices).toEqual([]);
    // The bed is persisted in the same transaction.
    expect(store.loadBeds()).toEqual(outcome.beds);
    expect(alarms.openAlarms('ward-a').map((a) => a.id)).toEqual([alarmId('pt-1', 'HR_HIGH', T0)]);
  });

  it('a redelivered batch stores nothing, counts duplicates and raises no alarm twice', async () => {
    const records: UplinkRecord[] = [...tachycardia(), status({ t: T0 + 500, battery: 64 })];
    const first = pipeline.processBatch(batch(records));
    expect([first.stored, first.duplicates, first.alarms.length, first.devices.length]).toEqual([11, 0, 1, 1]);

    const again = pipeline.processBatch(batch(records));
    expect(again).toEqual({ stored: 0, duplicates: 12, vitals: [], devices: [], beds: [], alarms: [] });
    expect(store.countSamples()).toBe(11);
    expect(store.db.prepare('SELECT count(*) AS n FROM alarms').get()).toEqual({ n: 1 });
    expect(store.db.prepare('SELECT count(*) AS n FROM alarm_transitions').get()).toEqual({ n: 1 });

    expect(await counter(metrics.batches)).toEqual([[{}, 2]]);
    expect(await counter(metrics.samplesStored)).toEqual([[{}, 11]]);
    expect(await counter(metrics.duplicates)).toEqual([[{}, 12]]);
    expect(await counter(metrics.alarms)).toEqual([[{ priority: 'medium', kind: 'physiological' }, 1]]);
  });

  it('a partly redelivered batch processes only its new records', () => {
    const records = tachycardia();
    pipeline.processBatch(batch(records.slice(0, 6)));
    const outcome = pipeline.processBatch(batch(records, 2));
    expect([outcome.stored, outcome.duplicates]).toEqual([5, 6]);
    expect(outcome.vitals.map((v) => v.t - T0)).toEqual([6_000, 7_000, 8_000, 9_000, 10_000]);
    expect(outcome.alarms.map((a) => [a.code, a.onsetAt])).toEqual([['HR_HIGH', T0]]);
  });

  it('a status updates the bed\u2019s devices and is reported as a device update', () => {
    const outcome = pipeline.processBatch(batch([status({ deviceId: 'wear-01', deviceType: 'wearable', battery: 41, signal: -70 })]));
    expect(outcome.stored).toBe(0);
    expect(outcome.devices).toEqual([
      { deviceId: 'wear-01', deviceType: 'wearable', state: 'online', battery: 41, t: T0, wardId: 'ward-a', bedId: 'bed-01', patientId: 'pt-1' },
    ]);
    expect(outcome.beds[0]?.devices).toEqual([{ deviceId: 'wear-01', deviceType: 'wearable', state: 'online', battery: 41, t: T0 }]);
    expect(store.loadBeds()).toEqual(outcome.beds);
  });

  it('late samples are stored and shown but raise no alarm', async () => {
    const late = tachycardia().map((r) => ({ ...r, late: true }));
    const outcome = pipeline.processBatch(batch(late));
    expect(outcome.stored).toBe(11);
    expect(outcome.alarms).toEqual([]);
    expect(outcome.beds[0]?.latest.hr?.value).toBe(150);
    // End-to-end latency is measured on live samples only.
    const hist = await metrics.endToEnd.get();
    expect(hist.values.find((v) => v.metricName === 'vigil_cloud_device_to_stored_seconds_count')?.value).toBe(0);
  });

  it('measures device-to-stored latency of live samples from event time to now', async () => {
    pipeline.processBatch(batch([sample({ t: NOW - 2_000 })]));
    const hist = await metrics.endToEnd.get();
    expect(hist.values.find((v) => v.metricName === 'vigil_cloud_device_to_stored_seconds_sum')?.value).toBe(2);
    expect(hist.values.find((v) => v.metricName === 'vigil_cloud_device_to_stored_seconds_count')?.value).toBe(1);
  });

  it('reports one bed per changed bed and one alarm per patient', () => {
    const records: UplinkRecord[] = [];
    for (const [patientId, bedId, deviceId] of [['pt-1', 'bed-01', 'mon-01'], ['pt-2', 'bed-02', 'mon-02']] as const) {
      for (let i = 0; i <= 15; i++) records.push(sample({ patientId, bedId, deviceId, seq: i, t: T0 + i * 1_000, vitals: { spo2: 85 }, quality: { spo2: 'good' } }));
    }
    const outcome = pipeline.processBatch(batch(records));
    expect(outcome.beds.map((b) => b.bedId)).toEqual(['bed-01', 'bed-02']);
    expect(outcome.alarms.map((a) => [a.patientId, a.bedId, a.code, a.raisedAt - T0])).toEqual([
      ['pt-1', 'bed-01', 'SPO2_LOW', 15_000],
      ['pt-2', 'bed-02', 'SPO2_LOW', 15_000],
    ]);
  });
});
