/**
 * Shared measurement helpers: every number a device model emits goes through `report`, which clamps it to the
 * catalogue's plausible range (a device saturates at the end of its measuring range instead of sending a value the
 * edge would reject) and quantises it to the catalogue's decimals (integers for rates and pressures, 0.1 °C, 0.01 g).
 */
import { VITALS, type DeviceChannelFlag, type VitalCode } from '@vigil/contracts';

export type Numerics = Partial<Record<VitalCode, number>>;
export type Flags = Partial<Record<VitalCode, DeviceChannelFlag>>;

const SCALE = [1, 10, 100, 1000] as const;

export const clamp = (x: number, min: number, max: number): number => (x < min ? min : x > max ? max : x);

/**
 * Clamp to the plausible range, then round to the catalogue's decimals. Dividing an integer by 10 or 100 yields the
 * double nearest to the decimal, so JSON prints "36.8", never "36.800000000000004".
 */
export function report(code: VitalCode, x: number): number {
  const { decimals, plausible } = VITALS[code];
  const scale = SCALE[decimals] ?? 1;
  const q = Math.round(clamp(x, plausible.min, plausible.max) * scale) / scale;
  return q === 0 ? 0 : q; // no -0 in the output
}

/** Log-uniform draw: durations spread over orders of magnitude (seconds to hours). */
export function logUniform(u: number, min: number, max: number): number {
  return min * Math.pow(max / min, u);
}
