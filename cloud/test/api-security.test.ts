/**
 * Access control, enumerated: every REST route of the route table (and a check that express serves no route outside
 * it) is called without a session, with an expired session, and by a clinician of another ward; every client →
 * server socket event without a session, from a bad origin and for another ward. Each must be refused, with the
 * catalogue code, and the same call by an entitled user must pass the access checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { ErrorBody, SOCKET_EVENTS, type ClientToServerEvents, type ServerToClientEvents, type UplinkRecord } from '@vigil/contracts';
import type { RouteSpec } from '../src/api/route-table.ts';
import { PASSWORD, startHarness, type Harness } from './cloud-harness.ts';
import { sample, T0 } from './fixtures.ts';

let h: Harness;
let skewMs = 0;
let alarmId = '';
const now = () => Date.now() + skewMs;

/** A valid request for each route, as the entitled user of ward-a would send it. */
function requestFor(spec: RouteSpec): { path: string; body?: unknown } {
  const path = spec.path.replace(':wardId', 'ward-a').replace(':patientId', 'pt-a1').replace(':alarmId', alarmId);
  const bodies: Record<string, unknown> = {
    '/api/auth/login': { username: 'nurse-a', password: PASSWORD },
    '/api/auth/logout': {},
    '/api/auth/break-glass': { wardId: 'ward-a', reason: 'cardiac arrest call on ward A, covering' },
    '/api/patients/:patientId/observations': { consciousness: 'alert', onOxygen: false },
    '/api/patients/:patientId/limits': { rules: [] },
    '/api/patients/:patientId/waveform-requests': { durationS: 30 },
    '/api/alarms/:alarmId/acknowledge': {},
    '/api/alarms/:alarmId/audio-pause': { durationS: 30 },
    '/api/alarms/:alarmId/escalate': {},
    '/api/users': { username: 'new-user', password: 'a long enough password', role: 'clinician', wards: ['ward-a'] },
  };
  return spec.method === 'get' ? { path } : { path, body: bodies[spec.path] ?? {} };
}

async function call(spec: RouteSpec, token: string | undefined): Promise<Response> {
  const { path, body } = requestFor(spec);
  return spec.method === 'get' ? h.get(path, token) : h.send(spec.method.toUpperCase(), path, body, token);
}

async function errorCode(res: Response): Promise<string> {
  return ErrorBody.parse(await res.json()).error.code;
}

beforeAll(async () => {
  h = await startHarness({ now });
  // Patients in both wards, and a high-priority alarm in ward-a (heart rate 30 for 6 s > the 5 s delay).
  const records = (patientId: string, bedId: string, deviceId: string, hr: number, n: number): UplinkRecord[] =>
    Array.from({ length: n }, (_, i) => sample({ patientId, bedId, deviceId, seq: i, t: T0 + i * 1000, receivedAt: T0 + i * 1000, vitals: { hr }, quality: { hr: 'good' } }));
  await h.feed('ward-a', records('pt-a1', 'bed-01', 'mon-a1', 30, 8));
  await h.feed('ward-b', records('pt-b1', 'bed-01', 'mon-b1', 72, 3));
  const open = h.cloud.pipeline.openAlarms('ward-a');
  expect(open.map((a) => a.code)).toContain('HR_LOW');
  alarmId = open.find((a) => a.code === 'HR_LOW')!.id;
});

afterAll(async () => {
  await h?.close();
});

describe('REST: every route of the table', () => {
  it('express serves no route that is not in the route table (so the table enumeration below is complete)', () => {
    const table = new Set(h.cloud.routes.map((r) => `${r.method} ${r.path}`));
    const served = h.cloud.servedRoutes().filter((r) => r !== 'get /api/openapi.json');
    expect(served.length).toBeGreaterThan(15);
    expect(served.filter((r) => !table.has(r))).toEqual([]);
    expect([...table].filter((r) => !served.includes(r))).toEqual([]);
  });

  it('refuses every session route without a session (401 PM_ERR_UNAUTHENTICATED) and with a malformed token', async () => {
    const session = h.cloud.routes.filter((r) => r.auth === 'session');
    expect(session.length).toBeGreaterThan(15);
    for (const spec of session) {
      for (const token of [undefined, 'not-a-token']) {
        const res = await call(spec, token);
        expect(res.status, `${spec.method} ${spec.path} with ${token ?? 'no token'}`).toBe(401);
        expect(await errorCode(res)).toBe('PM_ERR_UNAUTHENTICATED');
      }
    }
  });

  it('refuses every ward-, patient- and alarm-scoped route to a clinician of another ward (403 PM_ERR_FORBIDDEN)', async () => {
    const scoped = h.cloud.routes.filter((r) => r.scope === 'ward' || r.scope === 'patient' || r.scope === 'alarm');
    expect(scoped.length).toBeGreaterThan(10);
    for (const spec of scoped) {
      const res = await call(spec, h.tokens['nurse-b']);
      expect(res.status, `${spec.method} ${spec.path} by nurse-b`).toBe(403);
      expect(await errorCode(res)).toBe('PM_ERR_FORBIDDEN');
    }
  });

  it('gives a clinician of another ward nothing of ward-a through the user-scoped routes', async () => {
    const wards = (await (await h.get('/api/wards', h.tokens['nurse-b'])).json()) as { wards: Array<{ wardId: string }> };
    expect(wards.wards.map((w) => w.wardId)).toEqual(['ward-b']);
    const alarms = (await (await h.get('/api/alarms', h.tokens['nurse-b'])).json()) as { alarms: Array<{ wardId: string }> };
    expect(alarms.alarms.filter((a) => a.wardId === 'ward-a')).toEqual([]);
    const filtered = await h.get('/api/alarms?wardId=ward-a', h.tokens['nurse-b']);
    expect(filtered.status).toBe(403);
    for (const spec of h.cloud.routes.filter((r) => r.roles?.includes('admin') && !r.roles.includes('clinician'))) {
      const res = await call(spec, h.tokens['nurse-b']);
      expect(res.status, `${spec.method} ${spec.path} by a clinician`).toBe(403);
    }
  });

  it('lets the entitled user of ward-a through the access checks of every session route', async () => {
    for (const spec of h.cloud.routes.filter((r) => r.auth === 'session' && r.path !== '/api/auth/logout')) {
      const token = spec.roles && !spec.roles.includes('clinician') ? h.tokens[spec.roles.includes('charge_nurse') ? 'charge-a' : 'admin-a'] : h.tokens['nurse-a'];
      const res = await call(spec, token);
      // Access granted: anything but 401/403 (a waveform request may find no gateway connected: 404 is fine).
      expect([401, 403], `${spec.method} ${spec.path}: ${res.status} ${res.status >= 400 ? await res.clone().text() : ''}`).not.toContain(res.status);
    }
  });

  it('refuses every session route once the session has expired after inactivity', async () => {
    const { token } = await h.cloud.ctx.auth.login('nurse-a', PASSWORD, {});
    expect((await h.get('/api/wards', token)).status).toBe(200);
    skewMs = 16 * 60_000; // past the 15 min idle timeout
    try {
      for (const spec of h.cloud.routes.filter((r) => r.auth === 'session')) {
        const res = await call(spec, token);
        expect(res.status, `${spec.method} ${spec.path} with an expired session`).toBe(401);
        expect(await errorCode(res)).toBe('PM_ERR_UNAUTHENTICATED');
      }
    } finally {
      skewMs = 0;
    }
    // The fixtures' tokens were used 16 min "ago" as well: sign them in again for the tests that follow.
    for (const user of ['nurse-a', 'nurse-b', 'charge-a', 'admin-a']) h.tokens[user] = (await h.cloud.ctx.auth.login(user, PASSWORD, {})).token;
  });
});

describe('socket.io: every client → server event', () => {
  const clientEvents = [SOCKET_EVENTS.wardJoin, SOCKET_EVENTS.alarmAction];
  const connect = (token: string | undefined, origin?: string) =>
    io(h.base, {
      transports: ['websocket'],
      reconnection: false,
      ...(token ? { auth: { token } } : {}),
      ...(origin ? { extraHeaders: { origin } } : {}),
    }) as Socket<ServerToClientEvents, ClientToServerEvents>;
  const outcome = (socket: Socket) =>
    new Promise<{ ok: boolean; error?: { message: string; data?: { error?: { code: string } } } }>((resolve) => {
      socket.on('connect', () => resolve({ ok: true }));
      socket.on('connect_error', (error) => resolve({ ok: false, error: error as never }));
    });

  it('refuses a socket without a session, with a bad token, and from an origin that is not a dashboard', async () => {
    for (const [token, origin, code] of [
      [undefined, undefined, 'PM_ERR_UNAUTHENTICATED'],
      ['not-a-token', undefined, 'PM_ERR_UNAUTHENTICATED'],
      [h.tokens['nurse-a'], 'http://evil.example', undefined],
    ] as const) {
      const socket = connect(token, origin);
      const result = await outcome(socket);
      socket.close();
      expect(result.ok, `token ${token ?? 'none'}, origin ${origin ?? 'none'}`).toBe(false);
      if (code) expect(result.error?.data?.error?.code).toBe(code);
    }
  });

  it('refuses each event for a ward the user is not assigned to, and allows it for their own', async () => {
    expect(clientEvents).toEqual(['ward:join', 'alarm:action']);
    const b = connect(h.tokens['nurse-b']);
    const bOutcome = await outcome(b);
    expect(bOutcome.ok, JSON.stringify(bOutcome.error?.data ?? bOutcome.error?.message)).toBe(true);
    const join = await b.emitWithAck('ward:join', { wardId: 'ward-a' });
    expect(join.ok === false && join.error.code).toBe('PM_ERR_FORBIDDEN');
    const act = await b.emitWithAck('alarm:action', { alarmId, action: 'acknowledge' });
    expect(act.ok === false && act.error.code).toBe('PM_ERR_FORBIDDEN');
    b.close();

    const a = connect(h.tokens['nurse-a']);
    expect((await outcome(a)).ok).toBe(true);
    const ok = await a.emitWithAck('ward:join', { wardId: 'ward-a' });
    expect(ok.ok).toBe(true);
    // The alarm was acknowledged by an earlier test: the action is refused as invalid, not as forbidden.
    const paused = await a.emitWithAck('alarm:action', { alarmId, action: 'audio-pause', durationS: 30 });
    expect(paused.ok === false && paused.error.code).toBe('PM_ERR_VALIDATION');
    a.close();
  });
});
