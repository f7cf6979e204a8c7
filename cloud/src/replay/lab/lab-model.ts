/**
 * The LSTM for one lab configuration: the served artefact (models/artefacts/<name>, loaded and checked by models'
 * loadModel: schema and weights digest) with the configuration's threshold, behind the cloud's AnomalyDetector seam,
 * so the stream processor's applyVerdicts turns its verdicts into ML_ANOMALY advisory alarms exactly as in the cloud.
 * Loaded only when a configuration turns the LSTM on (importing @vigil/models loads TensorFlow.js).
 */
import { join, resolve } from 'node:path';
import { PmError, type LabConfig } from '@vigil/contracts';
import type { AnomalyDetector } from '../../detectors/anomaly-detector.ts';

export interface LabModel extends AnomalyDetector {
  /** The processor's sliding feature window must match the one the model was trained on. */
  readonly windowMs: number;
  readonly slideMs: number;
  readonly kind: string;
  /** How the threshold was set, for the report. */
  readonly thresholdLabel: string;
  /** Forget a patient's cached state (end of a session). */
  forget(patientId: string): void;
  dispose(): void;
}

/** Where served models live: models/artefacts of this checkout. */
export const DEFAULT_MODEL_ROOT = resolve(import.meta.dirname, '../../../../models/artefacts');

export async function loadLabModel(lstm: LabConfig['lstm'], modelRoot = DEFAULT_MODEL_ROOT): Promise<LabModel> {
  const { loadModel, ModelScorer, selectBackend } = await import('@vigil/models');
  const dir = join(modelRoot, lstm.model); // LabName: no separators, so the path stays under the root
  await selectBackend();
  let loaded: Awaited<ReturnType<typeof loadModel>>;
  try {
    loaded = await loadModel(dir);
  } catch (err) {
    throw new PmError('PM_ERR_LAB_CONFIG', `lstm.model ${lstm.model}: cannot load ${dir} (${(err as Error).message.slice(0, 200)})`);
  }
  const scoring = structuredClone(loaded.metadata.scoring);
  const t = lstm.threshold;
  let thresholdLabel = `model (${scoring.threshold.mode}${scoring.threshold.mode === 'fixed' ? ` ${scoring.threshold.value}` : `, floor ${scoring.threshold.floor.toFixed(3)}`})`;
  if (t.mode === 'fixed') {
    scoring.threshold = { mode: 'fixed', value: t.value };
    thresholdLabel = `fixed ${t.value}`;
  } else if (t.mode === 'dynamic-floor') {
    if (scoring.threshold.mode !== 'dynamic') {
      loaded.model.dispose();
      throw new PmError('PM_ERR_LAB_CONFIG', `lstm.threshold: model ${lstm.model} has a fixed threshold; use mode "fixed" to change it`);
    }
    scoring.threshold = { ...scoring.threshold, floor: t.floor };
    thresholdLabel = `dynamic, floor ${t.floor}`;
  }
  const scorer = await ModelScorer.create({ ...loaded, metadata: { ...loaded.metadata, scoring } });
  return {
    name: scorer.name,
    version: scorer.version,
    backend: scorer.backend,
    kind: scorer.metadata.kind,
    contextWindows: scorer.contextWindows,
    windowMs: scorer.metadata.windowMs,
    slideMs: scorer.metadata.slideMs,
    thresholdLabel,
    scoreBatch: (inputs) => scorer.scoreBatch(inputs),
    forget: (patientId) => scorer.forget(patientId),
    dispose: () => scorer.dispose(),
  };
}
