/** Records shared by the cloud unit tests; each test overrides what it is about. */
import type { BedState, UplinkSample, UplinkStatus } from '@vigil/contracts';

export const T0 = 1_760_000_000_000;

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
