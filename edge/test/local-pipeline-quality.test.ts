/**
 * Regression: the local pipeline reset a device's signal-quality state on every `online` status, and devices send
 * one every 60 s (`reason: 'periodic'`, simulators/src/devices/device-generator.ts), so the first settleSamples − 1
 * values of each vital after every periodic status were `questionable` (~3 % of a 1 Hz stream, more with a shorter
 * status interval). Only a new boot re-establishes the level.
 */
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { DeviceRegistryEntry, DeviceStatus, UplinkSample, UplinkStatus, VitalsSample } from '@vigil/contracts';
import { hashSecret } from '@vigil/contracts/credentials';
import { DeviceDirectory } from '../src/device-registry.ts';
import { createLocalPipeline } from '../src/local-pipeline.ts';
import { createEdgeMetrics } from '../src/metrics.ts';
import { Outbox } from '../src/outbox.ts';

const T0 = Date.UTC(2026, 0, 1);
const DEVICE: DeviceRegistryEntry = { deviceId: 'ward-q-mon-01', deviceType: 'icu-monitor', wardId: 'ward-q', bedId: 'bed-01', patientId: 'pt-q-01', secretHash: hashSecret('s'.repeat(43)) };

function pipeline() {
  let now = T0;
  const local = createLocalPipeline({
    wardId: 'ward-q',
    gatewayId: 'gw-q',
    directory: new DeviceDirectory({ v: 1, wardId: 'ward-q', devices: [DEVICE] } as never),
    outbox: new Outbox(':memory:'),
    metrics: createEdgeMetrics('gw-q'),
    logger: pino({ level: 'silent' }),
    windowMs: 1000,
    now: () => now,
  });
  /** One sample through the same path as ingest: quality first, then the observer. */
  /** Values that vary beat to beat, as real ones do (identical values for minutes are the flat-line rule's business). */
  const sample = (bootId: string, seq: number, t: number, i: number) => {
    now = t;
    const vitals = { hr: 72 + (i % 3), spo2: 96 + (i % 2), rr: 15 + (i % 3) };
    const quality = local.quality(DEVICE.deviceId, t, vitals, undefined);
    const message: VitalsSample = { v: 1, deviceId: DEVICE.deviceId, bootId, seq, t, vitals };
    const record: UplinkSample = { type: 'sample', patientId: DEVICE.patientId, bedId: DEVICE.bedId, deviceId: DEVICE.deviceId, deviceType: DEVICE.deviceType, bootId, seq, t, receivedAt: t, vitals, quality, late: false };
    local.observer.sample(DEVICE, message, record);
    return quality;
  };
  const status = (bootId: string, t: number, reason: DeviceStatus['reason']) => {
    now = t;
    const message: DeviceStatus = { v: 1, deviceId: DEVICE.deviceId, bootId, t, state: 'online', reason };
    const record: UplinkStatus = { type: 'status', patientId: DEVICE.patientId, bedId: DEVICE.bedId, deviceId: DEVICE.deviceId, deviceType: DEVICE.deviceType, bootId, t, receivedAt: t, state: 'online', reason };
    local.observer.status(DEVICE, message, record);
  };
  return { sample, status };
}

/** A 1 Hz stream for `seconds`, with the status `every` seconds; returns the share of non-good verdicts after warm-up. */
function stream(seconds: number, every: number, bootAt?: number): { questionable: number; values: number } {
  const p = pipeline();
  let boot = 'boot-1';
  let seq = 0;
  let questionable = 0;
  let values = 0;
  p.status(boot, T0, 'startup');
  for (let s = 0; s < seconds; s++) {
    const t = T0 + s * 1000;
    if (s === bootAt) {
      boot = 'boot-2';
      seq = 0;
      p.status(boot, t, 'startup');
    } else if (s > 0 && s % every === 0) p.status(boot, t, 'periodic');
    const q = p.sample(boot, seq++, t, s);
    if (s >= 5) {
      for (const v of Object.values(q)) {
        values++;
        if (v !== 'good') questionable++;
      }
    }
  }
  return { questionable, values };
}

describe('local pipeline: signal quality across device statuses', () => {
  it('keeps the learnt level across periodic online statuses (no questionable values in a clean stream)', () => {
    const { questionable, values } = stream(600, 60);
    expect(values).toBe(595 * 3);
    expect(questionable).toBe(0);
  });

  it('re-establishes the level after a new boot (its first values are questionable again)', () => {
    const { questionable } = stream(300, 60, 150);
    // settleSamples − 1 = 2 values of each of the 3 vitals after the reboot.
    expect(questionable).toBe(6);
  });
});
