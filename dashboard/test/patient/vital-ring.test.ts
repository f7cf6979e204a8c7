import { describe, expect, it } from 'vitest';
import { REORDER_REACH, VitalRing } from '../../app/patient/[patientId]/vital-ring.ts';

describe('VitalRing', () => {
  it('keeps rows in time order with one column per vital, undefined where a row did not measure it', () => {
    const ring = new VitalRing(10);
    ring.push(1000, { hr: 70, spo2: 97 });
    ring.push(2000, { hr: 71 });
    ring.push(3000, { spo2: 96 });
    expect(ring.rows(['hr', 'spo2'])).toEqual({ t: [1000, 2000, 3000], values: [[70, 71, undefined], [97, undefined, 96]] });
    // Rows without any of the asked vitals are skipped.
    expect(ring.rows(['hr'])).toEqual({ t: [1000, 2000], values: [[70, 71]] });
    expect(ring.rows(['rr'])).toEqual({ t: [], values: [[]] });
  });

  it('is bounded: the oldest rows give way, and a reused slot does not leak an old value', () => {
    const ring = new VitalRing(3);
    ring.push(1, { hr: 1, rr: 10 });
    ring.push(2, { hr: 2 });
    ring.push(3, { hr: 3 });
    ring.push(4, { hr: 4 }); // reuses the slot of t=1, which had an rr
    expect(ring.size).toBe(3);
    expect(ring.oldestT).toBe(2);
    expect(ring.newestT).toBe(4);
    expect(ring.rows(['hr', 'rr'])).toEqual({ t: [2, 3, 4], values: [[2, 3, 4], [undefined, undefined, undefined]] });
    for (let t = 5; t < 1005; t++) ring.push(t, { hr: t });
    expect(ring.size).toBe(3);
    expect(ring.rows(['hr']).t).toEqual([1002, 1003, 1004]);
  });

  it('merges two devices\u2019 samples of the same instant into one row', () => {
    const ring = new VitalRing(5);
    ring.push(1000, { hr: 70 });
    ring.push(1000, { skinTemp: 33.1 });
    expect(ring.size).toBe(1);
    expect(ring.rows(['hr', 'skinTemp'])).toEqual({ t: [1000], values: [[70], [33.1]] });
  });

  it('inserts a slightly late sample in order, and drops one beyond its reach', () => {
    const ring = new VitalRing(100);
    for (let t = 0; t < 50; t++) ring.push(t * 1000, { hr: t });
    expect(ring.push(45_500, { hr: -1 })).toBe(true);
    const rows = ring.rows(['hr'], 44_000);
    expect(rows.t).toEqual([44_000, 45_000, 45_500, 46_000, 47_000, 48_000, 49_000]);
    expect(rows.values[0]).toEqual([44, 45, -1, 46, 47, 48, 49]);
    // Further back than REORDER_REACH rows: left to the history API, and counted.
    expect(ring.push((50 - REORDER_REACH - 2) * 1000 + 500, { hr: -2 })).toBe(false);
    expect(ring.dropped).toBe(1);
    expect(ring.size).toBe(51);
  });

  it('inserts a late sample into a full ring without breaking the order', () => {
    const ring = new VitalRing(4);
    for (const t of [10, 20, 30, 40]) ring.push(t, { hr: t });
    ring.push(35, { hr: 35 });
    expect(ring.rows(['hr']).t).toEqual([20, 30, 35, 40]);
    // Older than everything kept in a full ring: dropped rather than evicted at once.
    expect(ring.push(5, { hr: 5 })).toBe(false);
    expect(ring.rows(['hr']).t).toEqual([20, 30, 35, 40]);
  });

  it('finds the rows from a time with a binary search across the wrap-around', () => {
    const ring = new VitalRing(8);
    for (let t = 1; t <= 13; t++) ring.push(t, { hr: t });
    expect(ring.rows(['hr'], 9.5).t).toEqual([10, 11, 12, 13]);
    expect(ring.rows(['hr'], 0).t).toEqual([6, 7, 8, 9, 10, 11, 12, 13]);
    expect(ring.rows(['hr'], 14).t).toEqual([]);
  });

  it('ignores non-finite times and values, and refuses a useless capacity', () => {
    const ring = new VitalRing(4);
    expect(ring.push(Number.NaN, { hr: 1 })).toBe(false);
    ring.push(1, { hr: Number.NaN, spo2: 98 });
    expect(ring.rows(['hr', 'spo2'])).toEqual({ t: [1], values: [[undefined], [98]] });
    expect(() => new VitalRing(1)).toThrow(/capacity/);
  });
});
