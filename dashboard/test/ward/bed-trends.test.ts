import { describe, expect, it } from 'vitest';
import type { VitalsUpdate } from '@vigil/contracts';
import { recordTrend, TREND_BUCKET_MS, TREND_POINTS, TREND_WINDOW_MS, trendSegments } from '../../app/ward/[wardId]/bed-trends.ts';

const T0 = 1_700_000_000_000;
const update = (t: number, vitals: VitalsUpdate['vitals'], quality: VitalsUpdate['quality'] = {}): VitalsUpdate => ({
  wardId: 'ward-a',
  bedId: 'bed-01',
  patientId: 'pt-1',
  t,
  vitals,
  quality,
});

describe('bed trends', () => {
  it('keeps one point per bucket, the newest value winning, and a vital absent from an update keeps its value', () => {
    let trend = recordTrend(undefined, update(T0, { hr: 70, spo2: 97 }));
    trend = recordTrend(trend, update(T0 + 1000, { hr: 72 }));
    expect(trend).toEqual({ t: [T0 - (T0 % TREND_BUCKET_MS)], hr: [72], spo2: [97] });
    trend = recordTrend(trend, update(T0 + TREND_BUCKET_MS, { hr: 80, spo2: 95 }));
    expect(trend.hr).toEqual([72, 80]);
  });

  it('leaves gaps for values the edge judged unreliable, and ignores backlog data older than the strip', () => {
    let trend = recordTrend(undefined, update(T0, { hr: 70, spo2: 97 }));
    trend = recordTrend(trend, update(T0 + TREND_BUCKET_MS, { hr: 250, spo2: 60 }, { hr: 'artifact', spo2: 'sensor_off' }));
    expect(trend.hr.at(-1)).toBeNull();
    expect(trend.spo2.at(-1)).toBeNull();
    const same = recordTrend(trend, update(T0 - 3 * TREND_BUCKET_MS, { hr: 50 }));
    expect(same).toBe(trend);
    expect(recordTrend(trend, update(T0 + 2 * TREND_BUCKET_MS, { rr: 12 }))).toBe(trend);
  });

  it('holds at most the window, dropping the oldest points', () => {
    let trend = recordTrend(undefined, update(T0, { hr: 60 }));
    for (let i = 1; i <= TREND_POINTS + 30; i++) trend = recordTrend(trend, update(T0 + i * TREND_BUCKET_MS, { hr: 60 + (i % 10) }));
    expect(trend.t.length).toBe(TREND_POINTS);
    expect(trend.t.at(-1)! - trend.t[0]!).toBeLessThan(TREND_WINDOW_MS);
  });

  it('draws segments right-aligned on the newest point, split at gaps, on a fixed clamped scale', () => {
    let trend = recordTrend(undefined, update(T0, { hr: 30 }));
    trend = recordTrend(trend, update(T0 + TREND_BUCKET_MS, { hr: 180 }));
    trend = recordTrend(trend, update(T0 + 2 * TREND_BUCKET_MS, { hr: 100 }, { hr: 'artifact' }));
    trend = recordTrend(trend, update(T0 + 3 * TREND_BUCKET_MS, { hr: 500 }));
    const right = trend.t.at(-1)!;
    const segments = trendSegments(trend, 'hr', 120, 24, right);
    expect(segments).toHaveLength(2);
    expect(segments[0]).toBe('117.0,24.0 118.0,0.0');
    expect(segments[1]).toBe('120.0,0.0'); // 500 clamped to the top of the 30–180 scale
  });
});
