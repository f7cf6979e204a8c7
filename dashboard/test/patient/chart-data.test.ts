import { describe, expect, it } from 'vitest';
import type { VitalsHistoryResponse } from '@vigil/contracts';
import { buildChartFrame, columnsOf, liveCut } from '../../app/patient/[patientId]/chart-data.ts';
import { CHARTS, chartsFor, limitsFor, yRange } from '../../app/patient/[patientId]/chart-defs.ts';
import { VitalRing } from '../../app/patient/[patientId]/vital-ring.ts';
import { DEFAULT_LIMIT_RULES } from '@vigil/contracts';

const hrChart = chartsFor(new Set(['hr']))[0]!;
const bpChart = chartsFor(new Set(['abpSys', 'nibpSys']))[0]!;

function raw(t: number[], hr: Array<number | null>): VitalsHistoryResponse {
  return { patientId: 'pt-1', from: 0, to: 100_000, resolution: 'raw', t, vitals: { hr: { mean: hr, min: hr, max: hr } } };
}

describe('chart definitions', () => {
  it('shows only the charts and series the patient has, BP with invasive and cuff pressures', () => {
    expect(chartsFor(new Set(['hr', 'spo2'])).map((c) => c.key)).toEqual(['hr', 'spo2']);
    expect(bpChart.series.map((s) => s.code)).toEqual(['abpSys', 'nibpSys']);
    expect(chartsFor(new Set(['skinTemp']))[0]).toMatchObject({ key: 'temp', series: [{ code: 'skinTemp' }] });
    expect(chartsFor(new Set())).toEqual([]);
  });

  it('draws the limit rules that watch a chart\u2019s vitals', () => {
    expect(limitsFor(hrChart, DEFAULT_LIMIT_RULES).map((l) => `${l.code}${l.comparator}${l.limit}`)).toEqual(['HR_HIGH>130', 'HR_LOW<40']);
    // SBP_LOW watches invasive and cuff systolic pressure; only those on the chart are named.
    expect(limitsFor(bpChart, DEFAULT_LIMIT_RULES)).toEqual([
      { code: 'SBP_LOW', label: 'Systolic pressure low', limit: 90, comparator: '<', priority: 'high', vitals: ['abpSys', 'nibpSys'] },
    ]);
    const temp = CHARTS.find((c) => c.key === 'temp')!;
    expect(limitsFor({ ...temp, series: temp.series.filter((s) => s.code === 'skinTemp') }, DEFAULT_LIMIT_RULES)).toEqual([]);
  });

  it('widens the y range to include every limit line, with padding', () => {
    const limits = limitsFor(hrChart, DEFAULT_LIMIT_RULES);
    const [lo, hi] = yRange(70, 80, limits);
    expect(lo).toBeLessThan(40);
    expect(hi).toBeGreaterThan(130);
    expect(yRange(null, null, [])).toEqual([0, 100]);
    const [a, b] = yRange(37, 37, []);
    expect(b - a).toBeGreaterThanOrEqual(1);
  });
});

describe('buildChartFrame', () => {
  it('draws the history, then the live samples after its last sample, inside the window', () => {
    const history = raw([10_000, 11_000, 12_000], [70, null, 72]);
    const ring = new VitalRing(10);
    ring.push(11_500, { hr: 99 }); // older than the history's last sample: already in the history (or late)
    ring.push(13_000, { hr: 73 });
    ring.push(14_000, { spo2: 97 }); // not this chart's vital
    const frame = buildChartFrame(hrChart, history, ring.rows(['hr']), { from: 0, to: 20_000 });
    const cols = columnsOf(0, 1);
    expect(frame.data[0]).toEqual([10_000, 12_000, 13_000]);
    expect(frame.data[cols.mean]).toEqual([70, 72, 73]);
    // Raw samples and live points have no envelope.
    expect(frame.data[cols.min]).toEqual([undefined, undefined, undefined]);
    expect(frame).toMatchObject({ historyPoints: 2, livePoints: 1, lastT: 13_000, min: 70, max: 73 });
  });

  it('cuts to the visible window', () => {
    const ring = new VitalRing(100);
    for (let t = 0; t < 60; t++) ring.push(t * 1000, { hr: 60 + t });
    const frame = buildChartFrame(hrChart, null, ring.rows(['hr'], 50_000), { from: 50_000, to: 55_000 });
    expect(frame.data[0]).toEqual([50_000, 51_000, 52_000, 53_000, 54_000, 55_000]);
  });

  it('draws rollups with their min–max envelope and the live tail from the end of the range', () => {
    const history: VitalsHistoryResponse = {
      patientId: 'pt-1',
      from: 0,
      to: 180_000,
      resolution: '1m',
      t: [0, 60_000, 120_000],
      vitals: { hr: { mean: [70, null, 80], min: [65, null, 72], max: [75, null, 95] } },
    };
    expect(liveCut(history)).toBe(179_999);
    const ring = new VitalRing(10);
    ring.push(170_000, { hr: 81 }); // inside the last bucket: in the history already
    ring.push(181_000, { hr: 82 });
    const frame = buildChartFrame(hrChart, history, ring.rows(['hr']), { from: 0, to: 200_000 });
    const cols = columnsOf(0, 1);
    expect(frame.data[0]).toEqual([0, 120_000, 181_000]);
    expect(frame.data[cols.mean]).toEqual([70, 80, 82]);
    expect(frame.data[cols.min]).toEqual([65, 72, undefined]);
    expect(frame.data[cols.max]).toEqual([75, 95, undefined]);
    expect(frame.max).toBe(95);
    // The empty bucket (60 000) is a gap: two buckets apart means one is missing.
    expect(frame.gaps[0]).toEqual([[0, 120_000]]);
  });

  it('marks pauses longer than a series\u2019 gap, and spans other devices\u2019 rows', () => {
    const ring = new VitalRing(50);
    for (const t of [0, 1000, 2000]) ring.push(t, { hr: 70 });
    for (const t of [2500, 7500]) ring.push(t, { nibpSys: 120 }); // another series' rows in between: spanned
    for (const t of [30_000, 31_000]) ring.push(t, { hr: 71 }); // 28 s without HR: a gap
    const hr = buildChartFrame(hrChart, null, ring.rows(['hr']), { from: 0, to: 40_000 });
    expect(hr.gaps[0]).toEqual([[2000, 30_000]]);
    const bp = buildChartFrame(bpChart, null, ring.rows(['abpSys', 'nibpSys']), { from: 0, to: 40_000 });
    expect(bp.data[0]).toEqual([2500, 7500]);
    // NIBP every few seconds is well within its 20 min cuff-cycle gap.
    expect(bp.gaps[1]).toEqual([]);
  });
});
