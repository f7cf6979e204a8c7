import { describe, expect, it } from 'vitest';
import { UplinkWindow } from '@vigil/contracts';
import { NumericWindows } from '../src/numeric-windows.ts';

const T0 = 1_760_000_000_000; // a multiple of 1000 (and of 5000)
const P1 = { patientId: 'pt-1', bedId: 'bed-1' };
const P2 = { patientId: 'pt-2', bedId: 'bed-2' };
const good = { hr: 'good', spo2: 'good' } as const;

function valid(windows: readonly UplinkWindow[]): readonly UplinkWindow[] {
  for (const w of windows) UplinkWindow.parse(w);
  return windows;
}

describe('NumericWindows', () => {
  it('computes exact stats per vital over an aligned window, emitted once the watermark passes its end', () => {
    const nw = new NumericWindows({ windowMs: 1000, outOfOrderMs: 2000 });
    expect(nw.add(P1, T0 + 100, { hr: 80, spo2: 97 }, good)).toEqual([]);
    expect(nw.add(P1, T0 + 400, { hr: 90 }, { hr: 'artifact' })).toEqual([]);
    expect(nw.add(P1, T0 + 900, { hr: 70, spo2: 99 }, { hr: 'good', spo2: 'questionable' })).toEqual([]);
    // Watermark = newest − 2 s: T0 + 2999 − 2000 < T0 + 1000, not yet.
    expect(nw.add(P1, T0 + 2999, { hr: 75 }, good)).toEqual([]);
    const out = valid(nw.add(P1, T0 + 3000, { hr: 76 }, good));
    expect(out).toEqual([
      {
        type: 'window', patientId: 'pt-1', bedId: 'bed-1', start: T0, end: T0 + 1000, late: false, addendum: false,
        vitals: {
          hr: { mean: 80, min: 70, max: 90, last: 70, count: 3, goodShare: 2 / 3 },
          spo2: { mean: 98, min: 97, max: 99, last: 99, count: 2, goodShare: 0.5 },
        },
      },
    ]);
  });

  it('aligns windows to multiples of the size since the epoch, for other sizes too', () => {
    const nw = new NumericWindows({ windowMs: 5000, outOfOrderMs: 0 });
    nw.add(P1, T0 + 3000, { hr: 60 }, good);
    nw.add(P1, T0 + 4999, { hr: 62 }, good);
    const [w] = valid(nw.add(P1, T0 + 5000, { hr: 64 }, good));
    expect(w).toMatchObject({ start: T0, end: T0 + 5000 });
    expect(w!.vitals.hr).toEqual({ mean: 61, min: 60, max: 62, last: 62, count: 2, goodShare: 1 });
    const [w2] = valid(nw.flush());
    expect(w2).toMatchObject({ start: T0 + 5000, end: T0 + 10_000 });
  });

  it('merges out-of-order samples within the tolerance into the right window', () => {
    const nw = new NumericWindows({ outOfOrderMs: 2000 });
    nw.add(P1, T0 + 2500, { hr: 100 }, good);
    nw.add(P1, T0 + 500, { hr: 80 }, good); // 2 s behind the newest: still on time
    nw.add(P1, T0 + 1500, { hr: 90 }, good);
    const out = valid(nw.add(P1, T0 + 4000, { hr: 110 }, good));
    expect(out.map((w) => [w.start - T0, w.vitals.hr!.mean, w.late])).toEqual([[0, 80, false], [1000, 90, false]]);
    const rest = valid(nw.flush());
    expect(rest.map((w) => [w.start - T0, w.vitals.hr!.mean])).toEqual([[2000, 100], [4000, 110]]);
  });

  it('"last" is the value with the latest event time, not the latest arrival', () => {
    const nw = new NumericWindows();
    nw.add(P1, T0 + 800, { hr: 88 }, good);
    nw.add(P1, T0 + 200, { hr: 82 }, good);
    const [w] = nw.flush();
    expect(w!.vitals.hr!.last).toBe(88);
  });

  it('never merges a late sample into an emitted window: it goes into a late window on the next advance', () => {
    const nw = new NumericWindows({ outOfOrderMs: 1000 });
    nw.add(P1, T0 + 100, { hr: 80 }, good);
    const first = valid(nw.add(P1, T0 + 2000, { hr: 81 }, good));
    expect(first).toHaveLength(1);
    expect(first[0]!.vitals.hr!.count).toBe(1);
    // Window [T0, T0 + 1000) is closed: this sample is late.
    expect(nw.add(P1, T0 + 300, { hr: 70 }, good)).toEqual([]);
    expect(nw.add(P1, T0 + 400, { hr: 60 }, { hr: 'sensor_off' })).toEqual([]);
    expect(nw.stats().lateSamples).toBe(2);
    const late = valid(nw.advance(1_000));
    expect(late).toEqual([
      { type: 'window', patientId: 'pt-1', bedId: 'bed-1', start: T0, end: T0 + 1000, late: true, addendum: true, vitals: { hr: { mean: 65, min: 60, max: 70, last: 60, count: 2, goodShare: 0.5 } } },
    ]);
    expect(nw.advance(2_000)).toEqual([]); // emitted once
  });

  it('a closed empty window counts as closed: a sample for it is late, and on-time windows stay in order', () => {
    const nw = new NumericWindows({ outOfOrderMs: 2000 });
    nw.add(P1, T0 + 500, { hr: 80 }, good);
    nw.add(P1, T0 + 5500, { hr: 90 }, good); // jumps the horizon to T0 + 3000
    expect(nw.stats().windows).toBe(1);
    nw.add(P1, T0 + 2500, { hr: 70 }, good); // window [T0+2000, T0+3000) closed though empty
    const out = valid(nw.flush());
    expect(out.map((w) => [w.start - T0, w.late])).toEqual([[5000, false], [2000, true]]);
  });

  it('emits the oldest late window early when a patient holds too many', () => {
    const nw = new NumericWindows({ outOfOrderMs: 0, maxLateWindows: 2 });
    nw.add(P1, T0 + 10_000, { hr: 80 }, good);
    expect(nw.add(P1, T0 + 1000, { hr: 1 }, good)).toEqual([]);
    expect(nw.add(P1, T0 + 2000, { hr: 2 }, good)).toEqual([]);
    const early = valid(nw.add(P1, T0 + 3000, { hr: 3 }, good));
    expect(early.map((w) => [w.start - T0, w.late])).toEqual([[1000, true]]);
    expect(valid(nw.flush()).map((w) => [w.start - T0, w.late])).toEqual([[10_000, false], [2000, true], [3000, true]]);
  });

  it('merges a patient\u2019s devices (ICU monitor and wearable) into one window, and keeps patients apart', () => {
    const nw = new NumericWindows();
    nw.add(P1, T0 + 0, { hr: 80, spo2: 96 }, good); // monitor
    nw.add(P1, T0 + 10, { hr: 84, activity: 0.2 }, { hr: 'good', activity: 'good' }); // wearable
    nw.add(P2, T0 + 0, { hr: 60 }, good);
    const out = valid(nw.flush());
    expect(out).toHaveLength(2);
    const w1 = out.find((w) => w.patientId === 'pt-1')!;
    expect(w1.vitals).toEqual({
      hr: { mean: 82, min: 80, max: 84, last: 84, count: 2, goodShare: 1 },
      spo2: { mean: 96, min: 96, max: 96, last: 96, count: 1, goodShare: 1 },
      activity: { mean: 0.2, min: 0.2, max: 0.2, last: 0.2, count: 1, goodShare: 1 },
    });
    expect(out.find((w) => w.patientId === 'pt-2')!.vitals).toEqual({ hr: { mean: 60, min: 60, max: 60, last: 60, count: 1, goodShare: 1 } });
  });

  it('watermarks are per patient: one patient\u2019s stream does not close another\u2019s windows', () => {
    const nw = new NumericWindows();
    nw.add(P1, T0, { hr: 80 }, good);
    expect(nw.add(P2, T0 + 60_000, { hr: 60 }, good)).toEqual([]);
    expect(nw.add(P1, T0 + 500, { hr: 82 }, good)).toEqual([]);
  });

  it('idle-flushes a patient whose devices went quiet for longer than window + out-of-orderness (wall time)', () => {
    const nw = new NumericWindows({ windowMs: 1000, outOfOrderMs: 2000 });
    nw.add(P1, T0 + 100, { hr: 80 }, good);
    nw.add(P1, T0 + 1100, { hr: 81 }, good);
    expect(nw.advance(50_000)).toEqual([]); // active since the last tick
    expect(nw.advance(52_000)).toEqual([]); // quiet 2 s: not yet
    const out = valid(nw.advance(53_001));
    expect(out.map((w) => [w.start - T0, w.late])).toEqual([[0, false], [1000, false]]);
    expect(nw.stats().idleFlushes).toBe(1);
    // The device's backlog arrives afterwards: late, not merged.
    nw.add(P1, T0 + 1500, { hr: 82 }, good);
    expect(valid(nw.advance(53_500)).map((w) => [w.start - T0, w.late])).toEqual([[1000, true]]);
  });

  it('flush(upTo) emits only windows ending by upTo', () => {
    const nw = new NumericWindows();
    nw.add(P1, T0 + 100, { hr: 80 }, good);
    nw.add(P1, T0 + 1100, { hr: 81 }, good);
    expect(valid(nw.flush(T0 + 1000)).map((w) => w.start - T0)).toEqual([0]);
    expect(valid(nw.flush()).map((w) => w.start - T0)).toEqual([1000]);
  });

  it('ignores non-finite values and unknown codes, and emits no window without a value', () => {
    const nw = new NumericWindows();
    nw.add(P1, T0, { hr: Number.NaN, bogus: 3 } as never, {});
    expect(nw.flush()).toEqual([]);
  });

  it('holds a bounded number of open windows per patient', () => {
    const nw = new NumericWindows({ windowMs: 1000, outOfOrderMs: 2000 });
    let emitted = 0;
    for (let t = 0; t < 100_000; t += 250) emitted += nw.add(P1, T0 + t, { hr: 60 + (t % 7) }, good).length;
    const internal = (nw as unknown as { patients: Map<string, { open: unknown[] }> }).patients.get('pt-1')!;
    expect(internal.open.length).toBeLessThanOrEqual(4);
    expect(emitted + nw.flush().length).toBe(100);
  });

  it('keeps up with thousands of samples per second (a smoke check, not a benchmark)', () => {
    const nw = new NumericWindows();
    const patients = Array.from({ length: 100 }, (_, i) => ({ patientId: `pt-${i}`, bedId: `bed-${i}` }));
    const vitals = { hr: 80, spo2: 97, rr: 15, abpSys: 120, abpDia: 80, abpMean: 93 };
    const q = { hr: 'good', spo2: 'good', rr: 'good', abpSys: 'good', abpDia: 'good', abpMean: 'good' } as const;
    const started = performance.now();
    let out = 0;
    for (let s = 0; s < 600; s++) for (const p of patients) out += nw.add(p, T0 + s * 1000, vitals, q).length;
    expect(out).toBe(100 * 597);
    expect(performance.now() - started).toBeLessThan(5000); // 60,000 samples; typically ~50 ms
  });
});
