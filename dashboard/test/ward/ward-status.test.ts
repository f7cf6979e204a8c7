/** Tile wording (technical states, NEWS2 bands), the NEWS2 merge rule, the edge fallback merge and the inbox rules. */
import { describe, expect, it } from 'vitest';
import type { Alarm, BedState, News2Update } from '@vigil/contracts';
import { canAct } from '../../app/ward/[wardId]/alarm-inbox.tsx';
import { mergeFallback } from '../../app/ward/[wardId]/fallback-view.ts';
import { techStates, NEWS2_BAND_TEXT } from '../../app/ward/[wardId]/tile-status.ts';
import { moveSelection } from '../../app/ward/[wardId]/use-inbox-keys.ts';
import { applyNews2, fromSnapshot, toDraft } from '../../app/ward/[wardId]/ward-store.ts';

const T = 1_700_000_000_000;
const bed = (overrides: Partial<BedState> = {}): BedState => ({ wardId: 'ward-a', bedId: 'bed-01', patientId: 'pt-1', latest: {}, devices: [], updatedAt: T, ...overrides });
const alarm = (overrides: Partial<Alarm>): Alarm => ({
  id: 'a1', wardId: 'ward-a', bedId: 'bed-01', patientId: 'pt-1', priority: 'medium', kind: 'physiological', source: 'limit-rule', code: 'HR_HIGH',
  state: 'active', latching: false, message: 'Heart rate high', onsetAt: T, raisedAt: T, updatedAt: T, endedAt: null, acknowledgedBy: null,
  acknowledgedAt: null, evidence: {}, ...overrides,
});
const news2 = (end: number, total: number, response: News2Update['result']['response']): News2Update => ({
  wardId: 'ward-a', bedId: 'bed-01', patientId: 'pt-1', start: end - 60_000, end, revision: 0,
  result: { total, parameters: {}, missing: ['consciousness'], complete: false, anySingleThree: false, response, spo2Scale: 1 },
});

describe('technical states on a tile', () => {
  it('names link down, sensor off and low battery in words, each once, most serious first', () => {
    const b = bed({
      latest: { spo2: { value: 0, t: T, quality: 'sensor_off' }, hr: { value: 70, t: T, quality: 'good' } },
      devices: [
        { deviceId: 'mon-1', deviceType: 'icu-monitor', state: 'offline', battery: 12, t: T },
        { deviceId: 'wear-1', deviceType: 'wearable', state: 'online', battery: 80, t: T },
      ],
    });
    const alarms = [
      alarm({ id: 't1', kind: 'technical', source: 'edge-technical', code: 'SENSOR_OFF', message: 'Sensor off' }),
      alarm({ id: 't2', kind: 'technical', source: 'edge-technical', code: 'BATTERY_LOW', message: 'Battery low' }),
      alarm({ id: 't3', kind: 'technical', source: 'edge-technical', code: 'DATA_GAP', message: 'No data from device' }),
      alarm({ id: 't4', kind: 'technical', code: 'DATA_GAP', bedId: 'bed-02' }),
    ];
    expect(techStates(b, alarms).map((s) => s.text)).toEqual(['LINK DOWN', 'SENSOR OFF', 'BATT 12%', 'NO DATA']);
    expect(techStates(bed(), [])).toEqual([]);
  });

  it('names every NEWS2 band (RCP 2017: 0–4 low, single 3 low–medium, 5–6 medium, 7+ high)', () => {
    expect(NEWS2_BAND_TEXT).toEqual({ routine: 'LOW', low: 'LOW', 'low-medium': 'LOW–MED', medium: 'MEDIUM', high: 'HIGH' });
  });
});

describe('NEWS2 in the ward store', () => {
  it('keeps the newest window; a revision of the same window replaces it; an older one does not', () => {
    const draft = toDraft(fromSnapshot({ wardId: 'ward-a', beds: [bed()], alarms: [], at: T }));
    applyNews2(draft, news2(T, 5, 'medium'));
    expect(draft.beds.get('bed-01')?.news2).toEqual({ total: 5, response: 'medium', anySingleThree: false, complete: false, end: T });
    applyNews2(draft, news2(T, 7, 'high'));
    expect(draft.beds.get('bed-01')?.news2?.total).toBe(7);
    applyNews2(draft, news2(T - 60_000, 1, 'low'));
    expect(draft.beds.get('bed-01')?.news2?.total).toBe(7);
    const before = draft.beds;
    applyNews2(draft, { ...news2(T + 60_000, 2, 'low'), patientId: 'pt-other' });
    applyNews2(draft, { ...news2(T + 60_000, 2, 'low'), wardId: 'ward-b' });
    expect(draft.beds).toBe(before);
  });
});

describe('edge fallback view', () => {
  it('shows the edge live over the cloud\u2019s last known state, keeping cloud-only alarms and NEWS2', () => {
    const cloud = fromSnapshot({
      wardId: 'ward-a',
      beds: [bed({ news2: { total: 6, response: 'medium', anySingleThree: false, complete: true, end: T } })],
      alarms: [alarm({ id: 'cloud-only' }), alarm({ id: 'both', state: 'active', priority: 'high' }), alarm({ id: 'ended-at-edge' })],
      at: T,
    });
    const edge = fromSnapshot({
      wardId: 'ward-a',
      beds: [bed({ latest: { hr: { value: 99, t: T + 5_000, quality: 'good' } } })],
      alarms: [alarm({ id: 'both', state: 'latched', priority: 'high', updatedAt: T + 1 }), alarm({ id: 'ended-at-edge', state: 'ended' }), alarm({ id: 'edge-only', priority: 'high', source: 'edge-limit' })],
      at: T,
    });
    const { ward, live } = mergeFallback(cloud, edge);
    expect([...ward.alarms.keys()].sort()).toEqual(['both', 'cloud-only', 'edge-only']);
    expect(ward.alarms.get('both')?.state).toBe('latched');
    expect([...live].sort()).toEqual(['both', 'edge-only']);
    expect(ward.beds.get('bed-01')?.latest.hr?.value).toBe(99);
    expect(ward.beds.get('bed-01')?.news2?.total).toBe(6);
    expect(ward.newestT).toBe(T + 5_000);
  });
});

describe('inbox rules', () => {
  it('allows only the actions the alarm manager accepts in each state', () => {
    expect(canAct(alarm({ state: 'active' }), 'acknowledge')).toBe(true);
    expect(canAct(alarm({ state: 'acknowledged' }), 'acknowledge')).toBe(false);
    expect(canAct(alarm({ state: 'acknowledged' }), 'audio-pause')).toBe(false);
    expect(canAct(alarm({ state: 'latched' }), 'audio-pause')).toBe(true);
    expect(canAct(alarm({ escalatedTo: 'charge_nurse' }), 'escalate')).toBe(false);
    expect(canAct(alarm({ state: 'ended' }), 'escalate')).toBe(false);
  });

  it('moves the selection with j/k, clamped at the ends, starting at the most urgent', () => {
    const list = [alarm({ id: 'x' }), alarm({ id: 'y' }), alarm({ id: 'z' })];
    expect(moveSelection(list, null, 1)).toBe('x');
    expect(moveSelection(list, 'x', 1)).toBe('y');
    expect(moveSelection(list, 'z', 1)).toBe('z');
    expect(moveSelection(list, 'x', -1)).toBe('x');
    expect(moveSelection(list, 'gone', -1)).toBe('x');
    expect(moveSelection([], 'x', 1)).toBeNull();
  });
});
