import { describe, expect, it } from 'vitest';
import { UplinkWaveSummary, WaveformChunk } from '@vigil/contracts';
import { WaveformSummarizer, type DevicePlacement } from '../src/waveform-summary.ts';

const T0 = 1_760_000_000_000;
const MON: DevicePlacement = { patientId: 'pt-1', bedId: 'bed-1', deviceId: 'mon-1', deviceType: 'icu-monitor' };
let seq = 0;

function chunk(kind: 'ecg' | 'pleth', t: number, values: number[], bootId = 'boot-1'): WaveformChunk {
  return WaveformChunk.parse({ v: 1, deviceId: MON.deviceId, bootId, seq: seq++, t, kind, hz: kind === 'ecg' ? 250 : 125, values });
}
/** A sine-ish ECG second: values 0, 100, 200, … wrapping, range 0..1200. */
const ramp = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ((from + i) % 13) * 100);
const valid = (xs: readonly UplinkWaveSummary[]) => {
  for (const x of xs) UplinkWaveSummary.parse(x);
  return xs;
};

describe('WaveformSummarizer', () => {
  it('summarises an aligned 1 s ECG chunk exactly, as soon as the window is complete', () => {
    const ws = new WaveformSummarizer();
    const values = ramp(250);
    const out = valid(ws.add(MON, chunk('ecg', T0, values)));
    const sum = values.reduce((a, b) => a + b, 0);
    expect(out).toEqual([
      {
        type: 'wave_summary', patientId: 'pt-1', bedId: 'bed-1', deviceId: 'mon-1', deviceType: 'icu-monitor', bootId: 'boot-1',
        kind: 'ecg', start: T0, end: T0 + 1000, hz: 250, count: 250, expected: 250, min: 0, max: 1200,
        mean: Math.round((sum / 250) * 10) / 10, flat: false,
      },
    ]);
  });

  it('splits a chunk straddling a window boundary by its values\u2019 timestamps', () => {
    const ws = new WaveformSummarizer();
    // Pleth 125 Hz = 8 ms per value; starts 400 ms into the second: 75 values before the boundary, 50 after.
    const values = Array.from({ length: 125 }, (_, i) => (i < 75 ? 1000 + i : 3000 + i));
    const first = valid(ws.add(MON, chunk('pleth', T0 + 400, values)));
    expect(first).toHaveLength(1);
    // The stream started mid-window: expected is pro-rated to the covered part (75 slots).
    expect(first[0]).toMatchObject({ start: T0, count: 75, expected: 75, min: 1000, max: 1074 });
    const next = valid(ws.add(MON, chunk('pleth', T0 + 1400, Array.from({ length: 125 }, () => 2000))));
    expect(next).toHaveLength(1);
    expect(next[0]).toMatchObject({ start: T0 + 1000, count: 125, expected: 125, min: 2000, max: 3124 });
    const rest = valid(ws.flush());
    // Pro-rated at the end too: the values reach T0 + 2392, so 50 slots of [T0 + 2000, T0 + 3000).
    expect(rest[0]).toMatchObject({ start: T0 + 2000, count: 50, expected: 50, min: 2000, max: 2000, flat: true });
  });

  it('a boundary that falls between two values at a fractional time lands each value in the right window', () => {
    const ws = new WaveformSummarizer({ windowMs: 1000 });
    // 250 Hz from T0 + 3 ms: value i at T0 + 3 + 4i; values 0..249 before T0 + 1000 (i = 249 at 999 ms).
    const out = valid(ws.add(MON, chunk('ecg', T0 + 3, ramp(251))));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ count: 250, start: T0 });
  });

  it('makes drop-outs visible: missing values lower count against expected, lost chunks give count-0 windows', () => {
    const ws = new WaveformSummarizer();
    valid(ws.add(MON, chunk('ecg', T0, ramp(250))));
    // Half a second missing at the start of the next window.
    const half = valid(ws.add(MON, chunk('ecg', T0 + 1500, ramp(125))));
    expect(half[0]).toMatchObject({ start: T0 + 1000, count: 125, expected: 250 });
    // Two whole chunks lost (windows T0+2000 and T0+3000), then data again.
    const after = valid(ws.add(MON, chunk('ecg', T0 + 4000, ramp(250))));
    expect(after.map((s) => [s.start - T0, s.count, s.expected])).toEqual([[2000, 0, 250], [3000, 0, 250], [4000, 250, 250]]);
    expect(after[0]).toMatchObject({ min: null, max: null, mean: null, flat: false });
  });

  it('a silence longer than maxGapWindows starts a new stream instead of reporting every empty second', () => {
    const ws = new WaveformSummarizer({ maxGapWindows: 5 });
    ws.add(MON, chunk('ecg', T0, ramp(250)));
    const out = valid(ws.add(MON, chunk('ecg', T0 + 60_000, ramp(250))));
    expect(out.map((s) => s.start - T0)).toEqual([60_000]);
  });

  it('flags a flat line (lead off) per kind threshold, and not a real signal', () => {
    const ws = new WaveformSummarizer();
    const noisyFlat = Array.from({ length: 250 }, (_, i) => 5 + (i % 3) * 10); // 20 µV peak to peak
    expect(valid(ws.add(MON, chunk('ecg', T0, noisyFlat)))[0]!.flat).toBe(true);
    expect(valid(ws.add(MON, chunk('ecg', T0 + 1000, ramp(250))))[0]!.flat).toBe(false);
    const pleth = Array.from({ length: 125 }, (_, i) => 2048 + (i % 2) * 16); // 16 units: at the threshold
    expect(valid(ws.add(MON, chunk('pleth', T0, pleth)))[0]!.flat).toBe(true);
    const pulse = Array.from({ length: 125 }, (_, i) => 1000 + Math.round(600 * Math.sin(i / 10)));
    expect(valid(ws.add(MON, chunk('pleth', T0 + 1000, pulse)))[0]!.flat).toBe(false);
  });

  it('keeps kinds and devices apart, and a new boot closes the old stream', () => {
    const ws = new WaveformSummarizer();
    ws.add(MON, chunk('ecg', T0, ramp(100)));
    ws.add(MON, chunk('pleth', T0, Array.from({ length: 50 }, () => 500)));
    const rebooted = valid(ws.add(MON, chunk('ecg', T0 + 600, ramp(100), 'boot-2')));
    // The old boot's window is closed at its last value; the new boot's runs to the end of the second, so it is
    // complete at once (and pro-rated from its first value).
    expect(rebooted.map((s) => [s.bootId, s.kind, s.start - T0, s.count, s.expected])).toEqual([['boot-1', 'ecg', 0, 100, 100], ['boot-2', 'ecg', 0, 100, 100]]);
    const rest = valid(ws.flush());
    expect(rest.map((s) => [s.bootId, s.kind, s.count, s.expected])).toEqual([['boot-1', 'pleth', 50, 50]]);
  });

  it('counts values for an already emitted window as late and leaves them out', () => {
    const ws = new WaveformSummarizer();
    ws.add(MON, chunk('ecg', T0, ramp(250)));
    ws.add(MON, chunk('ecg', T0 + 1000, ramp(250)));
    expect(ws.add(MON, chunk('ecg', T0 + 500, ramp(250)))).toEqual([]);
    expect(ws.stats().lateValues).toBe(250);
  });

  it('advance() closes the window of a stream gone quiet, pro-rated to its last value', () => {
    const ws = new WaveformSummarizer({ idleGraceMs: 2000 });
    ws.add(MON, chunk('ecg', T0, ramp(250)));
    ws.add(MON, chunk('ecg', T0 + 1000, ramp(100)));
    expect(ws.advance(10_000)).toEqual([]);
    expect(ws.advance(12_000)).toEqual([]);
    const out = valid(ws.advance(13_001));
    expect(out.map((s) => [s.start - T0, s.count, s.expected])).toEqual([[1000, 100, 100]]);
    // The stream resumes later: a new stream, no gap windows invented.
    const resumed = valid(ws.add(MON, chunk('ecg', T0 + 3000, ramp(250))));
    expect(resumed.map((s) => [s.start - T0, s.count, s.expected])).toEqual([[3000, 250, 250]]);
  });

  it('handles a chunk spanning several windows (small windows)', () => {
    const ws = new WaveformSummarizer({ windowMs: 200 });
    const out = valid(ws.add(MON, chunk('ecg', T0, ramp(250))));
    expect(out.map((s) => [s.start - T0, s.count, s.expected])).toEqual([[0, 50, 50], [200, 50, 50], [400, 50, 50], [600, 50, 50], [800, 50, 50]]);
  });
});
