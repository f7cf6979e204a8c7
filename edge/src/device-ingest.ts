/**
 * From an authenticated device's publish to a durable outbox record: validate against the contracts, check identity,
 * plausibility, clock skew and duplicates, judge quality, hand the message to the ward's local consumers (alarms,
 * aggregation, recorder), then queue it for the outbox's group commit. `done` reports the outcome: for an accepted
 * message only once it is durable. A rejection affects only that message.
 *
 * A sample whose commit failed (disk full) is refused, and the device sends it again: its local processing (quality
 * verdict, alarms, windows, recorder) already happened at its first arrival, so the retry only stores the record
 * made then — judged again, it would be judged against a state that already includes it and the samples after it
 * (a different verdict than in a run without the fault), and counted twice in the windows. Found by
 * test/faults/edge-disk-full.test.ts (a latch time moved by 2 s). At most REFUSED_MAX records are kept for this.
 *
 * Waveform chunks are validated and deduplicated but not stored raw: the edge summarises them and forwards raw
 * chunks only on request or during an alarm (waveform-forwarder.ts), so they are acknowledged after validation.
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
  type DeviceChannelFlag,
  type DeviceRegistryEntry,
  type SampleQuality,
  type UplinkSample,
  type UplinkStatus,
  type VitalCode,
} from '@vigil/contracts';
import type { SampleDeduper } from './dedupe.ts';
import type { EdgeMetrics } from './metrics.ts';
import type { Outbox } from './outbox.ts';

export type QualityAssessor = (
  deviceId: string,
  t: number,
  vitals: Partial<Record<VitalCode, number>>,
  flags: Partial<Record<VitalCode, DeviceChannelFlag>> | undefined,
) => Partial<Record<VitalCode, SampleQuality>>;

/** The ward's local consumers of accepted messages; called before the commit, so local alarms never wait on disk. */
export interface IngestObserver {
  sample(device: DeviceRegistryEntry, sample: VitalsSample, record: UplinkSample): void;
  status(device: DeviceRegistryEntry, status: DeviceStatus, record: UplinkStatus): void;
  wave(device: DeviceRegistryEntry, chunk: WaveformChunk, receivedAt: number): void;
}

export interface DeviceIngestOptions {
  outbox: Outbox;
  deduper: SampleDeduper;
  /** Waveform chunks have their own seq space per kind. */
  waveDeduper: SampleDeduper;
  quality: QualityAssessor;
  observer?: IngestObserver;
  onConsumerError?: (err: Error) => void;
  metrics: EdgeMetrics;
  maxPayloadBytes: number;
  maxClockSkewMs: number;
  now: () => number;
}

export type IngestOutcome = { result: 'stored' | 'duplicate' } | { result: 'rejected'; error: PmError };
export type IngestDone = (outcome: IngestOutcome) => void;

const WAVE_LIMITS_BYTES = 64 * 1024;
/** Refused samples kept for their retry: ~10 s of a 2,000-device ward at 1 Hz (beyond it, the oldest are judged anew). */
export const REFUSED_MAX = 20_000;

export function createDeviceIngest(options: DeviceIngestOptions) {
  const { outbox, deduper, waveDeduper, metrics, now, observer } = options;
  const limits = { ...DEFAULT_PAYLOAD_LIMITS, maxBytes: options.maxPayloadBytes };
  /** Samples whose commit failed, by key, as made at their first arrival (insertion order: oldest first). */
  const refused = new Map<string, UplinkSample>();

  function rejected(code: ConstructorParameters<typeof PmError>[0], message?: string): IngestOutcome {
    return { result: 'rejected', error: new PmError(code, message) };
  }

  /** A failing local consumer (alarms, aggregation, recorder) is counted, and never costs the message its storage. */
  function notify(consumer: () => void): void {
    try {
      consumer();
    } catch (err) {
      metrics.consumerErrors.inc();
      options.onConsumerError?.(err as Error);
    }
  }

  function placement(device: DeviceRegistryEntry) {
    return { patientId: device.patientId, bedId: device.bedId, deviceId: device.deviceId, deviceType: device.deviceType };
  }

  function skewError(t: number, received: number): IngestOutcome | null {
    const skew = t - received;
    if (Math.abs(skew) <= options.maxClockSkewMs) return null;
    return rejected('PM_ERR_TIME_SKEW', `event time is ${Math.round(skew / 1000)} s from the gateway clock (limit ${options.maxClockSkewMs / 1000} s)`);
  }

  /** Queue for the group commit; `done` when durable. A failed commit frees the key so the device's resend counts. */
  function store(record: UplinkSample | UplinkStatus, received: number, done: IngestDone, release?: () => void): void {
    outbox.enqueue(record, received, (err) => {
      if (err) {
        release?.();
        done({ result: 'rejected', error: new PmError('PM_ERR_STORE_FAILED', err.message) });
      } else {
        done({ result: 'stored' });
      }
    });
  }

  function ingestVitals(device: DeviceRegistryEntry, payload: Buffer, done: IngestDone): void {
    const parsed = parsePayload(VitalsSample, payload, limits);
    if (!parsed.ok) return done({ result: 'rejected', error: parsed.error });
    const sample = parsed.value;
    if (sample.deviceId !== device.deviceId) return done(rejected('PM_ERR_DEVICE_MISMATCH'));
    for (const code in sample.vitals) {
      const value = sample.vitals[code as VitalCode] as number;
      if (!isPlausible(code as VitalCode, value)) {
        return done(rejected('PM_ERR_VITAL_IMPLAUSIBLE', `${code}=${value} is outside the physiologically possible range`));
      }
    }
    const received = now();
    const skew = skewError(sample.t, received);
    if (skew) return done(skew);
    const verdict = deduper.check(device.deviceId, sample.bootId, sample.seq);
    if (verdict === 'duplicate') return done({ result: 'duplicate' });
    if (verdict === 'regression') return done(rejected('PM_ERR_SEQ_REGRESSION', `seq ${sample.seq} is far below the highest seq of boot ${sample.bootId}`));
    deduper.commit(device.deviceId, sample.bootId, sample.seq);
    const key = `${device.deviceId}\u0000${sample.bootId}\u0000${sample.seq}`;
    const release = (record: UplinkSample) => () => {
      deduper.release(device.deviceId, sample.bootId, sample.seq);
      refused.set(key, record);
      if (refused.size > REFUSED_MAX) refused.delete(refused.keys().next().value!);
    };
    const retry = refused.get(key);
    if (retry) {
      refused.delete(key);
      return store(retry, received, done, release(retry));
    }
    const record: UplinkSample = {
      type: 'sample',
      ...placement(device),
      bootId: sample.bootId,
      seq: sample.seq,
      t: sample.t,
      receivedAt: received,
      vitals: sample.vitals,
      quality: options.quality(device.deviceId, sample.t, sample.vitals, sample.flags),
      ...(sample.flags ? { flags: sample.flags } : {}),
      late: false,
    };
    if (observer) notify(() => observer.sample(device, sample, record));
    metrics.ingestSeconds.observe(Math.max(0, received - sample.t) / 1000);
    store(record, received, done, release(record));
  }

  function ingestStatus(device: DeviceRegistryEntry, payload: Buffer, done: IngestDone): void {
    const parsed = parsePayload(DeviceStatus, payload, limits);
    if (!parsed.ok) return done({ result: 'rejected', error: parsed.error });
    const status = parsed.value;
    if (status.deviceId !== device.deviceId) return done(rejected('PM_ERR_DEVICE_MISMATCH'));
    const received = now();
    // A Last Will is published by the broker when the loss is detected, possibly long after it was registered:
    // its time is the moment the gateway learns of the loss.
    const t = status.reason === 'connection_lost' ? received : status.t;
    const skew = skewError(t, received);
    if (skew) return done(skew);
    if (status.state === 'online') {
      deduper.forgetDevice(device.deviceId, status.bootId);
      waveDeduper.forgetDevice(device.deviceId, status.bootId);
    }
    const record: UplinkStatus = {
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
    if (observer) notify(() => observer.status(device, { ...status, t }, record));
    store(record, received, done);
  }

  function ingestWave(device: DeviceRegistryEntry, payload: Buffer, done: IngestDone): void {
    const parsed = parsePayload(WaveformChunk, payload, { ...limits, maxBytes: Math.max(limits.maxBytes, WAVE_LIMITS_BYTES) });
    if (!parsed.ok) return done({ result: 'rejected', error: parsed.error });
    const chunk = parsed.value;
    if (chunk.deviceId !== device.deviceId) return done(rejected('PM_ERR_DEVICE_MISMATCH'));
    const received = now();
    const skew = skewError(chunk.t, received);
    if (skew) return done(skew);
    // One seq space per waveform kind: key the deduper by device and kind.
    const verdict = waveDeduper.check(`${device.deviceId}/${chunk.kind}`, chunk.bootId, chunk.seq);
    if (verdict === 'duplicate') return done({ result: 'duplicate' });
    if (verdict === 'regression') return done(rejected('PM_ERR_SEQ_REGRESSION', `waveform seq ${chunk.seq} went backwards`));
    waveDeduper.commit(`${device.deviceId}/${chunk.kind}`, chunk.bootId, chunk.seq);
    metrics.waveformValues.inc({ kind: chunk.kind }, chunk.values.length);
    if (observer) notify(() => observer.wave(device, chunk, received));
    done({ result: 'stored' });
  }

  const handlers: Record<DeviceChannel, (device: DeviceRegistryEntry, payload: Buffer, done: IngestDone) => void> = {
    vitals: ingestVitals,
    status: ingestStatus,
    wave: ingestWave,
  };

  return {
    /** Ingest one message; `done` runs exactly once (synchronously for a rejection, after the commit otherwise). */
    ingest(device: DeviceRegistryEntry, channel: DeviceChannel, payload: Buffer, done: IngestDone): void {
      metrics.bytesIn.inc({ channel }, payload.length);
      const finish: IngestDone = (outcome) => {
        if (outcome.result === 'rejected') metrics.messagesRejected.inc({ reason: outcome.error.reason });
        else if (outcome.result === 'stored') metrics.messagesAccepted.inc({ channel });
        else metrics.duplicates.inc();
        metrics.outboxDepth.set(outbox.size);
        done(outcome);
      };
      handlers[channel](device, payload, finish);
    },
  };
}
export type DeviceIngest = ReturnType<typeof createDeviceIngest>;
