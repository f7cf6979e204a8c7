/**
 * The replay's stand-in for the edge (replay/edge-equivalent.ts) judges signal quality as the edge does: the periodic
 * `online` status of a running device keeps its quality state, a new boot resets it (edge/src/local-pipeline.ts).
 */
import { describe, expect, it } from 'vitest';
import type { SessionDevice, SessionMessage, UplinkSample } from '@vigil/contracts';
import { EdgeEquivalent } from '../../src/replay/edge-equivalent.ts';

const T = 1_764_000_000_000;
const device: SessionDevice = { deviceId: 'mon-1', deviceType: 'icu-monitor', patientId: 'pt-1', bedId: 'bed-01', wardId: 'ward-a' };
const vitals = (seq: number, bootId = 'b1'): SessionMessage => ({
  kind: 'message',
  sentAt: T + seq * 1000,
  channel: 'vitals',
  message: { v: 1, deviceId: 'mon-1', bootId, seq, t: T + seq * 1000, vitals: { hr: 72 + (seq % 3), spo2: 97 } },
});
const online = (at: number, bootId = 'b1'): SessionMessage => ({
  kind: 'message',
  sentAt: T + at * 1000,
  channel: 'status',
  message: { v: 1, deviceId: 'mon-1', bootId, t: T + at * 1000, state: 'online', reason: 'periodic' },
});
const questionable = (records: Array<ReturnType<EdgeEquivalent['convert']>>) =>
  records.filter((r): r is UplinkSample => r?.type === 'sample').filter((r) => Object.values(r.quality).some((q) => q !== 'good')).map((r) => r.seq);

describe('edge equivalent: signal quality across statuses', () => {
  it('a periodic online status of the same boot resets nothing; a new boot starts its quality state afresh', () => {
    const edge = new EdgeEquivalent([device]);
    const settle = questionable(Array.from({ length: 30 }, (_, s) => edge.convert(vitals(s))));
    expect(settle.length).toBeGreaterThan(0); // a fresh state settles first: what a reset would repeat
    const afterPeriodic = [edge.convert(online(30)), ...Array.from({ length: 30 }, (_, s) => edge.convert(vitals(30 + s)))];
    expect(questionable(afterPeriodic)).toEqual([]);
    // A reboot: the new boot's first values settle again, as at the start.
    const afterReboot = [edge.convert(online(60, 'b2')), ...Array.from({ length: 30 }, (_, s) => edge.convert(vitals(s, 'b2')))];
    expect(questionable(afterReboot).length).toBe(settle.length);
  });
});
