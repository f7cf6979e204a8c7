/**
 * The uplink when the outbox cannot delete what the cloud acknowledged (disk full): it must neither crash (a throw in
 * the PUBACK callback) nor resend the same records in a loop; it pauses, and resumes once deletes succeed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { Aedes } from 'aedes';
import { serveBroker } from '@vigil/contracts/mqtt-node';
import type { UplinkSample } from '@vigil/contracts';
import { createEdgeMetrics } from '../src/metrics.ts';
import { Outbox } from '../src/outbox.ts';
import { createUplink, type Uplink } from '../src/uplink.ts';

const T0 = 1_760_000_000_000;
const record = (seq: number): UplinkSample => ({
  type: 'sample', patientId: 'pt-1', bedId: 'bed-01', deviceId: 'mon-01', deviceType: 'icu-monitor', bootId: 'b', seq,
  t: T0 + seq * 1000, receivedAt: T0 + seq * 1000, vitals: { hr: 70 }, quality: { hr: 'good' }, late: false,
});

async function until(what: string, check: () => boolean, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('uplink: acknowledged records that cannot be deleted', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('pauses instead of crashing or resending, and resumes once the outbox takes writes again', async () => {
    const aedes = await Aedes.createBroker();
    let batches = 0;
    aedes.on('publish', (packet) => {
      if (packet.topic.endsWith('/uplink')) batches++;
    });
    const listener = serveBroker(aedes);
    const port = await listener.listen(0, '127.0.0.1');
    cleanups.push(() => listener.close());
    const dir = mkdtempSync(join(tmpdir(), 'vigil-uplink-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'outbox.sqlite');
    const outbox = new Outbox(file);
    cleanups.push(() => outbox.close());
    for (let seq = 0; seq < 10; seq++) outbox.append(record(seq), T0);
    // Deletes fail, as on a full disk (a delete writes to the WAL).
    const saboteur = new Database(file);
    saboteur.exec(`CREATE TRIGGER full BEFORE DELETE ON outbox BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
    const metrics = createEdgeMetrics('gw-t');
    const uplink: Uplink = createUplink({
      url: `mqtt://127.0.0.1:${port}`, gatewayId: 'gw-t', wardId: 'ward-t', secret: undefined, outbox, metrics,
      logger: pino({ level: 'silent' }), batchMaxRecords: 500, backlogRecordsPerS: 5000, lateAfterMs: 10_000, gzip: false, now: Date.now,
    });
    cleanups.push(() => uplink.close(100));
    uplink.start();
    await until('the first batch', () => batches >= 1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(batches).toBe(1); // acknowledged once, not resent while the delete fails
    expect(outbox.size).toBe(10);
    expect((await metrics.outboxCommitFailures.get()).values[0]?.value).toBeGreaterThan(0);
    saboteur.exec('DROP TRIGGER full');
    saboteur.close();
    await until('the acknowledged records to be deleted', () => outbox.size === 0, 5000);
    outbox.append(record(10), T0);
    uplink.notify();
    await until('new records to flow again', () => batches >= 2 && outbox.size === 0, 5000);
  });
});
