/**
 * A corpus of malformed device payloads, one entry per class of bad input, each with the outcome the edge must
 * give: the rejection reason it counts, or 'duplicate' for a replayed key. Used by the edge's integration test and
 * by the malformed-input suite.
 */
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
  ];
  return cases;
}
