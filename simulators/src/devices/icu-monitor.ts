/**
 * ICU bedside monitor: measurement model. ECG heart rate, SpO2, impedance respiration, invasive arterial line
 * (systolic / diastolic / mean) and core temperature every second; oscillometric NIBP once per cuff cycle.
 *
 * Noise sd are per-reading scatter around the true value, in each vital's unit, before quantisation:
 * - HR (ECG) 1 /min: beat-detector jitter; well inside IEC 60601-2-27's ±10 % or ±5 /min accuracy requirement.
 * - SpO2 0.5 %: display scatter of a settled reading (ISO 80601-2-61's Arms ≤ 4 % also covers bias vs. blood gas).
 * - RR (impedance) 1 /min: the noisiest continuous channel (cardiac and motion contamination).
 * - Arterial line 1.5 / 1 / 1 mmHg: a flushed, zeroed transducer.
 * - Temperature 0.03 °C: ISO 80601-2-56 laboratory accuracy is ±0.1 °C.
 * - NIBP 5 / 5 / 4 mmHg: cuff error; ISO 81060-2 validation allows mean error ≤ 5 mmHg with sd ≤ 8 mmHg.
 */
import type { VitalCode } from '@vigil/contracts';
import type { TrueState } from '../model.ts';
import type { Rng } from '../rng.ts';
import { clamp, report, type Numerics } from './measure.ts';

/** Channels in every 1 s sample. */
export const ICU_VITALS = ['hr', 'spo2', 'rr', 'abpSys', 'abpDia', 'abpMean', 'temp'] as const satisfies readonly VitalCode[];
/** Channels added to the sample at the end of each NIBP cycle. */
export const NIBP_VITALS = ['nibpSys', 'nibpDia', 'nibpMean'] as const satisfies readonly VitalCode[];

export const ICU_NOISE = {
  hr: 1, // /min
  spo2: 0.5, // %
  rr: 1, // /min
  abpSys: 1.5, // mmHg
  abpDia: 1, // mmHg
  abpMean: 1, // mmHg
  temp: 0.03, // °C
  nibpSys: 5, // mmHg
  nibpDia: 5, // mmHg
  nibpMean: 4, // mmHg
} as const;

/** Keep dia ≤ mean ≤ sys after independent noise, as a monitor's pressure algorithm does. */
function pressures(sys: number, dia: number, mean: number): [number, number, number] {
  const s = clamp(sys, 0, 300);
  const d = clamp(dia, 0, Math.min(250, s));
  return [s, d, clamp(mean, d, s)];
}

/** One 1 s sample of the continuous channels. */
export function measureIcu(state: TrueState, rng: Rng): Numerics {
  const [sys, dia, mean] = pressures(
    state.sbp + rng.normal(0, ICU_NOISE.abpSys),
    state.dbp + rng.normal(0, ICU_NOISE.abpDia),
    state.map + rng.normal(0, ICU_NOISE.abpMean),
  );
  return {
    hr: report('hr', state.hr + rng.normal(0, ICU_NOISE.hr)),
    spo2: report('spo2', state.spo2 + rng.normal(0, ICU_NOISE.spo2)),
    rr: report('rr', state.rr + rng.normal(0, ICU_NOISE.rr)),
    abpSys: report('abpSys', sys),
    abpDia: report('abpDia', dia),
    abpMean: report('abpMean', mean),
    temp: report('temp', state.temp + rng.normal(0, ICU_NOISE.temp)),
  };
}

/** One NIBP reading (the state at the end of the cuff cycle, with the cuff's error). */
export function measureNibp(state: TrueState, rng: Rng): Numerics {
  const [sys, dia, mean] = pressures(
    state.sbp + rng.normal(0, ICU_NOISE.nibpSys),
    state.dbp + rng.normal(0, ICU_NOISE.nibpDia),
    state.map + rng.normal(0, ICU_NOISE.nibpMean),
  );
  return { nibpSys: report('nibpSys', sys), nibpDia: report('nibpDia', dia), nibpMean: report('nibpMean', mean) };
}
