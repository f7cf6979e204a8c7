import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UplinkRecord, type DeviceRegistryEntry } from '@vigil/contracts';
import { hashSecret } from '@vigil/contracts/credentials';
import { SampleDeduper } from '../src/dedupe.ts';
import { createDeviceIngest, type DeviceIngest, type IngestOutcome } from '../src/device-ingest.ts';
import { createEdgeMetrics, type EdgeMetrics } from '../src/metrics.ts';
import { Outbox } from '../src/outbox.ts';
import { assessQuality } from '../src/signal-quality.ts';

const NOW = 1_760_000_000_000;
const SKEW = 300_000;

const DEVICE: DeviceRegistryEntry = {
  deviceId: 'ward-a-mon-07',
  deviceType: 'icu-monitor',
  wardId: 'ward-a',
  bedId: 'bed-07',
  patientId: 'pt-ward-a-07',
  secretHash: hashSecret('s'.repeat(43)),
};

function vitals(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { v: 1, deviceId: DEVICE.deviceId, bootId: 'boot-1', seq: 1, t: NOW - 40, vitals: { hr: 72, spo2: 97 }, ...overrides };
}

function status(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { v: 1, deviceId: DEVICE.deviceId, bootId: 'boot-1', t: NOW - 10, state: 'online', reason: 'startup', ...overrides };
}

const buf = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

/** Ingest one message and commit the outbox's group at once; the outcome is the one the device would get. */
function run(target: DeviceIngest, device: DeviceRegistryEntry, channel: 'vitals' | 'status' | 'wave', payload: Buffer): IngestOutcome {
  let outcome: IngestOutcome | undefined;
  target.ingest(device, channel, payload, (o) => (outcome = o));
  currentOutbox?.flush();
  if (!outcome) throw new Error('ingest did not complete after the commit');
  return outcome;
}
let currentOutbox: Outbox | undefined;

function codeOf(outcome: IngestOutcome): string {
  return outcome.result === 'rejected' ? outcome.error.code : outcome.result;
}

async function byLabel(metric: { get(): Promise<{ values: Array<{ value: number; labels: Record<string, string | number> }> }> }, label: string) {
  return Object.fromEntries((await metric.get()).values.map((v) => [String(v.labels[label]), v.value]));
}

describe('createDeviceIngest', () => {
  let dir: string;
  let outbox: Outbox;
  let deduper: SampleDeduper;
  let metrics: EdgeMetrics;
  let ingest: DeviceIngest;

  function make(maxPayloadBytes = 16_384): DeviceIngest {
    return createDeviceIngest({
      outbox,
      deduper,
      waveDeduper: new SampleDeduper(),
      quality: (_id, _t, v, flags) => assessQuality(v, flags),
      metrics,
      maxPayloadBytes,
      maxClockSkewMs: SKEW,
      now: () => NOW,
    });
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-ingest-'));
    outbox = new Outbox(join(dir, 'outbox.sqlite'));
    currentOutbox = outbox;
    deduper = new SampleDeduper();
    metrics = createEdgeMetrics('gw-test');
    ingest = make();
  });
  afterEach(() => {
    try {
      outbox.close();
    } catch {
      // closed by the test
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('turns a valid sample into an UplinkSample placed by the registry entry', async () => {
    expect(run(ingest, DEVICE, 'vitals', buf(vitals()))).toEqual({ result: 'stored' });
    const entries = outbox.peek(0, 10);
    const expected: UplinkRecord = {
      type: 'sample',
      patientId: 'pt-ward-a-07',
      bedId: 'bed-07',
      deviceId: 'ward-a-mon-07',
      deviceType: 'icu-monitor',
      bootId: 'boot-1',
      seq: 1,
      t: NOW - 40,
      receivedAt: NOW,
      vitals: { hr: 72, spo2: 97 },
      quality: { hr: 'good', spo2: 'good' },
      late: false,
    };
    expect(entries).toEqual([{ id: 1, record: expected }]);
    expect(UplinkRecord.parse(entries[0]?.record)).toEqual(expected);
    expect(await byLabel(metrics.messagesAccepted, 'channel')).toEqual({ vitals: 1 });
    expect((await metrics.outboxDepth.get()).values[0]?.value).toBe(1);
  });

  it('a payload cannot name its own patient or bed', () => {
    const outcome = run(ingest, DEVICE, 'vitals', buf(vitals({ patientId: 'pt-other', bedId: 'bed-99' })));
    expect(codeOf(outcome)).toBe('PM_ERR_PAYLOAD_SCHEMA');
    expect(outbox.size).toBe(0);
  });

  it('judges quality from the device flags and forwards the flags', () => {
    const flags = { spo2: 'probe_off', hr: 'motion', rr: 'ok', abpSys: 'low_perfusion', abpDia: 'lead_off', abpMean: 'calibrating' };
    const payload = vitals({ vitals: { hr: 72, spo2: 97, rr: 16, abpSys: 120, abpDia: 70, abpMean: 87, temp: 36.9 }, flags });
    expect(run(ingest, DEVICE, 'vitals', buf(payload)).result).toBe('stored');
    const record = outbox.peek(0, 1)[0]?.record;
    expect(record?.type === 'sample' ? [record.quality, record.flags] : null).toEqual([
      { hr: 'artifact', spo2: 'sensor_off', rr: 'good', abpSys: 'questionable', abpDia: 'sensor_off', abpMean: 'questionable', temp: 'good' },
      flags,
    ]);
  });

  it.each([
    ['invalid JSON', '{"v":1,', 'PM_ERR_PAYLOAD_JSON', 'payload_json'],
    ['a schema violation (no seq)', (() => { const p = vitals(); delete p.seq; return p; })(), 'PM_ERR_PAYLOAD_SCHEMA', 'payload_schema'],
    ['an unknown vital', vitals({ vitals: { hr: 70, etco2: 35 } }), 'PM_ERR_PAYLOAD_SCHEMA', 'payload_schema'],
    ['another device\u2019s id', vitals({ deviceId: 'ward-a-mon-08' }), 'PM_ERR_DEVICE_MISMATCH', 'device_mismatch'],
    ['an implausible value (hr 400)', vitals({ vitals: { hr: 400, spo2: 97 } }), 'PM_ERR_VITAL_IMPLAUSIBLE', 'vital_implausible'],
    ['an implausible value (spo2 101)', vitals({ vitals: { spo2: 101 } }), 'PM_ERR_VITAL_IMPLAUSIBLE', 'vital_implausible'],
    ['a time too far in the future', vitals({ t: NOW + SKEW + 1 }), 'PM_ERR_TIME_SKEW', 'time_skew'],
    ['a time too far in the past', vitals({ t: NOW - SKEW - 1 }), 'PM_ERR_TIME_SKEW', 'time_skew'],
    ['a forbidden key', '{"v":1,"__proto__":{"x":1}}', 'PM_ERR_PAYLOAD_FORBIDDEN_KEY', 'payload_forbidden_key'],
  ])('rejects %s with its code and counts the reason', async (_name, payload, code, reason) => {
    const outcome = run(ingest, DEVICE, 'vitals', buf(payload));
    expect(codeOf(outcome)).toBe(code);
    expect(outbox.size).toBe(0);
    expect(await byLabel(metrics.messagesRejected, 'reason')).toEqual({ [reason]: 1 });
    expect(await byLabel(metrics.messagesAccepted, 'channel')).toEqual({});
  });

  it('accepts event times exactly at the skew limit', () => {
    expect(run(ingest, DEVICE, 'vitals', buf(vitals({ seq: 1, t: NOW + SKEW }))).result).toBe('stored');
    expect(run(ingest, DEVICE, 'vitals', buf(vitals({ seq: 2, t: NOW - SKEW }))).result).toBe('stored');
  });

  it('rejects a payload over the configured size limit', () => {
    const small = make(256);
    const payload = vitals({ bootId: 'b'.repeat(60), flags: { hr: 'ok', spo2: 'ok', rr: 'ok', temp: 'ok', abpSys: 'ok', abpDia: 'ok', abpMean: 'ok' } });
    expect(buf(payload).byteLength).toBeGreaterThan(256);
    expect(codeOf(run(small, DEVICE, 'vitals', buf(payload)))).toBe('PM_ERR_PAYLOAD_TOO_LARGE');
  });

  it('a seq far below the boot\u2019s highest is a regression', () => {
    expect(run(ingest, DEVICE, 'vitals', buf(vitals({ seq: 10_000 }))).result).toBe('stored');
    expect(codeOf(run(ingest, DEVICE, 'vitals', buf(vitals({ seq: 3 }))))).toBe('PM_ERR_SEQ_REGRESSION');
    expect(outbox.size).toBe(1);
  });

  it('a duplicate is reported as such and appends nothing', async () => {
    expect(run(ingest, DEVICE, 'vitals', buf(vitals()))).toEqual({ result: 'stored' });
    expect(run(ingest, DEVICE, 'vitals', buf(vitals()))).toEqual({ result: 'duplicate' });
    expect(outbox.size).toBe(1);
    expect((await metrics.duplicates.get()).values[0]?.value).toBe(1);
    expect(await byLabel(metrics.messagesRejected, 'reason')).toEqual({});
    expect(await byLabel(metrics.messagesAccepted, 'channel')).toEqual({ vitals: 1 });
  });

  it('counts rejections per reason', async () => {
    run(ingest, DEVICE, 'vitals', buf('not json'));
    run(ingest, DEVICE, 'vitals', buf('[1,'));
    run(ingest, DEVICE, 'vitals', buf(vitals({ deviceId: 'x' })));
    run(ingest, DEVICE, 'status', buf(status({ deviceId: 'x' })));
    run(ingest, DEVICE, 'vitals', buf(vitals({ t: NOW + 3_600_000 })));
    expect(await byLabel(metrics.messagesRejected, 'reason')).toEqual({ payload_json: 2, device_mismatch: 2, time_skew: 1 });
  });

  it('turns a status into an UplinkStatus placed by the registry entry', async () => {
    const outcome = run(ingest, DEVICE, 'status', buf(status({ battery: 55, signal: -60 })));
    expect(outcome).toEqual({ result: 'stored' });
    expect(outbox.peek(0, 10)).toEqual([
      {
        id: 1,
        record: {
          type: 'status',
          patientId: 'pt-ward-a-07',
          bedId: 'bed-07',
          deviceId: 'ward-a-mon-07',
          deviceType: 'icu-monitor',
          bootId: 'boot-1',
          t: NOW - 10,
          receivedAt: NOW,
          state: 'online',
          reason: 'startup',
          battery: 55,
          signal: -60,
        },
      },
    ]);
    expect(await byLabel(metrics.messagesAccepted, 'channel')).toEqual({ status: 1 });
  });

  it('a Last Will (connection_lost) takes the gateway\u2019s time, however old its own t', () => {
    const will = status({ state: 'offline', reason: 'connection_lost', t: NOW - 24 * 3_600_000 });
    expect(run(ingest, DEVICE, 'status', buf(will))).toEqual({ result: 'stored' });
    const record = outbox.peek(0, 1)[0]?.record;
    expect(record?.type === 'status' ? [record.t, record.receivedAt, record.state] : null).toEqual([NOW, NOW, 'offline']);
  });

  it('any other status with a skewed time is rejected', () => {
    expect(codeOf(run(ingest, DEVICE, 'status', buf(status({ reason: 'periodic', t: NOW - SKEW - 1 }))))).toBe('PM_ERR_TIME_SKEW');
    expect(outbox.size).toBe(0);
  });

  it('an online status with a new boot forgets the device\u2019s old boots', () => {
    expect(run(ingest, DEVICE, 'vitals', buf(vitals({ bootId: 'boot-1', seq: 1 }))).result).toBe('stored');
    expect(run(ingest, DEVICE, 'vitals', buf(vitals({ bootId: 'boot-1', seq: 1 }))).result).toBe('duplicate');
    run(ingest, DEVICE, 'status', buf(status({ bootId: 'boot-2' })));
    expect(run(ingest, DEVICE, 'vitals', buf(vitals({ bootId: 'boot-1', seq: 1 }))).result).toBe('stored');
  });

  it('an outbox failure is PM_ERR_STORE_FAILED and leaves the key retryable', async () => {
    outbox.close();
    const outcome = run(ingest, DEVICE, 'vitals', buf(vitals()));
    expect(codeOf(outcome)).toBe('PM_ERR_STORE_FAILED');
    expect(await byLabel(metrics.messagesRejected, 'reason')).toEqual({ store_failed: 1 });
    // The device resends after the failure: with a working outbox, the same key is stored, not a duplicate.
    outbox = new Outbox(join(dir, 'outbox-2.sqlite'));
    currentOutbox = outbox;
    ingest = make();
    expect(run(ingest, DEVICE, 'vitals', buf(vitals()))).toEqual({ result: 'stored' });
    expect(outbox.size).toBe(1);
  });

  it('acknowledges an accepted message only after the group commit, and a duplicate queued in the same group is caught', () => {
    const outcomes: string[] = [];
    ingest.ingest(DEVICE, 'vitals', buf(vitals({ seq: 5 })), (o) => outcomes.push(codeOf(o)));
    ingest.ingest(DEVICE, 'vitals', buf(vitals({ seq: 5 })), (o) => outcomes.push(codeOf(o)));
    expect(outcomes).toEqual(['duplicate']); // the first is not acknowledged yet: not durable
    expect(outbox.size).toBe(0);
    outbox.flush();
    expect(outcomes).toEqual(['duplicate', 'stored']);
    expect(outbox.size).toBe(1);
  });

  it('validates and deduplicates waveform chunks per kind, without storing them raw', () => {
    const chunk = (seq: number, kind: string) => ({ v: 1, deviceId: DEVICE.deviceId, bootId: 'boot-1', seq, t: NOW - 1000, kind, hz: 250, values: [1, 2, 3] });
    expect(run(ingest, DEVICE, 'wave', buf(chunk(1, 'ecg'))).result).toBe('stored');
    expect(run(ingest, DEVICE, 'wave', buf(chunk(1, 'pleth'))).result).toBe('stored');
    expect(run(ingest, DEVICE, 'wave', buf(chunk(1, 'ecg'))).result).toBe('duplicate');
    expect(codeOf(run(ingest, DEVICE, 'wave', buf({ ...chunk(2, 'ecg'), hz: 0 })))).toBe('PM_ERR_PAYLOAD_SCHEMA');
    expect(outbox.size).toBe(0);
  });
});
