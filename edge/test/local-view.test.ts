import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as connect, type Socket } from 'socket.io-client';
import {
  Alarm,
  ErrorBody,
  VitalsUpdate,
  WardJoinReply,
  WardListResponse,
  WardSnapshot,
  type ClientToServerEvents,
  type DeviceRegistryEntry,
  type ServerToClientEvents,
} from '@vigil/contracts';
import { hashSecret } from '@vigil/contracts/credentials';
import { createLocalAlarms, type LocalAlarms } from '../src/local-alarms/index.ts';
import { LocalWardState } from '../src/local-ward-state.ts';
import { attachLocalView, type LocalView } from '../src/local-view.ts';

const T0 = 1_760_000_000_000;
const TOKEN = 't'.repeat(40);
const HASH = hashSecret('s'.repeat(43));
const MON: DeviceRegistryEntry = { deviceId: 'mon-01', deviceType: 'icu-monitor', wardId: 'ward-a', bedId: 'bed-01', patientId: 'pt-1', secretHash: HASH };
const MON2: DeviceRegistryEntry = { deviceId: 'mon-02', deviceType: 'icu-monitor', wardId: 'ward-a', bedId: 'bed-02', patientId: 'pt-2', secretHash: HASH };

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

describe('local view', () => {
  let server: Server;
  let view: LocalView;
  let ward: LocalWardState;
  let alarms: LocalAlarms;
  let base: string;
  const clients: Client[] = [];
  let audited: string[] = [];

  /** Wires them as the gateway would: samples → ward state + alarms; changes → the room. */
  function feed(t: number, spo2: number) {
    const sample = { deviceId: MON.deviceId, t, vitals: { spo2 }, quality: { spo2: 'good' as const }, late: false, receivedAt: t };
    const update = ward.applySample(sample);
    if (update) view.vitals(update);
    alarms.onSample(sample);
  }

  beforeEach(async () => {
    ward = new LocalWardState('ward-a', [MON, MON2]);
    alarms = createLocalAlarms({ wardId: 'ward-a', directory: [MON, MON2], now: () => T0, onChange: (changed) => changed.forEach((a) => view.alarm(a)) });
    server = createServer((req, res) => {
      if (view.handleLocalViewRequest(req, res)) return;
      res.writeHead(404).end();
    });
    audited = [];
    view = attachLocalView(server, {
      wardId: 'ward-a',
      token: TOKEN,
      snapshot: () => ward.snapshot(alarms.open(), T0),
      audit: (e) => audited.push(`${e.action}:${e.wardId}`),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await view.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function client(auth?: { token: string }, transports: string[] = ['websocket']): Client {
    const c: Client = connect(base, { transports, reconnection: false, forceNew: true, ...(auth ? { auth } : {}) });
    clients.push(c);
    return c;
  }

  const connected = (c: Client) =>
    new Promise<void>((resolve, reject) => {
      c.once('connect', () => resolve());
      c.once('connect_error', reject);
    });

  const refused = (c: Client) =>
    new Promise<Error & { data?: unknown }>((resolve, reject) => {
      c.once('connect', () => reject(new Error('connected without a valid token')));
      c.once('connect_error', resolve);
    });

  const join = (c: Client, wardId: string) => new Promise<unknown>((resolve) => c.emit('ward:join', { wardId }, resolve));

  it('refuses socket.io clients without the token or with a wrong one', async () => {
    const none = await refused(client(undefined, ['polling', 'websocket']));
    expect(none.message).toMatch(/token/);
    expect(ErrorBody.parse(none.data).error.code).toBe('PM_ERR_UNAUTHENTICATED');
    const wrong = await refused(client({ token: 'x'.repeat(40) }));
    expect(wrong.message).toMatch(/token/);
    expect(view.clients()).toBe(0);
  });

  it('acknowledges ward:join with the ward snapshot', async () => {
    feed(T0, 97);
    const c = client({ token: TOKEN });
    await connected(c);
    expect(view.clients()).toBe(1);
    const reply = WardJoinReply.parse(await join(c, 'ward-a'));
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    expect(reply.snapshot.wardId).toBe('ward-a');
    expect(reply.snapshot.beds.map((b) => b.bedId)).toEqual(['bed-01', 'bed-02']); // a silent bed is shown too
    expect(reply.snapshot.beds[0]!.latest.spo2).toEqual({ value: 97, t: T0, quality: 'good' });
    expect(audited).toEqual(['ward-join:ward-a']);
    const other = WardJoinReply.parse(await join(c, 'ward-b'));
    expect(other.ok ? null : other.error.code).toBe('PM_ERR_NOT_FOUND');
    const invalid = WardJoinReply.parse(await new Promise((resolve) => c.emit('ward:join', { wardId: 'a/b' }, resolve)));
    expect(invalid.ok ? null : invalid.error.code).toBe('PM_ERR_VALIDATION');
  });

  it('pushes vitals and alarm changes to the ward room', async () => {
    const c = client({ token: TOKEN });
    await connected(c);
    expect(WardJoinReply.parse(await join(c, 'ward-a')).ok).toBe(true);
    const vitals: unknown[] = [];
    const pushed: unknown[] = [];
    c.on('vitals', (u) => vitals.push(u));
    const raisedSeen = new Promise<void>((resolve) => c.on('alarm', (a) => (pushed.push(a), resolve())));
    for (let t = T0; t <= T0 + 15_000; t += 1000) feed(t, 85); // SPO2_LOW after 15 s
    await raisedSeen;
    const alarm = Alarm.parse(pushed[0]);
    expect(alarm).toMatchObject({ code: 'SPO2_LOW', state: 'active', source: 'edge-limit', bedId: 'bed-01' });
    expect(vitals.length).toBeGreaterThan(0);
    expect(VitalsUpdate.parse(vitals[0])).toMatchObject({ wardId: 'ward-a', bedId: 'bed-01', patientId: 'pt-1', vitals: { spo2: 85 } });
    // The acknowledgement travels the same way; a fresh join sees the alarm in its snapshot.
    const acked = new Promise<unknown>((resolve) => c.once('alarm', resolve));
    alarms.acknowledge(alarm.id, 'nurse.kim', T0 + 16_000);
    expect(Alarm.parse(await acked).state).toBe('acknowledged');
    const reply = WardJoinReply.parse(await join(c, 'ward-a'));
    expect(reply.ok && reply.snapshot.alarms.map((a) => [a.id, a.state])).toEqual([[alarm.id, 'acknowledged']]);
  });

  it('serves the snapshot over REST with the bearer token', async () => {
    feed(T0, 96);
    const anonymous = await fetch(`${base}/api/wards/ward-a`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(ErrorBody.parse(await anonymous.json()).error.code).toBe('PM_ERR_UNAUTHENTICATED');
    const wrong = await fetch(`${base}/api/wards/ward-a`, { headers: { authorization: `Bearer ${'x'.repeat(40)}` } });
    expect(wrong.status).toBe(401);

    const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
    const ok = await fetch(`${base}/api/wards/ward-a`, auth);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const snapshot = WardSnapshot.parse(await ok.json());
    expect(snapshot.beds[0]!.latest.spo2?.value).toBe(96);

    const list = WardListResponse.parse(await (await fetch(`${base}/api/wards`, auth)).json());
    expect(list.wards).toEqual([{ wardId: 'ward-a', beds: 2, activeAlarms: 0 }]);
    expect((await fetch(`${base}/api/wards/ward-b`, auth)).status).toBe(404);
    expect((await fetch(`${base}/api/wards/a%2Fb`, auth)).status).toBe(400);
    expect((await fetch(`${base}/api/wards/ward-a`, { ...auth, method: 'POST' })).status).toBe(405);
    // Other paths are the caller's: the handler leaves them alone.
    expect((await fetch(`${base}/metrics`, auth)).status).toBe(404);
    // Only the reads that returned patient data are audited.
    expect(audited).toEqual(['rest-snapshot:ward-a', 'rest-list:ward-a']);
  });
});

describe('local view configuration', () => {
  it('is disabled without a token', async () => {
    const server = createServer();
    const view = attachLocalView(server, { wardId: 'ward-a', token: undefined, snapshot: () => ({ wardId: 'ward-a', beds: [], alarms: [], at: T0 }) });
    expect(view.enabled).toBe(false);
    expect(view.handleLocalViewRequest({ url: '/api/wards/ward-a', method: 'GET', headers: {} } as never, {} as never)).toBe(false);
    expect(server.listenerCount('upgrade')).toBe(0); // no socket.io server attached
    await view.close();
  });

  it('refuses a short token', () => {
    expect(() => attachLocalView(createServer(), { wardId: 'ward-a', token: 'short', snapshot: () => ({ wardId: 'ward-a', beds: [], alarms: [], at: T0 }) })).toThrow(/32/);
  });

  it('sets TCP_NODELAY on every connection of the server', () => {
    const server = createServer();
    attachLocalView(server, { wardId: 'ward-a', token: TOKEN, snapshot: () => ({ wardId: 'ward-a', beds: [], alarms: [], at: T0 }) });
    let noDelay: boolean | undefined;
    server.emit('connection', { setNoDelay: (v: boolean) => (noDelay = v), on: () => {}, once: () => {} });
    expect(noDelay).toBe(true);
  });
});
