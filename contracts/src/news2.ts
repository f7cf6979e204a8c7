/**
 * NEWS2, the National Early Warning Score 2, exactly as tabulated in shared/design/CLINICAL.md (the authoritative copy
 * of the Royal College of Physicians' chart). Pure functions: the cloud scores windows with them, the replay lab scores
 * recorded data with them, and the dashboard shows their result.
 * @see https://www.rcp.ac.uk/improving-care/resources/national-early-warning-score-news-2/ (RCP, NEWS2, 2017)
 */
import { z } from 'zod';

/** ACVPU; 'confusion' is new confusion (RCP NEWS2 2017 added it to AVPU). */
export const Consciousness = z.enum(['alert', 'confusion', 'voice', 'pain', 'unresponsive']);
export type Consciousness = z.infer<typeof Consciousness>;

/** The seven NEWS2 parameters, in the order of the chart; `missing` lists follow this order. */
export const News2Parameter = z.enum(['rr', 'spo2', 'o2', 'sbp', 'hr', 'consciousness', 'temp']);
export type News2Parameter = z.infer<typeof News2Parameter>;

/** Clinical response bands (CLINICAL.md, "Response thresholds"), from the least to the most urgent. */
export const News2Response = z.enum(['routine', 'low', 'low-medium', 'medium', 'high']);
export type News2Response = z.infer<typeof News2Response>;

const Spo2Scale = z.union([z.literal(1), z.literal(2)]);
const Observation = z.number().min(0);

/**
 * One set of observations. Anything not observed is left out and reported as missing, never assumed normal.
 * `spo2Scale` 2 is only for confirmed hypercapnic respiratory failure, on a clinician's decision (CLINICAL.md).
 */
export const News2Input = z
  .object({
    rr: Observation.optional(),
    spo2: Observation.max(100).optional(),
    /** Supplemental oxygen; undefined = not recorded (the 'o2' parameter is then missing). */
    onOxygen: z.boolean().optional(),
    sbp: Observation.optional(),
    hr: Observation.optional(),
    consciousness: Consciousness.optional(),
    temp: Observation.optional(),
    spo2Scale: Spo2Scale.default(1),
  })
  .strict();
export type News2Input = z.infer<typeof News2Input>;

/** One parameter's score; `value` is the rounded observation that was placed in the band. */
export const News2ParameterScore = z
  .object({ value: z.union([z.number(), z.boolean(), Consciousness]), points: z.number().int().min(0).max(3) })
  .strict();
export type News2ParameterScore = z.infer<typeof News2ParameterScore>;

export const News2Result = z
  .object({
    /** Sum over the parameters present; 20 is the chart's maximum (six parameters at 3, oxygen at 2). */
    total: z.number().int().min(0).max(20),
    parameters: z.partialRecord(News2Parameter, News2ParameterScore),
    /** Parameters with no observation, in News2Parameter order. */
    missing: z.array(News2Parameter),
    /** False when any parameter is missing: the total is then a partial score, never padded with zeros. */
    complete: z.boolean(),
    anySingleThree: z.boolean(),
    response: News2Response,
    spo2Scale: Spo2Scale,
  })
  .strict();
export type News2Result = z.infer<typeof News2Result>;

export const NEWS2_ROUNDING_RULE =
  'Each observation is first rounded to the resolution of the NEWS2 chart (whole numbers for respiration rate, SpO2, systolic pressure and pulse; one decimal for temperature), halves away from zero (20.5 /min → 21, 35.05 °C → 35.1), and the rounded value is then placed in its band.';

type Rounded = 'rr' | 'spo2' | 'sbp' | 'hr' | 'temp';
const DECIMALS: Readonly<Record<Rounded, number>> = { rr: 0, spo2: 0, sbp: 0, hr: 0, temp: 1 };

/**
 * Round an observation to the chart's resolution (see NEWS2_ROUNDING_RULE). The chart's bands have gaps between
 * them (36.0 | 36.1), so an unrounded 36.05 would belong to no band; rounding first makes every value land in one.
 *
 * The 1e-9 (in units of the resolution) absorbs binary floating point: 35.05 is stored as 35.04999…, and a computed
 * value such as a window mean (35.3 + 35.4) / 2 is 35.349999999999994, yet the reader means the half and expects it
 * rounded up (35.05 / 0.1 is 350.49999999999994 too). Observations are far below 1e6, so the product's own error
 * (< 1e-12) is much smaller than the epsilon, and the epsilon is far below any real observation's precision (35.049
 * still rounds to 35.0). Dividing the integer count by 10 (not multiplying by 0.1) returns exactly the double that a
 * literal like 35.1 denotes.
 */
export function roundForNews2(parameter: Rounded, value: number): number {
  if (!Number.isFinite(value)) return Number.NaN;
  const factor = 10 ** DECIMALS[parameter];
  const units = Math.floor(Math.abs(value) * factor + 0.5 + 1e-9);
  if (units === 0) return 0; // never -0
  return (Math.sign(value) * units) / factor;
}

/** Bands as [upper bound inclusive, points], ascending; the last bound is Infinity. Values are already rounded. */
type Ladder = readonly (readonly [number, number])[];
const LADDERS: Readonly<Record<Exclude<Rounded, 'spo2'>, Ladder>> = {
  rr: [[8, 3], [11, 1], [20, 0], [24, 2], [Infinity, 3]],
  sbp: [[90, 3], [100, 2], [110, 1], [219, 0], [Infinity, 3]],
  hr: [[40, 3], [50, 1], [90, 0], [110, 1], [130, 2], [Infinity, 3]],
  temp: [[35.0, 3], [36.0, 1], [38.0, 0], [39.0, 1], [Infinity, 2]],
};
const SPO2_SCALE_1: Ladder = [[91, 3], [93, 2], [95, 1], [Infinity, 0]];
/** Scale 2 below 93 %: the same points on air or oxygen. */
const SPO2_SCALE_2_LOW: Ladder = [[83, 3], [85, 2], [87, 1], [92, 0]];
/** Scale 2 at 93 % or more on oxygen: over-oxygenation scores (the target is 88–92 %). */
const SPO2_SCALE_2_ON_O2: Ladder = [[94, 1], [96, 2], [Infinity, 3]];

function climb(ladder: Ladder, value: number): number {
  for (const [max, points] of ladder) if (value <= max) return points;
  throw new RangeError(`NEWS2: ${value} is in no band`); // unreachable for finite values: every ladder ends at Infinity
}

/**
 * SpO2 points. On scale 2, ≥ 93 % scores 0 on air and 1–3 on oxygen; when oxygen is not recorded (undefined) the
 * reading is scored as on air, so an unknown oxygen status never adds points by itself (the 'o2' parameter is
 * reported missing, which marks the score incomplete).
 */
function spo2Points(value: number, scale: 1 | 2, onOxygen: boolean | undefined): number {
  if (scale === 1) return climb(SPO2_SCALE_1, value);
  if (value <= 92) return climb(SPO2_SCALE_2_LOW, value);
  return onOxygen === true ? climb(SPO2_SCALE_2_ON_O2, value) : 0;
}

/**
 * The response band: ≥ 7 high, 5–6 medium, any single parameter at 3 low-medium, 1–4 low, 0 routine; the more
 * urgent band wins (CLINICAL.md, "Response thresholds").
 */
export function news2Response(total: number, anySingleThree: boolean): News2Response {
  if (!Number.isInteger(total) || total < 0) throw new RangeError(`NEWS2 total must be a non-negative integer, got ${total}`);
  if (total >= 7) return 'high';
  if (total >= 5) return 'medium';
  if (anySingleThree) return 'low-medium';
  return total >= 1 ? 'low' : 'routine';
}

/**
 * Score one set of observations. The input is validated (a score computed from a malformed value would look
 * trustworthy); missing parameters are listed and the total covers only what was observed.
 * @see shared/design/CLINICAL.md, "NEWS2 (Royal College of Physicians, 2017)"
 */
export function scoreNews2(input: z.input<typeof News2Input>): News2Result {
  const obs = News2Input.parse(input);
  const parameters: Partial<Record<News2Parameter, News2ParameterScore>> = {};
  const numeric = (parameter: Exclude<Rounded, 'spo2'>, raw: number | undefined): void => {
    if (raw === undefined) return;
    const value = roundForNews2(parameter, raw);
    parameters[parameter] = { value, points: climb(LADDERS[parameter], value) };
  };

  numeric('rr', obs.rr);
  if (obs.spo2 !== undefined) {
    const value = roundForNews2('spo2', obs.spo2);
    parameters.spo2 = { value, points: spo2Points(value, obs.spo2Scale, obs.onOxygen) };
  }
  if (obs.onOxygen !== undefined) parameters.o2 = { value: obs.onOxygen, points: obs.onOxygen ? 2 : 0 };
  numeric('sbp', obs.sbp);
  numeric('hr', obs.hr);
  if (obs.consciousness !== undefined) {
    parameters.consciousness = { value: obs.consciousness, points: obs.consciousness === 'alert' ? 0 : 3 };
  }
  numeric('temp', obs.temp);

  const scored = News2Parameter.options.map((p) => parameters[p]?.points);
  const missing = News2Parameter.options.filter((p) => parameters[p] === undefined);
  const total = scored.reduce<number>((sum, points) => sum + (points ?? 0), 0);
  const anySingleThree = scored.includes(3);
  return {
    total,
    parameters,
    missing,
    complete: missing.length === 0,
    anySingleThree,
    response: news2Response(total, anySingleThree),
    spo2Scale: obs.spo2Scale,
  };
}
