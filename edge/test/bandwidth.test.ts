import { describe, expect, it } from 'vitest';
import { BandwidthMeter, jsonBytes } from '../src/bandwidth.ts';

describe('BandwidthMeter', () => {
  it('totals bytes in per channel and out per record type, and the saved fraction', () => {
    const m = new BandwidthMeter();
    m.in('vitals', 200);
    m.in('vitals', 200);
    m.in('wave', 1500);
    m.in('status', 100);
    m.out('sample', 300);
    m.out('window', 150);
    m.out('wave_summary', 50, 2);
    const r = m.report();
    expect(r.in).toEqual({
      bytes: 2000, count: 4,
      byChannel: { vitals: { bytes: 400, count: 2 }, status: { bytes: 100, count: 1 }, wave: { bytes: 1500, count: 1 } },
    });
    expect(r.out.bytes).toBe(500);
    expect(r.out.count).toBe(4);
    expect(r.out.byType.wave_summary).toEqual({ bytes: 50, count: 2 });
    expect(r.out.byType.wave).toEqual({ bytes: 0, count: 0 });
    expect(r.savedFraction).toBeCloseTo(0.75, 12);
    expect(r.wireBytes).toBeNull();
    expect(r.savedFractionWire).toBeNull();
  });

  it('counts wire bytes (batched, compressed) apart from record bytes', () => {
    const m = new BandwidthMeter();
    m.in('vitals', 1000);
    m.out('sample', 1200);
    m.wireOut(100);
    const r = m.report();
    expect(r.savedFraction).toBeCloseTo(-0.2, 12); // records alone weigh more than the input
    expect(r.savedFractionWire).toBeCloseTo(0.9, 12);
    m.reset();
    expect(m.report()).toMatchObject({ savedFraction: 0, wireBytes: null, in: { bytes: 0 }, out: { bytes: 0 } });
  });

  it('jsonBytes is the UTF-8 length of the JSON', () => {
    expect(jsonBytes({ a: 1 })).toBe(7);
    expect(jsonBytes({ t: '°C' })).toBe(JSON.stringify({ t: '°C' }).length + 1);
  });

  it('rejects unknown channels and types', () => {
    const m = new BandwidthMeter();
    expect(() => m.in('bogus' as never, 1)).toThrow(RangeError);
    expect(() => m.out('bogus' as never, 1)).toThrow(RangeError);
  });
});
