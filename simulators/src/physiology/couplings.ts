/**
 * Couplings between vitals: the reflex responses a clinical episode provokes beyond the variable it sets. Applied
 * once per state, after the episode effects, to the change those effects made (for temperature and pressure) or to
 * the absolute value (for saturation, whose chemoreflex has a threshold). A fever scenario only raises temperature;
 * the tachycardia follows from here. Responses are linear in the stimulus: a first-order model, good over the
 * ranges the scenario library produces.
 */
import type { TrueState } from '../model.ts';

export const COUPLING = {
  // Fever: Karjalainen & Viitasalo 1986 (Arch Intern Med 146:1169) measured +8.5 /min per °C in febrile adults;
  // the bedside rule is ~10. 10 keeps the fever scenario's HR rise inside the 8–12 /min per °C the tests accept.
  feverHrPerC: 10,
  // Oxygen consumption rises ~10–13 % per °C (Manthous et al. 1995, AJRCCM 151:10), met mostly by ventilation: from
  // ~16 /min about +1.5 /min per °C.
  feverRrPerC: 1.5,
  // Peripheral chemoreflex: ventilation rises hyperbolically as PaO2 falls (Weil et al. 1970, J Clin Invest
  // 49:1061), which is roughly linear in saturation below the shoulder of the dissociation curve, ~94 %.
  hypoxiaThresholdPct: 94,
  // Mostly tidal volume at first; the rate component is modest: +0.6 /min per % below 94 (design choice: SpO2 85 → +5).
  hypoxiaRrPerPct: 0.6,
  // Acute isocapnic hypoxia raises heart rate by roughly 0.5–1 /min per % desaturation; 1.0 (SpO2 85 → +9).
  hypoxiaHrPerPct: 1.0,
  // Stimuli beyond this many % below the threshold add nothing (the response saturates).
  hypoxiaMaxPct: 30,
  // Arterial baroreflex: a sensitivity of ~10–15 ms of RR interval per mmHg at 75 /min is ~1 /min per mmHg;
  // unloading (hypotension) is less steep than loading: 0.7 /min per mmHg fall in MAP, saturating at 50 mmHg.
  baroreflexHrPerMmHg: 0.7,
  baroreflexMaxMmHg: 50,
} as const;

/**
 * Modifiers the episodes set for the current instant (reset to 1 before each state). Opioids blunt the
 * chemoreflex (Weil et al. 1975, NEJM 292:1103); a non-sinus rhythm (atrial fibrillation, heart block) ignores
 * the reflexes that act through the sinus node, and loses respiratory sinus arrhythmia.
 */
export interface CouplingContext {
  /** Multiplies the RR and HR responses to hypoxaemia. */
  chemoreflex: number;
  /** Multiplies every coupled HR response (fever, hypoxaemia, baroreflex). */
  chronotropy: number;
  /** Multiplies the respiratory sinus arrhythmia amplitude. */
  rsa: number;
}

/** The state before the episode effects: what the responses to temperature and pressure are measured against. */
export interface CouplingReference {
  temp: number;
  map: number;
}

export function createCouplingContext(): CouplingContext {
  return { chemoreflex: 1, chronotropy: 1, rsa: 1 };
}

export function resetCouplingContext(ctx: CouplingContext): void {
  ctx.chemoreflex = 1;
  ctx.chronotropy = 1;
  ctx.rsa = 1;
}

/** Add the reflex responses to `state` in place (hr and rr). `map` is not read: it is derived from sbp and dbp. */
export function applyCouplings(state: TrueState, before: CouplingReference, ctx: CouplingContext): void {
  const c = COUPLING;
  const warmer = state.temp - before.temp;
  const fever = warmer > 0 ? warmer : 0;
  const below = c.hypoxiaThresholdPct - state.spo2;
  const desat = below <= 0 ? 0 : below < c.hypoxiaMaxPct ? below : c.hypoxiaMaxPct;
  const drop = before.map - (state.dbp + (state.sbp - state.dbp) / 3);
  const hypotension = drop <= 0 ? 0 : drop < c.baroreflexMaxMmHg ? drop : c.baroreflexMaxMmHg;

  state.hr += ctx.chronotropy * (c.feverHrPerC * fever + ctx.chemoreflex * c.hypoxiaHrPerPct * desat + c.baroreflexHrPerMmHg * hypotension);
  state.rr += c.feverRrPerC * fever + ctx.chemoreflex * c.hypoxiaRrPerPct * desat;
}
