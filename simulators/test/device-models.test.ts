import { describe, it, expect } from 'vitest';
import { isPlausible, VitalCode } from '@vigil/contracts';
import { icuMonitor, wearable, type Numerics } from '../src/device-models.ts';
import type { TrueVitals } from '../src/physiology.ts';
import { Rng } from '../src/rng.ts';

const T0 = 1_760_000_000_000;
const HOUR = 3_600_000;
const TRUTH: TrueVitals = { hr: 80, spo2: 97, rr: 15, sbp: 120, dbp: 75, temp: 36.8 };

/** True when x has at most one decimal as a JavaScript number (what JSON will carry). */
const oneDecimal = (x: number) => /^-?\d+(\.\d)?$/.test(String(x));

function allPlausible(n: Numerics): string[] {
  return Object.entries(n)
    .filter(([code, value]) => !isPlausible(VitalCode.parse(code), value))
    .map(([code, value]) => `${code}=${value}`);
}

describe('icuMonitor', () => {
  it('measures the ICU channels: integers for rates and pressures, 0.1 \u00b0C for temperature', () => {
    const rng = new Rng('icu');
    for (let i = 0; i < 2_000; i++) {
      const n = icuMonitor.measure(TRUTH, rng, T0 + i * 1_000);
      expect(Object.keys(n).sort()).toEqual(['abpDia', 'abpMean', 'abpSys', 'hr', 'rr', 'spo2', 'temp']);
      for (const code of ['hr', 'spo2', 'rr', 'abpSys', 'abpDia', 'abpMean'] as const) expect(Number.isInteger(n[code]), `${code}=${n[code]}`).toBe(true);
      expect(oneDecimal(n.temp!), `temp=${n.temp}`).toBe(true);
      // MAP ≈ dia + (sys − dia)/3 from the unrounded pressures: within the two roundings of the displayed ones.
      expect(Math.abs(n.abpMean! - (n.abpDia! + (n.abpSys! - n.abpDia!) / 3))).toBeLessThanOrEqual(1);
      expect(allPlausible(n)).toEqual([]);
    }
  });

  it('centres on the truth with small noise', () => {
    const rng = new Rng('icu-noise');
    const hr: number[] = [];
    const temp: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      const n = icuMonitor.measure(TRUTH, rng, T0);
      hr.push(n.hr!);
      temp.push(n.temp!);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(mean(hr) - 80)).toBeLessThan(0.2);
    expect(Math.abs(mean(temp) - 36.8)).toBeLessThan(0.02);
    expect(Math.min(...hr)).toBeGreaterThanOrEqual(75);
    expect(Math.max(...hr)).toBeLessThanOrEqual(85);
  });

  it('keeps values plausible at extreme truths (clamped), e.g. SpO2 at 100 % never reads 101', () => {
    const rng = new Rng('edge');
    const extreme: TrueVitals = { hr: 349.8, spo2: 100, rr: 0.1, sbp: 200, dbp: 120, temp: 44 };
    for (let i = 0; i < 1_000; i++) {
      const n = icuMonitor.measure(extreme, rng, T0);
      expect(allPlausible(n)).toEqual([]);
      expect(n.spo2).toBeLessThanOrEqual(100);
      expect(n.hr).toBeLessThanOrEqual(350);
      expect(n.rr).toBeGreaterThanOrEqual(0);
    }
  });

  it('is deterministic for a seed', () => {
    expect(icuMonitor.measure(TRUTH, new Rng('d'), T0)).toEqual(icuMonitor.measure(TRUTH, new Rng('d'), T0));
  });
});

describe('wearable', () => {
  it('measures the wearable channels, all plausible', () => {
    const model = wearable(90, 1.5, T0);
    expect(model.type).toBe('wearable');
    const rng = new Rng('wear');
    for (let i = 0; i < 2_000; i++) {
      const n = model.measure(TRUTH, rng, T0 + i * 1_000);
      expect(Object.keys(n).sort()).toEqual(['activity', 'battery', 'hr', 'skinTemp', 'spo2']);
      expect(Number.isInteger(n.hr) && Number.isInteger(n.spo2) && Number.isInteger(n.battery)).toBe(true);
      expect(oneDecimal(n.skinTemp!), `skinTemp=${n.skinTemp}`).toBe(true);
      expect(/^\d+(\.\d{1,2})?$/.test(String(n.activity))).toBe(true);
      // Skin runs about 3 °C below core: noise sd 0.1, so within 0.6 at five sd.
      expect(Math.abs(n.skinTemp! - (TRUTH.temp - 3))).toBeLessThanOrEqual(0.6);
      expect(allPlausible(n)).toEqual([]);
    }
  });

  it('skin temperature averages core minus 3 \u00b0C', () => {
    const model = wearable(90, 1.5, T0);
    const rng = new Rng('skin');
    const xs = Array.from({ length: 2_000 }, () => model.measure(TRUTH, rng, T0).skinTemp!);
    expect(Math.abs(xs.reduce((a, b) => a + b, 0) / xs.length - 33.8)).toBeLessThan(0.02);
  });

  it('drains the battery linearly over event time, down to 0', () => {
    const model = wearable(80, 1.5, T0);
    const rng = new Rng('battery');
    const battery = (t: number) => model.measure(TRUTH, rng, t).battery;
    expect(battery(T0)).toBe(80);
    expect(battery(T0 + 2 * HOUR)).toBe(77);
    expect(battery(T0 + 10 * HOUR)).toBe(65);
    expect(battery(T0 + 40 * HOUR)).toBe(20);
    expect(battery(T0 + 60 * HOUR)).toBe(0);
    expect(battery(T0 + 100 * HOUR)).toBe(0);
  });
});
