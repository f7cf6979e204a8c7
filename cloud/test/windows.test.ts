import { describe, it, expect } from 'vitest';
import { isPmError } from '@vigil/contracts';
import { KeyedWindowOperator, assignWindows, validateWindowSpec, type Disposition, type KeySnapshot, type WindowEmission, type WindowSpec } from '../src/processing/windows/index.ts';

const T0 = 1_760_000_040_000; // a multiple of 60 s, so window starts below are round
const S = 1000;

interface El {
  t: number;
  n: number; // arrival-independent identity, the order's tie-breaker
  v: number;
  late?: boolean;
}
interface Res {
  ns: number[];
  sum: number;
}
type Em = WindowEmission<Res>;

const order = (a: El, b: El) => a.t - b.t || a.n - b.n;
const compute = (_key: string, _w: unknown, els: readonly El[]): Res => ({ ns: els.map((e) => e.n), sum: els.reduce((a, e) => a + e.v, 0) });

function op(spec: WindowSpec, outOfOrdernessMs = 0, allowedLatenessMs = 0) {
  return opWith(spec, outOfOrdernessMs, allowedLatenessMs);
}
function opWith(spec: WindowSpec, outOfOrdernessMs: number, allowedLatenessMs: number) {
  return new KeyedWindowOperator<El, Res>({ spec, outOfOrdernessMs, allowedLatenessMs, compute, order });
}

let nextN = 0;
const el = (t: number, v = 1, late?: boolean): El => ({ t, n: nextN++, v, ...(late ? { late } : {}) });
const bounds = (es: readonly Em[]) => es.map((e) => [e.window.start - T0, e.window.end - T0, e.revision]);

/** mulberry32: a small seeded PRNG, so every failure reproduces. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

describe('window assignment', () => {
  it('tumbling: one window per element, aligned to epoch 0; t = end belongs to the next window', () => {
    const spec: WindowSpec = { kind: 'tumbling', sizeMs: 60 * S };
    expect(assignWindows(spec, T0)).toEqual([{ start: T0, end: T0 + 60 * S }]);
    expect(assignWindows(spec, T0 + 59_999)).toEqual([{ start: T0, end: T0 + 60 * S }]);
    expect(assignWindows(spec, T0 + 60 * S)).toEqual([{ start: T0 + 60 * S, end: T0 + 120 * S }]);
    expect(assignWindows(spec, -1)).toEqual([{ start: -60 * S, end: 0 }]);
  });

  it('sliding: size/slide windows per element, ordered by end', () => {
    const w = assignWindows({ kind: 'sliding', sizeMs: 300 * S, slideMs: 60 * S }, T0 + 130 * S);
    expect(w.map((b) => [b.start - T0, b.end - T0])).toEqual([
      [-120 * S, 180 * S],
      [-60 * S, 240 * S],
      [0, 300 * S],
      [60 * S, 360 * S],
      [120 * S, 420 * S],
    ]);
    expect(assignWindows({ kind: 'sliding', sizeMs: 20 * S, slideMs: 10 * S }, T0 + 10 * S).map((b) => b.start - T0)).toEqual([0, 10 * S]);
  });

  it('session: the element\u2019s own proto-session [t, t + gap)', () => {
    expect(assignWindows({ kind: 'session', gapMs: 60 * S }, T0)).toEqual([{ start: T0, end: T0 + 60 * S }]);
  });

  it('rejects invalid specs and options with PM_ERR_CONFIG_INVALID', () => {
    const bad: unknown[] = [{ kind: 'tumbling', sizeMs: 0 }, { kind: 'sliding', sizeMs: 300, slideMs: 70 }, { kind: 'session', gapMs: Number.NaN }, { kind: 'hopping', sizeMs: 1 }];
    for (const spec of bad) expect(() => validateWindowSpec(spec as WindowSpec), JSON.stringify(spec)).toThrow(expect.objectContaining({ code: 'PM_ERR_CONFIG_INVALID' }));
    try {
      op({ kind: 'tumbling', sizeMs: 1000 }, -1);
      expect.unreachable();
    } catch (err) {
      expect(isPmError(err) && err.code).toBe('PM_ERR_CONFIG_INVALID');
    }
  });
});

describe('firing on the watermark', () => {
  it('a tumbling window fires exactly when watermark = maxEventTime − outOfOrderness reaches its end, not before', () => {
    const w = op({ kind: 'tumbling', sizeMs: 10 * S }, 2 * S);
    const a = el(T0 + 1 * S, 1), b = el(T0 + 5 * S, 2);
    expect(w.add('p', a)).toEqual({ disposition: 'on-time', emissions: [] });
    w.add('p', b);
    expect(w.add('p', el(T0 + 11 * S, 4)).emissions).toEqual([]);
    expect(w.add('p', el(T0 + 11_999, 8)).emissions).toEqual([]);
    expect(w.watermark('p')).toBe(T0 + 9_999);
    const r = w.add('p', el(T0 + 12 * S, 16));
    expect(w.watermark('p')).toBe(T0 + 10 * S);
    expect(r).toEqual({ disposition: 'on-time', emissions: [{ key: 'p', window: { start: T0, end: T0 + 10 * S }, revision: 0, result: { ns: [a.n, b.n], sum: 3 }, count: 2 }] });
  });

  it('sliding windows fire once per slide with every element of their span; a jump emits in order of end', () => {
    const w = op({ kind: 'sliding', sizeMs: 30 * S, slideMs: 10 * S }, 40 * S);
    for (const s of [5, 15, 25]) w.add('p', el(T0 + s * S, s));
    const r = w.add('p', el(T0 + 95 * S, 95)); // watermark 55 s
    expect(bounds(r.emissions)).toEqual([
      [-20 * S, 10 * S, 0],
      [-10 * S, 20 * S, 0],
      [0, 30 * S, 0],
      [10 * S, 40 * S, 0],
      [20 * S, 50 * S, 0],
    ]);
    expect(r.emissions.map((e) => e.result.sum)).toEqual([5, 20, 45, 40, 25]);
    // [30 s, 60 s) is not complete yet; empty windows never fire.
  });

  it('the first on-time element fires nothing before the watermark exists; advanceTo closes the stream and never goes back', () => {
    const w = op({ kind: 'tumbling', sizeMs: 10 * S }, 1 * S);
    expect(w.watermark('p')).toBe(-Infinity);
    w.add('p', el(T0 + 3 * S));
    expect(bounds(w.advanceTo('p', T0 + 11 * S))).toEqual([[0, 10 * S, 0]]);
    expect(w.advanceTo('p', T0)).toEqual([]);
    expect(w.watermark('p')).toBe(T0 + 10 * S);
    expect(() => w.advanceTo('p', Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('keys are independent: one key\u2019s watermark never fires another key\u2019s windows', () => {
    const w = op({ kind: 'tumbling', sizeMs: 10 * S });
    w.add('a', el(T0 + 1 * S));
    w.add('b', el(T0 + 2 * S));
    const r = w.add('b', el(T0 + 100 * S));
    expect(r.emissions.map((e) => e.key)).toEqual(['b']);
    expect(w.watermark('a')).toBe(T0 + 1 * S);
    expect(w.add('a', el(T0 + 5 * S)).emissions).toEqual([]);
    expect(w.add('a', el(T0 + 10 * S)).emissions.map((e) => [e.key, e.count])).toEqual([['a', 2]]);
    expect(w.keys().sort()).toEqual(['a', 'b']);
  });

  it('late: true (backlog) elements are windowed but never advance the watermark', () => {
    const w = op({ kind: 'tumbling', sizeMs: 10 * S }, 1 * S);
    w.add('p', el(T0 + 1 * S));
    const backlog = [el(T0 + 5 * S, 1, true), el(T0 + 50 * S, 1, true), el(T0 + 90 * S, 1, true)];
    for (const b of backlog) expect(w.add('p', b)).toEqual({ disposition: 'on-time', emissions: [] });
    expect(w.watermark('p')).toBe(T0);
    const r = w.add('p', el(T0 + 61 * S));
    expect(bounds(r.emissions)).toEqual([
      [0, 10 * S, 0],
      [50 * S, 60 * S, 0],
    ]);
    expect(r.emissions[0]!.count).toBe(2);
    expect(w.stats()).toEqual({ keys: 1, elements: 2 }); // 61 s and the backlog's 90 s; the rest is past lateness
  });
});

describe('lateness', () => {
  it('an element within allowed lateness revises the window (revision 1, 2, … with the updated result); beyond it is dropped-late', () => {
    const w = op({ kind: 'tumbling', sizeMs: 10 * S }, 0, 5 * S);
    const a = el(T0 + 2 * S, 1), b = el(T0 + 3 * S, 100), c = el(T0 + 1 * S, 1000);
    w.add('p', a);
    expect(bounds(w.add('p', el(T0 + 12 * S, 10)).emissions)).toEqual([[0, 10 * S, 0]]);
    const r1 = w.add('p', b);
    expect(r1.disposition).toBe('late-revision');
    expect(bounds(r1.emissions)).toEqual([[0, 10 * S, 1]]);
    expect(r1.emissions[0]!.result).toEqual({ ns: [a.n, b.n], sum: 101 });
    w.add('p', el(T0 + 14_999, 1)); // watermark 14.999 s < end + lateness
    const r2 = w.add('p', c);
    expect([r2.disposition, ...bounds(r2.emissions)]).toEqual(['late-revision', [0, 10 * S, 2]]);
    expect(r2.emissions[0]!.result).toEqual({ ns: [c.n, a.n, b.n], sum: 1101 });
    w.add('p', el(T0 + 15 * S, 1)); // watermark = end + lateness: the window is final
    const before = w.stats().elements;
    expect(w.add('p', el(T0 + 9 * S, 1))).toEqual({ disposition: 'dropped-late', emissions: [] });
    expect(w.stats().elements).toBe(before);
  });

  it('late data into a window that was empty when it completed comes out as revision 1 (never as an on-time revision 0)', () => {
    const w = op({ kind: 'tumbling', sizeMs: 10 * S }, 0, 30 * S);
    w.add('p', el(T0 + 1 * S));
    w.add('p', el(T0 + 25 * S));
    const r = w.add('p', el(T0 + 12 * S, 7));
    expect([r.disposition, ...bounds(r.emissions)]).toEqual(['late-revision', [10 * S, 20 * S, 1]]);
  });

  it('sliding: a late element revises every complete window it is in, in order of end, and joins pending ones silently', () => {
    const w = op({ kind: 'sliding', sizeMs: 30 * S, slideMs: 10 * S }, 0, 15 * S);
    for (const s of [1, 11, 21, 31, 41]) w.add('p', el(T0 + s * S));
    // watermark 41 s: [0,30) … [10,40) fired; [0,30) closes at 45 s.
    const r = w.add('p', el(T0 + 22 * S, 5));
    expect(r.disposition).toBe('late-revision');
    expect(bounds(r.emissions)).toEqual([
      [0, 30 * S, 1],
      [10 * S, 40 * S, 1],
    ]);
    expect(bounds(w.add('p', el(T0 + 50 * S)).emissions)).toEqual([[20 * S, 50 * S, 0]]);
  });

  it('with zero lateness an element behind the watermark whose windows are all complete is dropped', () => {
    const w = op({ kind: 'sliding', sizeMs: 20 * S, slideMs: 10 * S }, 2 * S, 0);
    w.add('p', el(T0 + 31 * S));
    expect(w.add('p', el(T0 + 9 * S)).disposition).toBe('dropped-late'); // windows end at 10 s, 20 s ≤ 29 s
    expect(w.add('p', el(T0 + 19 * S)).disposition).toBe('on-time'); // [0,20) is past, [10,30) still open
    expect(w.add('p', el(T0 + 29 * S)).disposition).toBe('on-time');
  });
});

describe('session windows', () => {
  const spec: WindowSpec = { kind: 'session', gapMs: 20 * S };

  it('a session is a run of gaps < gap; an element exactly gap after the last starts a new one', () => {
    const w = op(spec);
    for (const s of [0, 10, 29]) w.add('p', el(T0 + s * S));
    // 49 − 29 = 20: a new session; the watermark (49 s) reaches the end of the first.
    expect(bounds(w.add('p', el(T0 + 49 * S)).emissions)).toEqual([[0, 49 * S, 0]]);
    const r = w.add('p', el(T0 + 100 * S));
    expect(bounds(r.emissions)).toEqual([[49 * S, 69 * S, 0]]);
    expect(bounds(w.advanceTo('p', T0 + 1000 * S))).toEqual([[100 * S, 120 * S, 0]]);
  });

  it('fires [first, last + gap) when the watermark reaches its end', () => {
    const w = op(spec, 5 * S);
    w.add('p', el(T0, 1));
    w.add('p', el(T0 + 10 * S, 2));
    expect(w.add('p', el(T0 + 34_999)).emissions).toEqual([]);
    const r = w.add('p', el(T0 + 35 * S));
    expect(bounds(r.emissions)).toEqual([[0, 30 * S, 0]]);
    expect(r.emissions[0]!.result.sum).toBe(3);
  });

  it('an element bridging two pending sessions merges them (on time)', () => {
    const w = op(spec, 60 * S);
    for (const s of [0, 10, 40, 45]) w.add('p', el(T0 + s * S));
    expect(w.snapshotKey('p')!.sessions!.length).toBe(2);
    expect(w.add('p', el(T0 + 25 * S)).disposition).toBe('on-time');
    expect(w.snapshotKey('p')!.sessions!.map((x) => [x.start - T0, x.last - T0])).toEqual([[0, 45 * S]]);
    expect(bounds(w.advanceTo('p', T0 + 200 * S))).toEqual([[0, 65 * S, 0]]);
  });

  it('a late element bridging a fired session and a pending one: revision of the merged session, superseding the old bounds', () => {
    const w = op(spec, 0, 60 * S);
    for (const s of [0, 10]) w.add('p', el(T0 + s * S));
    expect(bounds(w.add('p', el(T0 + 45 * S)).emissions)).toEqual([[0, 30 * S, 0]]);
    w.add('p', el(T0 + 50 * S));
    const r = w.add('p', el(T0 + 28 * S)); // 28 − 10 < 20 and 45 − 28 < 20
    expect(r.disposition).toBe('late-revision');
    expect(r.emissions).toEqual([]); // the merged session [0, 70) is not complete yet
    const done = w.add('p', el(T0 + 90 * S)).emissions;
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ window: { start: T0, end: T0 + 70 * S }, revision: 1, count: 5, supersedes: [{ start: T0, end: T0 + 30 * S }] });
  });

  it('a late element inside a fired session revises it at once with the same bounds; revision numbering continues', () => {
    const w = op(spec, 0, 60 * S);
    for (const s of [0, 10, 40]) w.add('p', el(T0 + s * S));
    const r1 = w.add('p', el(T0 + 5 * S, 10));
    expect([r1.disposition, ...bounds(r1.emissions)]).toEqual(['late-revision', [0, 30 * S, 1]]);
    expect(r1.emissions[0]!.supersedes).toBeUndefined();
    const r2 = w.add('p', el(T0 + 6 * S, 10));
    expect(bounds(r2.emissions)).toEqual([[0, 30 * S, 2]]);
    expect(r2.emissions[0]!.result.sum).toBe(22);
  });

  it('an element inside a closed session is dropped; one not inside is judged by its own window [t, t + gap)', () => {
    const w = op(spec, 0, 10 * S);
    for (const s of [0, 10]) w.add('p', el(T0 + s * S)); // [0, 30)
    w.add('p', el(T0 + 40 * S)); // watermark 40 s ≥ 30 + 10: closed
    expect(w.add('p', el(T0 + 29 * S)).disposition).toBe('dropped-late'); // would extend the closed session
    expect(w.add('p', el(T0 + 11 * S)).disposition).toBe('dropped-late');
    const r = w.add('p', el(T0 + 31 * S)); // own window [31, 51): open, merges with [40, 60) backwards
    expect(r.disposition).toBe('on-time');
    expect(w.snapshotKey('p')!.sessions!.map((x) => [x.start - T0, x.last - T0, x.closed])).toEqual([
      [0, 10 * S, true],
      [31 * S, 40 * S, false],
    ]);
  });

  it('a late element outside every session forms one that is complete at once: emitted as revision 1, or dropped past lateness', () => {
    const w = op(spec, 0, 10 * S);
    w.add('p', el(T0));
    w.add('p', el(T0 + 100 * S)); // watermark 100 s
    const r = w.add('p', el(T0 + 75 * S)); // [75, 95): complete, 95 + 10 > 100
    expect([r.disposition, ...bounds(r.emissions)]).toEqual(['late-revision', [75 * S, 95 * S, 1]]);
    expect(w.add('p', el(T0 + 70 * S)).disposition).toBe('dropped-late'); // 70 + 20 + 10 ≤ 100
  });

  it('session bounds are forgotten once no element can reach it; its elements as soon as it closes', () => {
    const w = op(spec, 0, 10 * S);
    for (let s = 0; s <= 50; s++) w.add('p', el(T0 + s * S));
    expect(w.stats().elements).toBe(51);
    w.advanceTo('p', T0 + 80 * S); // end 70 + lateness 10
    expect(w.stats().elements).toBe(0);
    expect(w.snapshotKey('p')!.sessions).toHaveLength(1);
    w.advanceTo('p', T0 + 100 * S); // end + gap + lateness
    expect(w.snapshotKey('p')!.sessions).toEqual([]);
  });
});

/** Elements of several keys in event-time order, with pauses longer than the session gap. */
function stream(rand: () => number, keys: string[], count: number): Array<[string, El]> {
  const out: Array<[string, El]> = [];
  for (const key of keys) {
    let t = T0 + Math.floor(rand() * 5 * S);
    for (let i = 0; i < count; i++) {
      const r = rand();
      t += r < 0.05 ? 25 * S + Math.floor(rand() * 40 * S) : r < 0.1 ? 0 : Math.floor(rand() * 3 * S); // pauses, equal times
      out.push([key, { t, n: nextN++, v: Math.floor(rand() * 100) }]);
    }
  }
  return out.sort((a, b) => a[1].t - b[1].t || a[1].n - b[1].n);
}

/** An arrival order in which no element is displaced by more than `bound`: sort by t + U[0, bound]. */
function shuffleWithin(rand: () => number, items: Array<[string, El]>, bound: number): Array<[string, El]> {
  return items
    .map((x) => [x[1].t + rand() * bound, x] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, x]) => x);
}

interface Log {
  dispositions: Disposition[];
  emissions: Em[];
}
function feed(w: KeyedWindowOperator<El, Res>, items: Array<[string, El]>, log: Log = { dispositions: [], emissions: [] }): Log {
  for (const [key, e] of items) {
    const r = w.add(key, e);
    log.dispositions.push(r.disposition);
    log.emissions.push(...r.emissions);
  }
  return log;
}
function close(w: KeyedWindowOperator<El, Res>, log: Log): Log {
  for (const key of w.keys().sort()) log.emissions.push(...w.advanceTo(key, T0 + 1e9));
  return log;
}
/** Emissions of one key in emission order (keys interleave differently in different arrival orders). */
const perKey = (es: Em[]) => Object.fromEntries([...new Set(es.map((e) => e.key))].sort().map((k) => [k, es.filter((e) => e.key === k)]));

const SPECS: WindowSpec[] = [
  { kind: 'tumbling', sizeMs: 10 * S },
  { kind: 'sliding', sizeMs: 30 * S, slideMs: 10 * S },
  { kind: 'session', gapMs: 20 * S },
];
const OOO = 5 * S;
const LATENESS = 15 * S;
const RESTORE_LATENESS = 40 * S; // long enough for late elements to reach fired sessions, short enough to drop some

/** Brute force: the windows the final element set defines, each with its elements sorted by order. */
function reference(spec: WindowSpec, items: Array<[string, El]>): Record<string, Array<[number, number, number[]]>> {
  const out: Record<string, Array<[number, number, number[]]>> = {};
  for (const key of [...new Set(items.map(([k]) => k))].sort()) {
    const els = items.filter(([k]) => k === key).map(([, e]) => e).sort(order);
    const windows: Array<[number, number, number[]]> = [];
    if (spec.kind === 'session') {
      for (const e of els) {
        const last = windows.at(-1);
        if (last && e.t < last[1]) {
          last[1] = e.t + spec.gapMs;
          last[2].push(e.n);
        } else windows.push([e.t, e.t + spec.gapMs, [e.n]]);
      }
    } else {
      const byStart = new Map<number, number[]>();
      for (const e of els) for (const b of assignWindows(spec, e.t)) byStart.set(b.start, [...(byStart.get(b.start) ?? []), e.n]);
      const size = spec.sizeMs;
      for (const [start, ns] of [...byStart].sort((a, b) => a[0] - b[0])) windows.push([start, start + size, ns]);
    }
    out[key] = windows;
  }
  return out;
}

describe('determinism', () => {
  for (const spec of SPECS) {
    it(`${spec.kind}: 200 arrival orders displaced by ≤ outOfOrderness give identical emissions, equal to the brute-force windows`, () => {
      const rand = prng(0x5eed + spec.kind.length);
      const items = stream(rand, ['p1', 'p2', 'p3'], 150);
      const w0 = op(spec, OOO, LATENESS);
      const inOrder = close(w0, feed(w0, items));
      expect(inOrder.dispositions.every((d) => d === 'on-time')).toBe(true);
      expect(inOrder.emissions.every((e) => e.revision === 0)).toBe(true);
      const ref = reference(spec, items);
      const got = perKey(inOrder.emissions);
      expect(Object.fromEntries(Object.entries(got).map(([k, es]) => [k, es.map((e) => [e.window.start, e.window.end, e.result.ns])]))).toEqual(ref);
      const expected = perKey(inOrder.emissions);
      for (let i = 0; i < 200; i++) {
        const w = op(spec, OOO, LATENESS);
        const log = close(w, feed(w, shuffleWithin(rand, items, OOO)));
        expect(log.dispositions.every((d) => d === 'on-time'), `shuffle ${i}`).toBe(true);
        expect(perKey(log.emissions), `shuffle ${i}`).toEqual(expected);
      }
    });
  }

  it('the property is sharp: displacements beyond the bound do change the emissions', () => {
    const rand = prng(7);
    const spec = SPECS[0]!;
    const items = stream(rand, ['p1'], 150);
    const w0 = op(spec, OOO, LATENESS);
    const expected = perKey(close(w0, feed(w0, items)).emissions);
    let differ = 0;
    for (let i = 0; i < 20; i++) {
      const w = op(spec, OOO, LATENESS);
      if (JSON.stringify(perKey(close(w, feed(w, shuffleWithin(rand, items, 4 * OOO))).emissions)) !== JSON.stringify(expected)) differ++;
    }
    expect(differ).toBeGreaterThan(0);
  });
});

function shuffled<T>(rand: () => number, xs: T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A stream with jitter, elements far beyond the bound (some flagged late: true) and a backlog burst. */
function messyArrivals(rand: () => number): Array<[string, El]> {
  const arrivals = shuffleWithin(rand, stream(rand, ['p1', 'p2', 'p3'], 200), OOO);
  for (let i = 0; i < 40; i++) {
    const from = Math.floor(rand() * arrivals.length);
    const [x] = arrivals.splice(from, 1);
    if (rand() < 0.5) x![1].late = true;
    arrivals.splice(Math.min(arrivals.length, from + 10 + Math.floor(rand() * 120)), 0, x!);
  }
  // An edge backlog: 30 consecutive samples of one patient held back, then drained in order, flagged late.
  const at = Math.floor(arrivals.length * (0.2 + 0.5 * rand()));
  const burst: Array<[string, El]> = [];
  for (let i = at; i < arrivals.length && burst.length < 30; ) {
    if (arrivals[i]![0] === 'p2') burst.push(...arrivals.splice(i, 1));
    else i++;
  }
  for (const [, e] of burst) e.late = true;
  arrivals.splice(Math.min(arrivals.length, at + 60 + Math.floor(rand() * 60)), 0, ...burst);
  return arrivals;
}

describe('snapshot and restore', () => {
  for (const spec of SPECS) {
    it(`${spec.kind}: restoring at a random point from the snapshot plus the elements from retainFrom continues exactly`, () => {
      const rand = prng(0xc0ffee + spec.kind.length);
      const make = (spec: WindowSpec) => opWith(spec, OOO, RESTORE_LATENESS);
      const seen = { revisions: 0, dropped: 0, supersedes: 0, closed: 0 };
      for (let round = 0; round < 8; round++) {
        const arrivals = messyArrivals(rand);
        const wFull = make(spec);
        const full = close(wFull, feed(wFull, arrivals));
        seen.revisions += full.emissions.filter((e) => e.revision > 0).length;
        seen.dropped += full.dispositions.filter((d) => d === 'dropped-late').length;
        seen.supersedes += full.emissions.filter((e) => e.supersedes).length;
        for (let c = 0; c < 6; c++) {
          const cut = Math.floor(rand() * arrivals.length);
          const w1 = make(spec);
          const log = feed(w1, arrivals.slice(0, cut));
          const w2 = make(spec);
          for (const key of w1.keys()) {
            const snap = JSON.parse(JSON.stringify(w1.snapshotKey(key))) as KeySnapshot;
            expect(JSON.stringify(snap)).not.toContain('"n"'); // no elements in the checkpoint
            seen.closed += snap.sessions?.filter((x) => x.closed).length ?? 0;
            const from = w1.retainFrom(key);
            // Everything the caller stored (dropped elements too) from retainFrom on, in storage order, not arrival order.
            const stored = arrivals.slice(0, cut).filter(([k, e]) => k === key && e.t >= from).map(([, e]) => e);
            w2.restoreKey(key, snap, shuffled(rand, stored));
            expect(w2.retainFrom(key)).toBe(from);
            expect(w2.watermark(key)).toBe(w1.watermark(key));
          }
          expect(w2.stats()).toEqual(w1.stats());
          close(w2, feed(w2, arrivals.slice(cut), log));
          expect(log, `round ${round} cut ${cut}`).toEqual(full);
        }
      }
      // The streams exercised what restore must carry over.
      expect(seen.revisions).toBeGreaterThan(0);
      expect(seen.dropped).toBeGreaterThan(0);
      if (spec.kind === 'session') {
        expect(seen.supersedes).toBeGreaterThan(0);
        expect(seen.closed).toBeGreaterThan(0);
      }
    });
  }

  it('a session reopened by a late element (changed, not yet complete) survives restore and is re-emitted as a revision', () => {
    const make = () => op({ kind: 'session', gapMs: 20 * S }, 0, 60 * S);
    const items = [0, 10, 45, 50, 28].map((s) => el(T0 + s * S)); // 28 bridges the fired [0, 30) and [45, 70)
    const w1 = make();
    for (const e of items) w1.add('p', e);
    const snap = JSON.parse(JSON.stringify(w1.snapshotKey('p'))) as KeySnapshot;
    expect(snap.sessions).toEqual([{ start: T0, last: T0 + 50 * S, revision: 0, dirty: true, closed: false, emitted: [{ start: T0, end: T0 + 30 * S }] }]);
    const w2 = make();
    w2.restoreKey('p', snap, items.filter((e) => e.t >= w1.retainFrom('p')));
    const next = el(T0 + 90 * S);
    const r = w1.add('p', next);
    expect(r.emissions).toMatchObject([{ window: { start: T0, end: T0 + 70 * S }, revision: 1, count: 5, supersedes: [{ start: T0, end: T0 + 30 * S }] }]);
    expect(w2.add('p', next)).toEqual(r);
    expect(w2.advanceTo('p', T0 + 200 * S)).toEqual(w1.advanceTo('p', T0 + 200 * S));
  });

  it('restore ignores elements older than retainFrom and rejects a snapshot of another window kind or an element outside the sessions', () => {
    const t = op({ kind: 'tumbling', sizeMs: 10 * S });
    for (const s of [1, 5, 15, 25]) t.add('p', el(T0 + s * S));
    const snap = t.snapshotKey('p')!;
    expect(snap).toEqual({ v: 1, maxEventTime: T0 + 25 * S, revisions: [] });
    const t2 = op({ kind: 'tumbling', sizeMs: 10 * S });
    t2.restoreKey('p', snap, [el(T0 + 1 * S), el(T0 + 21 * S), el(T0 + 25 * S)]);
    expect(t2.stats().elements).toBe(2);
    const s = op({ kind: 'session', gapMs: 20 * S });
    expect(() => s.restoreKey('p', snap, [])).toThrow(/snapshot/);
    s.add('p', el(T0));
    const ss = s.snapshotKey('p')!;
    expect(() => op({ kind: 'session', gapMs: 20 * S }).restoreKey('p', ss, [el(T0 + 5 * S)])).toThrow(/outside/);
  });
});

describe('state housekeeping', () => {
  it('purges elements once every window holding them is past lateness; stats, keys and deleteKey', () => {
    const w = op({ kind: 'tumbling', sizeMs: 10 * S }, 2 * S, 5 * S);
    let peak = 0;
    for (let s = 0; s < 300; s++) {
      w.add('p', el(T0 + s * S));
      peak = Math.max(peak, w.stats().elements);
    }
    expect(peak).toBeLessThanOrEqual(18); // window 10 s + lateness 5 s + out-of-orderness 2 s + 1
    // Watermark 297 s − lateness 5 s = 292 s: the earliest window that may still be revised is [290, 300).
    expect(w.retainFrom('p')).toBe(T0 + 290 * S);
    const pElements = w.stats().elements;
    w.add('q', el(T0));
    expect(w.stats()).toEqual({ keys: 2, elements: pElements + 1 });
    w.advanceTo('p', T0 + 400 * S);
    expect(w.stats().elements).toBe(1);
    w.deleteKey('q');
    expect(w.stats()).toEqual({ keys: 1, elements: 0 });
    expect(w.keys()).toEqual(['p']);
    expect(w.snapshotKey('q')).toBeUndefined();
  });

  it('revision bookkeeping is purged with its window', () => {
    const w = op({ kind: 'tumbling', sizeMs: 10 * S }, 0, 20 * S);
    w.add('p', el(T0 + 1 * S));
    w.add('p', el(T0 + 12 * S));
    w.add('p', el(T0 + 2 * S));
    expect(w.snapshotKey('p')!.revisions).toEqual([[T0, 1]]);
    w.add('p', el(T0 + 30 * S));
    expect(w.snapshotKey('p')!.revisions).toEqual([]);
  });

  it('rejects a non-finite time and an order that does not sort by t first', () => {
    const w = op({ kind: 'tumbling', sizeMs: 10 * S });
    expect(() => w.add('p', el(Number.NaN))).toThrow(RangeError);
    const bad = new KeyedWindowOperator<El, Res>({ spec: { kind: 'tumbling', sizeMs: 10 * S }, outOfOrdernessMs: 60 * S, allowedLatenessMs: 0, compute, order: (a, b) => a.v - b.v });
    bad.add('p', { t: T0 + 2 * S, n: 0, v: 1 });
    expect(() => bad.add('p', { t: T0 + 1 * S, n: 1, v: 2 })).toThrow(/order must sort/);
  });
});

describe('counting session windows (countOnly)', () => {
  const spec: WindowSpec = { kind: 'session', gapMs: 20 * S };
  const counting = () => new KeyedWindowOperator<El, Res>({ spec, outOfOrdernessMs: OOO, allowedLatenessMs: RESTORE_LATENESS, compute, order, countOnly: true });
  const shape = (es: Em[]) => es.map((e) => [e.key, e.window.start, e.window.end, e.revision, e.count, e.supersedes ?? null]);

  it('emits the same sessions, revisions and counts as the buffering operator on messy arrivals, holding no element', () => {
    const rand = prng(0xc0417);
    for (let round = 0; round < 8; round++) {
      const arrivals = messyArrivals(rand);
      const buffering = opWith(spec, OOO, RESTORE_LATENESS);
      const counts = counting();
      const a = close(buffering, feed(buffering, arrivals));
      const b = close(counts, feed(counts, arrivals));
      expect(b.dispositions).toEqual(a.dispositions);
      expect(shape(b.emissions)).toEqual(shape(a.emissions));
      expect(counts.stats().elements).toBe(0);
      expect(a.emissions.some((e) => e.count > 1)).toBe(true);
    }
  });

  it('restores from its own snapshot with no element, and from a buffering operator’s snapshot by counting the elements once', () => {
    const rand = prng(0x5e55);
    const arrivals = messyArrivals(rand);
    const cut = Math.floor(arrivals.length / 2);
    const reference = counting();
    const expected = shape(close(reference, feed(reference, arrivals)).emissions);
    for (const source of ['counting', 'buffering'] as const) {
      const before = source === 'counting' ? counting() : opWith(spec, OOO, RESTORE_LATENESS);
      const first = feed(before, arrivals.slice(0, cut));
      const after = counting();
      for (const key of before.keys()) {
        const elements = arrivals.slice(0, cut).filter(([k]) => k === key).map(([, e]) => e);
        if (source === 'counting') expect(before.retainFrom(key)).toBe(Infinity); // a restore needs no element back
        after.restoreKey(key, before.snapshotKey(key)!, elements);
      }
      const rest = close(after, feed(after, arrivals.slice(cut)));
      expect(shape([...first.emissions, ...rest.emissions]), source).toEqual(expected);
      expect(after.stats().elements).toBe(0);
    }
  });
});
