/**
 * The LSTM anomaly model served by the cloud (detectors/model-detector.ts), with a small untrained forecaster whose
 * fixed threshold (1.0) sits between its error on steady vitals (≤ 0.5) and after a heart-rate jump (~2): advisory
 * alarms end to end, replay determinism, hot reload between batches, refusal of a bad artefact. That a failing
 * detector changes no rule alarm is tested with a test double in pipeline.test.ts, and here with the real one.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Alarm, UplinkSample } from '@vigil/contracts';
import { buildForecaster, saveModel, selectBackend } from '@vigil/models';
import type { AnomalyDetector } from '../src/detectors/anomaly-detector.ts';
import { createModelDetector, type ModelDetector } from '../src/detectors/model-detector.ts';
import { startHarness, type Harness } from './cloud-harness.ts';
import { sample } from './fixtures.ts';

const T = 1_764_000_000_000;
/** 10 s feature windows every 10 s (the model's geometry below): 6 scored windows a minute keep the test short. */
const CONFIG = { outOfOrdernessMs: 5_000, featureWindowMs: 10_000, featureSlideMs: 10_000 };
const SECONDS = 600;
const JUMP_AT = 400; // s: HR 72 → 140 (also the HR_HIGH limit rule's condition)

/** 1 Hz samples of one patient, HR gently varying, then jumping. */
const records: UplinkSample[] = Array.from({ length: SECONDS }, (_, s) => {
  const vitals = { hr: s >= JUMP_AT ? 140 : Math.round(72 + 3 * Math.sin(s / 30)), spo2: 97, rr: 15, temp: 36.8, abpSys: 120 };
  return sample({ patientId: 'pt-a1', bedId: 'bed-01', deviceId: 'mon-a1', seq: s, t: T + s * 1000, receivedAt: T + s * 1000 + 20, vitals, quality: Object.fromEntries(Object.keys(vitals).map((k) => [k, 'good'])) });
});

let root: string;
beforeAll(async () => {
  await selectBackend(); // before any tensor, so the weights are created on the backend that runs them
  root = await mkdtemp(join(tmpdir(), 'vigil-model-detector-'));
});
afterAll(async () => rm(root, { recursive: true, force: true }));

let dirs = 0;
/** An untrained forecaster artefact; `holdSteps` changes the context it needs, `seed` its weights (and version). */
async function writeModel(dir: string, options: { seed?: number; holdSteps?: number } = {}): Promise<string> {
  const model = buildForecaster({ steps: 16, units: 8, seed: options.seed ?? 7 });
  const saved = await saveModel(dir, model, {
    format: 'vigil-anomaly-model',
    formatVersion: 1,
    name: 'test-forecaster',
    version: `0.0.${options.seed ?? 7}`,
    kind: 'forecaster',
    steps: 16,
    units: 8,
    chainPeriod: 8,
    windowMs: CONFIG.featureWindowMs,
    slideMs: CONFIG.featureSlideMs,
    normalisation: { centre: { hr: 72, spo2: 97, rr: 15, sbp: 120, map: 90, temp: 36.8 }, scale: { hr: 5, spo2: 1, rr: 2, sbp: 8, map: 6, temp: 0.3 } },
    scoring: { smoothingSteps: 2, smoothingAlpha: 0.5, holdSteps: options.holdSteps ?? 3, threshold: { mode: 'fixed', value: 1 } },
    training: {},
  });
  model.dispose();
  return saved.version;
}
async function modelDir(options: { seed?: number; holdSteps?: number } = {}): Promise<{ dir: string; version: string }> {
  const dir = join(root, `m${++dirs}`);
  return { dir, version: await writeModel(dir, options) };
}

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

async function until(what: string, condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The detector as the pipeline sees it, recording each verdict by window end. */
function recorded(d: ModelDetector) {
  const verdicts = new Map<number, { version: string; history: number; verdict: string }>();
  const detector: AnomalyDetector = {
    get name() {
      return d.name;
    },
    get version() {
      return d.version;
    },
    get backend() {
      return d.backend;
    },
    get contextWindows() {
      return d.contextWindows;
    },
    async scoreBatch(inputs) {
      const out = await d.scoreBatch(inputs);
      inputs.forEach((x, i) => verdicts.set(x.features.end, { version: d.version, history: x.history.length, verdict: `${out[i]!.score}|${out[i]!.threshold}|${out[i]!.anomalous}` }));
      return out;
    },
    attach: (host) => d.attach?.(host),
  };
  return { detector, verdicts };
}

let open: Array<Harness | ModelDetector> = [];
afterEach(async () => {
  for (const x of open) await x.close();
  open = [];
});
async function detectorOn(dir: string, options: { logger?: pino.Logger; watch?: boolean } = {}): Promise<ModelDetector> {
  const d = await createModelDetector({ dir, logger: options.logger ?? pino({ level: 'silent' }), watch: options.watch ?? false, debounceMs: 50, pollMs: 100 });
  open.push(d);
  return d;
}
async function run(detector: AnomalyDetector | undefined, from = 0, to = SECONDS, h?: Harness): Promise<Harness> {
  if (!h) {
    h = await startHarness({ config: CONFIG, ...(detector ? { detector } : {}) });
    open.push(h);
  }
  for (let i = from; i < to; i += 30) await h.feed('ward-a', records.slice(i, Math.min(i + 30, to)));
  await h.cloud.pipeline.advisoryIdle();
  return h;
}
async function storedAlarms(h: Harness): Promise<Alarm[]> {
  await h.cloud.pipeline.advisoryIdle(); // the anomaly detector's lane commits after the batches
  return (await h.cloud.db.all<{ body: string }>('SELECT body FROM alarms ORDER BY id')).map((r) => JSON.parse(r.body) as Alarm);
}
const rulesOf = (alarms: Alarm[]) => alarms.filter((a) => a.kind !== 'advisory');

describe('the LSTM model as the cloud serves it', () => {
  it('raises an explained low-priority ML_ANOMALY advisory when the heart rate jumps, identically on a replay, and never touches a rule alarm', async () => {
    const { dir, version } = await modelDir();
    const plain = await storedAlarms(await run(undefined));
    expect(rulesOf(plain).map((a) => a.code)).toContain('HR_HIGH');

    const first = await run(await detectorOn(dir));
    const alarms = await storedAlarms(first);
    expect(rulesOf(alarms)).toEqual(rulesOf(plain));
    const advisory = alarms.filter((a) => a.kind === 'advisory');
    expect(advisory).toHaveLength(1);
    const a = advisory[0]!;
    expect(a).toMatchObject({ code: 'ML_ANOMALY', source: 'lstm', priority: 'low', state: 'active' });
    // Raised at the end of the first window that holds the jump (windows end on 10 s boundaries).
    expect(a.raisedAt).toBe(T + (JUMP_AT + 10) * 1000);
    expect(a.evidence.comparator).toBe('>');
    expect(a.evidence.limit).toBe(1);
    expect(a.evidence.value).toBeGreaterThan(1);
    const contributions = a.evidence.contributions!;
    expect(Object.entries(contributions).sort((x, y) => y[1] - x[1])[0]![0]).toBe('hr');
    expect(a.evidence.detail).toContain(`test-forecaster ${version}: heart rate higher than forecast`);
    expect(a.message).toMatch(/^Advisory: test-forecaster/);

    const metrics = await first.cloud.metrics.registry.metrics();
    expect(metrics).toContain(`vigil_cloud_anomaly_model_info{model="test-forecaster",version="${version}",backend="wasm"} 1`);
    expect(metrics).toMatch(/vigil_cloud_anomaly_windows_scored_total [1-9]/);
    expect(metrics).toMatch(/vigil_cloud_anomaly_verdicts_anomalous_total [1-9]/);

    // The same input through a fresh pipeline and a fresh detector: the same advisory alarm, to the byte.
    const again = await storedAlarms(await run(await detectorOn(dir)));
    expect(again).toEqual(alarms);

    // A detector that fails on every batch (closed) changes nothing at all.
    const broken = await detectorOn(dir);
    await broken.close();
    expect(await storedAlarms(await run(broken))).toEqual(plain);
  });

  it.each([
    { change: 'needing 5 more windows of context (refilled from the stored windows)', holdSteps: 8, more: 5, warmed: 0 },
    { change: 'needing the same context (warmed on the last inputs before the swap)', holdSteps: 3, more: 0, warmed: 1 },
  ])('hot reload of a new version $change: logged, swapped between batches, and scoring as a fresh start would', async ({ holdSteps, more, warmed }) => {
    const { dir, version: v1 } = await modelDir();
    const { logger, lines } = capture();
    const d = await detectorOn(dir, { logger, watch: true });
    const live = recorded(d);
    const h = await run(live.detector, 0, 450);
    const before = d.contextWindows;
    const lastBefore = Math.max(...live.verdicts.keys());
    expect(live.verdicts.get(lastBefore)!.history).toBe(before);

    // Other weights; more hold steps need more windows of context than the processor has kept.
    const v2 = await writeModel(dir, { seed: 8, holdSteps });
    expect(v2).not.toBe(v1);
    await until('the reload', () => d.version === v2);
    expect(d.contextWindows).toBe(before + more);
    expect(lines.find((l) => l.msg === 'anomaly model reloaded')).toMatchObject({ version: v2, previous: v1, model: 'test-forecaster', backend: 'wasm', warmedPatients: warmed });
    await run(undefined, 450, SECONDS, h);
    expect(await h.cloud.metrics.registry.getSingleMetricAsString('vigil_cloud_anomaly_model_reloads_total')).toContain('vigil_cloud_anomaly_model_reloads_total{result="swapped"} 1');

    // The first window after the swap came with all the context the new model needs ...
    expect(live.verdicts.get(lastBefore + 10_000)).toMatchObject({ version: v2, history: before + more });
    // ... so every verdict after the swap is the one a cloud that served v2 from the start gives.
    const fresh = recorded(await detectorOn(dir));
    await run(fresh.detector);
    const after = [...live.verdicts.keys()].filter((end) => end > lastBefore);
    expect(after.length).toBeGreaterThan(10);
    for (const end of after) expect(live.verdicts.get(end)!.verdict, `window ending ${end - T}`).toBe(fresh.verdicts.get(end)!.verdict);
    expect(after.some((end) => live.verdicts.get(end)!.verdict.endsWith('true'))).toBe(true);
  });

  it('follows the directory when it is removed and written anew (as train.ts replaces the served model)', async () => {
    const { dir, version: v1 } = await modelDir();
    const d = await detectorOn(dir, { watch: true });
    await rm(dir, { recursive: true, force: true });
    const v2 = await writeModel(dir, { seed: 9 });
    await until('the reload', () => d.version === v2);
    expect(v2).not.toBe(v1);
    // And the new directory is watched: a third version is picked up too.
    const v3 = await writeModel(dir, { seed: 10 });
    await until('the second reload', () => d.version === v3);
  });

  it('refuses a corrupt artefact or a torn one (weights of another version), logs it, and keeps scoring with the old model', async () => {
    const { dir, version } = await modelDir();
    const { logger, lines } = capture();
    const d = await detectorOn(dir, { logger, watch: true });
    const h = await run(d, 0, 300);
    const metadata = JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8')) as Record<string, unknown>;

    // Half a file (a copy interrupted): not JSON.
    await writeFile(join(dir, 'metadata.json'), '{"format": "vigil-anomaly-model", "formatVersion": 1, "name": ');
    await until('the refusal', () => lines.some((l) => l.msg === 'anomaly model reload refused; the previous model keeps serving'));
    // Valid metadata of another version beside the old weights: their digest does not match.
    await writeFile(join(dir, 'metadata.json'), JSON.stringify({ ...metadata, version: '0.0.9+deadbeef' }));
    expect(await d.reload()).toMatchObject({ result: 'refused', version, error: expect.stringMatching(/does not belong to model version 0\.0\.9\+deadbeef/) });
    expect(d.version).toBe(version);
    expect(lines.filter((l) => l.level === 50).length).toBeGreaterThanOrEqual(2);
    expect(await h.cloud.metrics.registry.getSingleMetricAsString('vigil_cloud_anomaly_model_reloads_total')).toMatch(/result="refused"} [2-9]/);

    await run(undefined, 300, SECONDS, h);
    const advisory = (await storedAlarms(h)).filter((a) => a.kind === 'advisory');
    expect(advisory).toHaveLength(1);
    expect(advisory[0]!.evidence.detail).toContain(`test-forecaster ${version}:`);
  });

  it('forgets a patient silent for longer than the model’s context, and the others’ verdicts do not change', async () => {
    const { dir } = await modelDir();
    const alone = recorded(await detectorOn(dir));
    await run(alone.detector);
    const d = await detectorOn(dir);
    const both = recorded(d);
    const h = await startHarness({ config: CONFIG, detector: both.detector });
    open.push(h);
    // A second patient monitored for the first 100 s only (discharged), then pt-a1 alone to the end.
    const other = records.slice(0, 100).map((r) => ({ ...r, patientId: 'pt-a2', bedId: 'bed-02', deviceId: 'mon-a2' }));
    for (let i = 0; i < SECONDS; i += 30) await h.feed('ward-a', [...records.slice(i, i + 30), ...other.slice(i, i + 30)]);
    await h.cloud.pipeline.advisoryIdle();
    const tracked = await h.cloud.metrics.registry.getSingleMetricAsString('vigil_cloud_anomaly_patients_tracked');
    expect(tracked).toMatch(/vigil_cloud_anomaly_patients_tracked 1$/m);
    expect(SECONDS * 1000 - 100_000).toBeGreaterThan((d.contextWindows + 1) * CONFIG.featureSlideMs); // silent long enough
    for (const [end, v] of alone.verdicts) expect(both.verdicts.get(end)?.verdict, `window ending ${end - T}`).toBe(v.verdict);
  });

  it('refuses a model trained on another window geometry than the processor’s', async () => {
    const { dir } = await modelDir();
    await expect(createModelDetector({ dir, logger: pino({ level: 'silent' }), watch: false, featureWindow: { windowMs: 300_000, slideMs: 60_000 } })).rejects.toThrow(/trained on .* windows every/);
  });
});
