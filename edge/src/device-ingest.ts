/**
 * From an authenticated device's publish to a durable outbox record: validate against the contracts, check identity,
 * plausibility, clock skew and duplicates, judge quality, then append. Returns the rejection, if any; a rejection
 * affects only that message.
 */
import {
  DEFAULT_PAYLOAD_LIMITS,
  DeviceStatus,
  isPlausible,
  parsePayload,
  PmError,
  VitalsSample,
  WaveformChunk,
  type DeviceChannel,
  type DeviceRegistryEntry,
  type UplinkRecord,
  type VitalCode,
} from '@vigil/contracts';
import type { SampleDeduper } from './dedupe.ts';
import type { EdgeMetrics } from './metrics.ts';
import type { Outbox } from './outbox.ts';
import { assessQuality } from './signal-quality.ts';

export interface DeviceIngestOptions {
  outbox: Outbox;
  deduper: SampleDeduper;
  metrics: EdgeMetrics;
  maxPayloadBytes: number;
  maxClockSkewMs: number;
  now: () => number;
}

export type IngestOutcome = { result: 'stored' | 'duplicate' } | { result: 'rejected'; error: PmError };

export function createDeviceIngest(options: DeviceIngestOptions) {
  const { outbox, deduper, metrics, now } = options;
  const limits = { ...DEFAULT_PAYLOAD_LIMITS, maxBytes: options.maxPayloadBytes };

  function placement(device: DeviceRegistryEntry) {
    return { patientId: device.patientId, bedId: device.bedId, deviceId: device.deviceId, deviceType: device.deviceType };
  }

  function checkTime(t: number, received: number): PmError | null {
    const skew = t - received;
    if (Math.abs(skew) > options.maxClockSkewMs) {
      return new PmError('PM_ERR_TIME_SKEW', `event time is ${Math.round(skew / 1000)} s from the gateway clock (limit ${options.maxClockSkewMs / 1000} s)`);
    }
    return null;
  }

  function ingestVitals(device: DeviceRegistryEntry, payload: Buffer): IngestOutcome {
    const parsed = parsePayload(VitalsSample, payload, limits);
    if (!parsed.ok) return { result: 'rejected', error: parsed.error };
    const sample = parsed.value;
    if (sample.deviceId !== device.deviceId) return { result: 'rejected', error: new PmError('PM_ERR_DEVICE_MISMATCH') };
    for (const [code, value] of Object.entries(sample.vitals) as Array<[VitalCode, number]>) {
      if (!isPlausible(code, value)) {
        return { result: 'rejected', error: new PmError('PM_ERR_VITAL_IMPLAUSIBLE', `${code}=${value} is outside the physiologically possible range`) };
      }
    }
    const received = now();
    const skew = checkTime(sample.t, received);
    if (skew) return { result: 'rejected', error: skew };
    const verdict = deduper.check(device.deviceId, sample.bootId, sample.seq);
    if (verdict === 'duplicate') return { result: 'duplicate' };
    if (verdict === 'regression') {
      return { result: 'rejected', error: new PmError('PM_ERR_SEQ_REGRESSION', `seq ${sample.seq} is far below the highest seq of boot ${sample.bootId}`) };
    }
    const record: UplinkRecord = {
      type: 'sample',
      ...placement(device),
      bootId: sample.bootId,
      seq: sample.seq,
      t: sample.t,
      receivedAt: received,
      vitals: sample.vitals,
      quality: assessQuality(sample.vitals, sample.flags),
      ...(sample.flags ? { flags: sample.flags } : {}),
      late: false,
    };
    outbox.append(record, received);
    deduper.commit(device.deviceId, sample.bootId, sample.seq);
    metrics.ingestSeconds.observe(Math.max(0, received - sample.t) / 1000);
    return { result: 'stored' };
  }

  function ingestStatus(device: DeviceRegistryEntry, payload: Buffer): IngestOutcome {
    const parsed = parsePayload(DeviceStatus, payload, limits);
    if (!parsed.ok) return { result: 'rejected', error: parsed.error };
    const status = parsed.value;
    if (status.deviceId !== device.deviceId) return { result: 'rejected', error: new PmError('PM_ERR_DEVICE_MISMATCH') };
    const received = now();
    // A Last Will is published by the broker when the loss is detected, possibly long after it was registered:
    // its time is the moment the gateway learns of the loss.
    const t = status.reason === 'connection_lost' ? received : status.t;
    const skew = checkTime(t, received);
    if (skew) return { result: 'rejected', error: skew };
    if (status.state === 'online') deduper.forgetDevice(device.deviceId, status.bootId);
    const record: UplinkRecord = {
      type: 'status',
      ...placement(device),
      bootId: status.bootId,
      t,
      receivedAt: received,
      state: status.state,
      reason: status.reason,
      ...(status.battery !== undefined ? { battery: status.battery } : {}),
      ...(status.signal !== undefined ? { signal: status.signal } : {}),
    };
    outbox.append(record, received);
    return { result: 'stored' };
  }

  /**
   * Waveform chunks are validated and counted here; they are not forwarded raw (a ward of monitors at 250 Hz would
   * swamp the uplink): the edge summarises them and forwards them only on request or during an alarm.
   */
  function ingestWave(device: DeviceRegistryEntry, payload: Buffer): IngestOutcome {
    const parsed = parsePayload(WaveformChunk, payload, { ...limits, maxBytes: Math.max(limits.maxBytes, 64 * 1024) });
    if (!parsed.ok) return { result: 'rejected', error: parsed.error };
    const chunk = parsed.value;
    if (chunk.deviceId !== device.deviceId) return { result: 'rejected', error: new PmError('PM_ERR_DEVICE_MISMATCH') };
    const skew = checkTime(chunk.t, now());
    if (skew) return { result: 'rejected', error: skew };
    metrics.waveformValues.inc({ kind: chunk.kind }, chunk.values.length);
    return { result: 'stored' };
  }

  const handlers: Record<DeviceChannel, (device: DeviceRegistryEntry, payload: Buffer) => IngestOutcome> = {
    vitals: ingestVitals,
    status: ingestStatus,
    wave: ingestWave,
  };

  return {
    ingest(device: DeviceRegistryEntry, channel: DeviceChannel, payload: Buffer): IngestOutcome {
      let outcome: IngestOutcome;
      try {
        outcome = handlers[channel](device, payload);
      } catch (err) {
        // The outbox write failed: the device must not be acknowledged, so that it sends the message again.
        outcome = { result: 'rejected', error: new PmError('PM_ERR_STORE_FAILED', (err as Error).message) };
      }
      if (outcome.result === 'rejected') metrics.messagesRejected.inc({ reason: outcome.error.reason });
      else if (outcome.result === 'stored') metrics.messagesAccepted.inc({ channel });
      else metrics.duplicates.inc();
      metrics.outboxDepth.set(outbox.size);
      return outcome;
    },
  };
}
export type DeviceIngest = ReturnType<typeof createDeviceIngest>;
