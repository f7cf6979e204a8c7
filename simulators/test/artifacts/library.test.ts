import { describe, expect, it } from 'vitest';
import { ARTIFACT_EVENT_TYPES, type SessionDevice } from '@vigil/contracts';
import { ARTIFACT_SPECS, assignArtifacts, DAY, DEFAULT_ARTIFACT_MIX, LOW_BATTERY_SPACING_MS, type ArtifactEpisode, type ArtifactType } from '../../src/artifacts/library.ts';
import { Rng } from '../../src/rng.ts';
import { ICU, T0, WEARABLE } from '../devices/helpers.ts';

const DAYS = 10;
const span = { start: T0, end: T0 + DAYS * DAY };
const fleet = (base: SessionDevice, n: number) => Array.from({ length: n }, (_, i) => ({ ...base, deviceId: `${base.deviceId}-${i}` }));
const ICUS = fleet(ICU, 100);
const WEARABLES = fleet(WEARABLE, 100);

/** Mean of a log-uniform duration, in days. */
function meanDuration(type: ArtifactType): number {
  const [min, max] = ARTIFACT_SPECS[type].durationMs;
  return (max - min) / Math.log(max / min) / DAY;
}

/** Expected onsets per device in the renewal process: gaps of Exp(rate) after each episode (and its spacing). */
function expected(type: ArtifactType, rate: number): number {
  const spacing = type === 'low_battery' ? LOW_BATTERY_SPACING_MS / DAY : 0;
  const cycle = 1 / rate + meanDuration(type) + spacing;
  return (DAYS + meanDuration(type) + spacing) / cycle;
}

const count = (episodes: ArtifactEpisode[], type: ArtifactType) => episodes.filter((e) => e.type === type).length;

describe('assignArtifacts', () => {
  it('matches the configured rates over 1,000 device-days per device type', () => {
    for (const [devices, rates] of [[ICUS, DEFAULT_ARTIFACT_MIX['icu-monitor']], [WEARABLES, { ...DEFAULT_ARTIFACT_MIX.wearable, device_dead: 0 }]] as const) {
      const episodes = assignArtifacts({ [devices[0]!.deviceType]: rates }, devices, new Rng('rates'), span);
      for (const type of ARTIFACT_EVENT_TYPES) {
        const rate = (rates as Partial<Record<ArtifactType, number>>)[type] ?? 0;
        const n = count(episodes, type);
        if (rate === 0) {
          expect(n, type).toBe(0);
          continue;
        }
        const e = expected(type, rate) * devices.length;
        // Poisson-like scatter (4 sd) plus 3 % for the approximations (end of span, rounding to seconds).
        expect(Math.abs(n - e), `${devices[0]!.deviceType} ${type}: ${n} vs ${e.toFixed(0)}`).toBeLessThan(4 * Math.sqrt(e) + 0.03 * e);
      }
    }
  });

  it('a device dies at most once, with probability 1 − e^(−rate·days), after a low-battery episode ending at death', () => {
    const devices = fleet(WEARABLE, 400);
    const rate = 0.1;
    const episodes = assignArtifacts({ wearable: { device_dead: rate } }, devices, new Rng('death'), span);
    const deaths = episodes.filter((e) => e.type === 'device_dead');
    const p = 1 - Math.exp(-rate * DAYS);
    const sdev = Math.sqrt(400 * p * (1 - p));
    expect(Math.abs(deaths.length - 400 * p)).toBeLessThan(4 * sdev);
    expect(new Set(deaths.map((d) => d.deviceId)).size).toBe(deaths.length);
    for (const d of deaths) {
      expect(d.offset).toBeNull();
      expect(d.severity).toBe('severe');
      const low = episodes.filter((e) => e.deviceId === d.deviceId && e.type === 'low_battery');
      expect(low).toHaveLength(1);
      expect(low[0]!.offset).toBe(d.onset);
      expect(low[0]!.affected).toEqual(['battery']);
    }
  });

  it('nothing happens to a device after its death', () => {
    const devices = fleet(WEARABLE, 50);
    const episodes = assignArtifacts({ wearable: { ...DEFAULT_ARTIFACT_MIX.wearable, device_dead: 0.3 } }, devices, new Rng('after-death'), span);
    const deaths = new Map(episodes.filter((e) => e.type === 'device_dead').map((e) => [e.deviceId, e.onset]));
    expect(deaths.size).toBeGreaterThan(10);
    for (const e of episodes) {
      const death = deaths.get(e.deviceId);
      if (death === undefined || e.type === 'device_dead') continue;
      expect(e.onset).toBeLessThan(death);
      expect(e.offset).not.toBeNull();
      expect(e.offset!).toBeLessThanOrEqual(death);
    }
  });

  it('scales with the rate and leaves other types untouched when one rate changes', () => {
    const base = assignArtifacts({ wearable: { probe_off: 2, motion_artifact: 5 } }, WEARABLES, new Rng('scale'), span);
    const doubled = assignArtifacts({ wearable: { probe_off: 4, motion_artifact: 5 } }, WEARABLES, new Rng('scale'), span);
    const ratio = count(doubled, 'probe_off') / count(base, 'probe_off');
    expect(ratio).toBeGreaterThan(1.85);
    expect(ratio).toBeLessThan(2.15);
    const motion = (xs: ArtifactEpisode[]) => JSON.stringify(xs.filter((e) => e.type === 'motion_artifact'));
    expect(motion(doubled)).toBe(motion(base));
  });

  it('episodes are well formed: in span, whole seconds, sorted, no overlap within a type and device', () => {
    const episodes = assignArtifacts(DEFAULT_ARTIFACT_MIX, [...fleet(ICU, 10), ...fleet(WEARABLE, 10)], new Rng('form'), span);
    expect(episodes.map((e) => e.onset)).toEqual([...episodes.map((e) => e.onset)].sort((a, b) => a - b));
    const last = new Map<string, number>();
    for (const e of episodes) {
      expect(e.onset).toBeGreaterThanOrEqual(span.start + 1000);
      expect(e.onset).toBeLessThan(span.end);
      expect((e.onset - span.start) % 1000).toBe(0);
      if (e.offset !== null) {
        expect(e.offset).toBeGreaterThan(e.onset);
        expect(e.offset).toBeLessThanOrEqual(span.end);
      }
      expect(e.affected.length).toBeGreaterThan(0);
      const key = `${e.deviceId}/${e.type}`;
      expect(e.onset).toBeGreaterThanOrEqual(last.get(key) ?? 0);
      last.set(key, e.offset ?? Infinity);
      if (e.type === 'clock_skew') expect(Math.abs(e.skewMs!)).toBeGreaterThanOrEqual(5000);
      if (e.type === 'duplicate_sends') expect(e.repeatDelayMs).toBeGreaterThan(0);
    }
  });

  it('is deterministic for a seed and rejects impossible or negative rates', () => {
    const a = assignArtifacts(DEFAULT_ARTIFACT_MIX, [ICU, WEARABLE], new Rng('d'), span);
    expect(JSON.stringify(assignArtifacts(DEFAULT_ARTIFACT_MIX, [ICU, WEARABLE], new Rng('d'), span))).toBe(JSON.stringify(a));
    expect(JSON.stringify(assignArtifacts(DEFAULT_ARTIFACT_MIX, [ICU, WEARABLE], new Rng('e'), span))).not.toBe(JSON.stringify(a));
    expect(() => assignArtifacts({ 'icu-monitor': { low_battery: 1 } }, [ICU], new Rng('x'), span)).toThrow(/low_battery/);
    expect(() => assignArtifacts({ wearable: { probe_off: -1 } }, [WEARABLE], new Rng('x'), span)).toThrow(/probe_off/);
    expect(assignArtifacts({}, [ICU, WEARABLE], new Rng('x'), span)).toEqual([]);
  });
});
