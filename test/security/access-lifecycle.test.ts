/**
 * Access over time, end to end through the REST API of a running cloud:
 *   - break-glass: a clinician of ward-b asks for emergency access to ward-a with a reason; ward-a's routes open for
 *     them, the grant and every read under it are in the audit log, and at expiry (60 min) they close again;
 *   - the audit chain: /api/audit/verify accepts the log as written, and names the exact entry an edit made in the
 *     database (around the append-only triggers) broke.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, AuditVerifyResult, UplinkRecord } from '@vigil/contracts';
import { canonicalJson } from '../../cloud/src/audit/audit-log.ts';
import { PASSWORD, startHarness, type Harness } from '../../cloud/test/cloud-harness.ts';
import { sample, T0 } from '../../cloud/test/fixtures.ts';

let h: Harness;
let skewMs = 0;
const now = () => Date.now() + skewMs;

const records = (patientId: string, deviceId: string, hr: number, n: number): UplinkRecord[] =>
  Array.from({ length: n }, (_, i) => sample({ patientId, bedId: 'bed-01', deviceId, seq: i, t: T0 + i * 1000, receivedAt: T0 + i * 1000, vitals: { hr }, quality: { hr: 'good' } }));

async function auditAfter(seq: number): Promise<AuditEntry[]> {
  const res = await h.get(`/api/audit?after=${seq}&limit=1000`, h.tokens['admin-a']);
  expect(res.status).toBe(200);
  return ((await res.json()) as { entries: AuditEntry[] }).entries;
}

beforeAll(async () => {
  h = await startHarness({ now });
  await h.feed('ward-a', records('pt-a1', 'mon-a1', 72, 3));
  await h.feed('ward-b', records('pt-b1', 'mon-b1', 72, 3));
});

afterAll(async () => {
  await h?.close();
});

describe('break-glass', () => {
  it('opens another ward for a limited time, with a reason, audited: the grant and each read under it', async () => {
    const nurse = 'nurse-b';
    const token = (await h.cloud.ctx.auth.login(nurse, PASSWORD, {})).token;
    expect((await h.get('/api/wards/ward-a', token)).status).toBe(403);
    expect((await h.send('POST', '/api/auth/break-glass', { wardId: 'ward-a', reason: 'short' }, token)).status).toBe(400); // a reason of 10+ characters

    const [{ seq: head }] = (await auditAfter(0)).slice(-1) as [AuditEntry];
    const reason = 'covering ward A: rapid response call, bed 1';
    const grant = await h.send('POST', '/api/auth/break-glass', { wardId: 'ward-a', reason }, token);
    expect(grant.status).toBe(200);
    const body = (await grant.json()) as { wardId: string; expiresAt: number; grantedAt: number };
    expect(body.expiresAt - body.grantedAt).toBe(h.cloud.ctx.auth.config.breakGlassMs);

    expect((await h.get('/api/wards/ward-a', token)).status).toBe(200);
    expect((await h.get('/api/patients/pt-a1', token)).status).toBe(200);
    const audited = (await auditAfter(head)).filter((e) => e.actor === nurse);
    expect(audited.map((e) => e.action)).toEqual(['auth.break-glass', 'ward.read', 'patient.read']);
    expect(audited[0]).toMatchObject({ wardId: 'ward-a', detail: { reason } });
    expect(audited[2]).toMatchObject({ wardId: 'ward-a', patientId: 'pt-a1' });

    // Past the grant (kept signed in by a request every 10 min): ward-a closes again, ward-b stays open.
    try {
      for (skewMs = 10 * 60_000; skewMs <= h.cloud.ctx.auth.config.breakGlassMs; skewMs += 10 * 60_000) {
        expect((await h.get('/api/wards/ward-b', token)).status).toBe(200);
      }
      skewMs = h.cloud.ctx.auth.config.breakGlassMs + 60_000;
      expect((await h.get('/api/wards/ward-a', token)).status).toBe(403);
      expect((await h.get('/api/patients/pt-a1', token)).status).toBe(403);
      expect((await h.get('/api/wards/ward-b', token)).status).toBe(200);
    } finally {
      skewMs = 0;
    }
    // Fixture tokens idled out meanwhile: sign them in again.
    for (const user of ['nurse-a', 'nurse-b', 'charge-a', 'admin-a']) h.tokens[user] = (await h.cloud.ctx.auth.login(user, PASSWORD, {})).token;
  });
});

describe('audit chain', () => {
  const verify = async () => {
    const res = await h.get('/api/audit/verify', h.tokens['admin-a']);
    expect(res.status).toBe(200);
    return (await res.json()) as AuditVerifyResult;
  };

  it('verifies as written; an edit in the database is reported at the entry it changed', async () => {
    // Some reads to audit, then verify the whole chain.
    for (let i = 0; i < 5; i++) expect((await h.get('/api/wards/ward-a', h.tokens['nurse-a'])).status).toBe(200);
    const clean = await verify();
    expect(clean).toMatchObject({ ok: true, brokenAt: null });
    expect(clean.checked).toBeGreaterThan(5);

    // The append-only triggers refuse a plain UPDATE ...
    const victim = (await auditAfter(0)).find((e) => e.action === 'ward.read' && e.actor === 'nurse-a')!;
    await expect(h.cloud.db.run("UPDATE audit_log SET actor = 'someone-else' WHERE seq = ?", [victim.seq])).rejects.toThrow(/append-only/);
    // ... so a tamperer goes around them (a superuser, a copied file): drop them and edit one entry's detail.
    const triggers = await h.cloud.db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'");
    for (const { name } of triggers) await h.cloud.db.run(`DROP TRIGGER ${name}`);
    await h.cloud.db.run('UPDATE audit_log SET detail = ? WHERE seq = ?', [canonicalJson({ note: 'nothing to see' }), victim.seq]);

    const tampered = await verify();
    expect(tampered).toMatchObject({ ok: false, brokenAt: victim.seq, checked: victim.seq - 1 });
    expect(tampered.reason).toMatch(/hash mismatch/);
  });
});
