/**
 * Signal quality: each rule flags what it should, real physiology (ramps, steps) stays good, devices do not
 * interfere, memory stays bounded; then whole simulated wards, clean and with injected artifacts.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceChannelFlag, SampleQuality, VitalCode, VitalsSample } from '@vigil/contracts';
import { assessQuality, SignalQualityAssessor } from '../src/signal-quality.ts';
import { Rng } from '../../simulators/src/rng.ts';
import { buildWard, wardDevices } from '../../simulators/src/ward.ts';
import type { ArtifactType } from '../../simulators/src/artifacts/library.ts';

const T0 = Date.UTC(2026, 0, 1);
const S = 1000;
const MIN = 60 * S;

/** Feed one vital of one device, a value every `stepMs`; returns the verdicts in order. */
function run(code: VitalCode, values: readonly number[], options: { stepMs?: number; assessor?: SignalQualityAssessor; device?: string; t0?: number } = {}): SampleQuality[] {
  const q = options.assessor ?? new SignalQualityAssessor();
  const step = options.stepMs ?? S;
  const t0 = options.t0 ?? T0;
  return values.map((v, i) => q.assess(options.device ?? 'dev-1', t0 + i * step, { [code]: v })[code]!);
}

/** Integer readings around `mean(i)` with sd `sd`, seeded. */
function noisy(n: number, mean: (i: number) => number, sd: number, seed = 'x'): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => Math.round(mean(i) + rng.normal(0, sd)));
}

const nonGood = (v: readonly SampleQuality[]) => v.filter((q) => q !== 'good').length;
/** The first settleSamples − 1 values of a new stream are questionable: the level is not established yet. */
const WARM = 2;

describe('SignalQualityAssessor: device flags', () => {
  it('maps probe and lead off to sensor_off, motion to artifact, low perfusion and calibrating to questionable', () => {
    const q = new SignalQualityAssessor();
    const cases: Array<[DeviceChannelFlag, SampleQuality]> = [
      ['probe_off', 'sensor_off'], ['lead_off', 'sensor_off'], ['motion', 'artifact'],
      ['low_perfusion', 'questionable'], ['calibrating', 'questionable'],
    ];
    for (let i = 0; i < 10; i++) q.assess('d', T0 + i * S, { spo2: 97, hr: 70 + (i % 2) });
    for (const [i, [flag, verdict]] of cases.entries()) {
      const out = q.assess('d', T0 + (10 + i) * S, { spo2: 97, hr: 70 }, { spo2: flag, hr: 'ok' });
      expect(out).toEqual({ spo2: verdict, hr: 'good' });
    }
  });

  it('re-establishes the level after the probe was off: questionable until settled', () => {
    const q = new SignalQualityAssessor();
    const out: SampleQuality[] = [];
    for (let i = 0; i < 40; i++) {
      const flags = i >= 10 && i < 20 ? { spo2: 'probe_off' as const } : undefined;
      out.push(q.assess('d', T0 + i * S, { spo2: 96 + (i % 3) }, flags).spo2!);
    }
    expect(out.slice(10, 20).every((v) => v === 'sensor_off')).toBe(true);
    expect(out.slice(20, 22)).toEqual(['questionable', 'questionable']);
    expect(out.slice(22).every((v) => v === 'good')).toBe(true);
  });

  it('keeps the stateless flag mapper', () => {
    expect(assessQuality({ hr: 70, spo2: 80 }, { spo2: 'motion' })).toEqual({ hr: 'good', spo2: 'artifact' });
  });
});

describe('SignalQualityAssessor: spikes, ramps and steps', () => {
  it('flags single-sample spikes of HR, SpO2, ABP and temperature as artifacts, and nothing else', () => {
    const series: Array<[VitalCode, number[], number]> = [
      ['hr', noisy(120, () => 75, 1), 140],
      ['spo2', noisy(120, () => 97, 0.5), 82],
      ['abpSys', noisy(120, () => 120, 1.5), 240], // flush
      ['abpMean', noisy(120, () => 85, 1), 20], // sampling line open
      ['temp', Array.from({ length: 120 }, () => 37.1), 33.9], // probe dislodged
    ];
    for (const [code, values, spike] of series) {
      values[60] = spike;
      const out = run(code, values);
      expect(out[60], code).toBe('artifact');
      expect(nonGood(out), code).toBe(WARM + 1);
    }
  });

  it('never flags a deterioration ramp: HR +40 /min over 30 s, SpO2 −10 % over 60 s, SBP −50 mmHg over 60 s', () => {
    const ramp = (from: number, to: number, start: number, len: number) => (i: number) => from + (to - from) * Math.min(1, Math.max(0, (i - start) / len));
    for (const seed of ['a', 'b', 'c', 'd']) {
      const hr = run('hr', noisy(300, ramp(80, 120, 100, 30), 1, seed));
      const spo2 = run('spo2', noisy(300, ramp(97, 87, 100, 60), 0.5, seed));
      const sbp = run('abpSys', noisy(300, ramp(125, 75, 100, 60), 1.5, seed));
      const wearHr = run('hr', noisy(120, ramp(80, 120, 40, 6), 2, seed), { stepMs: 5 * S }); // 30 s at 5 s
      for (const out of [hr, spo2, sbp, wearHr]) expect(out.slice(WARM).every((v) => v === 'good')).toBe(true);
    }
  });

  it('accepts a sustained step (arrhythmia onset 80 → 160 /min, arrest ABP 120 → 25) after at most 3 values', () => {
    const hr = run('hr', noisy(200, (i) => (i < 100 ? 80 : 160), 1));
    expect(nonGood(hr.slice(WARM))).toBeLessThanOrEqual(3);
    expect(hr.slice(100, 102)).toEqual(['artifact', 'artifact']);
    expect(hr.slice(102).every((v) => v === 'good')).toBe(true);
    const abp = run('abpSys', noisy(200, (i) => (i < 100 ? 120 : 25), 1.5));
    expect(nonGood(abp.slice(WARM))).toBeLessThanOrEqual(3);
    const spo2 = run('spo2', noisy(200, (i) => (i < 100 ? 97 : 84), 0.5), { stepMs: 5 * S });
    expect(nonGood(spo2.slice(WARM))).toBeLessThanOrEqual(3);
  });
});

describe('SignalQualityAssessor: flat lines', () => {
  it('marks an identical HR questionable after 60 s (not artifact), and good again when it moves', () => {
    const values = [...noisy(100, () => 75, 1), ...Array<number>(180).fill(77), ...noisy(60, () => 77, 1, 'y')];
    const out = run('hr', values);
    const flat = out.slice(100, 280);
    expect(flat.slice(0, 60).every((v) => v === 'good')).toBe(true);
    expect(flat.slice(60).every((v) => v === 'questionable')).toBe(true);
    expect(out.slice(281).filter((v) => v !== 'good').length).toBeLessThanOrEqual(1);
    expect(out.includes('artifact')).toBe(false);
  });

  it('waits 5 min for SpO2 and 2 min for RR; never flags range ends (SpO2 100, apnoea RR 0) or slow vitals', () => {
    const spo2 = run('spo2', Array<number>(600).fill(96));
    expect(spo2.indexOf('questionable', WARM)).toBe(300);
    expect(run('rr', Array<number>(300).fill(14)).indexOf('questionable', WARM)).toBe(120);
    expect(nonGood(run('spo2', Array<number>(3600).fill(100)).slice(WARM))).toBe(0);
    const apnoea = run('rr', [...noisy(60, () => 14, 1), ...Array<number>(600).fill(0)]);
    expect(nonGood(apnoea.slice(62))).toBe(0); // the drop itself: 2 artifacts, then an accepted level
    for (const code of ['temp', 'skinTemp', 'nibpSys', 'activity', 'battery'] as const) {
      expect(nonGood(run(code, Array<number>(3600).fill(code === 'activity' ? 0 : 36)).slice(WARM)), code).toBe(0);
    }
  });
});

describe('SignalQualityAssessor: drop-outs and range ends', () => {
  it('learns the interval: a gap of > 5 intervals makes the next values questionable until the level is back', () => {
    const q = new SignalQualityAssessor();
    const verdict = (t: number, hr: number) => q.assess('d', t, { hr }).hr;
    let t = T0;
    for (let i = 0; i < 60; i++) verdict((t += S), 70 + (i % 3));
    expect(verdict((t += 3 * S), 71)).toBe('good'); // two lost samples: a hiccup
    t += 60 * S; // probe off for a minute, values absent
    expect([verdict(t, 95), verdict((t += S), 96), verdict((t += S), 95), verdict((t += S), 96)]).toEqual(['questionable', 'questionable', 'good', 'good']);
    // A wearable's 5 s interval: one lost sample is no drop-out, three minutes are.
    const w = run('hr', [...noisy(50, () => 70, 2), 71], { stepMs: 5 * S });
    expect(w.at(-1)).toBe('good');
    const w2 = new SignalQualityAssessor();
    run('hr', noisy(50, () => 70, 2), { stepMs: 5 * S, assessor: w2 });
    expect(w2.assess('dev-1', T0 + 49 * 5 * S + 10 * S, { hr: 72 }).hr).toBe('good');
    expect(w2.assess('dev-1', T0 + 49 * 5 * S + 190 * S, { hr: 72 }).hr).toBe('questionable');
  });

  it('marks readings at a saturating end of the measuring range questionable', () => {
    const q = new SignalQualityAssessor();
    expect(q.assess('d', T0, { hr: 350, spo2: 100, temp: 25, skinTemp: 45, abpSys: 300, battery: 100 })).toEqual({
      hr: 'questionable', spo2: 'questionable', temp: 'questionable', skinTemp: 'questionable', abpSys: 'questionable', battery: 'good',
    });
    // spo2 was questionable above only because its level was not established yet:
    for (let i = 1; i < 5; i++) q.assess('d', T0 + i * S, { spo2: 100 });
    expect(q.assess('d', T0 + 5 * S, { spo2: 100, activity: 16 })).toEqual({ spo2: 'good', activity: 'questionable' });
  });

  it('survives a clock stepping back without flagging', () => {
    const q = new SignalQualityAssessor();
    for (let i = 0; i < 30; i++) q.assess('d', T0 + i * S, { hr: 70 + (i % 2) });
    const back = T0 + 30 * S - 5 * MIN;
    expect([0, 1, 2].map((i) => q.assess('d', back + i * S, { hr: 71 }).hr)).toEqual(['good', 'good', 'good']);
  });
});

describe('SignalQualityAssessor: devices and memory', () => {
  it('keeps devices apart: interleaved streams give the verdicts each gives alone', () => {
    const a = noisy(600, (i) => (i < 300 ? 60 : 130), 1, 'a');
    const b = noisy(600, (i) => 140 - i / 10, 1, 'b');
    b[200] = 30;
    const alone = [run('hr', a), run('hr', b)];
    const q = new SignalQualityAssessor();
    const together: SampleQuality[][] = [[], []];
    for (let i = 0; i < 600; i++) {
      together[0]!.push(q.assess('dev-a', T0 + i * S, { hr: a[i]! }).hr!);
      together[1]!.push(q.assess('dev-b', T0 + i * S + 500, { hr: b[i]! }).hr!);
    }
    expect(together).toEqual(alone);
    expect(q.size).toBe(2);
  });

  it('holds one state per (device, vital), forgets on request, evicts silent devices and caps the device count', () => {
    const q = new SignalQualityAssessor({ evictAfterMs: 10 * MIN, maxDevices: 50 });
    for (let d = 0; d < 20; d++) q.assess(`dev-${d}`, T0, { hr: 70, spo2: 97, rr: 14 });
    expect(q.size).toBe(60);
    q.forget('dev-3');
    expect(q.size).toBe(57);
    for (let m = 1; m <= 30; m++) q.assess('dev-0', T0 + m * MIN, { hr: 70 }); // only dev-0 keeps talking
    expect(q.size).toBe(3);
    for (let d = 0; d < 500; d++) q.assess(`new-${d}`, T0 + 31 * MIN, { hr: 70 });
    expect(q.size).toBeLessThanOrEqual(50 + 2);
  });

  it('assesses 1,000,000 values (performance sanity)', () => {
    const q = new SignalQualityAssessor();
    const rng = new Rng('perf');
    const devices = Array.from({ length: 500 }, (_, i) => `perf-${i}`);
    const samples = Array.from({ length: 64 }, () => ({
      hr: Math.round(75 + rng.normal(0, 2)), spo2: Math.round(97 + rng.normal(0, 1)), rr: Math.round(15 + rng.normal(0, 1)),
      abpSys: Math.round(120 + rng.normal(0, 2)), abpDia: Math.round(75 + rng.normal(0, 1)), abpMean: Math.round(90 + rng.normal(0, 1)),
      temp: Math.round((37 + rng.normal(0, 0.03)) * 10) / 10,
    }));
    const perSample = 7;
    const rounds = Math.ceil(1_000_000 / perSample / devices.length);
    let n = 0;
    let bad = 0;
    const started = performance.now();
    for (let r = 0; r < rounds; r++) {
      for (let d = 0; d < devices.length; d++) {
        const out = q.assess(devices[d]!, T0 + r * S + d, samples[(r + d) & 63]!);
        n += perSample;
        if (out.hr !== 'good') bad++;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`signal quality: ${n} values in ${seconds.toFixed(2)} s = ${Math.round(n / seconds).toLocaleString('en')} values/s (${q.size} states)`);
    expect(n).toBeGreaterThanOrEqual(1_000_000);
    expect(bad).toBeLessThan(n / perSample);
  });
});

/** Step a simulated ward, feed its vitals samples (deduplicated, as ingest does) in send order. */
function simulate(options: { seed: string; hours: number; beds: number; wearables: number; scenarioMix?: string; artifacts: Parameters<typeof buildWard>[0]['artifacts'] }) {
  const end = T0 + options.hours * 3_600_000;
  const ward = buildWard({ devices: wardDevices('ward-q', options.beds, options.wearables), seed: options.seed, start: T0, end, artifacts: options.artifacts, ...(options.scenarioMix ? { scenarioMix: options.scenarioMix } : {}) });
  const q = new SignalQualityAssessor();
  const seen = new Set<string>();
  const judged: Array<{ sample: VitalsSample; quality: Partial<Record<VitalCode, SampleQuality>> }> = [];
  for (let t = T0; t <= end; t += S) {
    for (const g of ward.generators) {
      for (const m of g.advance(t)) {
        if (m.channel !== 'vitals') continue;
        const key = `${m.message.deviceId}/${m.message.bootId}/${m.message.seq}`;
        if (seen.has(key)) continue;
        seen.add(key);
        judged.push({ sample: m.message, quality: q.assess(m.message.deviceId, m.message.t, m.message.vitals, m.message.flags) });
      }
    }
  }
  return { ward, judged };
}

describe('SignalQualityAssessor on simulated wards', () => {
  it('a clean ward with deteriorating patients: under 1 % of values not good', () => {
    const { judged } = simulate({ seed: 'clean', hours: 4, beds: 10, wearables: 4, scenarioMix: 'sepsis:0.2,hypoxaemia:0.2,tachyarrhythmia:0.2,haemorrhage:0.2', artifacts: 'none' });
    let values = 0;
    const bad: Partial<Record<VitalCode, number>> = {};
    for (const { quality } of judged) {
      for (const [code, v] of Object.entries(quality) as Array<[VitalCode, SampleQuality]>) {
        values++;
        if (v !== 'good') bad[code] = (bad[code] ?? 0) + 1;
      }
    }
    const total = Object.values(bad).reduce((s, n) => s + n, 0);
    console.log(`clean ward: ${values} values, ${total} not good (${((100 * total) / values).toFixed(3)} %) by vital ${JSON.stringify(bad)}`);
    expect(total / values).toBeLessThan(0.01);
  });

  it('a ward with injected artifacts: flags most artifact values, few others', () => {
    const rates = { motion_artifact: 12, probe_off: 8, stuck_sensor: 6 };
    const { ward, judged } = simulate({
      seed: 'artifacts', hours: 6, beds: 10, wearables: 4,
      artifacts: { 'icu-monitor': { ...rates, lead_off: 6 }, wearable: rates },
    });
    const episodes = ward.truth.filter((e) => e.category === 'artifact');
    // Overlapping episodes: a stuck sensor holds its value and drops the motion flag (simulators/src/artifacts/effects.ts).
    const inside = (deviceId: string, code: VitalCode, t: number) => {
      const active = episodes.filter((e) => e.deviceId === deviceId && e.affected.includes(code) && e.onset <= t && (e.offset === null || t < e.offset));
      return active.find((e) => e.type === 'stuck_sensor') ?? active[0];
    };
    const by: Record<string, { values: number; flagged: number }> = {};
    const tally = (key: string, flagged: boolean) => {
      const b = (by[key] ??= { values: 0, flagged: 0 });
      b.values++;
      if (flagged) b.flagged++;
    };
    // The first value of an affected vital after a probe / lead comes back.
    const after = new Map(episodes.filter((e) => e.type === 'probe_off' || e.type === 'lead_off').map((e) => [e, new Set<VitalCode>()]));
    for (const { sample, quality } of judged) {
      for (const [code, v] of Object.entries(quality) as Array<[VitalCode, SampleQuality]>) {
        const e = inside(sample.deviceId, code, sample.t);
        const flagged = v !== 'good';
        if (!e) {
          let reattached = false;
          for (const [p, done] of after) {
            if (p.deviceId === sample.deviceId && p.affected.includes(code) && p.offset !== null && sample.t >= p.offset && !done.has(code)) {
              done.add(code);
              reattached = true;
              tally(`${p.type} (first value back)`, flagged);
            }
          }
          if (!reattached) tally('outside episodes', flagged);
          continue;
        }
        if (code === 'activity') continue; // movement the accelerometer rightly reads
        const type = e.type as ArtifactType;
        if (type !== 'stuck_sensor') tally(type, flagged);
        else {
          const late = e.onset + (code === 'spo2' ? 5 * MIN : code === 'rr' ? 2 * MIN : MIN) + 10 * S;
          tally(code === 'skinTemp' ? 'stuck_sensor (skinTemp: no flat rule)' : sample.t >= late ? 'stuck_sensor (after the flat window)' : 'stuck_sensor (inside the flat window)', flagged);
        }
      }
    }
    const shares = Object.fromEntries(Object.entries(by).map(([k, b]) => [k, `${b.flagged}/${b.values} = ${((100 * b.flagged) / b.values).toFixed(1)} %`]));
    console.log(`artifact ward (${episodes.length} episodes): ${JSON.stringify(shares, null, 1)}`);
    const share = (k: string) => by[k]!.flagged / by[k]!.values;
    expect(share('motion_artifact')).toBeGreaterThan(0.99);
    expect(share('stuck_sensor (after the flat window)')).toBeGreaterThan(0.9);
    expect(share('probe_off (first value back)')).toBeGreaterThan(0.9);
    expect(share('outside episodes')).toBeLessThan(0.01);
  });
});
