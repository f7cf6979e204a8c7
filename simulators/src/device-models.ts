/**
 * How a device turns the patient's true state into numerics: which channels it measures, its sensor noise and its
 * quantisation (monitors report integers for rates and pressures, 0.1 °C for temperature).
 */
import type { DeviceType, VitalCode } from '@vigil/contracts';
import type { TrueVitals } from './physiology.ts';
import type { Rng } from './rng.ts';

export type Numerics = Partial<Record<VitalCode, number>>;

const round = (x: number, step: number) => Math.round(x / step) * step;
const clamp = (x: number, min: number, max: number) => Math.min(max, Math.max(min, x));

export interface DeviceModel {
  readonly type: DeviceType;
  measure(truth: TrueVitals, rng: Rng, t: number): Numerics;
}

/** ICU bedside monitor: ECG heart rate, SpO2, impedance respiration, invasive arterial line, core temperature. */
export const icuMonitor: DeviceModel = {
  type: 'icu-monitor',
  measure(truth, rng) {
    // Clamped to the monitor's measuring range, so extreme physiology saturates instead of becoming impossible.
    const sys = clamp(truth.sbp + rng.normal(0, 1.5), 0, 300);
    const dia = clamp(truth.dbp + rng.normal(0, 1), 0, Math.min(250, sys));
    return {
      hr: round(clamp(truth.hr + rng.normal(0, 1), 0, 350), 1),
      spo2: round(clamp(truth.spo2 + rng.normal(0, 0.4), 0, 100), 1),
      rr: round(clamp(truth.rr + rng.normal(0, 0.7), 0, 120), 1),
      abpSys: round(sys, 1),
      abpDia: round(dia, 1),
      // Mean arterial pressure ≈ diastolic + (systolic − diastolic) / 3
      abpMean: round(dia + (sys - dia) / 3, 1),
      temp: Number(round(clamp(truth.temp + rng.normal(0, 0.03), 25, 45), 0.1).toFixed(1)),
    };
  },
};

/** Wearable patch: optical pulse rate and SpO2 (noisier), skin temperature below core, activity, battery. */
export function wearable(batteryStart: number, drainPerHour: number, start: number): DeviceModel {
  return {
    type: 'wearable',
    measure(truth, rng, t) {
      const hours = (t - start) / 3_600_000;
      return {
        hr: round(clamp(truth.hr + rng.normal(0, 2), 0, 350), 1),
        spo2: round(clamp(truth.spo2 + rng.normal(0, 0.8), 0, 100), 1),
        // Skin runs ~3 °C below core at rest on the chest.
        skinTemp: Number(round(clamp(truth.temp - 3 + rng.normal(0, 0.1), 15, 45), 0.1).toFixed(1)),
        activity: Number(clamp(Math.abs(rng.normal(0.05, 0.05)), 0, 16).toFixed(2)),
        battery: round(clamp(batteryStart - drainPerHour * hours, 0, 100), 1),
      };
    },
  };
}
