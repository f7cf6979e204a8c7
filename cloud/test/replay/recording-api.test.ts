/**
 * The recordings API end to end on an in-process cloud: upload (raw JSONL / gzip, validated, size-limited, roles),
 * list, play into a replay ward that any signed-in user can watch like a live ward, pause / resume / seek / stop,
 * delete; every change audited.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, type VitalsUpdate, type WardJoinReply, PlayResponse, RecordingInfo, RecordingListResponse, ReplayStatus, WardSnapshot } from '@vigil/contracts';
import { generateSession, wardDevices } from '@vigil/simulators';
import { PASSWORD, startHarness, type Harness } from '../cloud-harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-rec-api-'));
const start = Date.UTC(2026, 3, 1);
let h: Harness;
let researcher = '';
let short = '';
let long = '';

beforeAll(async () => {
  h = await startHarness({ config: { recordingsDir: join(dir, 'recordings'), recordingMaxMb: 1 } });
  await h.cloud.ctx.auth.users.create(h.cloud.db, { username: 'res-1', password: PASSWORD, role: 'researcher', wards: [] });
  researcher = (await h.cloud.ctx.auth.login('res-1', PASSWORD, {})).token;
  short = join(dir, 'short.vsession.jsonl.gz');
  long = join(dir, 'long.vsession.jsonl');
  await generateSession({ devices: wardDevices('ward-x', 3, 1), seed: 'api', start, end: start + 30_000, bedScenarios: { 'bed-01': 'tachyarrhythmia@0s+2s/severe' }, out: short });
  await generateSession({ devices: wardDevices('ward-y', 2, 0), seed: 'api-long', start, end: start + 10 * 60_000, artifacts: 'none', out: long });
}, 60_000);
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

function upload(body: Buffer | string, token: string | undefined, contentType = 'application/gzip', name = 'short ward') {
  return fetch(`${h.base}/api/recordings?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
}

const code = async (res: Response) => ErrorBody.parse(await res.json()).error.code;
async function status(replayId: string, token = h.tokens['nurse-b']): Promise<ReplayStatus> {
  return ReplayStatus.parse(await (await h.get(`/api/replays/${replayId}`, token)).json());
}
async function until(replayId: string, ok: (s: ReplayStatus) => boolean): Promise<ReplayStatus> {
  for (let i = 0; i < 600; i++) {
    const s = await status(replayId);
    if (ok(s)) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`replay ${replayId} never reached the expected state`);
}

describe('recordings API', () => {
  let recordingId = '';
  let longId = '';

  it('uploads a gzip session as admin or researcher, refuses clinicians, bad files and oversized bodies', async () => {
    const res = await upload(readFileSync(short), h.tokens['admin-a']);
    expect(res.status).toBe(200);
    const info = RecordingInfo.parse(await res.json());
    expect(info).toMatchObject({ name: 'short ward', source: 'simulator', patients: 3, start, end: start + 30_000, gzip: true });
    recordingId = info.id;

    const plain = await upload(readFileSync(long), researcher, 'application/x-ndjson', 'long ward');
    expect(plain.status).toBe(200);
    longId = RecordingInfo.parse(await plain.json()).id;

    expect((await upload(readFileSync(short), h.tokens['nurse-a'])).status).toBe(403);
    expect((await upload(readFileSync(short), undefined)).status).toBe(401);

    const broken = readFileSync(long, 'utf8').split('\n');
    broken[2] = '{"kind":"message"}';
    const bad = await upload(broken.join('\n'), researcher, 'application/x-ndjson', 'broken');
    expect(bad.status).toBe(400);
    const body = ErrorBody.parse(await bad.json());
    expect(body.error.code).toBe('PM_ERR_SESSION_FORMAT');
    expect(body.error.message).toMatch(/^broken, line 3/);

    const asJson = await upload('{"kind":"header"}', researcher, 'application/json');
    expect(asJson.status).toBe(400);
    expect(await code(asJson)).toBe('PM_ERR_VALIDATION');

    const tooBig = await upload(Buffer.alloc(1024 * 1024 + 10, 'a'), researcher, 'application/octet-stream');
    expect(tooBig.status).toBe(413);
    expect(await code(tooBig)).toBe('PM_ERR_RECORDING_TOO_LARGE');

    const list = RecordingListResponse.parse(await (await h.get('/api/recordings', h.tokens['nurse-b'])).json());
    expect(list.recordings.map((r) => r.id).sort()).toEqual([recordingId, longId].sort());
  });

  it('plays a recording at max into a replay ward any signed-in user can watch like a live ward', async () => {
    expect((await h.send('POST', `/api/recordings/${recordingId}/play`, { speed: 'max' }, h.tokens['nurse-a'])).status).toBe(403);
    const res = await h.send('POST', `/api/recordings/${recordingId}/play`, { speed: 'max' }, h.tokens['charge-a']);
    expect(res.status).toBe(200);
    const { replayId, wardId } = PlayResponse.parse(await res.json());
    expect(wardId).toBe(`replay-${replayId}`);
    const done = await until(replayId, (s) => s.state === 'finished');
    expect(done).toMatchObject({ recordingId, wardId, speed: 'max', startedBy: 'charge-a', start });
    expect(done.messages).toBeGreaterThan(50);

    // nurse-b is assigned to ward-b only, and still sees the replay ward: beds, values, alarms.
    const snap = await h.get(`/api/wards/${wardId}`, h.tokens['nurse-b']);
    expect(snap.status).toBe(200);
    const ward = WardSnapshot.parse(await snap.json());
    expect(ward.beds).toHaveLength(3);
    expect(ward.beds.every((b) => b.patientId.startsWith(`${replayId}.`))).toBe(true);
    expect(ward.alarms.length).toBeGreaterThan(0);
    const wards = (await (await h.get('/api/wards', h.tokens['nurse-b'])).json()) as { wards: Array<{ wardId: string }> };
    expect(wards.wards.map((w) => w.wardId)).toContain(wardId);
    // Live wards keep their rule.
    expect((await h.get('/api/wards/ward-a', h.tokens['nurse-b'])).status).toBe(403);
  });

  it('streams a real-time replay to a clinician’s socket in the replay ward’s room', async () => {
    const { replayId, wardId } = PlayResponse.parse(await (await h.send('POST', `/api/recordings/${recordingId}/play`, { speed: 1 }, researcher)).json());
    await until(replayId, (s) => s.messages > 0);
    const socket = connect(h.base, { transports: ['websocket'], reconnection: false, auth: { token: h.tokens['nurse-b'] } });
    try {
      const vitals: VitalsUpdate[] = [];
      socket.on('vitals', (u: VitalsUpdate) => vitals.push(u));
      const reply = await new Promise<WardJoinReply>((resolve) => socket.emit('ward:join', { wardId }, resolve));
      expect(reply.ok).toBe(true);
      for (let i = 0; i < 100 && vitals.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(vitals.length).toBeGreaterThan(0);
      expect(vitals.every((v) => v.wardId === wardId)).toBe(true);
    } finally {
      socket.close();
      await h.send('POST', `/api/replays/${replayId}/stop`, {}, researcher);
    }
  });

  it('pauses, resumes, seeks forward and backward, and stops a real-time replay', async () => {
    const { replayId } = PlayResponse.parse(await (await h.send('POST', `/api/recordings/${longId}/play`, { speed: 1 }, researcher)).json());
    await until(replayId, (s) => s.messages > 0);
    const paused = ReplayStatus.parse(await (await h.send('POST', `/api/replays/${replayId}/pause`, {}, researcher)).json());
    expect(paused.state).toBe('paused');
    await new Promise((r) => setTimeout(r, 300));
    expect((await status(replayId)).position).toBe(paused.position);

    const forward = ReplayStatus.parse(await (await h.send('POST', `/api/replays/${replayId}/seek`, { offsetMs: 5 * 60_000 }, researcher)).json());
    expect(forward.replayId).toBe(replayId);
    const there = await until(replayId, (s) => s.position >= start + 5 * 60_000);
    expect(there.state).toBe('paused');
    expect(there.messages).toBeGreaterThan(500);

    expect((await h.send('POST', `/api/replays/${replayId}/resume`, {}, researcher)).status).toBe(200);
    const sped = ReplayStatus.parse(await (await h.send('POST', `/api/replays/${replayId}/speed`, { speed: 30 }, researcher)).json());
    expect(sped.speed).toBe(30);

    const back = ReplayStatus.parse(await (await h.send('POST', `/api/replays/${replayId}/seek`, { to: start + 60_000 }, researcher)).json());
    expect(back.replayId).not.toBe(replayId);
    expect(back.wardId).toBe(`replay-${back.replayId}`);
    expect((await status(replayId)).state).toBe('stopped');
    await until(back.replayId, (s) => s.position >= start + 60_000);

    const beyond = await h.send('POST', `/api/replays/${back.replayId}/seek`, { to: start + 3_600_000 }, researcher);
    expect(await code(beyond)).toBe('PM_ERR_VALIDATION');
    const stopped = ReplayStatus.parse(await (await h.send('POST', `/api/replays/${back.replayId}/stop`, {}, researcher)).json());
    expect(stopped.state).toBe('stopped');
    const again = await h.send('POST', `/api/replays/${back.replayId}/resume`, {}, researcher);
    expect(again.status).toBe(409);
    expect(await code(again)).toBe('PM_ERR_REPLAY_STATE');
    expect((await h.get('/api/replays/nope', researcher)).status).toBe(404);
  }, 60_000);

  it('deletes recordings (admin or researcher) and audits every change', async () => {
    expect((await h.send('DELETE', `/api/recordings/${longId}`, undefined, h.tokens['charge-a'])).status).toBe(403);
    expect((await h.send('DELETE', `/api/recordings/${longId}`, undefined, researcher)).status).toBe(200);
    expect((await h.send('DELETE', `/api/recordings/${longId}`, undefined, researcher)).status).toBe(404);
    expect((await h.send('POST', `/api/recordings/${longId}/play`, { speed: 1 }, researcher)).status).toBe(404);
    const actions = (await h.cloud.ctx.audit.list({ after: 0, limit: 1000 })).map((e) => `${e.actor}:${e.action}`);
    for (const a of ['admin-a:recording.upload', 'res-1:recording.upload', 'charge-a:replay.start', 'res-1:replay.pause', 'res-1:replay.seek', 'res-1:replay.stop', 'res-1:recording.delete', 'nurse-b:ward.read']) {
      expect(actions).toContain(a);
    }
  });
});
