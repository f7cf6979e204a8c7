import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { DeviceRegistryEntry, DeviceStatus, SessionHeader, SessionMessage, VitalsSample, WaveformChunk } from '@vigil/contracts';
import { readSession } from '@vigil/contracts/session-io';
import { createRecorder } from '../src/recorder.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 9, 9, 8); // 2025-10-09T08:00:00Z, a period start
const HASH = `sha256$${'a'.repeat(22)}$${'b'.repeat(43)}`;

function device(n: number, patient = n): DeviceRegistryEntry {
  return { deviceId: `mon-${n}`, deviceType: 'icu-monitor', wardId: 'icu-a', bedId: `bed-${patient}`, patientId: `pt-${patient}`, secretHash: HASH };
}
const DEVICES = [device(1), device(2)];

const vitals = (seq: number, t: number): VitalsSample => ({ v: 1, deviceId: 'mon-1', bootId: 'b1', seq, t, vitals: { hr: 60 + (seq % 40) } });
const status = (t: number): DeviceStatus => ({ v: 1, deviceId: 'mon-2', bootId: 'b2', t, state: 'online', reason: 'periodic', battery: 80 });
const wave = (seq: number, t: number): WaveformChunk => ({ v: 1, deviceId: 'mon-1', bootId: 'b1', seq, t, kind: 'ecg', hz: 250, values: [1, 2, 3] });

function files(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

async function read(path: string): Promise<{ header: SessionHeader; messages: SessionMessage[] }> {
  let header: SessionHeader | undefined;
  const messages: SessionMessage[] = [];
  for await (const item of readSession(path)) {
    if (item.kind === 'header') header = item.header;
    else if (item.kind === 'message') messages.push(item);
  }
  return { header: header!, messages };
}

describe('createRecorder', () => {
  let dir: string;
  let clock: number;
  const now = () => clock;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-recorder-'));
    clock = T0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes messages in arrival order, split into one file per period, without waveforms by default', async () => {
    const errors: Error[] = [];
    const recorder = createRecorder({ dir, wardId: 'icu-a', gatewayId: 'gw-1', devices: DEVICES, now, onError: (e) => errors.push(e) });
    const expected: SessionMessage[] = [];
    // 300 messages 100 ms apart, the 150th on the hour boundary; event time lags receive time by 2 s.
    for (let i = 0; i < 300; i++) {
      clock = T0 + HOUR - 15_000 + i * 100;
      const t = clock - 2_000;
      if (i % 10 === 0) {
        recorder.record(DEVICES[1]!, 'status', status(t), clock);
        expected.push({ kind: 'message', sentAt: clock, channel: 'status', message: status(t) });
      } else {
        recorder.record(DEVICES[0]!, 'vitals', vitals(i, t), clock);
        expected.push({ kind: 'message', sentAt: clock, channel: 'vitals', message: vitals(i, t) });
      }
      recorder.record(DEVICES[0]!, 'wave', wave(i, t), clock); // not recorded: waves default to off
    }
    const stats = await recorder.close();
    expect(errors).toEqual([]);
    expect(stats).toMatchObject({ queued: 0, written: 300, files: 2, dropped: 0, lost: 0, errors: 0 });

    const names = files(dir);
    expect(names).toEqual([
      join('icu-a', '2025-10-09', 'icu-a-2025-10-09T08-00-00Z.vsession.jsonl.gz'),
      join('icu-a', '2025-10-09', 'icu-a-2025-10-09T09-00-00Z.vsession.jsonl.gz'),
    ]);
    const [first, second] = await Promise.all(names.map((n) => read(join(dir, n))));
    expect(first!.header).toMatchObject({ source: 'edge-recorder', start: T0, end: T0 + HOUR, generator: { gatewayId: 'gw-1' } });
    expect(second!.header).toMatchObject({ start: T0 + HOUR, end: T0 + 2 * HOUR });
    expect(first!.header.devices.map((d) => d.deviceId)).toEqual(['mon-1', 'mon-2']);
    expect(first!.header.patients).toEqual([
      { patientId: 'pt-1', wardId: 'icu-a', bedId: 'bed-1' },
      { patientId: 'pt-2', wardId: 'icu-a', bedId: 'bed-2' },
    ]);
    expect(first!.messages).toEqual(expected.slice(0, 150));
    expect(second!.messages).toEqual(expected.slice(150));
    expect(stats.bytes).toBeGreaterThan(0);
  });

  it('records waveforms when asked', async () => {
    const recorder = createRecorder({ dir, wardId: 'icu-a', gatewayId: 'gw-1', devices: DEVICES, now, waves: true, gzip: false });
    recorder.record(DEVICES[0]!, 'wave', wave(1, T0), T0 + 10);
    await recorder.close();
    const [name] = files(dir);
    expect(name).toMatch(/\.vsession\.jsonl$/);
    expect((await read(join(dir, name!))).messages).toEqual([{ kind: 'message', sentAt: T0 + 10, channel: 'wave', message: wave(1, T0) }]);
  });

  it('never truncates: a restart within the period and an unlisted device open a new part', async () => {
    for (const extra of [false, true]) {
      const recorder = createRecorder({ dir, wardId: 'icu-a', gatewayId: 'gw-1', devices: DEVICES, now });
      recorder.record(DEVICES[0]!, 'vitals', vitals(1, T0), T0 + 1);
      if (extra) recorder.record(device(3), 'status', { ...status(T0), deviceId: 'mon-3' }, T0 + 2);
      await recorder.close();
    }
    const names = files(dir).map((n) => n.split('/').pop());
    expect(names).toEqual([
      'icu-a-2025-10-09T08-00-00Z.2.vsession.jsonl.gz',
      'icu-a-2025-10-09T08-00-00Z.3.vsession.jsonl.gz',
      'icu-a-2025-10-09T08-00-00Z.vsession.jsonl.gz',
    ]);
    const third = await read(join(dir, files(dir)[1]!));
    expect(third.header.devices.map((d) => d.deviceId)).toEqual(['mon-1', 'mon-2', 'mon-3']);
    expect(third.messages.map((m) => m.message.deviceId)).toEqual(['mon-3']);
  });

  it('closes a quiet period\'s file shortly after the period end', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }); // fs and setImmediate stay real
    try {
      const recorder = createRecorder({ dir, wardId: 'icu-a', gatewayId: 'gw-1', devices: DEVICES, now });
      recorder.record(DEVICES[0]!, 'vitals', vitals(1, T0), T0 + 1);
      // Real time bounds the wait (Date is not faked): file I/O on a busy machine can take many event-loop turns.
      const settle = async (done: () => boolean) => {
        const deadline = Date.now() + 10_000;
        while (!done() && Date.now() < deadline) await new Promise((r) => setImmediate(r));
      };
      await settle(() => recorder.stats().written === 1);
      vi.advanceTimersByTime(HOUR + 5_000);
      await settle(() => recorder.stats().bytes > 0);
      expect((await read(join(dir, files(dir)[0]!))).messages).toHaveLength(1); // complete before close()
      await recorder.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports a write error through onError and never throws', async () => {
    const root = join(dir, 'not-a-dir');
    writeFileSync(root, 'x');
    const errors: Error[] = [];
    const recorder = createRecorder({ dir: root, wardId: 'icu-a', gatewayId: 'gw-1', devices: DEVICES, now, onError: (e) => errors.push(e) });
    expect(() => {
      for (let i = 0; i < 20; i++) recorder.record(DEVICES[0]!, 'vitals', vitals(i, T0), T0 + i);
    }).not.toThrow();
    const stats = await recorder.close();
    expect(errors).toHaveLength(1); // one report per failed file, not one per message
    expect((errors[0] as NodeJS.ErrnoException).code).toMatch(/^(ENOTDIR|EEXIST)$/);
    expect(stats).toMatchObject({ written: 0, files: 0, lost: 20, errors: 1 });
  });

  it('bounds the queue: beyond maxQueueBytes records are dropped and counted', async () => {
    const recorder = createRecorder({ dir, wardId: 'icu-a', gatewayId: 'gw-1', devices: DEVICES, now, maxQueueBytes: 4_000 });
    // A synchronous burst: the write loop takes the first record, then waits on the disk; ten more fit (~400 bytes each).
    for (let i = 0; i < 100; i++) recorder.record(DEVICES[0]!, 'vitals', vitals(i, T0), T0 + i);
    expect(recorder.stats()).toMatchObject({ queued: 10, dropped: 89 });
    const stats = await recorder.close();
    expect(stats).toMatchObject({ queued: 0, written: 11, dropped: 89 });
    recorder.record(DEVICES[0]!, 'vitals', vitals(200, T0), T0 + 200);
    expect(recorder.stats().dropped).toBe(90); // after close
    const { messages } = await read(join(dir, files(dir)[0]!));
    expect(messages.map((m) => (m.message as VitalsSample).seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});
