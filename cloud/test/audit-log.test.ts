import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { AuditEntry } from '@vigil/contracts';
import { auditHash, canonicalJson, createAuditLog, GENESIS_HASH, type AuditInput } from '../src/audit/audit-log.ts';
import type { Db, DbExecutor } from '../src/storage/db.ts';
import { openSqliteDb } from '../src/storage/sqlite-db.ts';

const T0 = 1_700_000_000_000;
let db: Db;
let t: number;
const now = () => t;

const entry = (i: number, extra: Partial<AuditInput> = {}): AuditInput => ({
  actor: 'alice',
  role: 'clinician',
  action: 'patient.read',
  wardId: 'ward-a',
  patientId: `p-${i}`,
  resource: `patient/p-${i}/vitals`,
  detail: { i, range: { to: T0, from: T0 - 60_000 } },
  ...extra,
});

async function dropAppendOnlyTriggers(): Promise<void> {
  const triggers = await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'");
  expect(triggers.length).toBeGreaterThan(0);
  for (const { name } of triggers) await db.run(`DROP TRIGGER ${name}`);
}

beforeEach(async () => {
  db = openSqliteDb(':memory:');
  await db.migrate();
  t = T0;
});

afterEach(async () => {
  await db.close();
});

describe('canonicalJson', () => {
  it('is independent of key order, recursively, and drops undefined like JSON', () => {
    const a = canonicalJson({ b: 1, a: { y: [3, { q: 1, p: 2 }], x: 'é' }, u: undefined });
    const b = canonicalJson({ a: { x: 'é', y: [3, { p: 2, q: 1 }] }, b: 1 });
    expect(a).toBe(b);
    expect(a).toBe('{"a":{"x":"é","y":[3,{"p":2,"q":1}]},"b":1}');
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/non-finite/);
  });

  it('the entry hash follows the documented formula', () => {
    const e = { seq: 1, at: T0, actor: 'a', role: 'clinician', action: 'x', wardId: null, patientId: null, resource: 'r', detail: { k: 1 } };
    const expected = createHash('sha256')
      .update(`${GENESIS_HASH}\n{"action":"x","actor":"a","at":${T0},"detail":{"k":1},"patientId":null,"resource":"r","role":"clinician","seq":1,"wardId":null}`)
      .digest('hex');
    expect(auditHash(GENESIS_HASH, e)).toBe(expected);
  });
});

describe('createAuditLog', () => {
  it('appends a valid chain that verify() accepts', async () => {
    const log = createAuditLog(db, { now });
    const first = await log.append(entry(1));
    t += 1000;
    const second = await log.append(entry(2, { wardId: undefined, detail: undefined }));
    expect(AuditEntry.parse(first)).toEqual(first);
    expect(first).toMatchObject({ seq: 1, at: T0, prevHash: GENESIS_HASH, wardId: 'ward-a', detail: { i: 1 } });
    expect(second).toMatchObject({ seq: 2, at: T0 + 1000, prevHash: first.hash, wardId: null, detail: null });
    expect(await log.list()).toEqual([first, second]);
    expect(await log.list({ after: 1 })).toEqual([second]);
    expect(await log.head()).toEqual({ seq: 2, hash: second.hash });
    expect(await log.verify()).toEqual({ ok: true, checked: 2, brokenAt: null, reason: null });
  });

  it('refuses detail keys that would carry credentials', async () => {
    const log = createAuditLog(db, { now });
    await expect(log.append(entry(1, { detail: { password: 'hunter2hunter2' } }))).rejects.toThrow(/credentials/);
    await expect(log.append(entry(1, { detail: { nested: { sessionToken: 'x' } } }))).rejects.toThrow(/nested\.sessionToken/);
    expect(await log.head()).toEqual({ seq: 0, hash: GENESIS_HASH });
  });

  it('the table is append-only: a plain UPDATE or DELETE is refused by the trigger', async () => {
    const log = createAuditLog(db, { now });
    await log.append(entry(1));
    await expect(db.run("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1")).rejects.toThrow(/append-only/);
    await expect(db.run('DELETE FROM audit_log WHERE seq = 1')).rejects.toThrow(/append-only/);
    expect(await log.verify()).toMatchObject({ ok: true, checked: 1 });
  });

  it('verify() names exactly the one row that was changed (triggers dropped to tamper)', async () => {
    const log = createAuditLog(db, { now, pageSize: 7 }); // several pages
    await log.appendMany(Array.from({ length: 20 }, (_, i) => entry(i + 1)));
    expect(await log.verify()).toMatchObject({ ok: true, checked: 20 });
    await dropAppendOnlyTriggers();
    await db.run(`UPDATE audit_log SET detail = ? WHERE seq = 13`, [canonicalJson({ i: 13, range: { from: 0, to: T0 } })]);
    const result = await log.verify();
    expect(result).toMatchObject({ ok: false, checked: 12, brokenAt: 13 });
    expect(result.reason).toMatch(/hash mismatch/);
  });

  it('verify() finds a rewritten hash through the next row’s prev link', async () => {
    const log = createAuditLog(db, { now });
    await log.appendMany(Array.from({ length: 5 }, (_, i) => entry(i + 1)));
    await dropAppendOnlyTriggers();
    // A careful forger recomputes row 3's hash after editing it; row 4 still points at the old one.
    const [row3] = (await log.list({ after: 2, limit: 1 })) as [AuditEntry];
    const forged = { ...row3, actor: 'mallory' };
    await db.run('UPDATE audit_log SET actor = ?, hash = ? WHERE seq = 3', ['mallory', auditHash(row3.prevHash, forged)]);
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: 4, reason: expect.stringMatching(/prev link/) });
  });

  it('verify() reports a deleted row in the middle as a gap at that seq', async () => {
    const log = createAuditLog(db, { now });
    await log.appendMany(Array.from({ length: 10 }, (_, i) => entry(i + 1)));
    await dropAppendOnlyTriggers();
    await db.run('DELETE FROM audit_log WHERE seq = 6');
    const result = await log.verify();
    expect(result).toMatchObject({ ok: false, checked: 5, brokenAt: 6 });
    expect(result.reason).toMatch(/gap/);
  });

  it('verify() reports a deleted first row', async () => {
    const log = createAuditLog(db, { now });
    await log.appendMany([entry(1), entry(2)]);
    await dropAppendOnlyTriggers();
    await db.run('DELETE FROM audit_log WHERE seq = 1');
    expect(await log.verify()).toMatchObject({ ok: false, checked: 0, brokenAt: 1 });
  });

  it('200 concurrent appends give a gap-free valid chain, each caller getting its own entry', async () => {
    const log = createAuditLog(db, { now });
    const written = await Promise.all(Array.from({ length: 200 }, (_, i) => log.append(entry(i + 1))));
    expect(written.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    for (const [i, e] of written.entries()) expect(e.patientId).toBe(`p-${i + 1}`);
    expect(await log.verify()).toEqual({ ok: true, checked: 200, brokenAt: null, reason: null });
  });

  it('two writers on one database (two processes) do not fork the chain', async () => {
    const a = createAuditLog(db, { now });
    const b = createAuditLog(db, { now });
    await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).append(entry(i))));
    expect(await a.verify()).toMatchObject({ ok: true, checked: 100 });
  });

  it('a seq taken by another writer between read and insert is retried, not forked', async () => {
    const log = createAuditLog(db, { now });
    await log.appendMany([entry(1), entry(2)]);
    // Make the first transaction read a stale last row (seq 1), as a second process would after the other's commit.
    let stale = true;
    const racing: Db = {
      dialect: db.dialect,
      describe: db.describe,
      all: (sql, params) => db.all(sql, params),
      get: (sql, params) => db.get(sql, params),
      run: (sql, params) => db.run(sql, params),
      runMany: (sql, rows) => db.runMany(sql, rows),
      migrate: () => db.migrate(),
      ping: () => db.ping(),
      close: () => db.close(),
      transaction: (fn) =>
        db.transaction((tx) => {
          const wrapped: DbExecutor = {
            ...tx,
            dialect: tx.dialect,
            all: (sql, params) => tx.all(sql, params),
            run: (sql, params) => tx.run(sql, params),
            runMany: (sql, rows) => tx.runMany(sql, rows),
            get: (async (sql: string, params?: readonly never[]) => {
              if (stale && sql.includes('ORDER BY seq DESC')) {
                stale = false;
                return tx.get('SELECT seq, hash FROM audit_log WHERE seq = 1');
              }
              return tx.get(sql, params);
            }) as DbExecutor['get'],
          };
          return fn(wrapped);
        }),
    };
    const writer = createAuditLog(racing, { now });
    const third = await writer.append(entry(3));
    expect(stale).toBe(false);
    expect(third.seq).toBe(3);
    expect(await log.verify()).toMatchObject({ ok: true, checked: 3 });
  });

  it('appendMany is all or nothing', async () => {
    const log = createAuditLog(db, { now });
    await expect(log.appendMany([entry(1), entry(2, { actor: '' })])).rejects.toThrow(/actor/);
    const many = await log.appendMany([entry(1), entry(2), entry(3)]);
    expect(many.map((e) => e.seq)).toEqual([1, 2, 3]);
  });
});
