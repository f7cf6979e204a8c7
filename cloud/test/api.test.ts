/**
 * The REST API's behaviour for an entitled user: ops endpoints, the OpenAPI document, vitals history, alarms with
 * filters and history, alarm actions (with their transitions and audit entries), break-glass, observations.
 * Access refusals are enumerated in test/security/rest-matrix.test.ts and socket-matrix.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlarmDetailResponse, AlarmListResponse, AuditVerifyResult, ErrorBody, HealthResponse, VitalsHistoryResponse, WardSnapshot, type UplinkRecord } from '@vigil/contracts';
import { startHarness, type Harness } from './cloud-harness.ts';
import { sample } from './fixtures.ts';

const T = 1_764_000_000_000;
let h: Harness;
let alarmId = '';

beforeAll(async () => {
  h = await startHarness({ config: { outOfOrdernessMs: 5_000 } });
  const records: UplinkRecord[] = Array.from({ length: 200 }, (_, s) =>
    sample({ patientId: 'pt-a1', bedId: 'bed-01', deviceId: 'mon-a1', seq: s, t: T + s * 1000, receivedAt: T + s * 1000, vitals: { hr: s >= 30 && s < 120 ? 30 : 70, spo2: 97 }, quality: { hr: 'good', spo2: 'good' } }),
  );
  for (let i = 0; i < records.length; i += 25) await h.feed('ward-a', records.slice(i, i + 25));
  alarmId = (await h.cloud.db.all<{ id: string }>(`SELECT id FROM alarms WHERE body LIKE '%HR_LOW%'`))[0]!.id;
});
afterAll(async () => {
  await h?.close();
});

describe('ops endpoints and the OpenAPI document', () => {
  it('serves /livez, /readyz with each dependency, and /metrics without patient identifiers', async () => {
    expect(await (await h.get('/livez')).text()).toBe('ok');
    const ready = HealthResponse.parse(await (await h.get('/readyz')).json());
    expect(ready.status).toBe('ok');
    expect(Object.keys(ready.checks).sort()).toEqual(['ingest', 'processor', 'storage']);
    const metrics = await (await h.get('/metrics')).text();
    for (const name of ['vigil_cloud_samples_stored_total', 'vigil_cloud_watermark_lag_seconds', 'vigil_cloud_alarm_signal_seconds', 'vigil_cloud_alarms_raised_total', 'vigil_cloud_device_to_stored_seconds']) {
      expect(metrics).toContain(name);
    }
    expect(metrics).not.toContain('pt-a1');
  });

  it('documents every route of the table in an OpenAPI 3.1 document generated from the contracts', async () => {
    const doc = (await (await h.get('/api/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const r of h.cloud.routes) {
      const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
      expect(doc.paths[path]?.[r.method], `${r.method} ${r.path}`).toBeDefined();
    }
    expect(JSON.stringify(doc.paths['/api/alarms']?.get)).toContain('priority');
  });

  it('answers an unknown route and a malformed body with catalogue errors', async () => {
    const missing = await h.get('/api/nothing', h.tokens['nurse-a']);
    expect(missing.status).toBe(404);
    expect(ErrorBody.parse(await missing.json()).error.code).toBe('PM_ERR_NOT_FOUND');
    const bad = await fetch(`${h.base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(bad.status).toBe(400);
    expect(ErrorBody.parse(await bad.json()).error.code).toBe('PM_ERR_VALIDATION');
  });
});

describe('patients and vitals history', () => {
  it('returns the ward snapshot with the patient and the open alarm', async () => {
    const snapshot = WardSnapshot.parse(await (await h.get('/api/wards/ward-a', h.tokens['nurse-a'])).json());
    expect(snapshot.beds.map((b) => b.patientId)).toEqual(['pt-a1']);
    expect(snapshot.alarms.map((a) => a.id)).toContain(alarmId);
  });

  it('returns vitals history raw and rolled up to 1 min, columnar', async () => {
    const raw = VitalsHistoryResponse.parse(await (await h.get(`/api/patients/pt-a1/vitals?from=${T}&to=${T + 60_000}&resolution=raw&vitals=hr`, h.tokens['nurse-a'])).json());
    expect(raw.resolution).toBe('raw');
    expect(raw.t.length).toBeGreaterThanOrEqual(60);
    expect(raw.vitals.hr?.mean.slice(29, 32)).toEqual([70, 30, 30]);
    const minute = VitalsHistoryResponse.parse(await (await h.get(`/api/patients/pt-a1/vitals?from=${T}&to=${T + 180_000}&resolution=1m`, h.tokens['nurse-a'])).json());
    expect(minute.t).toEqual([T, T + 60_000, T + 120_000]);
    expect(minute.vitals.hr?.min[0]).toBe(30);
    expect(minute.vitals.hr?.max[0]).toBe(70);
  });

  it('takes charted observations, which NEWS2 uses from then on', async () => {
    const res = await h.send('POST', '/api/patients/pt-a1/observations', { consciousness: 'voice', onOxygen: true, t: T }, h.tokens['nurse-a']);
    expect(res.status).toBe(200);
    expect(h.cloud.pipeline.processor.observationAt('pt-a1', T + 60_000)).toMatchObject({ consciousness: 'voice', onOxygen: true });
  });
});

describe('alarms: filters, history, actions', () => {
  it('lists alarms with filters and pages', async () => {
    const high = AlarmListResponse.parse(await (await h.get('/api/alarms?priority=high', h.tokens['nurse-a'])).json());
    expect(high.alarms.map((a) => a.id)).toContain(alarmId);
    const low = AlarmListResponse.parse(await (await h.get('/api/alarms?priority=low&kind=technical', h.tokens['nurse-a'])).json());
    expect(low.alarms).toEqual([]);
  });

  it('acknowledges a latched alarm: it ends, the transition names who, the audit chain holds the action', async () => {
    const before = AlarmDetailResponse.parse(await (await h.get(`/api/alarms/${alarmId}`, h.tokens['nurse-a'])).json());
    expect(before.alarm.state).toBe('latched'); // HR_LOW is latching; the heart rate recovered at s = 120
    const res = await h.send('POST', `/api/alarms/${alarmId}/acknowledge`, {}, h.tokens['nurse-a']);
    expect(res.status).toBe(200);
    const after = AlarmDetailResponse.parse(await (await h.get(`/api/alarms/${alarmId}`, h.tokens['nurse-a'])).json());
    expect(after.alarm).toMatchObject({ state: 'ended', acknowledgedBy: 'nurse-a' });
    expect(after.history.map((t) => [t.phase, t.state, t.actor])).toEqual([
      ['start', 'active', 'system'],
      ['latch', 'latched', 'system'],
      ['acknowledge', 'ended', 'nurse-a'],
    ]);
    const again = await h.send('POST', `/api/alarms/${alarmId}/acknowledge`, {}, h.tokens['nurse-a']);
    expect(again.status).toBe(400);
    const audit = (await (await h.get('/api/audit?limit=1000', h.tokens['admin-a'])).json()) as { entries: Array<{ action: string; actor: string; patientId: string | null }> };
    expect(audit.entries.some((e) => e.action === 'alarm.acknowledge' && e.actor === 'nurse-a' && e.patientId === 'pt-a1')).toBe(true);
    expect(audit.entries.some((e) => e.action === 'patient.vitals.read')).toBe(true);
    expect(AuditVerifyResult.parse(await (await h.get('/api/audit/verify', h.tokens['admin-a'])).json()).ok).toBe(true);
  });
});

describe('break-glass', () => {
  it('opens another ward for a limited time with a reason, audited', async () => {
    expect((await h.get('/api/wards/ward-a', h.tokens['nurse-b'])).status).toBe(403);
    const short = await h.send('POST', '/api/auth/break-glass', { wardId: 'ward-a', reason: 'because' }, h.tokens['nurse-b']);
    expect(short.status).toBe(400);
    const grant = await h.send('POST', '/api/auth/break-glass', { wardId: 'ward-a', reason: 'covering a cardiac arrest call on ward A' }, h.tokens['nurse-b']);
    expect(grant.status).toBe(200);
    expect((await h.get('/api/wards/ward-a', h.tokens['nurse-b'])).status).toBe(200);
    const audit = (await (await h.get('/api/audit?limit=1000', h.tokens['admin-a'])).json()) as { entries: Array<{ action: string; detail: Record<string, unknown> | null }> };
    expect(audit.entries.some((e) => e.action === 'auth.break-glass' && JSON.stringify(e.detail).includes('cardiac arrest'))).toBe(true);
  });
});
