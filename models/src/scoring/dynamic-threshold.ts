/**
 * Non-parametric dynamic thresholding, Hundman et al. 2018 (KDD, §3.2): over a window of smoothed errors, try
 * ε = μ + z·σ for z in a range and keep the ε that maximises
 *     (Δμ/μ + Δσ/σ) / (|e_a| + |E_seq|²)
 * where Δμ, Δσ are the drop in mean and sd when the errors above ε are removed, e_a the errors above ε and E_seq
 * the contiguous runs they form. It needs no labels and no assumption about the error distribution; the squared run
 * count favours a few compact anomalies over many scattered ones. Where no z leaves anything above, ε = μ + zMax·σ.
 */
export interface DynamicThresholdOptions {
  zMin: number;
  zMax: number;
  zStep: number;
}

export const DEFAULT_Z_RANGE: DynamicThresholdOptions = { zMin: 2, zMax: 10, zStep: 0.5 }; // as in Hundman's code

/** `values` in time order; NaN marks a step without an error (breaks runs, ignored in the statistics). */
export function dynamicThreshold(values: ArrayLike<number>, options: DynamicThresholdOptions = DEFAULT_Z_RANGE): number {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === v) {
      n++;
      sum += v;
    }
  }
  if (n === 0) return Infinity;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === v) ss += (v - mean) * (v - mean);
  }
  const sd = Math.sqrt(ss / n);
  if (!(sd > 0) || !(mean > 0)) return mean + options.zMax * sd;

  let best = -Infinity;
  let epsilon = mean + options.zMax * sd;
  for (let z = options.zMin; z <= options.zMax + 1e-9; z += options.zStep) {
    const eps = mean + z * sd;
    let below = 0;
    let belowSum = 0;
    let above = 0;
    let runs = 0;
    let inRun = false;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v !== v) {
        inRun = false;
        continue;
      }
      if (v > eps) {
        above++;
        if (!inRun) runs++;
        inRun = true;
      } else {
        below++;
        belowSum += v;
        inRun = false;
      }
    }
    if (above === 0 || below === 0) continue;
    const belowMean = belowSum / below;
    let belowSs = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v === v && v <= eps) belowSs += (v - belowMean) * (v - belowMean);
    }
    const belowSd = Math.sqrt(belowSs / below);
    const score = ((mean - belowMean) / mean + (sd - belowSd) / sd) / (above + runs * runs);
    if (score > best) {
      best = score;
      epsilon = eps;
    }
  }
  return epsilon;
}
