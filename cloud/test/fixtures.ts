/** Records shared by the cloud unit tests; each test overrides what it is about. */
import type { Alarm, BedState, UplinkSample, UplinkStatus } from '@vigil/contracts';

/** On the hour (2025-10-09T09:00:00Z), so minute and hour buckets of the storage tests start at T0. */
export const T0 = 1_760_000_400_000;

export function sample(overrides: Partial<UplinkSample> = {}): UplinkSample {
  return {
    type: 'sample',
    patientId: 'pt-1',
    bedId: 'bed-01',
    deviceId: 'mon-01',
    deviceType: 'icu-monitor',
    bootId: 'boot-1',
    seq: 1,
    t: T0,
    receivedAt: T0 + 50,
    vitals: { hr: 72, spo2: 97 },
    quality: { hr: 'good', spo2: 'good' },
    late: false,
    ...overrides,
  };
}

export function status(overrides: Partial<UplinkStatus> = {}): UplinkStatus {
  return {
    type: 'status',
    patientId: 'pt-1',
    bedId: 'bed-01',
    deviceId: 'mon-01',
    deviceType: 'icu-monitor',
    bootId: 'boot-1',
    t: T0,
    receivedAt: T0 + 20,
    state: 'online',
    reason: 'startup',
    ...overrides,
  };
}

export function bed(overrides: Partial<BedState> = {}): BedState {
  return {
    wardId: 'ward-a',
    bedId: 'bed-01',
    patientId: 'pt-1',
    latest: { hr: { value: 72, t: T0, quality: 'good' } },
    devices: [{ deviceId: 'mon-01', deviceType: 'icu-monitor', state: 'online', battery: null, t: T0 }],
    updatedAt: T0,
    ...overrides,
  };
}

export function alarm(overrides: Partial<Alarm> = {}): Alarm {
  return {
    id: 'al-1',
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
    onsetAt: T0,
    raisedAt: T0 + 10_000,
    updatedAt: T0 + 10_000,
    endedAt: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    evidence: { vital: 'hr', value: 140, limit: 130, comparator: '>' },
    ...overrides,
  };
}
