import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LabResult, type LabConfigInput } from '@vigil/contracts';
import { readSession } from '@vigil/contracts/session-io';
import { BaselineReplay } from '../../../models/src/data/baselines.ts';
import { EdgeEquivalent } from '../../src/replay/edge-equivalent.ts';
import { labConfig } from '../../src/replay/lab/lab-config.ts';
import { runLab } from '../../src/replay/lab/lab-engine.ts';
import { S, T0, tempDir, writeHandSession, writeSimulatedSession } from './lab-fixtures.ts';

const limitsOnly = (name: string, extra: Partial<LabConfigInput> = {}) => labConfig({ name, news2: { enabled: false }, ...extra });

describe('lab engine: a hand-checkable session', () => {
  let path: string;
  beforeAll(async () => {
    path = join(tempDir(), 'hand.vsession.jsonl');
    await writeHandSession(path);
  });

  it('counts the alarms the condition delays allow, with their times, and scores the events', async () => {
    const short = limitsOnly('short'); // HR_HIGH: > 130 for 10 s (DEFAULT_LIMIT_RULES)
    const long = limitsOnly('long', { limits: { delayByCode: { HR_HIGH: 30_000 } } });
    const { result } = await runLab({ sessions: [{ name: 'hand', path }], configs: [short, long] });
    const [a, b] = result.configs;

    expect(result.sessions[0]).toMatchObject({ patients: 1, messages: 601, samples: 600, rejected: 0, truthEvents: 2 });
    expect(result.patientDays).toBeCloseTo(600 / 86_400, 6);
    // 10 s delay: the 40 s and 20 s excursions alarm, the 5 s one does not.
    expect(a!.alarms.total).toBe(2);
    expect(a!.alarms.byCode).toEqual([{ code: 'HR_HIGH', count: 2, perPatientDay: expect.any(Number), medianDurationS: 20 }]);
    expect(a!.alarms.byPriority.medium.count).toBe(2);
    expect(a!.alarms.byKind.physiological.count).toBe(2);
    // 30 s delay: only the 40 s excursion.
    expect(b!.alarms.total).toBe(1);
    expect(b!.alarms.byCode[0]!.medianDurationS).toBe(10); // raised at 130 s, ended at 140 s

    // Raised 10 s after each onset: lead −10 s; both events caught.
    expect(a!.events).toMatchObject({ events: 2, caught: 2, missed: 0, recall: 1, truePositiveAlarms: 2, falseAlarms: 0 });
    expect(a!.events.leadTimeMin.all).toEqual({ n: 2, median: -0.17, q1: -0.17, q3: -0.17 });
    // The long delay misses the 20 s episode and is 20 s later on the other.
    expect(b!.events).toMatchObject({ events: 2, caught: 1, missed: 1 });
    expect(b!.events.missedEvents).toEqual([{ session: 'hand', patientId: 'pt-1', eventId: 'gt-0002', type: 'tachyarrhythmia', severity: 'moderate', onset: T0 + 300 * S }]);
    expect(b!.events.leadOverReferenceMin).toMatchObject({ reference: 'short', n: 1, median: -0.33 });

    // Alarms that ended sooner after their raise than an extra delay: 30 s and 10 s long for the short delay.
    expect(a!.suppressedByDelay.map((s) => [s.delayMs, s.alarms])).toEqual([[10_000, 0], [30_000, 1], [60_000, 2], [120_000, 2]]);
    expect(a!.noisiestPatients).toEqual([{ session: 'hand', patientId: 'pt-1', bedId: 'bed-1', alarms: 2, perDay: expect.any(Number), topCode: 'HR_HIGH' }]);
  });

  it('a rule switched off raises nothing; a lower limit raises more', async () => {
    const off = limitsOnly('off', { limits: { disable: ['HR_HIGH'] } });
    const lower = limitsOnly('lower', { limits: { rules: [{ code: 'HR_HIGH', vitals: ['hr'], comparator: '>', limit: 110, priority: 'low', delayMs: 0, latching: false, label: 'HR over 110' }] } });
    const { result } = await runLab({ sessions: [{ name: 'hand', path }], configs: [off, lower] });
    expect(result.configs[0]!.alarms.total).toBe(0);
    // Every 111 between the excursions starts and ends an alarm at once (delay 0): the chattering a delay prevents.
    expect(result.configs[1]!.alarms.total).toBeGreaterThan(100);
    expect(result.configs[1]!.alarms.byPriority.low.count).toBe(result.configs[1]!.alarms.total);
    expect(result.configs[1]!.suppressedByDelay[0]!.share).toBeGreaterThan(0.9);
  });
});

describe('lab engine: a simulated ward', () => {
  let path: string;
  beforeAll(async () => {
    path = join(tempDir(), 'ward.vsession.jsonl.gz');
    await writeSimulatedSession(path);
  }, 60_000);

  it('a longer condition delay raises fewer limit alarms', async () => {
    const configs = [limitsOnly('delays-default'), limitsOnly('delays-60s', { limits: { delayMs: 60_000 } })];
    const { result } = await runLab({ sessions: [{ name: 'ward', path }], configs });
    const [short, long] = result.configs;
    expect(short!.alarms.total).toBeGreaterThan(0);
    expect(long!.alarms.total).toBeLessThan(short!.alarms.total);
  });

  it('is deterministic: two runs give identical JSON', async () => {
    const configs = [
      limitsOnly('default-limits'),
      labConfig({ name: 'news2', limits: { disable: ['HR_HIGH', 'RR_HIGH', 'TEMP_HIGH'] } }),
      labConfig({ name: 'news2-high', news2: { triggers: [{ minTotal: 7, priority: 'high' }] } }),
      labConfig({ name: 'lstm', news2: { enabled: false }, lstm: { enabled: true, model: 'vigil-lstm' } }),
    ];
    const one = await runLab({ sessions: [{ name: 'ward', path }], configs });
    const two = await runLab({ sessions: [{ name: 'ward', path }], configs, batchMs: 7_000 }); // batching changes no result
    expect(JSON.stringify(two.result)).toBe(JSON.stringify(one.result));
    expect(LabResult.safeParse(one.result).success).toBe(true);
    // The LSTM ran and added advisory alarms only (it never raises, delays or ends a rule alarm).
    const lstm = one.result.configs[3]!;
    expect(lstm.model).toMatchObject({ name: 'vigil-lstm-autoencoder', kind: 'autoencoder' });
    expect(lstm.alarms.byKind.advisory.count).toBeGreaterThan(0);
    expect(lstm.alarms.byKind.physiological.count).toBe(one.result.configs[0]!.alarms.total);
  }, 60_000);

  it('the LSTM threshold can be moved: a huge fixed threshold raises nothing, a lower dynamic floor at least as much', async () => {
    const lstm = (name: string, threshold: LabConfigInput['lstm']) => limitsOnly(name, { limits: { base: 'none' }, lstm: threshold });
    const configs = [
      lstm('served', { enabled: true }),
      lstm('never', { enabled: true, threshold: { mode: 'fixed', value: 1e9 } }),
      lstm('low-floor', { enabled: true, threshold: { mode: 'dynamic-floor', floor: 0 } }),
    ];
    const { result } = await runLab({ sessions: [{ name: 'ward', path }], configs });
    const [served, never, low] = result.configs.map((c) => c.alarms.byKind.advisory.count);
    expect(served).toBeGreaterThan(0);
    expect(never).toBe(0);
    expect(low).toBeGreaterThanOrEqual(served!);
    expect(result.configs.map((c) => c.model?.threshold)).toEqual([expect.stringMatching(/^model \(dynamic, floor /), 'fixed 1000000000', 'dynamic, floor 0']);
    await expect(runLab({ sessions: [{ name: 'ward', path }], configs: [lstm('missing', { enabled: true, model: 'no-such-model' })] })).rejects.toThrow(/lstm\.model no-such-model: cannot load/);
  }, 60_000);

  it('NEWS2 through the lab trigger path gives the processor\u2019s own alarms for the same bands', async () => {
    const own = labConfig({ name: 'own' });
    // Same bands plus a trigger that adds nothing: forces the lab's trigger path.
    const remapped = labConfig({ name: 'remapped', news2: { triggers: [{ minTotal: 7, priority: 'high' }, { minTotal: 5, priority: 'medium' }, { singleParameter3: true, priority: 'low' }, { minTotal: 20, priority: 'high' }] } });
    const highOnly = labConfig({ name: 'high-only', news2: { triggers: [{ minTotal: 7, priority: 'high' }] } });
    const { result } = await runLab({ sessions: [{ name: 'ward', path }], configs: [own, remapped, highOnly] });
    const news2 = (i: number) => result.configs[i]!.alarms.byCode.find((r) => r.code === 'NEWS2');
    expect(news2(0)?.count).toBeGreaterThan(0);
    expect(news2(1)).toEqual(news2(0));
    expect(result.configs[1]!.alarms.byPriority).toEqual(result.configs[0]!.alarms.byPriority);
    expect(news2(2)?.count ?? 0).toBeLessThan(news2(0)!.count);
  });

  it('the default rules and NEWS2 give the alarms of models\u2019 offline baselines (verified against the StreamProcessor)', async () => {
    const { result } = await runLab({ sessions: [{ name: 'ward', path }], configs: [labConfig({ name: 'all-default' }), limitsOnly('limits')] });
    // The baselines over the same samples the edge lets through.
    let edge: EdgeEquivalent | undefined;
    const replays = new Map<string, BaselineReplay>();
    for await (const item of readSession(path)) {
      if (item.kind === 'header') {
        edge = new EdgeEquivalent(item.header.devices);
        for (const p of item.header.patients) replays.set(p.patientId, new BaselineReplay(p.patientId));
      } else if (item.kind === 'message') {
        const record = edge!.convert(item);
        if (record?.type === 'sample') replays.get(record.patientId)!.add(record);
      }
    }
    let limit = 0;
    let news2 = 0;
    for (const r of replays.values()) {
      const b = r.finish();
      limit += b.limitAlarms.length;
      news2 += b.news2Alarms.length;
    }
    const codes = result.configs[0]!.alarms.byCode;
    const count = (code: string) => codes.find((r) => r.code === code)?.count ?? 0;
    expect(count('NEWS2')).toBe(news2);
    expect(result.configs[0]!.alarms.total - count('NEWS2')).toBe(limit);
    expect(result.configs[1]!.alarms.total).toBe(limit);
  });
});
