import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UplinkSample } from '@vigil/contracts';
import { Outbox } from '../src/outbox.ts';

const T0 = 1_760_000_000_000;

function record(seq: number): UplinkSample {
  return {
    type: 'sample',
    patientId: 'pt-1',
    bedId: 'bed-01',
    deviceId: 'mon-01',
    deviceType: 'icu-monitor',
    bootId: 'boot-1',
    seq,
    t: T0 + seq * 1_000,
    receivedAt: T0 + seq * 1_000 + 5,
    vitals: { hr: 70 + seq },
    quality: { hr: 'good' },
    late: false,
  };
}

describe('Outbox', () => {
  let dir: string;
  let file: string;
  const open: Outbox[] = [];

  function outbox(): Outbox {
    const o = new Outbox(file);
    open.push(o);
    return o;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-outbox-'));
    file = join(dir, 'sub', 'outbox.sqlite');
  });
  afterEach(() => {
    for (const o of open.splice(0)) {
      try {
        o.close();
      } catch {
        // already closed by the test
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends with increasing ids and peeks in arrival order', () => {
    const o = outbox();
    const ids = [3, 1, 2].map((seq) => o.append(record(seq), T0));
    expect(ids).toEqual([1, 2, 3]);
    expect(o.size).toBe(3);
    expect(o.peek(0, 10)).toEqual([
      { id: 1, record: record(3) },
      { id: 2, record: record(1) },
      { id: 3, record: record(2) },
    ]);
  });

  it('peek honours the limit and the afterId', () => {
    const o = outbox();
    for (let seq = 1; seq <= 5; seq++) o.append(record(seq), T0);
    expect(o.peek(0, 2).map((e) => e.id)).toEqual([1, 2]);
    expect(o.peek(2, 2).map((e) => e.id)).toEqual([3, 4]);
    expect(o.peek(4, 10).map((e) => e.id)).toEqual([5]);
    expect(o.peek(5, 10)).toEqual([]);
  });

  it('remove deletes an inclusive range and updates the size', () => {
    const o = outbox();
    for (let seq = 1; seq <= 5; seq++) o.append(record(seq), T0);
    o.remove(1, 3);
    expect(o.size).toBe(2);
    expect(o.peek(0, 10).map((e) => [e.id, e.record.type === 'sample' ? e.record.seq : null])).toEqual([
      [4, 4],
      [5, 5],
    ]);
    // Removing ids that are already gone changes nothing.
    o.remove(1, 3);
    expect(o.size).toBe(2);
    o.remove(5, 5);
    expect(o.peek(0, 10).map((e) => e.id)).toEqual([4]);
    expect(o.size).toBe(1);
  });

  it('survives a reopen: size, contents and id order', () => {
    const first = outbox();
    for (let seq = 1; seq <= 4; seq++) first.append(record(seq), T0);
    first.remove(1, 1);
    first.close();

    const second = outbox();
    expect(second.size).toBe(3);
    expect(second.peek(0, 10)).toEqual([
      { id: 2, record: record(2) },
      { id: 3, record: record(3) },
      { id: 4, record: record(4) },
    ]);
    // Ids keep increasing after a reopen, also past removed ones.
    second.remove(2, 4);
    expect(second.append(record(9), T0)).toBe(5);
    second.close();

    const third = outbox();
    expect(third.size).toBe(1);
    expect(third.peek(0, 10)).toEqual([{ id: 5, record: record(9) }]);
  });

  it('append fails once the outbox is closed', () => {
    const o = outbox();
    o.close();
    expect(() => o.append(record(1), T0)).toThrow();
  });
});
