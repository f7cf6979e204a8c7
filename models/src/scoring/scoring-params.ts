/**
 * How per-step errors become a verdict; saved with the model (artefact metadata) and swept by the evaluation.
 * Every quantity is a function of a bounded stretch of recent steps, so a verdict depends only on the last
 * `contextSteps` windows: what makes a restored or replayed detector give identical verdicts.
 */
import { z } from 'zod';

export const ThresholdMode = z.discriminatedUnion('mode', [
  /** One ε for every patient, chosen on validation data. */
  z.object({ mode: z.literal('fixed'), value: z.number().positive() }).strict(),
  /** Hundman 2018 dynamic threshold over the patient's own last `windowSteps` smoothed errors, never below `floor`. */
  z
    .object({
      mode: z.literal('dynamic'),
      windowSteps: z.number().int().min(10),
      zMin: z.number().positive(),
      zMax: z.number().positive(),
      zStep: z.number().positive(),
      floor: z.number().min(0),
    })
    .strict(),
]);
export type ThresholdMode = z.infer<typeof ThresholdMode>;

export const ScoringParams = z
  .object({
    /** Errors are smoothed by an exponentially weighted mean over this many steps (Hundman: EWMA smoothing). */
    smoothingSteps: z.number().int().min(1),
    smoothingAlpha: z.number().gt(0).max(1),
    threshold: ThresholdMode,
    /** An alert stays on until this many steps have passed without an exceedance (no flapping alerts). */
    holdSteps: z.number().int().min(1),
  })
  .strict();
export type ScoringParams = z.infer<typeof ScoringParams>;

/** Steps of smoothed-error history one threshold needs. */
export const thresholdSteps = (p: ScoringParams): number => (p.threshold.mode === 'dynamic' ? p.threshold.windowSteps : 1);

/** Steps of per-step errors one verdict needs (before the model's own context for the oldest of them). */
export const errorHistorySteps = (p: ScoringParams): number => p.holdSteps - 1 + thresholdSteps(p) - 1 + p.smoothingSteps;
