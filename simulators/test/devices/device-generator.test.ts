import { describe, expect, it } from 'vitest';
import { GroundTruthEvent, SessionMessage } from '@vigil/contracts';
import { assignArtifacts, DEFAULT_ARTIFACT_MIX, type ArtifactMix } from '../../src/artifacts/library.ts';
import { createDeviceGenerator } from '../../src/devices/device-generator.ts';
import { Rng } from '../../src/rng.ts';
import { fakePatient, HOUR, ICU, MIN, problems, run, samples, SEC, statuses, T0, WEARABLE, waves } from './helpers.ts';

/** Every default rate ×10: all fault types show up in a few device-days. */
const BOOSTED: ArtifactMix = Object.fromEntries(
  Object.entries(DEFAULT_ARTIFACT_MIX).map(([type, rates]) => [type, Object.fromEntries(Object.entries(rates).map(([k, r]) => [k, r * 10]))]),
);

describe('device generator: stream shape', () => {
  it('ICU monitor: startup status first, 1 Hz samples, a status a minute, NIBP every 15 min at the cycle end', () => {
    const { records } = run({ ms: HOUR });
    expect(problems(records)).toEqual([]);
    expect(records[0]).toMatchObject({ channel: 'status', sentAt: T0, message: { state: 'online', reason: 'startup', t: T0 } });
    const s = samples(records);
    expect(s).toHaveLength(3601);
    expect(s.every((x, i) => x.t === T0 + i * SEC && x.sentAt === x.t && x.seq === i)).toBe(true);
    expect(s.every((x) => ['hr', 'spo2', 'rr', 'abpSys', 'abpDia', 'abpMean', 'temp'].every((c) => c in x.vitals))).toBe(true);
    const nibp = s.filter((x) => 'nibpSys' in x.vitals);
    expect(nibp.map((x) => (x.t - T0) / MIN)).toEqual([15, 30, 45, 60]);
    expect(nibp.every((x) => 'nibpDia' in x.vitals && 'nibpMean' in x.vitals)).toBe(true);
    const st = statuses(records);
    expect(st.map((x) => (x.t - T0) / MIN)).toEqual(Array.from({ length: 61 }, (_, i) => i));
    expect(st.slice(1).every((x) => x.reason === 'periodic' && x.state === 'online' && x.battery === undefined && x.signal === undefined)).toBe(true);
    expect(waves(records)).toEqual([]); // off by default
  });

  it('wearable: a sample every 5 s with its five channels, status every 60 s with battery and signal', () => {
    const { records } = run({ device: WEARABLE, ms: 2 * HOUR });
    expect(problems(records)).toEqual([]);
    const s = samples(records);
    expect(s).toHaveLength(2 * 720 + 1);
    expect(s.every((x, i) => x.t === T0 + i * 5 * SEC)).toBe(true);
    expect(s.every((x) => Object.keys(x.vitals).sort().join() === 'activity,battery,hr,skinTemp,spo2')).toBe(true);
    const st = statuses(records);
    expect(st[0]!.reason).toBe('startup');
    expect(st).toHaveLength(121);
    expect(st.every((x) => x.battery !== undefined && x.signal! >= -90 && x.signal! <= -50 && Number.isInteger(x.signal))).toBe(true);
    // Battery drains 2–4 %/h (no episode here), and the status carries the same reading as the samples.
    const drop = s[0]!.vitals.battery! - s[s.length - 1]!.vitals.battery!;
    expect(drop).toBeGreaterThanOrEqual(3);
    expect(drop).toBeLessThanOrEqual(9);
    for (const x of st) expect(x.battery).toBe(s.find((y) => y.t === x.t)!.vitals.battery);
  });

  it('honours sampleIntervalMs, nibpIntervalMs and statusIntervalMs', () => {
    const { records } = run({ ms: 10 * MIN, options: { sampleIntervalMs: 2000, nibpIntervalMs: 5 * MIN, statusIntervalMs: 30 * SEC } });
    expect(samples(records)).toHaveLength(301);
    expect(samples(records).filter((x) => 'nibpSys' in x.vitals).map((x) => x.t - T0)).toEqual([5 * MIN, 10 * MIN]);
    expect(statuses(records)).toHaveLength(21);
    expect(() => run({ ms: 1, options: { sampleIntervalMs: 0 } })).toThrow(/sampleIntervalMs/);
  });

  it('returns only what is sent by t, whatever the advance step', () => {
    const a = run({ device: WEARABLE, ms: HOUR, stepMs: 1000, options: { waveforms: true } }).records;
    const b = run({ device: WEARABLE, ms: HOUR, stepMs: 7_777, options: { waveforms: true } }).records.filter((r) => r.sentAt <= T0 + HOUR);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a.filter((r) => r.sentAt <= b[b.length - 1]!.sentAt)));
    const g = createDeviceGenerator({ device: ICU, patient: fakePatient(), rng: new Rng('s'), bootId: 'b', start: T0 });
    expect(g.advance(T0 - 1)).toEqual([]);
    for (let t = T0; t < T0 + 10 * SEC; t += 250) expect(g.advance(t).every((r) => r.sentAt <= t)).toBe(true);
  });
});

describe('device generator: validity under every fault', () => {
  it('every message validates and every value is plausible, with all artifact types at 10× their default rate', () => {
    const span = { start: T0, end: T0 + 24 * HOUR };
    const devices = [ICU, WEARABLE, { ...WEARABLE, deviceId: 'wear-2' }];
    const episodes = assignArtifacts(BOOSTED, devices, new Rng('validity'), span);
    const seen = new Set(episodes.map((e) => e.type));
    expect(seen.size).toBe(10);
    const extreme = () => fakePatient((t) => (((t - T0) / HOUR) % 2 < 1 ? { hr: 190, spo2: 99.8, rr: 45, sbp: 230, dbp: 130, map: 163, temp: 41.5, activity: 2 } : { hr: 32, spo2: 62, rr: 4, sbp: 60, dbp: 30, map: 40, temp: 33 }));
    for (const device of devices) {
      const icu = device.deviceType === 'icu-monitor';
      const { records, generator } = run({ device, patient: extreme(), ms: icu ? HOUR : span.end - span.start, stepMs: 10 * SEC, artifacts: episodes, options: { waveforms: icu } });
      expect(problems(records), device.deviceId).toEqual([]);
      for (const truth of generator.truth()) expect(GroundTruthEvent.omit({ id: true }).safeParse(truth).success, JSON.stringify(truth)).toBe(true);
      expect(generator.truth().every((e) => e.deviceId === device.deviceId)).toBe(true);
    }
  });

  it('keeps each seq unique per message across samples and waveform chunks (no duplicate episode)', () => {
    const { records } = run({ ms: 10 * MIN, options: { waveforms: true } });
    const seqs = records.flatMap((r) => (r.channel === 'status' ? [] : [r.message.seq]));
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
    expect(seqs.length).toBe(601 + 2 * 600);
  });

  it('rejects faults the device type cannot have', () => {
    const lead = { type: 'lead_off' as const, deviceId: WEARABLE.deviceId, onset: T0 + MIN, offset: T0 + 2 * MIN, severity: 'mild' as const, affected: ['hr' as const] };
    expect(() => run({ device: WEARABLE, ms: 1, artifacts: [lead] })).toThrow(/lead_off/);
    const dead = { type: 'device_dead' as const, deviceId: WEARABLE.deviceId, onset: T0 + HOUR, offset: null, severity: 'severe' as const, affected: [] };
    expect(() => run({ device: WEARABLE, ms: 1, artifacts: [dead] })).toThrow(/low_battery/);
    expect(() => assignArtifacts({ wearable: { lead_off: 1 } }, [WEARABLE], new Rng('x'), { start: T0, end: T0 + HOUR })).toThrow(/lead_off/);
  });
});

describe('device generator: determinism and speed', () => {
  it('same seed, same bytes; another seed, other values', () => {
    const episodes = assignArtifacts(BOOSTED, [WEARABLE, ICU], new Rng('det'), { start: T0, end: T0 + 12 * HOUR });
    const a = run({ device: WEARABLE, ms: 12 * HOUR, artifacts: episodes, stepMs: 10 * SEC });
    const b = run({ device: WEARABLE, ms: 12 * HOUR, artifacts: episodes, stepMs: 10 * SEC });
    expect(a.generator.truth().length).toBeGreaterThan(5);
    expect(JSON.stringify(a.records)).toBe(JSON.stringify(b.records));
    expect(JSON.stringify(a.generator.truth())).toBe(JSON.stringify(b.generator.truth()));
    const waveA = run({ ms: 20 * MIN, artifacts: episodes, options: { waveforms: true } }).records;
    const waveB = run({ ms: 20 * MIN, artifacts: episodes, options: { waveforms: true } }).records;
    expect(waves(waveA).length).toBeGreaterThan(0);
    expect(JSON.stringify(waveA)).toBe(JSON.stringify(waveB));
    const c = run({ device: WEARABLE, ms: 12 * HOUR, artifacts: episodes, seed: 'other' });
    expect(JSON.stringify(samples(c.records).map((x) => x.vitals))).not.toBe(JSON.stringify(samples(a.records).map((x) => x.vitals)));
  });

  it('switching waveforms on leaves the numerics unchanged', () => {
    const off = samples(run({ ms: 30 * MIN }).records).map((x) => x.vitals);
    const on = samples(run({ ms: 30 * MIN, options: { waveforms: true } }).records).map((x) => x.vitals);
    expect(on).toEqual(off);
  });

  it('generates 24 h of one ICU monitor at 1 Hz without waveforms in well under a second', () => {
    const g = createDeviceGenerator({ device: ICU, patient: fakePatient(), rng: new Rng('speed'), bootId: 'b', start: T0 });
    const began = performance.now();
    let n = 0;
    for (let t = T0; t <= T0 + 24 * HOUR; t += SEC) n += g.advance(t).length;
    const ms = performance.now() - began;
    expect(n).toBe(86_401 + 1_441);
    expect(ms).toBeLessThan(1000);
  });

  it('validates a sample of its messages against the session schema', () => {
    const { records } = run({ device: WEARABLE, ms: 5 * MIN });
    for (const r of records) expect(() => SessionMessage.parse(r)).not.toThrow();
  });
});
