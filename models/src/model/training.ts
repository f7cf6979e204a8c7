/**
 * Training: fit the normalisation on the training series, cut sequences, and fit the model with Adam on the masked
 * MSE, with early stopping on the validation loss. Deterministic from `seed`: seeded initialisers, a seeded
 * subsample and per-epoch shuffle, no dropout, and a single-threaded backend (same seed, backend and data → same
 * weights; tested).
 */
import type { PatientSeries } from '../data/series.ts';
import { INPUT_SIZE, VITAL_COUNT } from '../features/model-input.ts';
import { fitNormalisation, type Normalisation } from '../features/normalisation.ts';
import { tf } from '../runtime/backend.ts';
import { SeededRandom, hashSeed } from '../util/seeded-random.ts';
import { buildModel, maskedMse, type ModelKind } from './architecture.ts';
import { buildSequences, type SequenceSet } from './training-sequences.ts';

export interface TrainOptions {
  kind: ModelKind;
  steps: number;
  units: number;
  seed: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  stride: number;
  maxSequences: number;
  /** Stop when the validation loss has not improved for this many epochs (the best weights are kept). */
  patience: number;
  /** Fit on these instead of the training series (e.g. a fixed clinical normalisation). */
  normalisation?: Normalisation;
  progress?: (line: string) => void;
}

export interface TrainResult {
  model: tf.LayersModel;
  normalisation: Normalisation;
  epochs: Array<{ epoch: number; loss: number; valLoss: number; seconds: number }>;
  bestEpoch: number;
  trainSequences: number;
  valSequences: number;
  seconds: number;
}

function tensors(set: SequenceSet, steps: number): { x: tf.Tensor3D; y: tf.Tensor3D } {
  return { x: tf.tensor3d(set.x, [set.count, steps, INPUT_SIZE]), y: tf.tensor3d(set.y, [set.count, steps, 2 * VITAL_COUNT]) };
}

/** Rows of a set in a given order (a seeded shuffle per epoch). */
function reorder(set: SequenceSet, steps: number, order: number[]): SequenceSet {
  const xs = steps * INPUT_SIZE;
  const ys = steps * 2 * VITAL_COUNT;
  const x = new Float32Array(set.x.length);
  const y = new Float32Array(set.y.length);
  order.forEach((from, to) => {
    x.set(set.x.subarray(from * xs, (from + 1) * xs), to * xs);
    y.set(set.y.subarray(from * ys, (from + 1) * ys), to * ys);
  });
  return { count: set.count, x, y };
}

/** Masked MSE over a whole set, in batches, weighted by batch size. */
function evaluateLoss(model: tf.LayersModel, x: tf.Tensor3D, y: tf.Tensor3D, batchSize: number): number {
  const n = x.shape[0];
  let sum = 0;
  for (let from = 0; from < n; from += batchSize) {
    const size = Math.min(batchSize, n - from);
    sum += tf.tidy(() => maskedMse(y.slice([from, 0, 0], [size, -1, -1]), model.predict(x.slice([from, 0, 0], [size, -1, -1])) as tf.Tensor).dataSync()[0]!) * size;
  }
  return sum / n;
}

export async function trainModel(train: readonly PatientSeries[], validation: readonly PatientSeries[], options: TrainOptions): Promise<TrainResult> {
  const started = performance.now();
  const log = options.progress ?? (() => {});
  const normalisation = options.normalisation ?? fitNormalisation(train.flatMap((s) => s.windows));
  const seq = { kind: options.kind, steps: options.steps, stride: options.stride, seed: options.seed };
  const trainSet = buildSequences(train, normalisation, { ...seq, maxSequences: options.maxSequences });
  const valSet = buildSequences(validation, normalisation, { ...seq, seed: `${options.seed}:val`, maxSequences: Math.max(256, Math.floor(options.maxSequences / 4)) });
  if (trainSet.count === 0 || valSet.count === 0) throw new Error(`no training sequences (train ${trainSet.count}, validation ${valSet.count}): series too short for ${options.steps} steps?`);
  log(`${options.kind}: ${trainSet.count} training and ${valSet.count} validation sequences of ${options.steps} steps, backend ${tf.getBackend()}`);

  const model = buildModel(options.kind, { steps: options.steps, units: options.units, seed: hashSeed(options.seed) % 100_000 });
  const optimizer = tf.train.adam(options.learningRate);
  const val = tensors(valSet, options.steps);
  const rng = new SeededRandom(`${options.seed}:epochs`);
  const epochs: TrainResult['epochs'] = [];
  let best = Infinity;
  let bestEpoch = 0;
  let bestWeights: tf.Tensor[] | undefined;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const t0 = performance.now();
    const order = rng.shuffle(Array.from({ length: trainSet.count }, (_, i) => i));
    const { x, y } = tensors(reorder(trainSet, options.steps, order), options.steps);
    const batches = Math.ceil(trainSet.count / options.batchSize);
    let lastShown = performance.now();
    let lossSum = 0;
    for (let b = 0; b < batches; b++) {
      // A loop of our own rather than model.fit: fit checks targets against the output shape, and the masked loss
      // needs the observed flags beside the targets.
      const from = b * options.batchSize;
      const size = Math.min(options.batchSize, trainSet.count - from);
      const batchLoss = optimizer.minimize(() => {
        const xb = x.slice([from, 0, 0], [size, -1, -1]);
        const yb = y.slice([from, 0, 0], [size, -1, -1]);
        return maskedMse(yb, model.apply(xb, { training: true }) as tf.Tensor);
      }, true);
      lossSum += (await batchLoss!.data())[0]! * size;
      batchLoss!.dispose();
      const now = performance.now();
      if (now - lastShown > 5000) {
        lastShown = now;
        log(`  epoch ${epoch}/${options.epochs}: batch ${b + 1}/${batches} (${Math.round(((b + 1) / batches) * 100)} %)`);
      }
    }
    tf.dispose([x, y]);
    const loss = lossSum / trainSet.count;
    const valLoss = evaluateLoss(model, val.x, val.y, options.batchSize);
    const seconds = (performance.now() - t0) / 1000;
    epochs.push({ epoch, loss, valLoss, seconds });
    log(`  epoch ${epoch}/${options.epochs}: loss ${loss.toFixed(4)}, validation ${valLoss.toFixed(4)} (${seconds.toFixed(1)} s)`);
    if (valLoss < best) {
      best = valLoss;
      bestEpoch = epoch;
      tf.dispose(bestWeights ?? []);
      bestWeights = model.getWeights().map((w) => tf.keep(w.clone()));
    } else if (epoch - bestEpoch >= options.patience) {
      log(`  early stop: no improvement for ${options.patience} epochs; keeping epoch ${bestEpoch}`);
      break;
    }
  }
  if (bestWeights) {
    model.setWeights(bestWeights);
    tf.dispose(bestWeights);
  }
  tf.dispose([val.x, val.y]);
  optimizer.dispose();
  return { model, normalisation, epochs, bestEpoch, trainSequences: trainSet.count, valSequences: valSet.count, seconds: (performance.now() - started) / 1000 };
}
