/**
 * The two model families compared in the evaluation, both over the steps of features/model-input.ts:
 *
 * - forecaster (the reference method, Hundman et al. 2018, "Detecting Spacecraft Anomalies Using LSTMs and
 *   Nonparametric Dynamic Thresholding", KDD): a causal LSTM that reads steps 1..t and predicts every vital's level at
 *   t + 1; the anomaly score is the prediction error. Causal, so serving can advance it one step at a time.
 * - autoencoder (the alternative, Malhotra et al. 2016, "LSTM-based Encoder-Decoder for Multi-sensor Anomaly
 *   Detection"): an LSTM encodes a whole window into one state, another decodes it; the score is the reconstruction
 *   error. Not causal: every new step recomputes the window.
 *
 * tfjs-layers' LSTM defaults recurrentActivation to 'hardSigmoid' (unlike Keras 2+); both set 'sigmoid' explicitly,
 * and the incremental step in scoring/lstm-step.ts computes the same gates.
 */
import { tf } from '../runtime/backend.ts';
import { INPUT_SIZE, VITAL_COUNT } from '../features/model-input.ts';

export type ModelKind = 'forecaster' | 'autoencoder';

export interface ArchitectureOptions {
  /** Steps per training sequence (the forecaster's longest context; the autoencoder's window). */
  steps: number;
  /** LSTM units. */
  units: number;
  /** Seed of every initialiser: same seed, same initial weights. */
  seed: number;
}

const init = (seed: number, k: number) => ({
  kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 16 + k }),
  recurrentInitializer: tf.initializers.orthogonal({ seed: seed * 16 + k + 1, gain: 1 }),
  biasInitializer: 'zeros' as const,
  unitForgetBias: true,
});

export function buildForecaster({ steps, units, seed }: ArchitectureOptions): tf.LayersModel {
  const model = tf.sequential({ name: 'vigil_forecaster' });
  model.add(tf.layers.lstm({ name: 'lstm', units, returnSequences: true, inputShape: [steps, INPUT_SIZE], activation: 'tanh', recurrentActivation: 'sigmoid', ...init(seed, 0) }));
  model.add(tf.layers.timeDistributed({ name: 'head', layer: tf.layers.dense({ units: VITAL_COUNT, kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 16 + 8 }) }) }));
  return model;
}

export function buildAutoencoder({ steps, units, seed }: ArchitectureOptions): tf.LayersModel {
  const model = tf.sequential({ name: 'vigil_autoencoder' });
  model.add(tf.layers.lstm({ name: 'encoder', units, inputShape: [steps, INPUT_SIZE], activation: 'tanh', recurrentActivation: 'sigmoid', ...init(seed, 0) }));
  model.add(tf.layers.repeatVector({ n: steps }));
  model.add(tf.layers.lstm({ name: 'decoder', units, returnSequences: true, activation: 'tanh', recurrentActivation: 'sigmoid', ...init(seed, 4) }));
  model.add(tf.layers.timeDistributed({ name: 'head', layer: tf.layers.dense({ units: VITAL_COUNT, kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 16 + 8 }) }) }));
  return model;
}

export function buildModel(kind: ModelKind, options: ArchitectureOptions): tf.LayersModel {
  return kind === 'forecaster' ? buildForecaster(options) : buildAutoencoder(options);
}

/**
 * Mean squared error over observed targets only. yTrue packs [levels × VITAL_COUNT, observed × VITAL_COUNT] per step,
 * so an unmeasured vital neither teaches the model "normal" nor counts as an error.
 */
export function maskedMse(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const target = yTrue.slice([0, 0, 0], [-1, -1, VITAL_COUNT]);
    const mask = yTrue.slice([0, 0, VITAL_COUNT], [-1, -1, VITAL_COUNT]);
    const sq = tf.mul(tf.squaredDifference(target, yPred), mask);
    return tf.div(tf.sum(sq), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}
