/**
 * Corpora of malformed input, one entry per class of bad input, each with the outcome it must give: the device
 * payloads the edge must reject (vigil_edge_messages_rejected_total, by reason), and the uplink messages the cloud
 * must reject (vigil_cloud_uplink_rejected_total, by reason); 'duplicate' for a replayed key. Used by
 * test/integration/malformed-payloads.test.ts.
 */
import { gzipSync } from 'node:zlib';
import type { DeviceChannel } from '@vigil/contracts';

export interface MalformedCase {
  name: string;
  channel: DeviceChannel;
  payload: Buffer;
  /** The metric reason counted (vigil_edge_messages_rejected_total), or 'duplicate'. */
  expect: string;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const text = (value: string) => Buffer.from(value, 'utf8');

/** Cases for `deviceId`; `now` is the gateway's clock, `seqBase` a fresh range of seqs for this run. */
export function malformedCorpus(deviceId: string, now: number, seqBase: number): MalformedCase[] {
  const good = (over: Record<string, unknown> = {}) => ({ v: 1, deviceId, bootId: 'boot-corpus', seq: seqBase, t: now, vitals: { hr: 72, spo2: 97 }, ...over });
  const status = (over: Record<string, unknown> = {}) => ({ v: 1, deviceId, bootId: 'boot-corpus', t: now, state: 'online', reason: 'periodic', ...over });
  const wave = (over: Record<string, unknown> = {}) => ({ v: 1, deviceId, bootId: 'boot-corpus', seq: 1, t: now, kind: 'ecg', hz: 250, values: [1, 2, 3], ...over });
  const nested = '['.repeat(40) + ']'.repeat(40);
  const cases: MalformedCase[] = [
    { name: 'empty payload', channel: 'vitals', payload: Buffer.alloc(0), expect: 'payload_json' },
    { name: 'invalid JSON', channel: 'vitals', payload: text('{"v":1,'), expect: 'payload_json' },
    { name: 'not JSON at all', channel: 'vitals', payload: text('hr=72;spo2=97'), expect: 'payload_json' },
    { name: 'NaN literal', channel: 'vitals', payload: text(`{"v":1,"deviceId":"${deviceId}","bootId":"b","seq":1,"t":${now},"vitals":{"hr":NaN}}`), expect: 'payload_json' },
    { name: 'Infinity literal', channel: 'vitals', payload: text(`{"v":1,"deviceId":"${deviceId}","bootId":"b","seq":1,"t":${now},"vitals":{"hr":Infinity}}`), expect: 'payload_json' },
    { name: 'number overflowing to Infinity (1e999)', channel: 'vitals', payload: text(`{"v":1,"deviceId":"${deviceId}","bootId":"b","seq":1,"t":${now},"vitals":{"hr":1e999}}`), expect: 'payload_schema' },
    { name: 'JSON null', channel: 'vitals', payload: text('null'), expect: 'payload_schema' },
    { name: 'JSON array', channel: 'vitals', payload: json([good()]), expect: 'payload_schema' },
    { name: 'wrong type (hr as string)', channel: 'vitals', payload: json(good({ vitals: { hr: '72' } })), expect: 'payload_schema' },
    { name: 'wrong type (t as ISO string)', channel: 'vitals', payload: json(good({ t: new Date(now).toISOString() })), expect: 'payload_schema' },
    { name: 'negative seq', channel: 'vitals', payload: json(good({ seq: -1 })), expect: 'payload_schema' },
    { name: 'fractional seq', channel: 'vitals', payload: json(good({ seq: 1.5 })), expect: 'payload_schema' },
    { name: 'missing bootId', channel: 'vitals', payload: json((({ bootId: _b, ...rest }) => rest)(good())), expect: 'payload_schema' },
    { name: 'unknown extra field (patientId)', channel: 'vitals', payload: json(good({ patientId: 'pt-someone-else' })), expect: 'payload_schema' },
    { name: 'unknown vital code', channel: 'vitals', payload: json(good({ vitals: { hr: 70, etco2: 35 } })), expect: 'payload_schema' },
    { name: 'no vitals at all', channel: 'vitals', payload: json(good({ vitals: {} })), expect: 'payload_schema' },
    { name: 'unsupported message version', channel: 'vitals', payload: json(good({ v: 2 })), expect: 'payload_schema' },
    { name: 'oversized payload (30 KB: under the MQTT packet limit, over the payload limit)', channel: 'vitals', payload: json(good({ pad: 'x'.repeat(30_000) })), expect: 'payload_too_large' },
    { name: 'deeply nested payload', channel: 'vitals', payload: text(`{"v":1,"x":${nested}}`), expect: 'payload_too_deep' },
    { name: '__proto__ key', channel: 'vitals', payload: text(`{"v":1,"__proto__":{"admin":true},"deviceId":"${deviceId}"}`), expect: 'payload_forbidden_key' },
    { name: 'constructor key', channel: 'vitals', payload: text(`{"v":1,"vitals":{"constructor":{"prototype":{}}}}`), expect: 'payload_forbidden_key' },
    { name: 'invalid UTF-8 bytes', channel: 'vitals', payload: Buffer.concat([text('{"v":1,"bootId":"'), Buffer.from([0xc3, 0x28, 0xff]), text('"}')]), expect: 'payload_encoding' },
    { name: 'lone surrogate in an id', channel: 'vitals', payload: text(`{"v":1,"deviceId":"${deviceId}","bootId":"\\ud800","seq":1,"t":${now},"vitals":{"hr":70}}`), expect: 'payload_schema' },
    { name: 'impossible physiology (hr 400)', channel: 'vitals', payload: json(good({ seq: seqBase + 1, vitals: { hr: 400 } })), expect: 'vital_implausible' },
    { name: 'impossible physiology (SpO2 120 %)', channel: 'vitals', payload: json(good({ seq: seqBase + 2, vitals: { spo2: 120 } })), expect: 'vital_implausible' },
    { name: 'impossible physiology (temperature 50 \u00b0C)', channel: 'vitals', payload: json(good({ seq: seqBase + 3, vitals: { temp: 50 } })), expect: 'vital_implausible' },
    { name: 'timestamp far in the future (+1 day)', channel: 'vitals', payload: json(good({ seq: seqBase + 4, t: now + 86_400_000 })), expect: 'time_skew' },
    { name: 'timestamp far in the past (1970)', channel: 'vitals', payload: json(good({ seq: seqBase + 5, t: 1000 })), expect: 'time_skew' },
    { name: 'another device\u2019s id in the payload', channel: 'vitals', payload: json(good({ seq: seqBase + 6, deviceId: 'ward-x-mon-99' })), expect: 'device_mismatch' },
    // A first valid sample sets the boot's highest seq; then a replay of it, and a seq far below it.
    { name: 'valid sample (sets the highest seq)', channel: 'vitals', payload: json(good({ seq: seqBase + 10_000 })), expect: 'accepted' },
    { name: 'replayed seq (same key again)', channel: 'vitals', payload: json(good({ seq: seqBase + 10_000 })), expect: 'duplicate' },
    { name: 'regressing seq (far below the highest)', channel: 'vitals', payload: json(good({ seq: seqBase })), expect: 'seq_regression' },
    { name: 'status with an unknown state', channel: 'status', payload: json(status({ state: 'sleeping' })), expect: 'payload_schema' },
    { name: 'status with battery 150 %', channel: 'status', payload: json(status({ battery: 150 })), expect: 'payload_schema' },
    { name: 'waveform with a sampling rate of 0 Hz', channel: 'wave', payload: json(wave({ hz: 0 })), expect: 'payload_schema' },
    { name: 'waveform with too many values', channel: 'wave', payload: json(wave({ values: Array.from({ length: 5000 }, () => 1) })), expect: 'payload_schema' },
    { name: 'waveform with a fractional value', channel: 'wave', payload: json(wave({ values: [1, 2.5] })), expect: 'payload_schema' },
    { name: 'waveform of an unknown kind', channel: 'wave', payload: json(wave({ kind: 'eeg' })), expect: 'payload_schema' },
    { name: 'UTF-16LE encoded JSON', channel: 'vitals', payload: Buffer.from(JSON.stringify(good()), 'utf16le'), expect: 'payload_json' },
    { name: 'duplicate deviceId key (the last, foreign, one wins in JSON.parse)', channel: 'vitals', payload: text(`{"v":1,"deviceId":"${deviceId}","deviceId":"ward-x-mon-99","bootId":"boot-corpus","seq":${seqBase + 7},"t":${now},"vitals":{"hr":72}}`), expect: 'device_mismatch' },
    { name: 'bootId with a control character', channel: 'vitals', payload: json(good({ bootId: 'boot\u0007' })), expect: 'payload_schema' },
    { name: 'bootId of 10,000 characters', channel: 'vitals', payload: json(good({ bootId: 'b'.repeat(10_000) })), expect: 'payload_schema' },
    { name: 'seq beyond 2^53', channel: 'vitals', payload: text(JSON.stringify(good()).replace(`"seq":${seqBase}`, '"seq":18446744073709551616')), expect: 'payload_schema' },
    { name: 'vitals: null', channel: 'vitals', payload: json(good({ vitals: null })), expect: 'payload_schema' },
    { name: 'a vitals sample on the status channel', channel: 'status', payload: json(good()), expect: 'payload_schema' },
  ];
  return cases;
}

/** A case of the cloud's uplink corpus: sent by an authenticated gateway on one of its own topics. */
export interface UplinkMalformedCase {
  name: string;
  channel: 'uplink' | 'status';
  payload: Buffer;
  /** The reason counted in vigil_cloud_uplink_rejected_total, or 'accepted' / 'duplicate'. */
  expect: string;
}

/**
 * Bad uplink messages from gateway `gatewayId` (serving `wardId`); `otherWardId` is a ward it does not serve and
 * `otherGatewayId` another gateway. The batch limits (16 MiB decoded, depth 8) are those of uplink-handler.ts.
 */
export function malformedUplinkCorpus(gatewayId: string, wardId: string, other: { wardId: string; gatewayId: string }, now: number): UplinkMalformedCase[] {
  const record = (over: Record<string, unknown> = {}) => ({
    type: 'sample', patientId: 'pt-x-01', bedId: 'bed-01', deviceId: 'x-mon-01', deviceType: 'icu-monitor', bootId: 'boot-up',
    seq: 1, t: now, receivedAt: now, vitals: { hr: 70 }, quality: { hr: 'good' }, late: false, ...over,
  });
  const batch = (over: Record<string, unknown> = {}) => ({ v: 1, gatewayId, wardId, batchSeq: 1, sentAt: now, records: [record()], ...over });
  const nested = '['.repeat(20) + ']'.repeat(20);
  const gz = (value: Buffer) => gzipSync(value);
  return [
    { name: 'empty payload', channel: 'uplink', payload: Buffer.alloc(0), expect: 'payload_json' },
    { name: 'invalid JSON', channel: 'uplink', payload: text('{"v":1,"records":['), expect: 'payload_json' },
    { name: 'NaN literal', channel: 'uplink', payload: text(JSON.stringify(batch()).replace('"hr":70', '"hr":NaN')), expect: 'payload_json' },
    { name: 'gzip magic then garbage', channel: 'uplink', payload: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef]), expect: 'uplink_encoding' },
    { name: 'truncated gzip', channel: 'uplink', payload: gz(json(batch())).subarray(0, 30), expect: 'uplink_encoding' },
    { name: 'gzip bomb (17 MiB of zeros in ~17 KB)', channel: 'uplink', payload: gz(Buffer.alloc(17 * 1024 * 1024)), expect: 'uplink_encoding' },
    { name: 'gzip of invalid JSON', channel: 'uplink', payload: gz(text('{"v":')), expect: 'payload_json' },
    { name: 'gzip of invalid UTF-8', channel: 'uplink', payload: gz(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), expect: 'payload_encoding' },
    { name: 'invalid UTF-8', channel: 'uplink', payload: Buffer.concat([text('{"v":1,"gatewayId":"'), Buffer.from([0xc3, 0x28]), text('"}')]), expect: 'payload_encoding' },
    { name: 'JSON null', channel: 'uplink', payload: text('null'), expect: 'payload_schema' },
    { name: 'JSON array of batches', channel: 'uplink', payload: json([batch()]), expect: 'payload_schema' },
    { name: 'no records', channel: 'uplink', payload: json(batch({ records: [] })), expect: 'payload_schema' },
    { name: 'more records than the batch limit (5,001)', channel: 'uplink', payload: gz(json(batch({ records: Array.from({ length: 5001 }, (_, i) => record({ seq: i })) }))), expect: 'payload_schema' },
    { name: 'unknown record type', channel: 'uplink', payload: json(batch({ records: [record({ type: 'command' })] })), expect: 'payload_schema' },
    { name: 'unsupported batch version', channel: 'uplink', payload: json(batch({ v: 2 })), expect: 'payload_schema' },
    { name: 'unknown batch field', channel: 'uplink', payload: json(batch({ admin: true })), expect: 'payload_schema' },
    { name: 'negative batchSeq', channel: 'uplink', payload: json(batch({ batchSeq: -1 })), expect: 'payload_schema' },
    { name: 'sample with hr as a string', channel: 'uplink', payload: json(batch({ records: [record({ vitals: { hr: '70' } })] })), expect: 'payload_schema' },
    { name: 'sample with an unknown vital', channel: 'uplink', payload: json(batch({ records: [record({ vitals: { etco2: 35 } })] })), expect: 'payload_schema' },
    { name: 'sample with an unknown quality', channel: 'uplink', payload: json(batch({ records: [record({ quality: { hr: 'perfect' } })] })), expect: 'payload_schema' },
    { name: 'number overflowing to Infinity (1e999)', channel: 'uplink', payload: text(JSON.stringify(batch()).replace('"hr":70', '"hr":1e999')), expect: 'payload_schema' },
    { name: 'patientId with a path separator', channel: 'uplink', payload: json(batch({ records: [record({ patientId: '../pt-x' })] })), expect: 'payload_schema' },
    { name: 'deeply nested payload', channel: 'uplink', payload: text(`{"v":1,"x":${nested}}`), expect: 'payload_too_deep' },
    { name: '__proto__ key', channel: 'uplink', payload: text(`{"v":1,"__proto__":{"admin":true},"gatewayId":"${gatewayId}"}`), expect: 'payload_forbidden_key' },
    { name: 'constructor key inside a record', channel: 'uplink', payload: text(JSON.stringify(batch()).replace('"vitals":{', '"vitals":{"constructor":{},')), expect: 'payload_forbidden_key' },
    { name: 'batch naming another gateway than its topic', channel: 'uplink', payload: json(batch({ gatewayId: other.gatewayId })), expect: 'device_mismatch' },
    { name: 'batch for a ward the gateway does not serve', channel: 'uplink', payload: json(batch({ wardId: other.wardId })), expect: 'uplink_ward_mismatch' },
    { name: 'gzipped batch for a ward the gateway does not serve', channel: 'uplink', payload: gz(json(batch({ wardId: other.wardId, batchSeq: 2 }))), expect: 'uplink_ward_mismatch' },
    { name: 'status with an unknown state', channel: 'status', payload: json({ v: 1, gatewayId, wardId, t: now, state: 'sleeping' }), expect: 'payload_schema' },
    { name: 'status that is not JSON', channel: 'status', payload: text('offline'), expect: 'payload_json' },
    { name: 'valid batch (stored)', channel: 'uplink', payload: json(batch({ batchSeq: 10, records: [record({ seq: 100 })] })), expect: 'accepted' },
    { name: 'the same batch again (redelivery)', channel: 'uplink', payload: json(batch({ batchSeq: 10, records: [record({ seq: 100 })] })), expect: 'duplicate' },
  ];
}
