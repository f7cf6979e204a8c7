/**
 * Each fault's effect is visible in the emitted stream exactly inside its ground-truth [onset, offset), and the
 * stream outside is the very stream the device sends without the fault (same seed).
 */
import { describe, expect, it } from 'vitest';
import type { SessionDevice, VitalCode } from '@vigil/contracts';
import { assignArtifacts, DEFAULT_ARTIFACT_MIX, type ArtifactEpisode, type ArtifactType } from '../../src/artifacts/library.ts';
import { Rng } from '../../src/rng.ts';
import { HOUR, ICU, MIN, problems, run, samples, SEC, statuses, T0, WEARABLE, waves, type RunOptions } from '../devices/helpers.ts';

function episode(type: ArtifactType, device: SessionDevice, onsetMin: number, offsetMin: number | null, more: Partial<ArtifactEpisode> = {}): ArtifactEpisode {
  const affected: VitalCode[] = type === 'probe_off' ? (device.deviceType === 'wearable' ? ['hr', 'spo2'] : ['spo2']) : type === 'lead_off' ? ['hr', 'rr'] : ['hr'];
  return { type, deviceId: device.deviceId, onset: T0 + onsetMin * MIN, offset: offsetMin === null ? null : T0 + offsetMin * MIN, severity: 'moderate', affected, ...more };
}

/** The run with the episode and the same run without it. */
function pair(o: RunOptions & { artifacts: ArtifactEpisode[] }) {
  const withFault = run(o);
  const without = run({ ...o, artifacts: [] });
  expect(problems(withFault.records)).toEqual([]);
  return { ...withFault, baseline: without.records };
}

const inside = (t: number, e: ArtifactEpisode) => t >= e.onset && (e.offset === null || t < e.offset);
const byT = <T extends { sentAt: number }>(xs: T[]) => new Map(xs.map((x) => [x.sentAt, x]));

describe('signal artifacts', () => {
  it('probe off (ICU): SpO2 absent and flagged probe_off only inside; pleth chunks missing only inside', () => {
    const e = episode('probe_off', ICU, 5, 10);
    const { records, baseline, generator } = pair({ ms: 15 * MIN, artifacts: [e], options: { waveforms: true } });
    const base = byT(samples(baseline));
    const s = samples(records);
    expect(s).toHaveLength(901);
    for (const x of s) {
      const b = base.get(x.sentAt)!;
      if (inside(x.sentAt, e)) {
        expect(x.vitals.spo2).toBeUndefined();
        expect(x.flags).toEqual({ spo2: 'probe_off' });
        expect({ ...x.vitals }).toEqual(Object.fromEntries(Object.entries(b.vitals).filter(([k]) => k !== 'spo2')));
      } else {
        expect(x.flags).toBeUndefined();
        expect(x.vitals).toEqual(b.vitals);
      }
    }
    const pleth = waves(records).filter((c) => c.kind === 'pleth');
    expect(pleth.filter((c) => inside(c.t, e))).toEqual([]);
    expect(pleth).toHaveLength(900 - 5 * 60);
    expect(waves(records).filter((c) => c.kind === 'ecg')).toHaveLength(900);
    expect(generator.truth()).toEqual([{ category: 'artifact', type: 'probe_off', patientId: 'p-1', bedId: 'b-1', deviceId: ICU.deviceId, onset: e.onset, offset: e.offset, severity: 'moderate', affected: ['spo2'] }]);
  });

  it('probe off (wearable): optical HR and SpO2 both absent inside', () => {
    const e = episode('probe_off', WEARABLE, 10, 12);
    const s = samples(pair({ device: WEARABLE, ms: 20 * MIN, artifacts: [e] }).records);
    for (const x of s) {
      expect('hr' in x.vitals || 'spo2' in x.vitals).toBe(!inside(x.t, e));
      expect(x.flags !== undefined).toBe(inside(x.t, e));
    }
    expect(s.filter((x) => x.flags?.hr === 'probe_off' && x.flags.spo2 === 'probe_off')).toHaveLength(24);
  });

  it('lead off (ICU): HR and impedance RR absent and flagged lead_off only inside; ECG chunks missing only inside', () => {
    const e = episode('lead_off', ICU, 5, 7);
    const { records, baseline } = pair({ ms: 10 * MIN, artifacts: [e], options: { waveforms: true } });
    const base = byT(samples(baseline));
    for (const x of samples(records)) {
      const isIn = inside(x.sentAt, e);
      expect(x.flags, `t=${x.t - T0}`).toEqual(isIn ? { hr: 'lead_off', rr: 'lead_off' } : undefined);
      expect('hr' in x.vitals || 'rr' in x.vitals).toBe(!isIn);
      expect(x.vitals.abpSys).toBe(base.get(x.sentAt)!.vitals.abpSys);
    }
    const ecg = waves(records).filter((c) => c.kind === 'ecg');
    expect(ecg.map((c) => c.t).filter((t) => inside(t, e))).toEqual([]);
    expect(ecg).toHaveLength(600 - 120);
    expect(waves(records).filter((c) => c.kind === 'pleth')).toHaveLength(600);
  });

  it('motion (wearable): flagged spikes in HR and SpO2 and raised activity only inside', () => {
    const e = episode('motion_artifact', WEARABLE, 10, 15, { severity: 'severe', affected: ['hr', 'spo2', 'activity'] });
    const { records, baseline } = pair({ device: WEARABLE, ms: 30 * MIN, artifacts: [e] });
    const base = byT(samples(baseline));
    let spikes = 0;
    const inSamples = samples(records).filter((x) => inside(x.t, e));
    for (const x of samples(records)) {
      const b = base.get(x.sentAt)!;
      if (!inside(x.t, e)) {
        expect(x.flags).toBeUndefined();
        expect(x.vitals).toEqual(b.vitals);
        expect(x.vitals.activity!).toBeLessThan(0.15);
        continue;
      }
      expect(x.flags).toEqual({ hr: 'motion', spo2: 'motion' });
      expect(x.vitals.activity!).toBeGreaterThan(0.2);
      if (Math.abs(x.vitals.hr! - b.vitals.hr!) >= 8 || b.vitals.spo2! - x.vitals.spo2! >= 2) spikes++;
      expect(x.vitals.skinTemp).toBe(b.vitals.skinTemp);
    }
    expect(inSamples).toHaveLength(60);
    expect(spikes).toBeGreaterThan(0.5 * inSamples.length);
  });

  it('stuck sensor: the last value repeated exactly, unflagged, only inside', () => {
    const e = episode('stuck_sensor', ICU, 10, 20);
    const { records, baseline } = pair({ ms: 30 * MIN, artifacts: [e] });
    const s = samples(records);
    const before = s.filter((x) => x.t < e.onset).at(-1)!.vitals.hr;
    const longestRun = (xs: number[]) => xs.reduce((acc, x, i) => ((acc.cur = i > 0 && x === xs[i - 1] ? acc.cur + 1 : 1), (acc.max = Math.max(acc.max, acc.cur)), acc), { cur: 0, max: 0 }).max;
    const base = byT(samples(baseline));
    for (const x of s) {
      expect(x.flags).toBeUndefined();
      if (inside(x.t, e)) expect(x.vitals.hr).toBe(before);
      else expect(x.vitals).toEqual(base.get(x.sentAt)!.vitals);
      expect(x.vitals.spo2).toBe(base.get(x.sentAt)!.vitals.spo2);
    }
    expect(longestRun(s.map((x) => x.vitals.hr!))).toBeGreaterThanOrEqual(601);
    expect(longestRun(samples(baseline).map((x) => x.vitals.hr!))).toBeLessThan(15);
  });

  it('stuck arterial line: all three pressures frozen together', () => {
    const e = episode('stuck_sensor', ICU, 2, 4, { affected: ['abpSys', 'abpDia', 'abpMean'] });
    const s = samples(pair({ ms: 6 * MIN, artifacts: [e] }).records).filter((x) => inside(x.t, e));
    for (const code of ['abpSys', 'abpDia', 'abpMean'] as const) expect(new Set(s.map((x) => x.vitals[code])).size).toBe(1);
    expect(new Set(s.map((x) => x.vitals.hr)).size).toBeGreaterThan(1);
  });
});

describe('technical faults', () => {
  it('clock skew: t − sentAt is the offset (plus drift) only inside, on samples and statuses', () => {
    const fixed = episode('clock_skew', ICU, 10, 20, { skewMs: 90_000, driftPpm: 0 });
    const { records } = pair({ ms: 30 * MIN, artifacts: [fixed] });
    for (const x of [...samples(records), ...statuses(records)]) expect(x.t - x.sentAt, `sentAt=${x.sentAt - T0}`).toBe(inside(x.sentAt, fixed) ? 90_000 : 0);
    const drift = episode('clock_skew', WEARABLE, 10, 80, { skewMs: -30_000, driftPpm: 200 });
    const w = pair({ device: WEARABLE, ms: 90 * MIN, artifacts: [drift] }).records;
    for (const x of samples(w)) expect(x.t - x.sentAt).toBe(inside(x.sentAt, drift) ? -30_000 + Math.round(200e-6 * (x.sentAt - drift.onset)) : 0);
    // The last sample inside, 70 min − 5 s after onset, at 200 ppm: +0.839 s.
    expect(Math.max(...samples(w).filter((x) => inside(x.sentAt, drift)).map((x) => x.t - x.sentAt))).toBe(-30_000 + 839);
  });

  it('duplicate sends: the same sample (same seq) twice, the second repeatDelayMs later, only inside', () => {
    const e = episode('duplicate_sends', ICU, 10, 10.5, { repeatDelayMs: 800 });
    const { records, baseline } = pair({ ms: 20 * MIN, artifacts: [e] });
    const s = samples(records);
    expect(s.length - samples(baseline).length).toBe(30);
    const first = new Map<number, (typeof s)[number]>();
    for (const x of s) {
      const seen = first.get(x.seq);
      if (!seen) {
        first.set(x.seq, x);
        continue;
      }
      expect(inside(seen.sentAt, e)).toBe(true);
      expect(x.sentAt - seen.sentAt).toBe(800);
      expect(JSON.stringify({ ...x, sentAt: 0 })).toBe(JSON.stringify({ ...seen, sentAt: 0 }));
    }
    const repeated = s.filter((x) => s.filter((y) => y.seq === x.seq).length > 1).map((x) => x.seq);
    expect(new Set(repeated).size).toBe(30);
  });

  it('radio drop-out: nothing on the wire inside; afterwards the newest bufferLimit messages, late, the oldest lost', () => {
    const e = episode('radio_dropout', WEARABLE, 10, 30);
    const { records, baseline } = pair({ device: WEARABLE, ms: 40 * MIN, artifacts: [e], options: { bufferLimit: 100, flushSpacingMs: 2 } });
    expect(records.filter((r) => inside(r.sentAt, e))).toEqual([]);
    const late = [...samples(records), ...statuses(records)].filter((x) => x.sentAt - x.t > 1000);
    expect(late).toHaveLength(100);
    expect(late.every((x) => inside(x.t, e) && x.sentAt >= e.offset! && x.sentAt - x.t > 0)).toBe(true);
    expect(Math.min(...late.map((x) => x.sentAt))).toBe(e.offset);
    // 20 min held: 240 samples + 20 statuses generated; the newest 100 delivered, in their original order.
    const key = (r: (typeof records)[number]) => `${r.channel}@${r.message.t}`;
    const generated = baseline.filter((r) => inside(r.message.t, e)).map(key);
    expect(generated).toHaveLength(260);
    expect(records.filter((r) => inside(r.message.t, e)).map(key)).toEqual(generated.slice(-100));
    // The lost ones leave a gap in seq.
    const seqs = samples(records).map((x) => x.seq);
    const gaps = seqs.slice(1).map((q, i) => q - seqs[i]!).filter((d) => d > 1);
    const lostSamples = samples(baseline).filter((x) => inside(x.t, e)).length - samples(records).filter((x) => inside(x.t, e)).length;
    expect(gaps).toEqual([lostSamples + 1]);
    // The radio sends in order: what is measured at the reconnect leaves with the burst's last message (99 × 2 ms).
    const after = samples(records).filter((x) => !inside(x.t, e));
    expect(after.filter((x) => x.sentAt !== x.t).map((x) => [x.t - e.offset!, x.sentAt - x.t])).toEqual([[0, 198]]);
  });

  it('radio drop-out on an ICU monitor: numerics buffered, waveform chunks (QoS 0) dropped', () => {
    const e = episode('radio_dropout', ICU, 2, 3);
    const { records } = pair({ ms: 5 * MIN, artifacts: [e], options: { waveforms: true } });
    expect(waves(records).filter((c) => c.sentAt >= e.onset && c.sentAt < e.offset!)).toEqual([]);
    expect(waves(records)).toHaveLength(2 * (300 - 60));
    expect(samples(records).filter((x) => inside(x.t, e)).every((x) => x.sentAt >= e.offset!)).toBe(true);
    expect(samples(records)).toHaveLength(301);
  });

  it('device removed: no messages at all inside, then the stream resumes with the next seq', () => {
    const e = episode('device_removed', WEARABLE, 10, 40);
    const { records } = pair({ device: WEARABLE, ms: HOUR, artifacts: [e] });
    expect(records.filter((r) => inside(r.sentAt, e) || inside(r.message.t, e))).toEqual([]);
    const s = samples(records);
    expect(s.map((x) => x.seq)).toEqual(s.map((_, i) => i));
    expect(s.find((x) => x.t >= e.offset!)!.t).toBe(e.offset);
    expect(statuses(records).filter((x) => x.t >= e.offset!).length).toBe(21);
  });

  it('low battery and a dying device: battery < 20 % exactly inside, a final offline status at death, then silence', () => {
    const low = episode('low_battery', WEARABLE, 120, 480, { affected: ['battery'], severity: 'severe' });
    const dead = episode('device_dead', WEARABLE, 480, null, { affected: ['hr', 'spo2', 'skinTemp', 'activity', 'battery'], severity: 'severe' });
    const { records, generator } = pair({ device: WEARABLE, ms: 10 * HOUR, stepMs: 10 * SEC, artifacts: [low, dead] });
    for (const x of samples(records)) expect(x.vitals.battery! < 20, `t=${(x.t - T0) / MIN} min battery=${x.vitals.battery}`).toBe(inside(x.t, low));
    for (const x of statuses(records).slice(0, -1)) expect(x.battery! < 20).toBe(inside(x.t, low));
    const final = records[records.length - 1]!;
    expect(final).toMatchObject({ channel: 'status', sentAt: dead.onset, message: { state: 'offline', reason: 'connection_lost' } });
    expect(records.filter((r) => r.sentAt > dead.onset)).toEqual([]);
    expect(generator.advance(T0 + 48 * HOUR)).toEqual([]);
    expect(samples(records).at(-1)!.vitals.battery).toBeLessThanOrEqual(1);
    expect(generator.truth().map((t) => [t.type, t.category, t.offset])).toEqual([['low_battery', 'technical', dead.onset], ['device_dead', 'technical', null]]);
  });

  it('low battery ending with a recharge: < 20 % inside, full right after', () => {
    const low = episode('low_battery', WEARABLE, 180, 240, { affected: ['battery'] });
    const s = samples(pair({ device: WEARABLE, ms: 5 * HOUR, stepMs: 10 * SEC, artifacts: [low] }).records);
    for (const x of s) expect(x.vitals.battery! < 20).toBe(inside(x.t, low));
    expect(s.find((x) => x.t === low.offset)!.vitals.battery).toBeGreaterThanOrEqual(99);
  });
});

describe('faults assigned at random', () => {
  it('device flags and clock offsets appear only inside the ground truth of their type', () => {
    const span = { start: T0, end: T0 + 24 * HOUR };
    const rates = { probe_off: 20, lead_off: 20, clock_skew: 2, motion_artifact: 20 };
    const episodes = assignArtifacts({ 'icu-monitor': rates }, [ICU], new Rng('random'), span);
    const { records, generator } = run({ ms: 24 * HOUR, stepMs: 60 * SEC, artifacts: episodes });
    const truth = generator.truth();
    const within = (type: string, t: number) => truth.some((e) => e.type === type && t >= e.onset && (e.offset === null || t < e.offset));
    let flagged = 0;
    const wrong: string[] = [];
    for (const x of samples(records)) {
      const flags = x.flags ?? {};
      const at = `${(x.sentAt - T0) / SEC} s`;
      if ((flags.spo2 === 'probe_off') !== within('probe_off', x.sentAt)) wrong.push(`probe_off ${at}`);
      if ((flags.hr === 'lead_off') !== within('lead_off', x.sentAt)) wrong.push(`lead_off ${at}`);
      if ((flags.spo2 === 'motion') !== (within('motion_artifact', x.sentAt) && !within('probe_off', x.sentAt))) wrong.push(`motion ${at}`);
      if ((x.t !== x.sentAt) !== within('clock_skew', x.sentAt)) wrong.push(`clock ${at}`);
      if (x.flags) flagged++;
    }
    expect(wrong).toEqual([]);
    expect(flagged).toBeGreaterThan(1000);
    expect(DEFAULT_ARTIFACT_MIX.wearable.radio_dropout).toBeGreaterThan(0);
  });
});
