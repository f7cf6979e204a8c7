import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { ErrorBody, HealthResponse, WardListResponse, WardSnapshot } from '@vigil/contracts';
import { createHttpApp } from '../src/api/http-app.ts';
import { createCloudMetrics } from '../src/metrics.ts';
import { T0, bed } from './fixtures.ts';

const ALLOWED = 'http://localhost:3000';

const snapshot: WardSnapshot = { wardId: 'ward-a', beds: [bed()], alarms: [], at: T0 + 1_000 };
const wardsSeen: string[] = [];
let ready = true;
let server: Server;
let base: string;

beforeAll(async () => {
  const metrics = createCloudMetrics();
  metrics.batches.inc(3);
  const app = createHttpApp({
    metrics,
    logger: pino({ level: 'silent' }),
    corsOrigins: [ALLOWED],
    listWards: () => ({ wards: [{ wardId: 'ward-a', beds: 1, activeAlarms: 0 }] }),
    wardSnapshot: (wardId) => {
      wardsSeen.push(wardId);
      if (wardId === 'ward-boom') throw new Error('disk on fire at /var/lib/secret');
      return wardId === 'ward-a' ? snapshot : null;
    },
    readiness: () => ({ store: { ok: true }, uplink: ready ? { ok: true } : { ok: false, detail: 'broker unreachable' } }),
  });
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
});

async function expectError(res: Response, status: number, code: string): Promise<ErrorBody> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = ErrorBody.parse(await res.json());
  expect(body.error.code).toBe(code);
  return body;
}

describe('createHttpApp: ops endpoints', () => {
  it('/livez answers ok as plain text', async () => {
    const res = await fetch(`${base}/livez`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('ok');
  });

  it('/readyz is 200 when every check is ok and 503 when one is not', async () => {
    ready = true;
    const ok = await fetch(`${base}/readyz`);
    expect(ok.status).toBe(200);
    expect(HealthResponse.parse(await ok.json())).toEqual({ status: 'ok', checks: { store: { ok: true }, uplink: { ok: true } } });

    ready = false;
    const down = await fetch(`${base}/readyz`);
    expect(down.status).toBe(503);
    expect(HealthResponse.parse(await down.json())).toEqual({
      status: 'down',
      checks: { store: { ok: true }, uplink: { ok: false, detail: 'broker unreachable' } },
    });
    ready = true;
  });

  it('/metrics serves the Prometheus text format with the service\u2019s metrics', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('# TYPE vigil_cloud_uplink_batches_total counter');
    expect(text).toMatch(/^vigil_cloud_uplink_batches_total 3$/m);
  });

  it('does not announce express', async () => {
    const res = await fetch(`${base}/livez`);
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('createHttpApp: wards', () => {
  it('GET /api/wards lists the wards', async () => {
    const res = await fetch(`${base}/api/wards`);
    expect(res.status).toBe(200);
    expect(WardListResponse.parse(await res.json())).toEqual({ wards: [{ wardId: 'ward-a', beds: 1, activeAlarms: 0 }] });
  });

  it('GET /api/wards/:id returns the snapshot', async () => {
    const res = await fetch(`${base}/api/wards/ward-a`);
    expect(res.status).toBe(200);
    expect(WardSnapshot.parse(await res.json())).toEqual(snapshot);
  });

  it('an unknown ward is 404 PM_ERR_NOT_FOUND', async () => {
    const body = await expectError(await fetch(`${base}/api/wards/ward-zz`), 404, 'PM_ERR_NOT_FOUND');
    expect(body.error.message).toBe('no ward ward-zz');
  });

  it.each([
    ['an encoded slash', 'a%2Fb'],
    ['a 100-character id', 'w'.repeat(100)],
    ['a leading dot', '.ward'],
    ['a plus sign', 'ward+a'],
  ])('an invalid ward id (%s) is 400 PM_ERR_VALIDATION and never reaches the lookup', async (_name, id) => {
    const before = wardsSeen.length;
    const body = await expectError(await fetch(`${base}/api/wards/${id}`), 400, 'PM_ERR_VALIDATION');
    expect(body.error.details?.map((d) => d.path)).toEqual(['wardId']);
    expect(wardsSeen.length).toBe(before);
  });

  it('an unexpected failure is 500 PM_ERR_INTERNAL without its details', async () => {
    const body = await expectError(await fetch(`${base}/api/wards/ward-boom`), 500, 'PM_ERR_INTERNAL');
    expect(body).toEqual({ error: { code: 'PM_ERR_INTERNAL', message: 'internal error' } });
  });

  it('an unknown route is 404 with the ErrorBody shape', async () => {
    const body = await expectError(await fetch(`${base}/api/nope`), 404, 'PM_ERR_NOT_FOUND');
    expect(body).toEqual({ error: { code: 'PM_ERR_NOT_FOUND', message: 'no such route' } });
    await expectError(await fetch(`${base}/api/wards`, { method: 'DELETE' }), 404, 'PM_ERR_NOT_FOUND');
  });
});

describe('createHttpApp: CORS', () => {
  it('allows a configured dashboard origin', async () => {
    const res = await fetch(`${base}/api/wards`, { headers: { origin: ALLOWED } });
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });

  it('sends no allow-origin header for another origin', async () => {
    const res = await fetch(`${base}/api/wards`, { headers: { origin: 'http://evil.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a preflight from an allowed origin', async () => {
    const res = await fetch(`${base}/api/wards/ward-a`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'GET' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });
});
