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

/**
 * Per-bucket accumulators, reused across calls (one per step per patient: allocation would dominate). By candidate
 * count k: cnt = values exceeding exactly k candidates, sumAt / sqAt their Σ v and Σ (v − mean)², runDiff the
 * difference array of run starts (a run starts at i for the candidates v_{i−1} does not exceed but v_i does).
 */
const newScratch = (size: number) => ({ eps: new Float64Array(size), cnt: new Float64Array(size), sumAt: new Float64Array(size), sqAt: new Float64Array(size), runDiff: new Float64Array(size) });
let scratch = newScratch(32);

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

  // All candidate ε at once (this runs for every patient at every step): each value is bucketed by how many ε it
  // exceeds, and the counts, sums and run starts per ε come from prefix sums. Same candidates, same strict `>`, so the
  // same sets above and below as trying each z in turn; O(n + zCount) instead of O(n · zCount).
  let m = 0;
  for (let z = options.zMin; z <= options.zMax + 1e-9; z += options.zStep) m++;
  if (scratch.eps.length < m + 1) scratch = newScratch(m + 1);
  const { eps, cnt, sumAt, sqAt, runDiff } = scratch;
  m = 0;
  for (let z = options.zMin; z <= options.zMax + 1e-9; z += options.zStep) eps[m++] = mean + z * sd;
  cnt.fill(0, 0, m + 1);
  sumAt.fill(0, 0, m + 1);
  sqAt.fill(0, 0, m + 1);
  runDiff.fill(0, 0, m + 1);
  const exceeds = (v: number): number => {
    if (!(v > eps[0]!)) return 0; // NaN included
    let k = 1;
    while (k < m && v > eps[k]!) k++;
    return k;
  };
  let prevK = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) {
      prevK = 0; // a step without an error breaks runs
      continue;
    }
    const k = exceeds(v);
    cnt[k]! += 1;
    sumAt[k]! += v;
    sqAt[k]! += (v - mean) * (v - mean);
    if (k > prevK) {
      runDiff[prevK]! += 1;
      runDiff[k]! -= 1;
    }
    prevK = k;
  }

  let best = -Infinity;
  let epsilon = mean + options.zMax * sd;
  // Candidate j: "above" are the values exceeding more than j candidates; walk j upwards, moving bucket j below.
  let above = n;
  let aboveSum = sum;
  let aboveSq = ss;
  let runs = 0;
  for (let j = 0; j < m; j++) {
    above -= cnt[j]!;
    aboveSum -= sumAt[j]!;
    aboveSq -= sqAt[j]!;
    runs += runDiff[j]!;
    const below = n - above;
    if (above === 0 || below === 0) continue;
    const belowMean = (sum - aboveSum) / below;
    // Σ_below (v − belowMean)² = Σ_below (v − mean)² − below · (belowMean − mean)²
    const belowSs = Math.max(0, ss - aboveSq - below * (belowMean - mean) * (belowMean - mean));
    const belowSd = Math.sqrt(belowSs / below);
    const score = ((mean - belowMean) / mean + (sd - belowSd) / sd) / (above + runs * runs);
    if (score > best) {
      best = score;
      epsilon = eps[j]!;
    }
  }
  return epsilon;
}
