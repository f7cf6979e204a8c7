import { describe, it, expect } from 'vitest';
import { isPmError } from '@vigil/contracts';
import { Rng } from '../../src/rng.ts';
import { SCENARIOS, type ClinicalEpisode } from '../../src/scenarios/library.ts';
import {
  assignScenarios, createEpisodeFromSpec, parseEpisodeSpec, parseScenarioMix,
} from '../../src/scenarios/scenario-mix.ts';
import { H, mean, MIN, patientOf, T0 } from '../physiology/helpers.ts';

const cohort = (n: number) => Array.from({ length: n }, (_, i) => patientOf(i));
const lastPeak = (e: ClinicalEpisode) => Math.max(...e.truths.map((r) => r.peak ?? r.onset));

describe('parseScenarioMix', () => {
  it('parses fractions, leaves the rest stable and maps the old names', () => {
    expect(parseScenarioMix('sepsis:0.1,hypoxaemia:0.05,stable:0.85')).toEqual([
      { type: 'sepsis', fraction: 0.1 },
      { type: 'hypoxaemia', fraction: 0.05 },
    ]);
    expect(parseScenarioMix(' tachycardia:.2 , hypotension:0.3,recovery:0 ')).toEqual([
      { type: 'tachyarrhythmia', fraction: 0.2 },
      { type: 'haemorrhage', fraction: 0.3 },
    ]);
    expect(parseScenarioMix('')).toEqual([]);
  });

  it.each([
    ['sepsis:0.6,fever:0.5', 'over 1'],
    ['sepsis:0.5,stable:0.6', 'over 1'],
    ['sepsis:1.5', 'over 1'],
    ['sepsis', 'expected <type>:<fraction>'],
    ['sepsis:-0.1', 'expected <type>:<fraction>'],
    ['sepsis:abc', 'expected <type>:<fraction>'],
    ['pneumonia:0.1', 'unknown scenario'],
    ['sepsis:0.1,sepsis:0.1', 'given twice'],
    ['tachycardia:0.1,tachyarrhythmia:0.1', 'given twice'],
  ])('rejects %j (%s)', (text, message) => {
    let error: unknown;
    try {
      parseScenarioMix(text);
    } catch (e) {
      error = e;
    }
    expect(isPmError(error) && error.code).toBe('PM_ERR_CONFIG_INVALID');
    expect((error as Error).message).toContain(message);
  });
});

describe('assignScenarios', () => {
  const mix = parseScenarioMix('sepsis:0.1,hypoxaemia:0.05,recovery:0.05,bradycardia:0.025');
  const window = { start: T0, end: T0 + 24 * H };
  const patients = cohort(200);
  const assigned = assignScenarios(mix, patients, new Rng('mix'), window);
  const all = [...assigned.values()].flat();
  const ofType = (type: string) => all.filter((e) => e.type === type);

  it('gives every type its exact share, one episode per patient, the rest stable', () => {
    expect(assigned.size).toBe(200);
    expect([...assigned.values()].every((list) => list.length <= 1)).toBe(true);
    expect(ofType('sepsis')).toHaveLength(20);
    expect(ofType('hypoxaemia')).toHaveLength(10);
    expect(ofType('recovery')).toHaveLength(10);
    expect(ofType('bradycardia')).toHaveLength(5);
    expect([...assigned.values()].filter((list) => list.length === 0)).toHaveLength(155);
    for (const [patientId, list] of assigned) {
      for (const e of list) expect(e.truths.every((r) => r.patientId === patientId && r.bedId === patientId.replace('p-', 'bed-'))).toBe(true);
    }
    // Largest remainder on a small ward: 7 × 0.1 = 0.7 → 1 sepsis, 7 × 0.05 = 0.35 → 0.
    const small = assignScenarios(parseScenarioMix('sepsis:0.1,hypoxaemia:0.05'), cohort(7), new Rng('small'), window);
    expect([...small.values()].flat().map((e) => e.type)).toEqual(['sepsis']);
  });

  it('places onsets so every episode reaches its peak (a recovery, its baseline) inside the window', () => {
    for (const e of all) {
      expect(e.truths[0]!.onset).toBeGreaterThanOrEqual(window.start + 30 * MIN);
      expect(lastPeak(e)).toBeLessThanOrEqual(window.end - 10 * MIN);
    }
    // Uniform onsets: hypoxaemia (minutes long) spreads over the whole window, sepsis (up to 8 h ramp) keeps clear of the end.
    const position = (e: ClinicalEpisode) => (e.truths[0]!.onset - window.start) / (window.end - window.start);
    const hyp = ofType('hypoxaemia').map(position);
    expect(mean(hyp)).toBeGreaterThan(0.25);
    expect(mean(hyp)).toBeLessThan(0.75);
    expect(Math.max(...ofType('sepsis').map(position))).toBeLessThan(1 - 4 / 24);
  });

  it('compresses episodes that do not fit a short session', () => {
    const short = { start: T0, end: T0 + H };
    const list = [...assignScenarios(parseScenarioMix('sepsis:0.5,recovery:0.5'), cohort(10), new Rng('short'), short).values()].flat();
    expect(list).toHaveLength(10);
    for (const e of list) {
      expect(e.truths[0]!.onset).toBeGreaterThanOrEqual(short.start);
      expect(lastPeak(e)).toBeLessThanOrEqual(short.end);
    }
  });

  it('is deterministic for a seed', () => {
    const truths = (seed: string) => [...assignScenarios(mix, patients, new Rng(seed), window).values()].flat().map((e) => e.truths);
    expect(truths('mix')).toEqual(all.map((e) => e.truths));
    expect(truths('other')).not.toEqual(truths('mix'));
  });
});

describe('parseEpisodeSpec / createEpisodeFromSpec', () => {
  it.each([
    ['tachycardia@10s+20s', { type: 'tachyarrhythmia', onsetMs: 10_000, rampMs: 20_000 }],
    ['hypotension@1.5m', { type: 'haemorrhage', onsetMs: 90_000 }],
    ['sepsis@2h+6h/severe', { type: 'sepsis', onsetMs: 7_200_000, rampMs: 21_600_000, severity: 'severe' }],
    ['opioid_respiratory_depression+15m', { type: 'opioid_respiratory_depression', onsetMs: 0, rampMs: 900_000 }],
    ['stable', { type: 'stable', onsetMs: 0 }],
  ])('parses %s', (text, spec) => {
    expect(parseEpisodeSpec(text)).toEqual(spec);
  });

  it.each(['', 'Sepsis', 'sepsis@10', 'sepsis@-5s', 'sepsis+20s@10s', 'sepsis/critical', 'pneumonia@1m', ' sepsis'])('rejects %j', (text) => {
    expect(() => parseEpisodeSpec(text)).toThrow(/scenario/);
  });

  it('creates the episode at start + onset with the given ramp, or the type’s own ramp', () => {
    const base = { start: T0, patientId: 'p-1', bedId: 'bed-1' };
    const e = createEpisodeFromSpec(parseEpisodeSpec('tachycardia@10s+20s/mild'), { ...base, rng: new Rng('s') })!;
    expect(e.truth).toMatchObject({ type: 'tachyarrhythmia', onset: T0 + 10_000, peak: T0 + 30_000, offset: null, severity: 'mild' });
    const drawn = createEpisodeFromSpec(parseEpisodeSpec('sepsis@1h'), { ...base, rng: new Rng('s') })!;
    const [lo, hi] = SCENARIOS.sepsis.timing.rampMs;
    expect(drawn.truth.peak! - drawn.truth.onset).toBeGreaterThanOrEqual(lo);
    expect(drawn.truth.peak! - drawn.truth.onset).toBeLessThanOrEqual(hi);
    expect(createEpisodeFromSpec(parseEpisodeSpec('stable'), { ...base, rng: new Rng('s') })).toBeNull();
  });
});
