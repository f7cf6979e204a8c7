/** Valid messages shared by the schema tests; each test breaks exactly one thing in a copy. */
import type { Alarm, DeviceStatus, UplinkAlarm, UplinkSample, UplinkStatus, VitalsSample, WardSnapshot } from '../src/index.ts';

export const T0 = 1_760_000_000_000;

export function vitalsSample(): VitalsSample {
  return {
    v: 1,
    deviceId: 'icu-mon-01',
    bootId: 'boot-7f3a',
    seq: 42,
    t: T0,
    vitals: { hr: 72, spo2: 97, rr: 16, temp: 36.8 },
    flags: { spo2: 'ok' },
  };
}

export function deviceStatus(): DeviceStatus {
  return { v: 1, deviceId: 'wear-03', bootId: 'b-1', t: T0, state: 'online', reason: 'startup', battery: 88, signal: -67 };
}

export function alarm(overrides: Partial<Alarm> = {}): Alarm {
  return {
    id: 'alm-p1-hr-high-1',
    wardId: 'ward-a',
    bedId: 'bed-01',
    patientId: 'p-0001',
    priority: 'high',
    kind: 'physiological',
    source: 'limit-rule',
    code: 'HR_HIGH',
    state: 'active',
    latching: true,
    message: 'HR 142 > 130',
    onsetAt: T0,
    raisedAt: T0 + 10_000,
    updatedAt: T0 + 10_000,
    endedAt: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    evidence: { vital: 'hr', value: 142, limit: 130, comparator: '>', conditionDelayMs: 10_000 },
    ...overrides,
  };
}

export function uplinkSample(): UplinkSample {
  return {
    type: 'sample',
    patientId: 'p-0001',
    bedId: 'bed-01',
    deviceId: 'icu-mon-01',
    deviceType: 'icu-monitor',
    bootId: 'boot-7f3a',
    seq: 42,
    t: T0,
    receivedAt: T0 + 50,
    vitals: { hr: 72, spo2: 97 },
    quality: { hr: 'good', spo2: 'questionable' },
    late: false,
  };
}

export function uplinkStatus(): UplinkStatus {
  return {
    type: 'status',
    patientId: 'p-0001',
    bedId: 'bed-01',
    deviceId: 'wear-03',
    deviceType: 'wearable',
    bootId: 'b-1',
    t: T0,
    receivedAt: T0 + 20,
    state: 'offline',
    reason: 'connection_lost',
  };
}

export function uplinkAlarm(): UplinkAlarm {
  return { type: 'alarm', alarm: alarm({ source: 'edge-limit' }) };
}

export function wardSnapshot(): WardSnapshot {
  return {
    wardId: 'ward-a',
    beds: [
      {
        wardId: 'ward-a',
        bedId: 'bed-01',
        patientId: 'p-0001',
        latest: { hr: { value: 72, t: T0, quality: 'good' } },
        devices: [{ deviceId: 'icu-mon-01', deviceType: 'icu-monitor', state: 'online', battery: null, t: T0 }],
        updatedAt: T0,
      },
    ],
    alarms: [alarm()],
    at: T0 + 1000,
  };
}

/** A deep copy that a test may mutate freely. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}
