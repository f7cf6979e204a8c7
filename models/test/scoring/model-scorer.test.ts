import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildForecaster } from '../../src/model/architecture.ts';
import { loadModel, saveModel } from '../../src/model/artefacts.ts';
import { fitNormalisation } from '../../src/features/normalisation.ts';
import { selectBackend, tf } from '../../src/runtime/backend.ts';
import { lstmStep, stepWeightsOf } from '../../src/scoring/lstm-step.ts';
import { ModelScorer, type ScoreInput } from '../../src/scoring/model-scorer.ts';
import type { ScoringParams } from '../../src/scoring/scoring-params.ts';
import { syntheticSeries } from '../support/synthetic.ts';

const scoring: ScoringParams = { smoothingSteps: 5, smoothingAlpha: 0.4, holdSteps: 5, threshold: { mode: 'dynamic', windowSteps: 40, zMin: 2, zMax: 10, zStep: 0.5, floor: 0.3 } };
let dir: string;

beforeAll(async () => {
  await selectBackend();
  dir = await mkdtemp(join(tmpdir(), 'vigil-model-'));
  const series = [syntheticSeries('p1', 'a', 200)];
  const model = buildForecaster({ steps: 16, units: 8, seed: 7 });
  await saveModel(dir, model, { format: 'vigil-anomaly-model', formatVersion: 1, name: 'test-forecaster', version: '0.0.1', kind: 'forecaster', steps: 16, units: 8, chainPeriod: 8, windowMs: 300_000, slideMs: 60_000, normalisation: fitNormalisation(series[0]!.windows), scoring, training: {} });
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('the incremental LSTM step', () => {
  it("matches the layer model's own predict (same gates, sigmoid recurrent activation)", async () => {
    const { model } = await loadModel(dir);
    const x = tf.randomNormal([3, 16, 12], 0, 1, 'float32', 1);
    const expected = (model.predict(x) as tf.Tensor).arraySync() as number[][][];
    const w = stepWeightsOf(model);
    const xs = x.arraySync() as number[][][];
    let h: Float32Array = new Float32Array(3 * 8);
    let c: Float32Array = new Float32Array(3 * 8);
    for (let t = 0; t < 16; t++) {
      const out = lstmStep(w, 3, Float32Array.from(xs.flatMap((row) => row[t]!)), h, c);
      ({ h, c } = out);
      for (let r = 0; r < 3; r++) for (let v = 0; v < 6; v++) expect(out.y[r * 6 + v]).toBeCloseTo(expected[r]![t]![v]!, 5);
    }
  });

  it('gives a row the same bits whatever else is in the batch', async () => {
    const { model } = await loadModel(dir);
    const w = stepWeightsOf(model);
    const rnd = (n: number, s: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + s) * 0.8);
    const alone = lstmStep(w, 1, rnd(12, 1), rnd(8, 2), rnd(8, 3));
    const x = new Float32Array(64 * 12);
    const h = new Float32Array(64 * 8);
    const c = new Float32Array(64 * 8);
    for (let r = 0; r < 64; r++) {
      x.set(rnd(12, r === 37 ? 1 : 100 + r), r * 12);
      h.set(rnd(8, r === 37 ? 2 : 200 + r), r * 8);
      c.set(rnd(8, r === 37 ? 3 : 300 + r), r * 8);
    }
    const batched = lstmStep(w, 64, x, h, c);
    expect(Array.from(batched.y.slice(37 * 6, 38 * 6))).toEqual(Array.from(alone.y));
  });
});

describe('ModelScorer', () => {
  it("refuses weights that do not belong to the metadata's version", async () => {
    const other = await mkdtemp(join(tmpdir(), 'vigil-model-'));
    const m = buildForecaster({ steps: 16, units: 8, seed: 8 });
    const meta = (await loadModel(dir)).metadata;
    await saveModel(other, m, { ...meta, version: '0.0.1' });
    const { copyFile } = await import('node:fs/promises');
    await copyFile(join(dir, 'weights.bin'), join(other, 'weights.bin'));
    await expect(loadModel(other)).rejects.toThrow(/does not belong to model version/);
    await rm(other, { recursive: true, force: true });
  });

  it('gives identical verdicts incrementally, after a rebuild from history, and offline', async () => {
    const series = [syntheticSeries('p1', 's1', 260, { excursion: { at: 200, hr: 40 }, gaps: [50, 51, 52, 120] }), syntheticSeries('p2', 's2', 260)];
    const live = await ModelScorer.create(await loadModel(dir));
    const C = live.contextWindows;
    const verdicts = new Map<string, string[]>();
    const restarted = new Map<string, string[]>();
    for (let k = 0; k < 260; k++) {
      const inputs: ScoreInput[] = [];
      for (const s of series) {
        const w = s.windows.find((x) => x.end === s.windows[0]!.end + k * 60_000);
        if (!w) continue;
        const before = s.windows.filter((x) => x.end < w.end).slice(-C);
        inputs.push({ patientId: s.patientId, features: w, history: before });
      }
      const out = await live.scoreBatch(inputs);
      out.forEach((v) => verdicts.set(v.patientId, [...(verdicts.get(v.patientId) ?? []), `${v.score}|${v.threshold}|${v.anomalous}`]));
      // A fresh scorer (a restarted cloud) fed only this tick, so every patient is rebuilt from its history.
      if (k % 37 === 5) {
        const fresh = await ModelScorer.create(await loadModel(dir));
        const again = await fresh.scoreBatch(inputs);
        again.forEach((v, i) => expect(`${v.score}|${v.threshold}|${v.anomalous}`).toBe(`${out[i]!.score}|${out[i]!.threshold}|${out[i]!.anomalous}`));
        restarted.set('n', [...(restarted.get('n') ?? []), 'x']);
      }
    }
    expect(restarted.get('n')!.length).toBeGreaterThan(5);
    // The excursion (+40 /min HR from step 200) is what the p1 forecaster flags, not the stable p2.
    const p1 = verdicts.get('p1')!;
    expect(p1.slice(200, 215).some((v) => v.endsWith('true'))).toBe(true);

    const offline = (await ModelScorer.create(await loadModel(dir))).scoreSeries(series);
    const p1Offline = offline.get('p1')!.filter((v) => series[0]!.windows.some((w) => w.end === v.index * 60_000)).map((v) => `${Number.isFinite(v.score) ? v.score : 0}|${Number.isFinite(v.threshold) ? v.threshold : 0}|${v.anomalous}`);
    expect(p1Offline).toEqual(p1);
  });
});
