/**
 * A sample refused because its commit failed (disk full) and sent again by its device is stored as made at its first
 * arrival: judged and seen by the local consumers once, not again with a state that already moved on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { DeviceRegistryEntry, SampleQuality } from '@vigil/contracts';
import { hashSecret } from '@vigil/contracts/credentials';
import { SampleDeduper } from '../src/dedupe.ts';
import { createDeviceIngest, type IngestOutcome } from '../src/device-ingest.ts';
import { createEdgeMetrics } from '../src/metrics.ts';
import { Outbox } from '../src/outbox.ts';

const NOW = 1_760_000_000_000;
const DEVICE: DeviceRegistryEntry = { deviceId: 'ward-a-mon-01', deviceType: 'icu-monitor', wardId: 'ward-a', bedId: 'bed-01', patientId: 'pt-1', secretHash: hashSecret('s'.repeat(43)) };
const payload = (seq: number) => Buffer.from(JSON.stringify({ v: 1, deviceId: DEVICE.deviceId, bootId: 'b1', seq, t: NOW - 100, vitals: { hr: 72 } }));

describe('device ingest: a sample refused by a failed commit, sent again', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is judged and observed once, and stored with its first verdict once the commit succeeds', () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-ingest-retry-'));
    const file = join(dir, 'outbox.sqlite');
    const outbox = new Outbox(file);
    const saboteur = new Database(file);
    saboteur.exec(`CREATE TRIGGER full BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    // A stateful assessor: its verdict changes with every call, as a real one's can once its state moved on.
    const verdicts: SampleQuality[] = ['good', 'questionable', 'artifact'];
    let judged = 0;
    let observed = 0;
    const ingest = createDeviceIngest({
      outbox,
      deduper: new SampleDeduper(),
      waveDeduper: new SampleDeduper(),
      quality: () => ({ hr: verdicts[judged++ % verdicts.length]! }),
      observer: { sample: () => void observed++, status: () => undefined, wave: () => undefined },
      metrics: createEdgeMetrics('gw-t'),
      maxPayloadBytes: 16_384,
      maxClockSkewMs: 300_000,
      now: () => NOW,
    });
    const run = (seq: number): string => {
      let outcome: IngestOutcome | undefined;
      ingest.ingest(DEVICE, 'vitals', payload(seq), (o) => (outcome = o));
      outbox.flush();
      return outcome?.result === 'rejected' ? outcome.error.code : (outcome?.result ?? 'pending');
    };
    expect(run(1)).toBe('PM_ERR_STORE_FAILED');
    expect(run(1)).toBe('PM_ERR_STORE_FAILED'); // still full: refused again, still not judged again
    saboteur.exec('DROP TRIGGER full');
    saboteur.close();
    expect(run(1)).toBe('stored');
    expect(run(1)).toBe('duplicate');
    expect(run(2)).toBe('stored');
    expect(judged).toBe(2);
    expect(observed).toBe(2);
    expect(outbox.peek(0, 10).map((e) => (e.record.type === 'sample' ? [e.record.seq, e.record.quality.hr] : []))).toEqual([
      [1, 'good'],
      [2, 'questionable'],
    ]);
    outbox.close();
  });
});
