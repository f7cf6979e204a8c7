/**
 * REST access matrix (moved here from cloud/test/api-security.test.ts and made a matrix): every route of the route
 * table — and a check that express serves no route outside it — called by each kind of caller: no session, a
 * malformed token, a session expired by inactivity, a session past its absolute limit, a clinician of another ward,
 * a clinician on admin routes, and the entitled user. The expected answer of each (route, caller) is derived from
 * the route's declared auth / roles / scope (test/support/security-access.ts), so a new route is covered without
 * editing this file; refusals carry the catalogue code, and an entitled call never ends in 401, 403 or 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, type Role, type UplinkRecord } from '@vigil/contracts';
import type { RouteSpec } from '../../cloud/src/api/route-table.ts';
import { PASSWORD, startHarness, USERS, type Harness } from '../../cloud/test/cloud-harness.ts';
import { sample, T0 } from '../../cloud/test/fixtures.ts';
import { bodyFor, expectedAccess, fillPath, type Caller } from '../support/security-access.ts';

let h: Harness;
let skewMs = 0;
let alarmId = '';
const now = () => Date.now() + skewMs;

async function call(spec: RouteSpec, token: string | undefined): Promise<Response> {
  const path = fillPath(spec, { alarmId });
  const body = bodyFor(spec);
  return spec.method === 'get' ? h.get(path, token) : h.send(spec.method.toUpperCase(), path, body, token);
}

const userCaller = (username: string): Caller => {
  const user = USERS.find((u) => u.username === username)!;
  return { session: true, role: user.role, wards: user.wards };
};
const login = async (username: string) => (await h.cloud.ctx.auth.login(username, PASSWORD, {})).token;

/**
 * Call every route as `caller` with `token()` and check the derived expectation. A call that passes may end the
 * session (logout): the token is renewed when it no longer works.
 */
async function checkAll(label: string, caller: Caller, token: () => Promise<string | undefined>, renew?: () => Promise<void>): Promise<string[]> {
  const wrong: string[] = [];
  // Routes that change the caller's own session (sign-out, break-glass) last, so they do not change the answers
  // to the routes after them.
  const ordered = [...h.cloud.routes.filter((r) => r.tag !== 'auth'), ...h.cloud.routes.filter((r) => r.tag === 'auth')];
  for (const spec of ordered) {
    const expected = expectedAccess(spec, caller);
    const res = await call(spec, await token());
    const text = await res.text();
    const where = `${label}: ${spec.method.toUpperCase()} ${spec.path} → ${res.status} ${res.status >= 400 ? text.slice(0, 160) : ''}`;
    if (expected.status === 'pass') {
      if ([401, 403, 500].includes(res.status)) wrong.push(`${where} (expected access)`);
      if (renew && (await h.get('/api/auth/session', await token())).status === 401) await renew();
    } else if (res.status !== expected.status || ErrorBody.safeParse(JSON.parse(text || '{}')).data?.error.code !== expected.code) {
      wrong.push(`${where} (expected ${expected.status} ${expected.code})`);
    }
  }
  return wrong;
}

beforeAll(async () => {
  h = await startHarness({ now });
  // Patients in both wards, and a high-priority alarm in ward-a (heart rate 30 for 6 s > the 5 s delay).
  const records = (patientId: string, bedId: string, deviceId: string, hr: number, n: number): UplinkRecord[] =>
    Array.from({ length: n }, (_, i) => sample({ patientId, bedId, deviceId, seq: i, t: T0 + i * 1000, receivedAt: T0 + i * 1000, vitals: { hr }, quality: { hr: 'good' } }));
  await h.feed('ward-a', records('pt-a1', 'bed-01', 'mon-a1', 30, 8));
  await h.feed('ward-b', records('pt-b1', 'bed-01', 'mon-b1', 72, 3));
  alarmId = h.cloud.pipeline.openAlarms('ward-a').find((a) => a.code === 'HR_LOW')!.id;
});

afterAll(async () => {
  await h?.close();
});

describe('REST: every route of the route table, by caller', () => {
  it('express serves exactly the routes of the table (so enumerating the table is complete)', () => {
    const table = new Set(h.cloud.routes.map((r) => `${r.method} ${r.path}`));
    const served = h.cloud.servedRoutes().filter((r) => r !== 'get /api/openapi.json');
    expect(served.length).toBeGreaterThan(15);
    expect(served.filter((r) => !table.has(r))).toEqual([]);
    expect([...table].filter((r) => !served.includes(r))).toEqual([]);
  });

  it('the derivation covers every kind of route declaration in the table', () => {
    const kinds = new Set(h.cloud.routes.map((r) => `${r.auth}/${r.scope ?? '-'}/${r.roles ? 'roles' : '-'}`));
    // If a new kind appears (a new scope, say), expectedAccess must learn it.
    for (const kind of kinds) expect(kind, kind).toMatch(/^(public\/-\/-|session\/(ward|patient|alarm|user)\/(roles|-))$/);
  });

  it('without a session and with a malformed token: 401 on every session route, public routes open', async () => {
    expect([...(await checkAll('no token', { session: false }, async () => undefined)), ...(await checkAll('malformed token', { session: false }, async () => 'not-a-token'))]).toEqual([]);
  });

  it('a clinician of another ward: 403 on every ward-, patient- and alarm-scoped route, and on role-restricted ones', async () => {
    // A user of its own: its break-glass call (allowed, it is a user-scoped route) must not leak into other tests.
    await h.cloud.ctx.auth.users.create(h.cloud.db, { username: 'nurse-b-matrix', password: PASSWORD, role: 'clinician', wards: ['ward-b'] });
    let token = await login('nurse-b-matrix');
    const caller: Caller = { session: true, role: 'clinician', wards: ['ward-b'] };
    expect(await checkAll('clinician of ward-b', caller, async () => token, async () => void (token = await login('nurse-b-matrix')))).toEqual([]);
  });

  it('the entitled users of ward-a pass every check; each role is refused exactly the routes it is not declared for', async () => {
    for (const user of ['nurse-a', 'charge-a', 'admin-a']) {
      let token = await login(user);
      expect(await checkAll(user, userCaller(user), async () => token, async () => void (token = await login(user)))).toEqual([]);
    }
  });

  it('gives a clinician of another ward nothing of ward-a through the user-scoped lists', async () => {
    const token = await login('nurse-b');
    const wards = (await (await h.get('/api/wards', token)).json()) as { wards: Array<{ wardId: string }> };
    expect(wards.wards.map((w) => w.wardId)).toEqual(['ward-b']);
    const alarms = (await (await h.get('/api/alarms', token)).json()) as { alarms: Array<{ wardId: string }> };
    expect(alarms.alarms.filter((a) => a.wardId === 'ward-a')).toEqual([]);
    expect((await h.get('/api/alarms?wardId=ward-a', token)).status).toBe(403);
  });

  it('a session idle for longer than the idle timeout: 401 on every session route', async () => {
    const token = await login('admin-a');
    expect((await h.get('/api/wards', token)).status).toBe(200);
    skewMs = 16 * 60_000; // past the 15 min idle timeout
    try {
      expect(await checkAll('idle-expired admin', { session: false }, async () => token)).toEqual([]);
    } finally {
      skewMs = 0;
    }
  });

  it('a session kept busy past its absolute limit (12 h): 401 on every session route', async () => {
    const role: Role = 'admin';
    const token = await login('admin-a');
    const limitMs = h.cloud.ctx.auth.config.absoluteTimeoutMs;
    try {
      // A request every 10 min (inside the idle timeout) for the whole shift.
      for (skewMs = 0; skewMs < limitMs; skewMs += 10 * 60_000) expect((await h.get('/api/auth/session', token)).status, `at +${skewMs / 60_000} min`).toBe(200);
      skewMs = limitMs + 60_000;
      expect(await checkAll(`absolute-expired ${role}`, { session: false }, async () => token)).toEqual([]);
    } finally {
      skewMs = 0;
    }
  });
});
