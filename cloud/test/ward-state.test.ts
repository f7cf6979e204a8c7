import { describe, it, expect } from 'vitest';
import { BedState } from '@vigil/contracts';
import { WardStateCache } from '../src/processing/ward-state.ts';
import { T0, bed, sample, status } from './fixtures.ts';

describe('WardStateCache: samples', () => {
  it('creates the bed tile from the first sample, with each value\u2019s time and quality', () => {
    const cache = new WardStateCache();
    const state = cache.applySample('ward-a', sample({ vitals: { hr: 80, spo2: 91 }, quality: { hr: 'good', spo2: 'artifact' } }));
    const expected: BedState = {
      wardId: 'ward-a',
      bedId: 'bed-01',
      patientId: 'pt-1',
      latest: { hr: { value: 80, t: T0, quality: 'good' }, spo2: { value: 91, t: T0, quality: 'artifact' } },
      devices: [],
      updatedAt: T0,
    };
    expect(state).toEqual(expected);
    expect(BedState.parse(state)).toEqual(expected);
  });

  it('a missing quality entry means good', () => {
    const cache = new WardStateCache();
    const state = cache.applySample('ward-a', sample({ vitals: { rr: 18 }, quality: {} }));
    expect(state.latest.rr).toEqual({ value: 18, t: T0, quality: 'good' });
  });

  it('a newer sample replaces the latest value; an older one does not', () => {
    const cache = new WardStateCache();
    cache.applySample('ward-a', sample({ t: T0 + 2_000, vitals: { hr: 90 }, quality: { hr: 'good' } }));
    const older = cache.applySample('ward-a', sample({ t: T0 + 1_000, vitals: { hr: 60, spo2: 95 }, quality: { hr: 'good', spo2: 'questionable' } }));
    // hr stays at the newer value; spo2 had no value yet, so the older sample fills it.
    expect(older.latest).toEqual({
      hr: { value: 90, t: T0 + 2_000, quality: 'good' },
      spo2: { value: 95, t: T0 + 1_000, quality: 'questionable' },
    });
    expect(older.updatedAt).toBe(T0 + 2_000);
    const newer = cache.applySample('ward-a', sample({ t: T0 + 3_000, vitals: { hr: 101 }, quality: { hr: 'sensor_off' } }));
    expect(newer.latest.hr).toEqual({ value: 101, t: T0 + 3_000, quality: 'sensor_off' });
    expect(newer.latest.spo2).toEqual({ value: 95, t: T0 + 1_000, quality: 'questionable' });
    expect(newer.updatedAt).toBe(T0 + 3_000);
  });

  it('a new patient in the bed starts a fresh tile', () => {
    const cache = new WardStateCache();
    cache.applySample('ward-a', sample({ vitals: { hr: 90, spo2: 97 } }));
    cache.applyStatus('ward-a', status({ battery: 50 }));
    const next = cache.applySample('ward-a', sample({ patientId: 'pt-2', t: T0 + 60_000, vitals: { hr: 70 }, quality: { hr: 'good' } }));
    expect(next).toEqual({
      wardId: 'ward-a',
      bedId: 'bed-01',
      patientId: 'pt-2',
      latest: { hr: { value: 70, t: T0 + 60_000, quality: 'good' } },
      devices: [],
      updatedAt: T0 + 60_000,
    });
    expect(cache.bedsOf('ward-a')).toEqual([next]);
  });
});

describe('WardStateCache: statuses', () => {
  it('adds and updates devices, keeping the last known battery when a status has none', () => {
    const cache = new WardStateCache();
    cache.applyStatus('ward-a', status({ battery: 80 }));
    const state = cache.applyStatus('ward-a', status({ t: T0 + 5_000, state: 'offline', reason: 'connection_lost' }));
    expect(state.devices).toEqual([{ deviceId: 'mon-01', deviceType: 'icu-monitor', state: 'offline', battery: 80, t: T0 + 5_000 }]);
    expect(state.updatedAt).toBe(T0 + 5_000);
    const charged = cache.applyStatus('ward-a', status({ t: T0 + 6_000, battery: 95 }));
    expect(charged.devices).toEqual([{ deviceId: 'mon-01', deviceType: 'icu-monitor', state: 'online', battery: 95, t: T0 + 6_000 }]);
  });

  it('a device without any battery report has battery null', () => {
    const cache = new WardStateCache();
    expect(cache.applyStatus('ward-a', status()).devices[0]?.battery).toBeNull();
  });

  it('an older status does not replace a newer one', () => {
    const cache = new WardStateCache();
    cache.applyStatus('ward-a', status({ t: T0 + 5_000, state: 'offline', reason: 'connection_lost' }));
    const state = cache.applyStatus('ward-a', status({ t: T0 + 1_000, state: 'online', battery: 40 }));
    expect(state.devices).toEqual([{ deviceId: 'mon-01', deviceType: 'icu-monitor', state: 'offline', battery: null, t: T0 + 5_000 }]);
  });

  it('keeps several devices of one bed, sorted by deviceId', () => {
    const cache = new WardStateCache();
    cache.applyStatus('ward-a', status({ deviceId: 'wear-01', deviceType: 'wearable', battery: 77 }));
    const state = cache.applyStatus('ward-a', status({ deviceId: 'mon-01' }));
    expect(state.devices.map((d) => [d.deviceId, d.deviceType, d.battery])).toEqual([
      ['mon-01', 'icu-monitor', null],
      ['wear-01', 'wearable', 77],
    ]);
  });
});

describe('WardStateCache: wards and beds', () => {
  it('bedsOf sorts beds in natural order and filters by ward', () => {
    const cache = new WardStateCache();
    for (const bedId of ['bed-10', 'bed-2', 'bed-1', 'bed-21']) cache.applySample('ward-a', sample({ bedId, patientId: `pt-${bedId}` }));
    cache.applySample('ward-b', sample({ bedId: 'bed-3', patientId: 'pt-b3' }));
    expect(cache.bedsOf('ward-a').map((b) => b.bedId)).toEqual(['bed-1', 'bed-2', 'bed-10', 'bed-21']);
    expect(cache.bedsOf('ward-b').map((b) => b.bedId)).toEqual(['bed-3']);
    expect(cache.bedsOf('ward-z')).toEqual([]);
  });

  it('the same bed id in two wards is two beds', () => {
    const cache = new WardStateCache();
    cache.applySample('ward-a', sample({ vitals: { hr: 60 } }));
    cache.applySample('ward-b', sample({ vitals: { hr: 120 } }));
    expect(cache.bedsOf('ward-a')[0]?.latest.hr?.value).toBe(60);
    expect(cache.bedsOf('ward-b')[0]?.latest.hr?.value).toBe(120);
  });

  it('wards() counts beds per ward, sorted, with the given active alarm counts', () => {
    const cache = new WardStateCache();
    cache.applySample('ward-b', sample({ bedId: 'bed-1' }));
    cache.applySample('ward-a', sample({ bedId: 'bed-1' }));
    cache.applySample('ward-a', sample({ bedId: 'bed-2' }));
    expect(cache.wards((w) => (w === 'ward-a' ? 3 : 0))).toEqual([
      { wardId: 'ward-a', beds: 2, activeAlarms: 3 },
      { wardId: 'ward-b', beds: 1, activeAlarms: 0 },
    ]);
    expect(cache.hasWard('ward-a')).toBe(true);
    expect(cache.hasWard('ward-c')).toBe(false);
  });

  it('load() restores persisted beds, and later samples build on them', () => {
    const cache = new WardStateCache();
    cache.load([bed({ bedId: 'bed-01' }), bed({ bedId: 'bed-02', patientId: 'pt-2' })]);
    expect(cache.bedsOf('ward-a').map((b) => b.bedId)).toEqual(['bed-01', 'bed-02']);
    const state = cache.applySample('ward-a', sample({ t: T0 + 1_000, vitals: { spo2: 93 }, quality: { spo2: 'good' } }));
    expect(state.latest).toEqual({ hr: { value: 72, t: T0, quality: 'good' }, spo2: { value: 93, t: T0 + 1_000, quality: 'good' } });
    expect(state.devices).toHaveLength(1);
  });
});
