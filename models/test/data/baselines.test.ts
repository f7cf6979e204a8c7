import type { SampleQuality, VitalCode } from '@vigil/contracts';
import { describe, expect, it } from 'vitest';
// Test-only cross-check against the cloud itself (models does not depend on @vigil/cloud at run time).
import { AlarmManager } from '../../../cloud/src/alarms/alarm-manager.ts';
import { DEFAULT_PROCESSOR_CONFIG, StreamProcessor } from '../../../cloud/src/processing/stream-processor.ts';
import type { ProcSample } from '../../../cloud/src/processing/patient-state.ts';
import { FirstEmissionWindows, runBaselines, type BaselineSample } from '../../src/data/baselines.ts';
import type { AlarmEpisode } from '../../src/data/series.ts';

const T0 = Date.UTC(2026, 0, 1);
const MIN = 60_000;
const PATIENT = 'pt-1';

/** A small deterministic noise source (no Math.random in tests). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
}

type Vitals = Partial<Record<VitalCode, number>>;

/**
 * 40 min of a 1 Hz monitor and a 5 s wearable on one patient: a 20 s SpO2 dip (alarm) and a 10 s one (under the
 * 15 s delay), an RR rise that moves NEWS2 through its bands, artifacts on SpO2, an HR run on both devices (one
 * grouped episode) and, on the wearable, a clock that steps back 2 min for a while.
 */
function ward(): BaselineSample[] {
  const noise = lcg(7);
  const out: BaselineSample[] = [];
  for (let s = 0; s < 40 * 60; s++) {
    const t = T0 + s * 1000;
    const m = s / 60;
    const spo2 = (s >= 300 && s < 320) || (s >= 480 && s < 490) ? 86 : 96 + Math.round(noise());
    const rr = m >= 12 && m < 24 ? 27 + Math.round(noise() * 2) : m >= 24 && m < 30 ? 22 : 16 + Math.round(noise() * 2);
    const hr = m >= 15 && m < 17 ? 140 : 80 + Math.round(noise() * 4);
    const vitals: Vitals = { hr, spo2, rr, abpSys: 120 + Math.round(noise() * 4), temp: 37.1 };
    if (s % 900 === 899) vitals.nibpSys = 118;
    const quality: Partial<Record<VitalCode, SampleQuality>> = {};
    if (s >= 600 && s < 640) {
      vitals.spo2 = 70; // motion: judged an artifact, must raise nothing
      quality.spo2 = 'artifact';
    }
    out.push({ t, deviceId: 'mon-1', vitals, quality });
    if (s % 5 === 0) {
      const skew = m >= 20 && m < 22 ? -2 * MIN : 0;
      // The wearable's HR run outlasts the monitor's: the grouped episode ends with it.
      const wearHr = m >= 15 && m < 17.5 ? 141 : hr + 1;
      out.push({ t: t + skew, deviceId: 'wear-1', vitals: { hr: wearHr, spo2: spo2 - 1 }, quality: {} });
    }
  }
  return out;
}

/** What the cloud's own stream processor and alarm manager make of the same samples, as episodes and scores. */
function cloudBaselines(samples: readonly BaselineSample[]) {
  const processor = new StreamProcessor(DEFAULT_PROCESSOR_CONFIG, new AlarmManager(), { limits: new Map(), observations: new Map() });
  const seq = new Map<string, number>();
  const byId = new Map<string, AlarmEpisode>();
  const scores: Array<{ t: number; total: number; complete: boolean }> = [];
  const rank = { low: 1, medium: 2, high: 3 } as const;
  for (const s of samples) {
    const n = seq.get(s.deviceId) ?? 0;
    seq.set(s.deviceId, n + 1);
    const proc: ProcSample = { deviceId: s.deviceId, bootId: 'b1', seq: n, patientId: PATIENT, bedId: 'bed-01', t: s.t, late: false, vitals: s.vitals, quality: s.quality };
    const effects = processor.process('ward-a', [proc], s.t);
    for (const { alarm, transition } of effects.alarmChanges) {
      let e = byId.get(alarm.id);
      if (!e) byId.set(alarm.id, (e = { patientId: alarm.patientId, code: alarm.code, priority: alarm.priority, start: alarm.raisedAt, end: null }));
      if (rank[alarm.priority] > rank[e.priority]) e.priority = alarm.priority;
      if (e.end === null && (transition.phase === 'latch' || transition.phase === 'end') && !transition.detail?.startsWith('superseded')) e.end = transition.at;
    }
    for (const { score } of effects.news2) if (score.revision === 0) scores.push({ t: score.end, total: score.result.total, complete: score.result.complete });
  }
  const episodes = [...byId.values()].sort((a, b) => a.start - b.start || a.code.localeCompare(b.code));
  return { limitAlarms: episodes.filter((e) => e.code !== 'NEWS2'), news2Alarms: episodes.filter((e) => e.code === 'NEWS2'), news2Scores: scores };
}

const byStart = (list: AlarmEpisode[]) => [...list].sort((a, b) => a.start - b.start || a.code.localeCompare(b.code));

describe('runBaselines', () => {
  it('raises exactly what the cloud stream processor raises over the same samples', () => {
    const samples = ward();
    const mine = runBaselines({ patientId: PATIENT, samples });
    const cloud = cloudBaselines(samples);
    expect(byStart(mine.limitAlarms)).toEqual(cloud.limitAlarms);
    expect(mine.news2Alarms).toEqual(cloud.news2Alarms);
    expect(mine.news2Scores).toEqual(cloud.news2Scores);
    // The scenario exercised what it meant to: a delayed, latched SpO2 alarm, a grouped HR run, NEWS2 bands.
    expect(mine.limitAlarms.filter((a) => a.code === 'SPO2_LOW')).toEqual([{ patientId: PATIENT, code: 'SPO2_LOW', priority: 'high', start: T0 + 315_000, end: T0 + 320_000 }]);
    expect(mine.limitAlarms.filter((a) => a.code === 'HR_HIGH')).toEqual([{ patientId: PATIENT, code: 'HR_HIGH', priority: 'medium', start: T0 + 910_000, end: T0 + 1_050_000 }]);
    expect(mine.news2Alarms.length).toBeGreaterThan(0);
    expect(new Set(mine.news2Scores.map((s) => s.total)).size).toBeGreaterThan(2);
  });

  it('groups streams raising one code into one episode, ended by the last stream to clear', () => {
    const samples: BaselineSample[] = [];
    for (let s = 0; s < 60; s++) {
      const t = T0 + s * 1000;
      samples.push({ t, deviceId: 'a', vitals: { hr: s < 40 ? 140 : 80 }, quality: {} });
      samples.push({ t, deviceId: 'b', vitals: { hr: s >= 5 && s < 50 ? 150 : 80 }, quality: {} });
    }
    const { limitAlarms } = runBaselines({ patientId: PATIENT, samples });
    expect(limitAlarms).toEqual([{ patientId: PATIENT, code: 'HR_HIGH', priority: 'medium', start: T0 + 10_000, end: T0 + 50_000 }]);
  });

  it('keeps an open alarm open (end null) and leaves trailing NEWS2 windows to the watermark unless endAt closes them', () => {
    const samples: BaselineSample[] = [];
    for (let s = 0; s < 150; s++) samples.push({ t: T0 + s * 1000, deviceId: 'm', vitals: { spo2: 85, rr: 30, hr: 120, abpSys: 85, temp: 39.5 }, quality: {} });
    const open = runBaselines({ patientId: PATIENT, samples });
    expect(open.limitAlarms.every((a) => a.end === null)).toBe(true);
    // Watermark 149 s − 10 s: only the first two minutes have closed.
    expect(open.news2Scores.map((s) => s.t)).toEqual([T0 + MIN, T0 + 2 * MIN]);
    expect(open.news2Alarms).toEqual([{ patientId: PATIENT, code: 'NEWS2', priority: 'high', start: T0 + MIN, end: null }]);
    const closed = runBaselines({ patientId: PATIENT, samples }, { endAt: T0 + 3 * MIN });
    expect(closed.news2Scores.map((s) => s.t)).toEqual([T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN]);
  });

  it('scores sparse hourly values over hourly windows with the caller’s intervals', () => {
    const H = 3_600_000;
    const samples: BaselineSample[] = [0, 1, 2, 3].map((h) => ({
      t: T0 + h * H + 5 * MIN,
      deviceId: 'chart',
      vitals: h === 2 ? { hr: 135, rr: 26, spo2: 91, nibpSys: 95, temp: 38.5 } : { hr: 80, rr: 16, spo2: 97, nibpSys: 125, temp: 37 },
      quality: {},
    }));
    const hourly = { hr: H, rr: H, spo2: H, sbp: H, map: H, temp: H };
    const r = runBaselines({ patientId: PATIENT, samples }, { news2WindowMs: H, expectedIntervalMs: hourly, endAt: T0 + 4 * H });
    expect(r.news2Scores.map((s) => s.t)).toEqual([1, 2, 3, 4].map((h) => T0 + h * H));
    expect(r.news2Scores.every((s) => s.complete === false)).toBe(true); // consciousness is charted, not measured
    expect(r.news2Scores[2]!.total).toBeGreaterThanOrEqual(7);
    expect(r.news2Alarms).toEqual([{ patientId: PATIENT, code: 'NEWS2', priority: 'high', start: T0 + 3 * H, end: T0 + 4 * H }]);
    // One out-of-range hourly value never outlasts a condition delay: the next value, an hour on, is normal.
    expect(r.limitAlarms).toEqual([]);
  });
});

describe('FirstEmissionWindows', () => {
  it('fires each non-empty window once the watermark passes its end; a sample behind it misses fired windows', () => {
    const fired: Array<[number, number, number[]]> = [];
    const w = new FirstEmissionWindows<{ t: number }>({ sizeMs: 300, slideMs: 100, outOfOrdernessMs: 50 }, (win, els) => fired.push([win.start, win.end, els.map((e) => e.t)]));
    for (const t of [1000, 1010, 1150, 1260, 1105, 1600]) w.add({ t });
    w.advanceTo(1700);
    expect(fired).toEqual([
      [800, 1100, [1000, 1010]],
      [900, 1200, [1000, 1010, 1150]],
      // 1105 arrived when the watermark stood at 1210: too late for [900, 1200), in time for the rest.
      [1000, 1300, [1000, 1010, 1105, 1150, 1260]],
      [1100, 1400, [1105, 1150, 1260]],
      [1200, 1500, [1260]],
      [1400, 1700, [1600]],
    ]);
  });
});
