/**
 * Per-step errors of the autoencoder: at every step the window of the last `steps` steps is reconstructed (batched
 * across patients, one predict per round) and the error is taken over its newest `reconstructionSteps` steps, where
 * a deterioration shows first. Not incremental: the whole window is recomputed each step.
 */
import type { Step } from '../features/model-input.ts';
import { INPUT_SIZE, VITAL_COUNT } from '../features/model-input.ts';
import { tf } from '../runtime/backend.ts';
import type { StepError } from './error-track.ts';

export interface ReconstructionState {
  /** The last `steps` steps, oldest first (empty steps before the first window). */
  window: Step[];
}

const emptyStep = (): Step => ({ x: new Float32Array(INPUT_SIZE), y: new Float32Array(VITAL_COUNT), mask: new Float32Array(VITAL_COUNT) });

export class ReconstructionEngine {
  readonly #model: tf.LayersModel;
  readonly #steps: number;
  readonly #tail: number;

  constructor(model: tf.LayersModel, steps: number, reconstructionSteps: number) {
    this.#model = model;
    this.#steps = steps;
    this.#tail = reconstructionSteps;
  }

  get warmupSteps(): number {
    return this.#steps - 1;
  }

  alignStart(index: number): number {
    return index;
  }

  newState(): ReconstructionState {
    return { window: Array.from({ length: this.#steps }, emptyStep) };
  }

  feed(states: ReconstructionState[], _indices: readonly number[], steps: readonly Step[]): StepError[] {
    const L = this.#steps;
    const x = new Float32Array(states.length * L * INPUT_SIZE);
    states.forEach((s, r) => {
      s.window.shift();
      s.window.push(steps[r]!);
      s.window.forEach((step, t) => x.set(step.x, (r * L + t) * INPUT_SIZE));
    });
    const recon = tf.tidy(() => (this.#model.predict(tf.tensor3d(x, [states.length, L, INPUT_SIZE])) as tf.Tensor).dataSync() as Float32Array);
    return states.map((s, r) => {
      const signed = new Float32Array(VITAL_COUNT).fill(NaN);
      const sums = new Float64Array(VITAL_COUNT);
      const counts = new Uint16Array(VITAL_COUNT);
      let total = 0;
      let n = 0;
      for (let t = L - this.#tail; t < L; t++) {
        const step = s.window[t]!;
        for (let v = 0; v < VITAL_COUNT; v++) {
          if (step.mask[v] !== 1) continue;
          const d = step.y[v]! - recon[(r * L + t) * VITAL_COUNT + v]!;
          sums[v] = sums[v]! + d;
          counts[v] = counts[v]! + 1;
          total += Math.abs(d);
          n++;
        }
      }
      for (let v = 0; v < VITAL_COUNT; v++) if (counts[v]! > 0) signed[v] = sums[v]! / counts[v]!;
      return { error: n > 0 ? total / n : NaN, signed };
    });
  }
}
