/**
 * The seam for ML anomaly detection (the LSTM of models/, issue "LSTM anomaly detection"). A detector scores a batch
 * of patients' closed feature windows at once (batching across patients is what makes tfjs fast) and explains each
 * verdict per vital.
 *
 * Clinical honesty: what a detector says becomes an ADVISORY alarm (kind 'advisory', low priority, its own code
 * ML_ANOMALY). It is a separate episode from every rule alarm, so it can neither raise, delay, end nor suppress a
 * limit-rule or NEWS2 alarm; and when no detector is configured, or it fails, the rules run exactly the same.
 */
import type { AlarmEvidence, ContributionVital, WindowFeatures } from '@vigil/contracts';
import type { CloudMetrics } from '../metrics.ts';

export interface AnomalyInput {
  patientId: string;
  /** The closed window just emitted, and the patient's earlier windows, oldest first (the model's context). */
  features: WindowFeatures;
  history: readonly WindowFeatures[];
}

export interface AnomalyVerdict {
  patientId: string;
  score: number;
  threshold: number;
  anomalous: boolean;
  /** Share of the score per vital (sums to ~1), for the explanation; a model's feature vitals (sbp, map) included. */
  contributions: Partial<Record<ContributionVital, number>>;
  /** One sentence a clinician can read: which vitals, which window. */
  explanation: string;
}

export interface AnomalyDetector {
  readonly name: string;
  readonly version: string;
  /** The tfjs backend in use (e.g. 'wasm', 'tensorflow'), for logs and benchmarks. */
  readonly backend: string;
  /**
   * How many earlier windows the detector wants in `history`; may change when the model is reloaded. At least 1:
   * the processor reads 0 as "no detector" and then never calls scoreBatch.
   */
  readonly contextWindows: number;
  /** Same input, same verdicts (replays must reproduce advisory alarms too). */
  scoreBatch(inputs: readonly AnomalyInput[]): Promise<AnomalyVerdict[]>;
  /** Optional: a detector that swaps its model at run time does so through its host (see DetectorHost). */
  attach?(host: DetectorHost): void;
}

/**
 * What the pipeline offers a detector that reloads its model: a slot between two batches (so a batch is scored by
 * one model from start to end, and the processor can fetch more context before the next batch when the new model
 * needs it), and the cloud's metrics registry.
 */
export interface DetectorHost {
  betweenBatches<T>(fn: () => Promise<T>): Promise<T>;
  metrics: CloudMetrics;
}

export const ADVISORY_CODE = 'ML_ANOMALY';

/** The evidence an advisory alarm carries: its window, score and per-vital contributions. */
export function advisoryEvidence(verdict: AnomalyVerdict, features: WindowFeatures): AlarmEvidence {
  return {
    windowStart: features.start,
    windowEnd: features.end,
    value: Math.round(verdict.score * 1000) / 1000,
    limit: Math.round(verdict.threshold * 1000) / 1000,
    comparator: '>',
    contributions: verdict.contributions,
    detail: verdict.explanation.slice(0, 500),
  };
}
