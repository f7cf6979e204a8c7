import { describe, expect, it } from 'vitest';
import { UplinkWave, WaveformChunk } from '@vigil/contracts';
import { WaveformForwarder } from '../src/waveform-forwarder.ts';
import type { DevicePlacement } from '../src/waveform-summary.ts';

const T0 = 1_760_000_000_000;
const MON: DevicePlacement = { patientId: 'pt-1', bedId: 'bed-1', deviceId: 'mon-1', deviceType: 'icu-monitor' };
const WEAR: DevicePlacement = { patientId: 'pt-1', bedId: 'bed-1', deviceId: 'wear-1', deviceType: 'wearable' };
const OTHER: DevicePlacement = { patientId: 'pt-2', bedId: 'bed-2', deviceId: 'mon-2', deviceType: 'icu-monitor' };

const seqs = new Map<string, number>();
function chunk(device: DevicePlacement, second: number, kind: 'ecg' | 'pleth' = 'ecg'): WaveformChunk {
  const seq = seqs.get(device.deviceId) ?? 0;
  seqs.set(device.deviceId, seq + 1);
  const hz = kind === 'ecg' ? 250 : 125;
  return { v: 1, deviceId: device.deviceId, bootId: 'boot-1', seq, t: T0 + second * 1000, kind, hz, values: Array.from({ length: hz }, (_, i) => i) };
}
const valid = (xs: readonly UplinkWave[]) => {
  for (const x of xs) UplinkWave.parse(x);
  return xs;
};
const key = (w: UplinkWave) => `${w.chunk.deviceId}/${w.chunk.seq}`;

describe('WaveformForwarder', () => {
  it('forwards nothing while no alarm or request is in force', () => {
    const f = new WaveformForwarder();
    for (let s = 0; s < 5; s++) expect(f.add(MON, chunk(MON, s))).toEqual([]);
    expect(f.stats()).toMatchObject({ buffered: 5, forwarded: 0 });
  });

  it('on activation returns the pre-roll once, then each new chunk once, for all the patient\u2019s devices only', () => {
    const f = new WaveformForwarder({ preRollMs: 3000 });
    for (let s = 0; s < 6; s++) {
      f.add(MON, chunk(MON, s));
      f.add(MON, chunk(MON, s, 'pleth'));
      if (s % 2 === 0) f.add(WEAR, chunk(WEAR, s, 'pleth'));
      f.add(OTHER, chunk(OTHER, s));
    }
    const pre = valid(f.activate('pt-1', 'alarm'));
    // Per device, the last 3 s of event time behind its newest chunk's end: seconds 3-5 of the monitor (which
    // reached T0 + 6 s), seconds 2 and 4 of the wearable (every other second, reached T0 + 5 s). Oldest first.
    expect(pre.map((w) => [w.chunk.deviceId, w.chunk.kind, (w.chunk.t - T0) / 1000])).toEqual([
      ['wear-1', 'pleth', 2], ['mon-1', 'ecg', 3], ['mon-1', 'pleth', 3], ['mon-1', 'ecg', 4], ['mon-1', 'pleth', 4], ['wear-1', 'pleth', 4], ['mon-1', 'ecg', 5], ['mon-1', 'pleth', 5],
    ]);
    expect(pre.every((w) => w.reason === 'alarm' && w.patientId === 'pt-1')).toBe(true);
    expect(f.activate('pt-1', 'alarm')).toEqual([]); // once only
    const live = valid(f.add(WEAR, chunk(WEAR, 6, 'pleth')));
    expect(live).toMatchObject([{ type: 'wave', patientId: 'pt-1', bedId: 'bed-1', deviceType: 'wearable', reason: 'alarm' }]);
    expect(f.add(OTHER, chunk(OTHER, 6))).toEqual([]); // another patient
  });

  it('never forwards a chunk twice: not across re-activation, nor when the chunk is sent again', () => {
    const f = new WaveformForwarder();
    const sent = new Set<string>();
    const take = (ws: readonly UplinkWave[]) => {
      for (const w of valid(ws)) {
        expect(sent.has(key(w))).toBe(false);
        sent.add(key(w));
      }
    };
    for (let s = 0; s < 3; s++) take(f.add(MON, chunk(MON, s)));
    take(f.activate('pt-1', 'request'));
    const c = chunk(MON, 3);
    take(f.add(MON, c));
    take(f.add(MON, { ...c })); // a repeated delivery
    f.deactivate('pt-1', 'request');
    take(f.add(MON, chunk(MON, 4)));
    take(f.activate('pt-1', 'alarm'));
    take(f.activate('pt-1', 'request'));
    expect(sent.size).toBe(5);
    expect(f.stats()).toMatchObject({ forwarded: 5, duplicates: 1 });
  });

  it('a request with untilT ends by event time; alarm takes precedence as the reason', () => {
    const f = new WaveformForwarder();
    f.activate('pt-1', 'request', T0 + 2000);
    expect(valid(f.add(MON, chunk(MON, 0)))[0]!.reason).toBe('request');
    f.activate('pt-1', 'alarm');
    expect(valid(f.add(MON, chunk(MON, 1)))[0]!.reason).toBe('alarm');
    f.deactivate('pt-1', 'alarm');
    expect(f.add(MON, chunk(MON, 2))).toEqual([]); // t = T0 + 2000 is not before untilT
    expect(f.reasonAt('pt-1', T0 + 1999)).toBe('request');
  });

  it('respects its bounds: pre-roll by event time and a hard number of chunks per device', () => {
    const f = new WaveformForwarder({ preRollMs: 10_000, maxChunksPerDevice: 8 });
    for (let s = 0; s < 100; s++) {
      f.add(MON, chunk(MON, s));
      f.add(MON, chunk(MON, s, 'pleth'));
      expect(f.stats().buffered).toBeLessThanOrEqual(8);
    }
    const pre = valid(f.activate('pt-1', 'alarm'));
    expect(pre).toHaveLength(8);
    expect(Math.min(...pre.map((w) => w.chunk.t))).toBe(T0 + 96_000);
    const g = new WaveformForwarder({ preRollMs: 2000 });
    for (let s = 0; s < 100; s++) g.add(MON, chunk(MON, s));
    expect(g.stats().buffered).toBe(2);
  });

  it('a device re-assigned to another patient takes no pre-roll with it', () => {
    const f = new WaveformForwarder();
    f.add(MON, chunk(MON, 0));
    f.add({ ...MON, patientId: 'pt-9', bedId: 'bed-9' }, chunk(MON, 1));
    expect(f.activate('pt-1', 'alarm')).toEqual([]);
    expect(valid(f.activate('pt-9', 'alarm')).map((w) => [w.patientId, (w.chunk.t - T0) / 1000])).toEqual([['pt-9', 1]]);
  });
});
