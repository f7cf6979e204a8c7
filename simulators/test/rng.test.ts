import { describe, it, expect } from 'vitest';
import { Rng } from '../src/rng.ts';

const draws = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.next());

function meanSd(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
  return { mean, sd };
}

describe('Rng', () => {
  it('the same seed gives the same sequence', () => {
    expect(draws(new Rng('ward-a'), 100)).toEqual(draws(new Rng('ward-a'), 100));
    const a = new Rng('x');
    const b = new Rng('x');
    expect([a.normal(), a.uniform(5, 6), a.hex(8)]).toEqual([b.normal(), b.uniform(5, 6), b.hex(8)]);
  });

  it('different seeds give different sequences', () => {
    const a = draws(new Rng('seed-1'), 20);
    const b = draws(new Rng('seed-2'), 20);
    expect(a.filter((x, i) => x === b[i])).toEqual([]);
    expect(draws(new Rng(''), 5)).not.toEqual(draws(new Rng(' '), 5));
  });

  it('next() is uniform in [0, 1)', () => {
    const rng = new Rng('uniform');
    const xs = draws(rng, 20_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const { mean, sd } = meanSd(xs);
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(sd - Math.sqrt(1 / 12))).toBeLessThan(0.01);
    // Each tenth of the interval gets close to its 2,000 share.
    const bins = Array.from({ length: 10 }, () => 0);
    for (const x of xs) bins[Math.floor(x * 10)]!++;
    for (const count of bins) expect(Math.abs(count - 2_000)).toBeLessThan(200);
  });

  it('uniform(min, max) stays in [min, max)', () => {
    const rng = new Rng('range');
    const xs = Array.from({ length: 5_000 }, () => rng.uniform(60, 100));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(60);
    expect(Math.max(...xs)).toBeLessThan(100);
    expect(Math.abs(meanSd(xs).mean - 80)).toBeLessThan(1);
  });

  it('normal(mean, sd) has that mean and sd over 20,000 draws', () => {
    const rng = new Rng('normal');
    const std = meanSd(Array.from({ length: 20_000 }, () => rng.normal()));
    expect(Math.abs(std.mean)).toBeLessThan(0.03);
    expect(Math.abs(std.sd - 1)).toBeLessThan(0.03);
    const shifted = meanSd(Array.from({ length: 20_000 }, () => rng.normal(76, 8)));
    expect(Math.abs(shifted.mean - 76)).toBeLessThan(0.25);
    expect(Math.abs(shifted.sd - 8)).toBeLessThan(0.25);
  });

  it('hex(n) gives 2n lowercase hex digits', () => {
    const rng = new Rng('hex');
    expect(rng.hex(4)).toMatch(/^[0-9a-f]{8}$/);
    expect(rng.hex(16)).toMatch(/^[0-9a-f]{32}$/);
    expect(rng.hex(0)).toBe('');
  });

  it('a fork does not depend on how many numbers the parent has drawn', () => {
    const fresh = new Rng('parent');
    const used = new Rng('parent');
    draws(used, 37);
    used.normal();
    expect(draws(used.fork('patient:1'), 10)).toEqual(draws(fresh.fork('patient:1'), 10));
  });

  it('forks with different labels differ, and draws on a fork leave the parent alone', () => {
    const parent = new Rng('parent');
    const reference = draws(new Rng('parent'), 5);
    const a = parent.fork('a');
    const b = parent.fork('b');
    expect(draws(a, 5)).not.toEqual(draws(b, 5));
    draws(a, 100);
    expect(draws(parent, 5)).toEqual(reference);
  });

  it('a fork is not the parent\u2019s own stream', () => {
    expect(draws(new Rng('p').fork('x'), 5)).not.toEqual(draws(new Rng('p'), 5));
  });
});
