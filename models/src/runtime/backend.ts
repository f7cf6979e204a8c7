/**
 * The tfjs backend, chosen once per process: the fastest one present.
 *   1. 'tensorflow' — @tensorflow/tfjs-node (native libtensorflow), an OPTIONAL dependency: its installer downloads
 *      libtensorflow, which fails on machines without that host, and npm then leaves it out;
 *   2. 'wasm'       — @tensorflow/tfjs-backend-wasm (XNNPACK, SIMD), always installed: ~16× faster than 'cpu' for
 *      this model's batched LSTM here (models/bench/scoring-throughput.ts);
 *   3. 'cpu'        — plain JavaScript, the fallback.
 * VIGIL_TF_BACKEND forces one (benchmarks compare them in one run).
 */
import * as tf from '@tensorflow/tfjs';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_PREFERENCE: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

let chosen: Promise<BackendName> | undefined;

/** Register a backend's package if it is installed; false when it is absent or fails to load. */
async function register(name: BackendName): Promise<boolean> {
  try {
    if (name === 'tensorflow') {
      // Loaded by name so that a machine without the optional package still type-checks and runs.
      const pkg = '@tensorflow/tfjs-node';
      await import(/* @vite-ignore */ pkg);
    } else if (name === 'wasm') {
      await import('@tensorflow/tfjs-backend-wasm');
    }
    return tf.findBackendFactory(name) !== null;
  } catch {
    return false;
  }
}

async function activate(name: BackendName): Promise<boolean> {
  if (!(await register(name))) return false;
  try {
    return (await tf.setBackend(name)) && tf.getBackend() === name;
  } catch {
    return false;
  }
}

/**
 * Select the backend (once; later calls return the same). `prefer` names one to use if present, e.g. from
 * VIGIL_TF_BACKEND; otherwise the first of BACKEND_PREFERENCE that loads.
 */
export function selectBackend(prefer: string | undefined = process.env.VIGIL_TF_BACKEND): Promise<BackendName> {
  chosen ??= (async () => {
    const order = prefer ? [prefer as BackendName, ...BACKEND_PREFERENCE.filter((b) => b !== prefer)] : BACKEND_PREFERENCE;
    if (prefer && !BACKEND_PREFERENCE.includes(prefer as BackendName)) {
      throw new Error(`VIGIL_TF_BACKEND must be one of ${BACKEND_PREFERENCE.join(', ')}, got "${prefer}"`);
    }
    for (const name of order) if (await activate(name)) return name;
    throw new Error('no TensorFlow.js backend could be loaded');
  })();
  return chosen;
}

/** Switch backend inside one process (benchmarks only: models built on another backend must be rebuilt). */
export async function switchBackend(name: BackendName): Promise<boolean> {
  const ok = await activate(name);
  if (ok) chosen = Promise.resolve(name);
  return ok;
}

export { tf };
