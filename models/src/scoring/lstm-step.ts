/**
 * One LSTM step for a batch of independent states, from a trained forecaster's weights: what lets serving advance
 * each patient by one window instead of recomputing a whole sequence (one predict of a 60-step LSTM launches
 * thousands of kernels; this is ~12 per batch).
 *
 * Gates in tfjs-layers / Keras order i, f, c, o; recurrentActivation sigmoid (set explicitly in architecture.ts):
 *   z = [x, h]·[K; R] + b;  c' = σ(z_f)·c + σ(z_i)·tanh(z_c);  h' = σ(z_o)·tanh(c');  ŷ = h'·W + b_head.
 * Rows never mix, so a patient's result does not depend on who else is in the batch (tested).
 */
import { tf } from '../runtime/backend.ts';

export interface LstmStepWeights {
  inputSize: number;
  units: number;
  outputSize: number;
  /** [inputSize + units, 4·units]. */
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
  headKernel: tf.Tensor2D;
  headBias: tf.Tensor1D;
}

export function stepWeightsOf(model: tf.LayersModel): LstmStepWeights {
  const lstm = model.getLayer('lstm');
  const head = model.getLayer('head') as tf.layers.Layer & { layer?: tf.layers.Layer };
  const [k, r, b] = lstm.getWeights() as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
  const [hk, hb] = (head.layer ?? head).getWeights() as [tf.Tensor2D, tf.Tensor1D];
  const units = r.shape[0];
  return {
    inputSize: k.shape[0],
    units,
    outputSize: hk.shape[1],
    kernel: tf.keep(tf.concat([k, r], 0)),
    bias: tf.keep(b.clone()),
    headKernel: tf.keep(hk.clone()),
    headBias: tf.keep(hb.clone()),
  };
}

export function disposeStepWeights(w: LstmStepWeights): void {
  tf.dispose([w.kernel, w.bias, w.headKernel, w.headBias]);
}

/**
 * Advance `batch` states by one input each. x: batch × inputSize, h and c: batch × units (read, not modified).
 * Returns the new h, c and the head's output for each row.
 */
export function lstmStep(w: LstmStepWeights, batch: number, x: Float32Array, h: Float32Array, c: Float32Array): { h: Float32Array; c: Float32Array; y: Float32Array } {
  const [hOut, cOut, yOut] = tf.tidy(() => {
    const xt = tf.tensor2d(x, [batch, w.inputSize]);
    const ht = tf.tensor2d(h, [batch, w.units]);
    const ct = tf.tensor2d(c, [batch, w.units]);
    const z = tf.add(tf.matMul(tf.concat([xt, ht], 1), w.kernel), w.bias);
    const [zi, zf, zc, zo] = tf.split(z, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const cNew = tf.add(tf.mul(tf.sigmoid(zf), ct), tf.mul(tf.sigmoid(zi), tf.tanh(zc)));
    const hNew = tf.mul(tf.sigmoid(zo), tf.tanh(cNew));
    const y = tf.add(tf.matMul(hNew, w.headKernel), w.headBias);
    return [hNew, cNew, y];
  });
  const out = { h: hOut.dataSync() as Float32Array, c: cOut.dataSync() as Float32Array, y: yOut.dataSync() as Float32Array };
  tf.dispose([hOut, cOut, yOut]);
  return out;
}
