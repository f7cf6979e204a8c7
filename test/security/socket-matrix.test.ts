/**
 * socket.io security matrix (moved here from cloud/test/api-security.test.ts): a socket needs a session token and,
 * from a browser, an allowed Origin (VIGIL_CLOUD_CORS_ORIGINS; no Origin header = a non-browser client, which still
 * needs the token); every client → server event is refused for a ward the user may not read; a socket that failed to
 * join a ward receives none of its pushes; a socket whose session idles out is told so and disconnected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import mqtt from 'mqtt';
import { SOCKET_EVENTS, topics, type ClientToServerEvents, type ServerToClientEvents, type UplinkRecord } from '@vigil/contracts';
import { PASSWORD, startHarness, type Harness } from '../../cloud/test/cloud-harness.ts';
import { sample, T0 } from '../../cloud/test/fixtures.ts';
import { waitFor } from '../support/in-process-stack.ts';

let h: Harness;
let skewMs = 0;
let alarmId = '';
const now = () => Date.now() + skewMs;

const records = (patientId: string, bedId: string, deviceId: string, hr: number, n: number, from = 0): UplinkRecord[] =>
  Array.from({ length: n }, (_, i) => sample({ patientId, bedId, deviceId, seq: from + i, t: T0 + (from + i) * 1000, receivedAt: T0 + (from + i) * 1000, vitals: { hr }, quality: { hr: 'good' } }));

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
/** Publish one batch as a gateway of the harness (secrets: 32 × its ward letter). */
async function uplink(gatewayId: string, wardId: string, batch: UplinkRecord[]): Promise<void> {
  const secret = gatewayId.slice(-1).repeat(32);
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${h.cloud.ports.mqtt}`, { clientId: gatewayId, username: gatewayId, password: secret, protocolVersion: 4 });
  await client.publishAsync(topics.gatewayUplink(gatewayId), JSON.stringify({ v: 1, gatewayId, wardId, batchSeq: Date.now(), sentAt: Date.now(), records: batch }), { qos: 1 });
  await client.endAsync();
}
const refusals = async (reason: string) => (await h.cloud.metrics.authFailures.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

beforeAll(async () => {
  h = await startHarness({ now });
  await h.feed('ward-a', records('pt-a1', 'bed-01', 'mon-a1', 30, 8));
  await h.feed('ward-b', records('pt-b1', 'bed-01', 'mon-b1', 72, 3));
  alarmId = h.cloud.pipeline.openAlarms('ward-a').find((a) => a.code === 'HR_LOW')!.id;
});

afterAll(async () => {
  await h?.close();
});

describe('socket.io: connection and every client → server event', () => {
  it('refuses a socket without a token, with a bad token, and from an origin that is not a dashboard; counts each', async () => {
    const before = { unauthenticated: await refusals('unauthenticated'), origin: await refusals('bad_origin') };
    for (const [token, origin, code] of [
      [undefined, undefined, 'PM_ERR_UNAUTHENTICATED'],
      ['not-a-token', undefined, 'PM_ERR_UNAUTHENTICATED'],
      [h.tokens['nurse-a'], 'http://evil.example', undefined],
      [h.tokens['nurse-a'], 'null', undefined], // sandboxed iframes and file:// pages send "null"
    ] as const) {
      const socket = connect(token, origin);
      const result = await outcome(socket);
      socket.close();
      expect(result.ok, `token ${token ?? 'none'}, origin ${origin ?? 'none'}`).toBe(false);
      if (code) expect(result.error?.data?.error?.code).toBe(code);
    }
    expect(await refusals('bad_origin')).toBe(before.origin + 2);
    // An allowed dashboard origin with a valid token is let in.
    const ok = connect(h.tokens['nurse-a'], 'http://localhost:3000');
    expect((await outcome(ok)).ok).toBe(true);
    ok.close();
  });

  it('refuses each event for a ward the user is not assigned to, and allows it for their own', async () => {
    expect([SOCKET_EVENTS.wardJoin, SOCKET_EVENTS.alarmAction]).toEqual(['ward:join', 'alarm:action']);
    const b = connect(h.tokens['nurse-b']);
    expect((await outcome(b)).ok).toBe(true);
    const join = await b.emitWithAck('ward:join', { wardId: 'ward-a' });
    expect(join.ok === false && join.error.code).toBe('PM_ERR_FORBIDDEN');
    const act = await b.emitWithAck('alarm:action', { alarmId, action: 'acknowledge' });
    expect(act.ok === false && act.error.code).toBe('PM_ERR_FORBIDDEN');
    b.close();

    const a = connect(h.tokens['nurse-a']);
    expect((await outcome(a)).ok).toBe(true);
    expect((await a.emitWithAck('ward:join', { wardId: 'ward-a' })).ok).toBe(true);
    const acked = await a.emitWithAck('alarm:action', { alarmId, action: 'acknowledge' });
    expect(acked.ok, JSON.stringify(acked)).toBe(true);
    a.close();
  });

  it('a socket refused the foreign ward\u2019s room receives none of that ward\u2019s pushes', async () => {
    const a = connect(h.tokens['nurse-a']);
    const b = connect(h.tokens['nurse-b']);
    expect((await outcome(a)).ok && (await outcome(b)).ok).toBe(true);
    expect((await a.emitWithAck('ward:join', { wardId: 'ward-a' })).ok).toBe(true);
    expect((await b.emitWithAck('ward:join', { wardId: 'ward-a' })).ok).toBe(false);
    expect((await b.emitWithAck('ward:join', { wardId: 'ward-b' })).ok).toBe(true);
    const seenByA: string[] = [];
    const seenByB: string[] = [];
    for (const [socket, seen] of [[a, seenByA], [b, seenByB]] as const) {
      socket.on('vitals', (u) => seen.push(`vitals:${u.wardId}`));
      socket.on('alarm', (alarm) => seen.push(`alarm:${alarm.wardId}`));
    }
    // Through the uplink broker (as the wards' gateways), so the service pushes what it commits.
    await uplink('gw-a', 'ward-a', records('pt-a1', 'bed-01', 'mon-a1', 30, 4, 100));
    await uplink('gw-b', 'ward-b', records('pt-b1', 'bed-01', 'mon-b1', 72, 2, 100));
    await waitFor('ward-a pushes at nurse-a', () => seenByA.some((e) => e.endsWith(':ward-a')));
    await waitFor('ward-b pushes at nurse-b', () => seenByB.some((e) => e.endsWith(':ward-b')));
    expect(seenByB.filter((e) => e.endsWith(':ward-a'))).toEqual([]);
    expect(seenByA.filter((e) => e.endsWith(':ward-b'))).toEqual([]);
    a.close();
    b.close();
  });

  it('idle logoff: a socket whose session idles out gets session:expired and is disconnected', async () => {
    const { token } = await h.cloud.ctx.auth.login('nurse-a', PASSWORD, {});
    const socket = connect(token);
    expect((await outcome(socket)).ok).toBe(true);
    let expired: string | undefined;
    let disconnected = false;
    socket.on('session:expired', (reason) => (expired = reason));
    socket.on('disconnect', () => (disconnected = true));
    skewMs = 16 * 60_000; // past the 15 min idle timeout; the server's watcher checks every 5 s
    try {
      await waitFor('the socket disconnected by the session watcher', () => disconnected, 15_000);
    } finally {
      skewMs = 0;
    }
    expect(expired).toMatch(/inactivity/);
    // The same token cannot open a new socket either.
    const again = connect(token);
    expect((await outcome(again)).ok).toBe(false);
    again.close();
  }, 30_000);
});
