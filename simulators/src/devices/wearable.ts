/**
 * Wearable patch: measurement model. Optical (PPG) pulse rate and SpO2, skin temperature, accelerometer activity and
 * battery charge, every 5 s by default.
 *
 * - Optical HR sd 2 /min at rest, +4 /min per g of movement: PPG error grows with motion (Bent et al. 2020,
 *   npj Digit Med 3:18, "Investigating sources of inaccuracy in wearable optical heart rate sensors").
 * - SpO2 sd 1 % at rest, +2 % per g: reflectance oximetry on the chest or wrist is noisier than a finger clip.
 * - Skin temperature ≈ core − 3 °C, following core through a first-order lag of 15 min (skin responds slowly),
 *   sd 0.1 °C.
 * - Activity: the accelerometer's reading of the true movement, sd 0.02 g, never below 0.
 */
import type { VitalCode } from '@vigil/contracts';
import type { TrueState } from '../model.ts';
import type { Rng } from '../rng.ts';
import { report, type Numerics } from './measure.ts';

export const WEARABLE_VITALS = ['hr', 'spo2', 'skinTemp', 'activity', 'battery'] as const satisfies readonly VitalCode[];

export const WEARABLE_NOISE = {
  hr: 2, // /min at rest
  hrPerG: 4, // extra /min per g of activity
  spo2: 1, // % at rest
  spo2PerG: 2, // extra % per g of activity
  skinTemp: 0.1, // °C
  activity: 0.02, // g
} as const;

export const SKIN_OFFSET_C = 3; // core − skin at rest on the chest, °C
export const SKIN_LAG_MS = 15 * 60_000; // first-order time constant of skin vs. core

export interface WearableSensor {
  /** One sample at time `t` (ms, non-decreasing), with the battery level the device reports. */
  measure(state: TrueState, t: number, battery: number): Numerics;
}

export function createWearableSensor(rng: Rng): WearableSensor {
  let skin: number | undefined;
  let last = 0;
  return {
    measure(state, t, battery) {
      const target = state.temp - SKIN_OFFSET_C;
      skin = skin === undefined ? target : skin + (target - skin) * (1 - Math.exp(-(t - last) / SKIN_LAG_MS));
      last = t;
      const g = Math.max(0, state.activity);
      return {
        hr: report('hr', state.hr + rng.normal(0, WEARABLE_NOISE.hr + WEARABLE_NOISE.hrPerG * g)),
        spo2: report('spo2', state.spo2 + rng.normal(0, WEARABLE_NOISE.spo2 + WEARABLE_NOISE.spo2PerG * g)),
        skinTemp: report('skinTemp', skin + rng.normal(0, WEARABLE_NOISE.skinTemp)),
        activity: report('activity', Math.abs(g + rng.normal(0, WEARABLE_NOISE.activity))),
        battery: report('battery', Math.floor(battery)),
      };
    },
  };
}
