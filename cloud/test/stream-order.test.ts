import { describe, expect, it } from 'vitest';
import { StreamOrder } from '../src/processing/stream-order.ts';

const s = (seq: number, t = 1_000 * seq) => ({ seq, t });
const seqs = (released: Array<{ sample: { seq: number }; outOfOrder: boolean }>) => released.map((r) => (r.outOfOrder ? -r.sample.seq : r.sample.seq));

describe('StreamOrder: per device stream, samples in seq order', () => {
  it('releases an in-order stream at once, one by one', () => {
    const order = new StreamOrder({ lastSeq: null, lastT: null }, 10_000);
    expect(seqs(order.accept(s(0)))).toEqual([0]);
    expect(seqs(order.accept(s(1)))).toEqual([1]);
    expect(seqs(order.accept(s(2)))).toEqual([2]);
    expect(order.position).toEqual({ lastSeq: 2, lastT: 2000 });
  });

  it('holds samples behind a gap and releases them in order when it fills (live lane before backlog)', () => {
    const order = new StreamOrder({ lastSeq: 99, lastT: 99_000 }, 10_000);
    expect(seqs(order.accept(s(103)))).toEqual([]);
    expect(seqs(order.accept(s(101)))).toEqual([]);
    expect(order.pendingCount).toBe(2);
    expect(seqs(order.accept(s(100)))).toEqual([100, 101]);
    expect(seqs(order.accept(s(102)))).toEqual([102, 103]);
    expect(order.gapsSkipped).toBe(0);
  });

  it('gives up a gap once the pending samples are reorderMs of event time past the last released one', () => {
    const order = new StreamOrder({ lastSeq: 9, lastT: 9_000 }, 5_000);
    expect(seqs(order.accept(s(11)))).toEqual([]);
    expect(seqs(order.accept(s(13)))).toEqual([]);
    // 14 is 5 s past seq 9: the gap at 10 is given up; the one at 12 is measured from 11 and still waits.
    expect(seqs(order.accept(s(14)))).toEqual([11]);
    expect(order.gapsSkipped).toBe(1);
    expect(seqs(order.accept(s(16)))).toEqual([13, 14]);
    expect(order.gapsSkipped).toBe(2);
    // The missing sample arriving after its gap was given up is history only.
    expect(seqs(order.accept(s(10)))).toEqual([-10]);
  });

  it('ignores a sample already pending (redelivery) and reports an old one as out of order', () => {
    const order = new StreamOrder({ lastSeq: 5, lastT: 5_000 }, 10_000);
    expect(seqs(order.accept(s(7)))).toEqual([]);
    expect(seqs(order.accept(s(7)))).toEqual([]);
    expect(order.pendingCount).toBe(1);
    expect(seqs(order.accept(s(3)))).toEqual([-3]);
  });

  it('starts a new stream at seq 0, or at its lowest pending seq once reorderMs has passed', () => {
    const fromZero = new StreamOrder({ lastSeq: null, lastT: null }, 3_000);
    expect(seqs(fromZero.accept(s(1)))).toEqual([]);
    expect(seqs(fromZero.accept(s(0)))).toEqual([0, 1]);
    const midway = new StreamOrder({ lastSeq: null, lastT: null }, 3_000);
    expect(seqs(midway.accept(s(52)))).toEqual([]);
    expect(seqs(midway.accept(s(50)))).toEqual([]);
    expect(seqs(midway.accept(s(51)))).toEqual([]);
    expect(seqs(midway.accept(s(53)))).toEqual([50, 51, 52, 53]);
  });

  it('releases the same sequence whatever the arrival order within the bound (determinism)', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const input = Array.from({ length: 300 }, (_, i) => s(i));
    const run = (arrival: typeof input) => {
      const order = new StreamOrder({ lastSeq: null, lastT: null }, 10_000);
      return arrival.flatMap((x) => seqs(order.accept(x)));
    };
    const inOrder = run(input);
    expect(inOrder).toEqual(input.map((x) => x.seq));
    for (let k = 0; k < 50; k++) {
      // Displace each sample by at most 8 positions (8 s of event time < the 10 s bound).
      const keyed = input.map((x, i) => ({ x, key: i + rand() * 8 }));
      keyed.sort((a, b) => a.key - b.key);
      expect(run(keyed.map((k) => k.x))).toEqual(inOrder);
    }
  });
});
