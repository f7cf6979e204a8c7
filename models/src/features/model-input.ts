/**
 * From feature windows to the model's steps. One step per slide (absolute index = window end / slideMs), so a
 * missing window is a step whose vitals are all unobserved rather than a silently shortened sequence. Each vital
 * contributes its normalised level and an "observed" flag; an unobserved level is 0 (the cohort's centre) with flag 0,
 * so the model knows it was not measured (missing is never imputed as normal without saying so).
 *
 * Training (models/src/model/) and serving (models/src/scoring/) both build steps only through this file.
 */
import { FEATURE_VITALS, type WindowFeatures } from '@vigil/contracts';
import { zScore, type Normalisation } from './normalisation.ts';

export const MODEL_VITALS = FEATURE_VITALS;
export const VITAL_COUNT = MODEL_VITALS.length;
/** [z-level × 6, observed × 6]. */
export const INPUT_SIZE = 2 * VITAL_COUNT;

export interface Step {
  /** Model input, INPUT_SIZE values. */
  x: Float32Array;
  /** Targets: the normalised levels (0 where unobserved). */
  y: Float32Array;
  /** 1 where the vital was observed (its target counts in errors), else 0. */
  mask: Float32Array;
}

export const stepIndex = (windowEnd: number, slideMs: number): number => Math.round(windowEnd / slideMs);

export function encodeStep(window: WindowFeatures | undefined, norm: Normalisation): Step {
  const x = new Float32Array(INPUT_SIZE);
  const y = new Float32Array(VITAL_COUNT);
  const mask = new Float32Array(VITAL_COUNT);
  if (window) {
    MODEL_VITALS.forEach((v, i) => {
      const level = window.vitals[v]?.level;
      if (level === null || level === undefined || !Number.isFinite(level)) return;
      const z = zScore(norm, v, level);
      x[i] = z;
      x[VITAL_COUNT + i] = 1;
      y[i] = z;
      mask[i] = 1;
    });
  }
  return { x, y, mask };
}

/**
 * Dense steps for absolute indices [from, to] (inclusive) from windows sorted by end; absent slots are empty steps.
 */
export function denseSteps(windows: readonly WindowFeatures[], slideMs: number, from: number, to: number, norm: Normalisation): Step[] {
  const byIndex = new Map<number, WindowFeatures>();
  for (const w of windows) byIndex.set(stepIndex(w.end, slideMs), w);
  const steps: Step[] = [];
  for (let i = from; i <= to; i++) steps.push(encodeStep(byIndex.get(i), norm));
  return steps;
}
