import { describe, expect, it } from 'vitest';
import { isPlausible, VitalCode } from '@vigil/contracts';
import { createBatteryPlan, LOW_BATTERY_PERCENT } from '../../src/devices/battery.ts';
import { ICU_NOISE, measureIcu, measureNibp } from '../../src/devices/icu-monitor.ts';
import { report, type Numerics } from '../../src/devices/measure.ts';
import { createWearableSensor, SKIN_LAG_MS, WEARABLE_NOISE } from '../../src/devices/wearable.ts';
import type { TrueState } from '../../src/model.ts';
import { Rng } from '../../src/rng.ts';
import { HOUR, MIN, RESTING, sd, T0 } from './helpers.ts';

const STATE: TrueState = { ...RESTING, breathPhase: 0 };
const N = 20_000;
/** Measured scatter of a quantised reading: the noise sd and the rounding's step/√12 combined. */
const expectedSd = (noise: number, step: number) => Math.sqrt(noise ** 2 + step ** 2 / 12);
const implausible = (n: Numerics) => Object.entries(n).filter(([c, v]) => !isPlausible(VitalCode.parse(c), v as number));

describe('report', () => {
  it('quantises to the catalogue decimals and clamps to the plausible range', () => {
    expect(report('hr', 80.5)).toBe(81);
    expect(report('temp', 36.849)).toBe(36.8);
    expect(String(report('temp', 36.8 + 1e-9))).toBe('36.8');
    expect(report('activity', 0.123)).toBe(0.12);
    expect(report('spo2', 100.7)).toBe(100);
    expect(report('skinTemp', 3)).toBe(15);
    expect(Object.is(report('rr', -0.2), 0)).toBe(true); // no -0
  });
});

describe('ICU monitor model', () => {
  it('has the documented noise per channel, unbiased, integers and 0.1 °C', () => {
    const rng = new Rng('icu-noise');
    const series: Record<string, number[]> = {};
    for (let i = 0; i < N; i++) {
      const n = { ...measureIcu(STATE, rng), ...measureNibp(STATE, rng) };
      for (const [code, v] of Object.entries(n)) (series[code] ??= []).push(v as number);
    }
    const truth: Record<string, number> = { hr: 80, spo2: 97, rr: 15, abpSys: 120, abpDia: 75, abpMean: 90, temp: 36.8, nibpSys: 120, nibpDia: 75, nibpMean: 90 };
    for (const [code, values] of Object.entries(series)) {
      const stats = sd(values);
      const step = code === 'temp' ? 0.1 : 1;
      const noise = ICU_NOISE[code as keyof typeof ICU_NOISE];
      expect(Math.abs(stats.mean - truth[code]!), code).toBeLessThan(Math.max(0.01, 4 * noise / Math.sqrt(N)) + 0.01);
      if (code !== 'temp') expect(stats.sd / expectedSd(noise, step), code).toBeGreaterThan(0.95);
      if (code !== 'temp') expect(stats.sd / expectedSd(noise, step), code).toBeLessThan(1.05);
      const badlyQuantised = values.filter((v) => !(code === 'temp' ? /^\d+(\.\d)?$/.test(String(v)) : Number.isInteger(v)));
      expect(badlyQuantised, code).toEqual([]);
    }
    // Temperature: noise (0.03) below the 0.1 step: mostly the true value, rarely one step off.
    expect(sd(series.temp!).sd).toBeLessThan(0.05);
    expect(sd(series.temp!).sd).toBeGreaterThan(0.01);
    // NIBP is the noisy pressure: the cuff scatters about 3× the arterial line.
    expect(sd(series.nibpSys!).sd).toBeGreaterThan(3 * sd(series.abpSys!).sd);
  });

  it('keeps every value plausible and dia ≤ mean ≤ sys at extreme truths', () => {
    const rng = new Rng('icu-extreme');
    const extremes: TrueState[] = [
      { hr: 349.5, spo2: 100, rr: 119.8, sbp: 299, dbp: 249, map: 280, temp: 44.99, activity: 0, breathPhase: 0 },
      { hr: 0.2, spo2: 0.3, rr: 0, sbp: 2, dbp: 1, map: 1.5, temp: 25.01, activity: 0, breathPhase: 0 },
    ];
    for (const state of extremes) {
      const bad: string[] = [];
      for (let i = 0; i < 2000; i++) {
        const n = { ...measureIcu(state, rng), ...measureNibp(state, rng) };
        const ordered = n.abpDia! <= n.abpMean! && n.abpMean! <= n.abpSys! && n.nibpDia! <= n.nibpMean! && n.nibpMean! <= n.nibpSys!;
        if (implausible(n).length > 0 || !ordered) bad.push(JSON.stringify(n));
      }
      expect(bad).toEqual([]);
    }
  });
});

describe('wearable model', () => {
  it('is noisier than the monitor, and worse with movement', () => {
    const rest = createWearableSensor(new Rng('w-rest'));
    const moving = createWearableSensor(new Rng('w-move'));
    const hrRest: number[] = [], hrMove: number[] = [], spo2Rest: number[] = [], skin: number[] = [], act: number[] = [];
    const bad: string[] = [];
    for (let i = 0; i < N; i++) {
      const a = rest.measure(STATE, T0 + i * 5000, 80.7);
      hrRest.push(a.hr!);
      spo2Rest.push(a.spo2!);
      skin.push(a.skinTemp!);
      act.push(a.activity!);
      if (!(Number.isInteger(a.hr) && Number.isInteger(a.spo2) && a.battery === 80)) bad.push(JSON.stringify(a));
      if (!/^\d+(\.\d)?$/.test(String(a.skinTemp)) || !/^\d+(\.\d{1,2})?$/.test(String(a.activity))) bad.push(JSON.stringify(a));
      hrMove.push(moving.measure({ ...STATE, activity: 1 }, T0 + i * 5000, 80).hr!);
    }
    expect(bad).toEqual([]);
    expect(sd(hrRest).sd / expectedSd(WEARABLE_NOISE.hr, 1)).toBeGreaterThan(0.95);
    expect(sd(hrRest).sd / expectedSd(WEARABLE_NOISE.hr, 1)).toBeLessThan(1.05);
    expect(Math.abs(sd(hrRest).mean - 80)).toBeLessThan(0.1);
    const moveSd = WEARABLE_NOISE.hr + WEARABLE_NOISE.hrPerG;
    expect(sd(hrMove).sd / expectedSd(moveSd, 1)).toBeGreaterThan(0.95);
    expect(sd(hrMove).sd / expectedSd(moveSd, 1)).toBeLessThan(1.05);
    expect(sd(spo2Rest).sd / expectedSd(WEARABLE_NOISE.spo2, 1)).toBeGreaterThan(0.93);
    expect(sd(spo2Rest).sd / expectedSd(WEARABLE_NOISE.spo2, 1)).toBeLessThan(1.07);
    // Skin ≈ core − 3 °C, sd 0.1 (with the 0.1 step).
    expect(Math.abs(sd(skin).mean - 33.8)).toBeLessThan(0.01);
    expect(sd(skin).sd / expectedSd(0.1, 0.1)).toBeGreaterThan(0.93);
    expect(sd(skin).sd / expectedSd(0.1, 0.1)).toBeLessThan(1.07);
    expect(Math.max(...act)).toBeLessThan(0.15);
    expect(Math.min(...act)).toBeGreaterThanOrEqual(0);
  });

  it('skin temperature follows core through a 15 min lag', () => {
    const sensor = createWearableSensor(new Rng('skin'));
    const at = (t: number) => sensor.measure({ ...STATE, temp: t < T0 + HOUR ? 37 : 39 }, t, 80).skinTemp!;
    const readings: number[] = [];
    for (let t = T0; t <= T0 + 3 * HOUR; t += 5000) readings.push(at(t));
    const idx = (ms: number) => Math.round(ms / 5000);
    expect(Math.abs(readings[idx(HOUR - 5000)]! - 34)).toBeLessThan(0.45);
    // One time constant after the step: 63 % of the way, ±noise.
    const lagged = sd(readings.slice(idx(HOUR + SKIN_LAG_MS) - 3, idx(HOUR + SKIN_LAG_MS) + 4)).mean;
    expect(lagged).toBeGreaterThan(34 + 2 * 0.63 - 0.25);
    expect(lagged).toBeLessThan(34 + 2 * 0.63 + 0.25);
    expect(Math.abs(sd(readings.slice(-20)).mean - 36)).toBeLessThan(0.1);
  });
});

describe('battery plan', () => {
  const hours = (h: number) => T0 + h * HOUR;
  it('drains at the set rate and recharges before the low-battery threshold when no episode is planned', () => {
    const plan = createBatteryPlan({ start: T0, drainPerHour: 3, startLevel: 90, rechargeAt: 30, low: [] });
    expect(plan.level(T0)).toBeCloseTo(90);
    expect(plan.level(hours(10))).toBeCloseTo(60);
    let min = 100;
    for (let t = T0; t < hours(200); t += 10 * MIN) min = Math.min(min, plan.level(t));
    expect(min).toBeGreaterThanOrEqual(30 - 3 / 6);
  });

  it('is below 20 % exactly inside a low-battery phase, recharged after it, and 0 at death', () => {
    const low = [
      { onset: hours(40), offset: hours(42), dies: false },
      { onset: hours(70), offset: hours(78), dies: true },
    ];
    const plan = createBatteryPlan({ start: T0, drainPerHour: 3, startLevel: 80, rechargeAt: 30, low });
    for (let t = T0; t < hours(78); t += MIN) {
      const inside = low.some((p) => t >= p.onset && t < p.offset);
      expect(Math.floor(plan.level(t)) < LOW_BATTERY_PERCENT, `t=${(t - T0) / HOUR} h`).toBe(inside);
    }
    expect(Math.floor(plan.level(hours(40)))).toBe(19);
    expect(plan.level(hours(42))).toBe(100);
    expect(plan.level(hours(78) - 1)).toBeLessThan(0.01);
  });

  it('starts partly discharged when the first low phase is near the start', () => {
    const plan = createBatteryPlan({ start: T0, drainPerHour: 4, startLevel: 95, rechargeAt: 30, low: [{ onset: hours(5), offset: hours(6), dies: false }] });
    expect(plan.level(T0)).toBeCloseTo(40, 0);
    expect(Math.floor(plan.level(hours(5)))).toBe(19);
  });
});
