import { afterEach, beforeEach, describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
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

  it('group commit: queued records are durable only after the commit, and every callback then runs', async () => {
    const commits: number[] = [];
    const o = new Outbox(file, { onCommit: (n) => commits.push(n) });
    open.push(o);
    const done: Array<Error | null> = [];
    for (let seq = 1; seq <= 50; seq++) o.enqueue(record(seq), T0, (err) => done.push(err));
    expect(done).toEqual([]); // nothing acknowledged before the commit
    expect(o.pending).toBe(50);
    await new Promise((r) => setImmediate(r));
    expect(done).toHaveLength(50);
    expect(done.every((e) => e === null)).toBe(true);
    expect(commits).toEqual([50]); // one transaction for the whole turn
    expect(o.size).toBe(50);
    expect(o.maxId).toBe(50);
  });

  it('splits a large queue into transactions of groupMax records', () => {
    const commits: number[] = [];
    const o = new Outbox(file, { groupMax: 10, onCommit: (n) => commits.push(n) });
    open.push(o);
    for (let seq = 1; seq <= 25; seq++) o.enqueue(record(seq), T0);
    o.flush();
    expect(commits).toEqual([10, 10, 5]);
    expect(o.peek(0, 100).map((e) => e.id)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it('a failed commit calls every waiting record back with the error and stores none of them', () => {
    const o = new Outbox(file);
    open.push(o);
    o.append(record(1), T0);
    // Another connection makes inserts of seq 3 fail, as a full disk would fail a commit.
    const saboteur = new Database(file);
    saboteur.exec(`CREATE TRIGGER fail BEFORE INSERT ON outbox WHEN NEW.record LIKE '%"seq":3,%' BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    saboteur.close();
    const done: Array<string | null> = [];
    for (const seq of [2, 3, 4]) o.enqueue(record(seq), T0, (err) => done.push(err ? err.message : null));
    o.flush();
    expect(done).toEqual(['disk full', 'disk full', 'disk full']);
    expect(o.size).toBe(1);
    expect(o.peek(0, 10).map((e) => e.id)).toEqual([1]);
  });

  it('keeps the gateway\u2019s own records across failed commits and commits them once the disk takes writes again', () => {
    const failures: Array<[number, boolean]> = [];
    const recovered: number[] = [];
    const o = new Outbox(file, { onFailure: (_err, n, first) => failures.push([n, first]), onRecover: (ms) => recovered.push(ms) });
    open.push(o);
    o.append(record(1), T0);
    // Every insert fails, as on a full disk.
    const saboteur = new Database(file);
    saboteur.exec(`CREATE TRIGGER fail BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    const alarm = { type: 'alarm', alarm: { id: 'al-1' } } as unknown as UplinkSample;
    const refused: Array<string | null> = [];
    o.enqueue(record(2), T0, (err) => refused.push(err ? err.message : null)); // a device's: refused, it resends
    o.enqueue(alarm, T0); // the gateway's own (an alarm transition): nobody would resend it
    o.enqueue(record(3), T0);
    o.flush();
    o.enqueue(record(4), T0);
    o.flush();
    expect(refused).toEqual(['database or disk is full']);
    expect(failures).toEqual([[3, true], [3, false]]);
    expect(o.failure?.message).toBe('database or disk is full');
    expect(o.retrying).toBe(3);
    expect(o.size).toBe(1);
    // Space returns: the kept records are committed first, then new ones.
    saboteur.exec('DROP TRIGGER fail');
    saboteur.close();
    o.enqueue(record(5), T0);
    o.flush();
    expect(o.failure).toBeUndefined();
    expect(recovered).toHaveLength(1);
    expect(o.retrying).toBe(0);
    expect(o.peek(0, 10).map((e) => (e.record.type === 'sample' ? e.record.seq : e.record.type))).toEqual([1, 'alarm', 3, 4, 5]);
  });

  it('bounds the records kept across failed commits, dropping the oldest but never an alarm', () => {
    const drops: number[] = [];
    const o = new Outbox(file, { retryMax: 3, onDrop: (n) => drops.push(n) });
    open.push(o);
    const saboteur = new Database(file);
    saboteur.exec(`CREATE TRIGGER fail BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    o.enqueue({ type: 'alarm', alarm: { id: 'al-1' } } as unknown as UplinkSample, T0);
    for (let seq = 1; seq <= 4; seq++) o.enqueue(record(seq), T0);
    o.flush();
    expect(drops).toEqual([2]);
    expect(o.retrying).toBe(3);
    saboteur.exec('DROP TRIGGER fail');
    saboteur.close();
    o.flush();
    expect(o.peek(0, 10).map((e) => (e.record.type === 'sample' ? e.record.seq : e.record.type))).toEqual(['alarm', 3, 4]);
  });

  it('is bounded: beyond maxRecords the oldest records are dropped and reported', () => {
    const drops: number[] = [];
    const o = new Outbox(file, { maxRecords: 10, onDrop: (n) => drops.push(n) });
    open.push(o);
    for (let seq = 1; seq <= 15; seq++) o.enqueue(record(seq), T0);
    o.flush();
    expect(drops).toEqual([5]);
    expect(o.size).toBe(10);
    expect(o.peek(0, 100).map((e) => (e.record.type === 'sample' ? e.record.seq : 0))).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  });

  it('never drops alarm records to respect the bound', () => {
    const o = new Outbox(file, { maxRecords: 3 });
    open.push(o);
    const alarm = { type: 'alarm', alarm: { id: 'al-1' } } as never;
    o.enqueue(alarm, T0);
    for (let seq = 1; seq <= 5; seq++) o.enqueue(record(seq), T0);
    o.flush();
    expect(o.peek(0, 10).map((e) => (e.record.type === 'sample' ? e.record.seq : e.record.type))).toEqual(['alarm', 4, 5]);
  });

  it('peek can stop at an upper id (the backlog lane of the uplink)', () => {
    const o = outbox();
    for (let seq = 1; seq <= 6; seq++) o.append(record(seq), T0);
    expect(o.peek(0, 10, 3).map((e) => e.id)).toEqual([1, 2, 3]);
    expect(o.peek(3, 10).map((e) => e.id)).toEqual([4, 5, 6]);
  });
});
