import { describe, expect, it } from 'vitest';
import { scoreNews2, type Alarm } from '@vigil/contracts';
import { MAX_ALARMS, mergeAlarms, sortedAlarms, topAlarm } from '../../app/patient/[patientId]/alarm-history.ts';
import { createFrameScheduler } from '../../app/patient/[patientId]/frame-scheduler.ts';
import { isMlAlarm, mlExplanation } from '../../app/patient/[patientId]/ml-explanation-data.ts';
import { news2Rows } from '../../app/patient/[patientId]/news2-rows.ts';
import { PatientLive, staleCodes } from '../../app/patient/[patientId]/patient-live.ts';
import { historyPath, zoomOf, ZOOMS } from '../../app/patient/[patientId]/zoom.ts';

function alarm(over: Partial<Alarm> = {}): Alarm {
  return {
    id: 'a1',
    wardId: 'ward-a',
    bedId: 'bed-01',
    patientId: 'pt-1',
    priority: 'medium',
    kind: 'physiological',
    source: 'limit-rule',
    code: 'HR_HIGH',
    state: 'active',
    latching: false,
    message: 'Heart rate high',
    onsetAt: 1000,
    raisedAt: 11_000,
    updatedAt: 11_000,
    endedAt: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    evidence: { vital: 'hr', value: 142, limit: 130, comparator: '>' },
    ...over,
  };
}

describe('frame scheduler', () => {
  it('runs once per frame however often it is asked, and not after cancel', () => {
    const frames: Array<() => void> = [];
    let runs = 0;
    const s = createFrameScheduler(() => runs++, { request: (cb) => frames.push(cb), cancel: (h) => (frames[h - 1] = () => undefined) });
    for (let i = 0; i < 50; i++) s.schedule();
    expect(frames).toHaveLength(1);
    expect(s.pending).toBe(true);
    frames.shift()!();
    expect(runs).toBe(1);
    expect(s.pending).toBe(false);
    s.schedule();
    s.schedule();
    expect(frames).toHaveLength(1);
    s.cancel();
    frames.shift()!();
    expect(runs).toBe(1);
  });
});

describe('alarm history', () => {
  it('merges REST and live changes by id: newer wins, ended is final, other patients are ignored', () => {
    let index = mergeAlarms(new Map(), [alarm()], 'pt-1');
    const acked = alarm({ state: 'acknowledged', updatedAt: 12_000, acknowledgedBy: 'nurse' });
    index = mergeAlarms(index, [acked], 'pt-1');
    expect(index.get('a1')?.state).toBe('acknowledged');
    // The older change arriving again (a resync's missed list) changes nothing, and keeps the map's identity.
    expect(mergeAlarms(index, [alarm()], 'pt-1')).toBe(index);
    index = mergeAlarms(index, [alarm({ state: 'ended', updatedAt: 13_000, endedAt: 13_000 })], 'pt-1');
    expect(mergeAlarms(index, [alarm({ state: 'active', updatedAt: 14_000 })], 'pt-1').get('a1')?.state).toBe('ended');
    expect(mergeAlarms(index, [alarm({ id: 'b', patientId: 'pt-2' })], 'pt-1')).toBe(index);
  });

  it('lists open alarms first by priority, and names the most urgent open one', () => {
    const index = mergeAlarms(
      new Map(),
      [
        alarm({ id: 'ended-high', priority: 'high', state: 'ended', endedAt: 20_000, raisedAt: 19_000 }),
        alarm({ id: 'low', priority: 'low', raisedAt: 30_000 }),
        alarm({ id: 'med', priority: 'medium', raisedAt: 10_000 }),
      ],
      'pt-1',
    );
    expect(sortedAlarms(index).map((a) => a.id)).toEqual(['med', 'low', 'ended-high']);
    expect(topAlarm(index)?.id).toBe('med');
    expect(topAlarm(mergeAlarms(new Map(), [alarm({ state: 'ended' })], 'pt-1'))).toBeNull();
  });

  it('stays bounded, keeping open alarms', () => {
    const many = Array.from({ length: MAX_ALARMS + 50 }, (_, i) => alarm({ id: `e${i}`, state: 'ended', raisedAt: i, updatedAt: i }));
    const index = mergeAlarms(new Map(), [...many, alarm({ id: 'open', raisedAt: 0 })], 'pt-1');
    expect(index.size).toBe(MAX_ALARMS);
    expect(index.has('open')).toBe(true);
    expect(index.has(`e${MAX_ALARMS + 49}`)).toBe(true);
    expect(index.has('e0')).toBe(false);
  });
});

describe('ML explanation', () => {
  const ml = alarm({
    id: 'ml',
    kind: 'advisory',
    source: 'lstm',
    code: 'ML_ANOMALY',
    priority: 'low',
    evidence: { windowStart: 60_000, windowEnd: 360_000, value: 4.2, limit: 3, comparator: '>', contributions: { hr: 0.6, rr: 0.3, sbp: 0.1, spo2: 0 }, detail: 'Heart rate and respiratory rate unusual' },
  });

  it('gives one bar per contributing vital, largest first, shares summing to 100, with the window', () => {
    expect(isMlAlarm(ml)).toBe(true);
    expect(isMlAlarm(alarm())).toBe(false);
    const x = mlExplanation(ml);
    expect(x.bars.map((b) => [b.vital, b.label, Math.round(b.percent)])).toEqual([
      ['hr', 'Heart rate', 60],
      ['rr', 'Respiratory rate', 30],
      ['sbp', 'Systolic BP', 10],
    ]);
    expect(x.bars.reduce((s, b) => s + b.percent, 0)).toBeCloseTo(100);
    expect(x).toMatchObject({ windowStart: 60_000, windowEnd: 360_000, score: 4.2, threshold: 3, sentence: 'Heart rate and respiratory rate unusual' });
  });
});

describe('NEWS2 breakdown rows', () => {
  it('lists the seven parameters in chart order with value and sub-score, missing ones as not observed', () => {
    const result = scoreNews2({ rr: 25, spo2: 93, hr: 112, temp: 38.46, onOxygen: false, consciousness: 'alert' });
    const rows = news2Rows(result);
    expect(rows.map((r) => r.parameter)).toEqual(['rr', 'spo2', 'o2', 'sbp', 'hr', 'consciousness', 'temp']);
    expect(rows.find((r) => r.parameter === 'rr')).toEqual({ parameter: 'rr', label: 'Respiration rate', value: '25 /min', points: 3 });
    expect(rows.find((r) => r.parameter === 'spo2')).toMatchObject({ label: 'SpO\u2082 (scale 1)', value: '93 %', points: 2 });
    expect(rows.find((r) => r.parameter === 'o2')).toMatchObject({ value: 'Air', points: 0 });
    expect(rows.find((r) => r.parameter === 'sbp')).toMatchObject({ value: null, points: null });
    expect(rows.find((r) => r.parameter === 'temp')).toMatchObject({ value: '38.5 \u00b0C', points: 1 });
    expect(rows.find((r) => r.parameter === 'consciousness')).toMatchObject({ value: 'Alert', points: 0 });
  });
});

describe('patient live store', () => {
  it('keeps this patient\u2019s samples and newest values; other beds only move the staleness reference', () => {
    const live = new PatientLive('pt-1', 100);
    let notified = 0;
    live.subscribe(() => notified++);
    const update = (patientId: string, t: number, vitals: Record<string, number>) =>
      live.applyVitals({ wardId: 'ward-a', bedId: 'bed-01', patientId, t, vitals, quality: {} });
    expect(update('pt-1', 1000, { hr: 70 })).toBe(true);
    expect(update('pt-2', 50_000, { hr: 90 })).toBe(false);
    expect(notified).toBe(1);
    expect(live.ring.size).toBe(1);
    expect(live.latest.hr).toEqual({ value: 70, t: 1000, quality: 'good' });
    expect(live.wardNewestT).toBe(50_000);
    // 49 s without a new HR while the ward moved on: stale (30 s rule).
    expect([...staleCodes(live.latest, live.wardNewestT)]).toEqual(['hr']);
    update('pt-1', 49_000, { hr: 72 });
    expect(staleCodes(live.latest, live.wardNewestT).size).toBe(0);
    // A cuff pressure is as old as its cycle: stale only after 20 min.
    update('pt-1', 49_000, { nibpSys: 120 });
    update('pt-2', 49_000 + 19 * 60_000, { hr: 90 });
    expect([...staleCodes(live.latest, live.wardNewestT)]).toEqual(['hr']);
    update('pt-2', 49_000 + 21 * 60_000, { hr: 90 });
    expect([...staleCodes(live.latest, live.wardNewestT)].sort()).toEqual(['hr', 'nibpSys']);
    // A late sample goes into the ring (history) but not the readout.
    update('pt-1', 40_000, { hr: 10 });
    expect(live.latest.hr?.value).toBe(72);
    expect(live.ring.size).toBe(3);
  });
});

describe('zoom', () => {
  it('asks the API for raw samples over 15 min and 1 min rollups over 1 h and 24 h, ending at server time', () => {
    expect(ZOOMS.map((z) => [z.key, z.resolution])).toEqual([
      ['15m', 'raw'],
      ['1h', '1m'],
      ['24h', '1m'],
    ]);
    const url = new URL(historyPath('pt-ward-a-01', zoomOf('1h'), 7_200_000.4), 'http://x');
    expect(url.pathname).toBe('/api/patients/pt-ward-a-01/vitals');
    expect(Object.fromEntries(url.searchParams)).toEqual({ from: '3600001', to: '7200001', resolution: '1m' });
  });
});
