/**
 * Train the anomaly models, calibrate how their scores become alerts on validation data, and save the artefacts.
 *
 *   node --import tsx models/src/cli/train.ts [--seed vigil-1] [--out models/artefacts] [--epochs 10] [--scale 1]
 *     [--physionet ../shared/data/physionet-2012] [--no-physionet]
 *
 * Simulated wards (training / validation seeds; the test seed is left for the evaluation CLI): a forecaster
 * (Hundman 2018) and an LSTM autoencoder are trained on normal stretches, both calibrated on validation, and the one
 * with the better validation F1 becomes `vigil-lstm`, the model the cloud serves. PhysioNet 2012 set A (70 % of
 * stays): a forecaster over hourly windows, for the mortality and hypotension evaluation.
 */
import { cp, mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrBuildSimulatedDataset } from '../data/dataset-cache.ts';
import type { PatientSeries } from '../data/series.ts';
import { loadModel, readMetadata, saveModel, type ModelMetadata } from '../model/artefacts.ts';
import type { ModelKind } from '../model/architecture.ts';
import { calibrate } from '../model/calibration.ts';
import { trainModel } from '../model/training.ts';
import { selectBackend, tf } from '../runtime/backend.ts';
import { ModelScorer } from '../scoring/model-scorer.ts';
import type { ScoringParams } from '../scoring/scoring-params.ts';
import { GEOMETRY, simulatedSplits } from './experiment.ts';
import { loadPhysioNetSplits } from './physionet-splits.ts';

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string', default: 'vigil-1' },
    out: { type: 'string', default: 'models/artefacts' },
    epochs: { type: 'string', default: '10' },
    scale: { type: 'string', default: '1' },
    physionet: { type: 'string', default: '../shared/data/physionet-2012' },
    'no-physionet': { type: 'boolean', default: false },
    'physionet-only': { type: 'boolean', default: false },
    kinds: { type: 'string', default: 'forecaster,autoencoder' },
  },
});

const log = (line: string) => process.stderr.write(`${line}\n`);
const out = resolve(args.out);
const epochs = Number(args.epochs);
const scale = Number(args.scale);

/** Scoring before calibration: Hundman's dynamic threshold over 4 h of smoothed errors, no floor yet. */
const defaultScoring = (windowSteps: number): ScoringParams => ({
  smoothingSteps: 5,
  smoothingAlpha: 0.4,
  holdSteps: 15,
  threshold: { mode: 'dynamic', windowSteps, zMin: 2, zMax: 10, zStep: 0.5, floor: 0 },
});

function withSetting(scoring: ScoringParams, setting: { mode: 'fixed' | 'dynamic'; value: number; holdSteps: number }): ScoringParams {
  const threshold: ScoringParams['threshold'] =
    setting.mode === 'fixed' ? { mode: 'fixed', value: setting.value } : { ...(scoring.threshold as Extract<ScoringParams['threshold'], { mode: 'dynamic' }>), floor: setting.value };
  return { ...scoring, holdSteps: setting.holdSteps, threshold };
}

async function trainOne(kind: ModelKind, name: string, dir: string, train: PatientSeries[], validation: PatientSeries[], geometry: (typeof GEOMETRY)[keyof typeof GEOMETRY], scoring: ScoringParams, dataset: Record<string, unknown>): Promise<{ metadata: ModelMetadata; f1: number }> {
  const seed = `${args.seed}:${name}`;
  const steps = kind === 'forecaster' ? geometry.steps : geometry.steps;
  const result = await trainModel(train, validation, {
    kind,
    steps,
    units: geometry.units,
    seed,
    epochs,
    batchSize: 64,
    learningRate: 2e-3,
    stride: Math.max(2, Math.floor(geometry.steps / 6)),
    maxSequences: 15_000,
    patience: 3,
    progress: log,
  });
  const first = train[0]!;
  await saveModel(dir, result.model, {
    format: 'vigil-anomaly-model',
    formatVersion: 1,
    name,
    version: '1.0.0',
    kind,
    steps,
    units: geometry.units,
    ...(kind === 'forecaster' ? { chainPeriod: geometry.chainPeriod } : { reconstructionSteps: geometry.reconstructionSteps }),
    windowMs: first.windowMs,
    slideMs: first.slideMs,
    normalisation: result.normalisation,
    scoring,
    training: {
      seed,
      backend: tf.getBackend(),
      dataset,
      sequences: { train: result.trainSequences, validation: result.valSequences },
      epochs: result.epochs,
      bestEpoch: result.bestEpoch,
      seconds: Math.round(result.seconds),
      optimiser: 'adam, learning rate 0.002, batch 64, masked MSE, early stopping (patience 3) on validation loss',
    },
  });
  result.model.dispose();

  log(`${name}: scoring the validation series to calibrate the alert rule`);
  const scorer = await ModelScorer.create(await loadModel(dir));
  const verdicts = scorer.scoreSeries(validation);
  scorer.dispose();
  const cal = calibrate(name, validation, verdicts);
  const c = cal.chosen;
  log(`${name}: chose ${c.setting.mode} ${c.setting.value.toFixed(3)}, hold ${c.setting.holdSteps}: validation F1 ${c.result.f1.toFixed(3)}, recall ${c.result.recall.toFixed(3)}, precision ${c.result.precision.toFixed(3)}, ${c.result.falseAlarmsPerPatientDay.toFixed(2)} false alarms/pt-day (cap ${cal.falseAlarmCap.toFixed(2)})`);
  const loaded = await loadModel(dir);
  const final = await saveModel(dir, loaded.model, {
    ...loaded.metadata,
    scoring: withSetting(scoring, c.setting),
    evaluation: {
      calibratedOn: 'validation',
      setting: c.setting,
      falseAlarmCapPerPatientDay: cal.falseAlarmCap,
      validation: { f1: c.result.f1, recall: c.result.recall, precision: c.result.precision, falseAlarmsPerPatientDay: c.result.falseAlarmsPerPatientDay, alarmsPerPatientDay: c.result.alarmsPerPatientDay },
    },
  });
  loaded.model.dispose();
  return { metadata: final, f1: c.result.f1 };
}

async function main(): Promise<void> {
  const backend = await selectBackend();
  log(`tfjs backend: ${backend}`);
  await mkdir(out, { recursive: true });
  if (!args['physionet-only']) await trainSimulated();
  if (!args['no-physionet'] && existsSync(args.physionet)) {
    const { train: pTrain, test: pTest } = await loadPhysioNetSplits(args.physionet, args.seed);
    log(`PhysioNet: ${pTrain.length} training stays (${pTest.length} held out for the evaluation)`);
    // Validation for early stopping: the last 15 % of the training stays (the test split stays unseen).
    const cut = Math.floor(pTrain.length * 0.85);
    await trainOne('forecaster', 'physionet-forecaster', join(out, 'physionet-forecaster'), pTrain.slice(0, cut), pTrain.slice(cut), GEOMETRY.physionet, defaultScoring(24), { physionet: 'set A, training split', stays: pTrain.length });
  }
}

async function trainSimulated(): Promise<void> {
  const splits = simulatedSplits(args.seed, scale);
  const train = await loadOrBuildSimulatedDataset({ ...splits.train, progress: true });
  const validation = await loadOrBuildSimulatedDataset({ ...splits.validation, progress: true });
  const dataset = { train: splits.train, validation: splits.validation };

  const results: Array<{ kind: ModelKind; f1: number; dir: string }> = [];
  for (const kind of args.kinds.split(',') as ModelKind[]) {
    const dir = join(out, 'candidates', kind);
    const r = await trainOne(kind, `vigil-lstm-${kind}`, dir, train, validation, GEOMETRY.simulated, defaultScoring(240), dataset);
    results.push({ kind, f1: r.f1, dir });
  }
  const best = results.reduce((a, b) => (b.f1 > a.f1 ? b : a));
  const served = join(out, 'vigil-lstm');
  await rm(served, { recursive: true, force: true });
  await cp(best.dir, served, { recursive: true });
  log(`serving model: ${best.kind} (validation F1 ${best.f1.toFixed(3)} vs ${results.filter((r) => r !== best).map((r) => `${r.kind} ${r.f1.toFixed(3)}`).join(', ')}) → ${served} (${(await readMetadata(served)).version})`);

}

await main();
