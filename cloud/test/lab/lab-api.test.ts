import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabResult, LabRunStatus, type AuditEntry } from '@vigil/contracts';
import { PASSWORD, startHarness, type Harness } from '../cloud-harness.ts';
import { tempDir, writeHandSession } from './lab-fixtures.ts';

describe('lab REST API', () => {
  let h: Harness;
  let recordingId: string;
  let researcher: string;

  beforeAll(async () => {
    const dir = tempDir('vigil-lab-api-');
    h = await startHarness({ dir, config: { recordingsDir: join(dir, 'recordings') } });
    const session = join(dir, 'hand.vsession.jsonl');
    await writeHandSession(session);
    recordingId = (await h.cloud.ctx.recordings.add(createReadStream(session), 'hand session')).id;
    await h.cloud.ctx.auth.users.create(h.cloud.db, { username: 'res-1', role: 'researcher', wards: [], password: PASSWORD });
    researcher = (await h.cloud.ctx.auth.login('res-1', PASSWORD, {})).token;
  });
  afterAll(async () => {
    await h?.close();
  });

  const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

  async function finished(runId: string, token: string): Promise<LabRunStatus> {
    // Poll without a time assertion: the run's own state decides (bounded so a hang fails instead of spinning).
    for (let i = 0; i < 600; i++) {
      const status = LabRunStatus.parse(await (await h.get(`/api/lab/runs/${runId}`, token)).json());
      if (status.state === 'finished' || status.state === 'failed') return status;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`lab run ${runId} did not finish`);
  }

  it('lists the stored configurations to lab roles only', async () => {
    const res = await h.get('/api/lab/configs', h.tokens['charge-a']);
    expect(res.status).toBe(200);
    const names = ((await res.json()) as { configs: Array<{ name: string }> }).configs.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['default-limits', 'news2-driven', 'lstm-assisted', 'long-delays']));
    const clinician = await h.get('/api/lab/configs', h.tokens['nurse-a']);
    expect(clinician.status).toBe(403);
    expect(await errorCode(clinician)).toBe('PM_ERR_FORBIDDEN');
    expect((await h.get('/api/lab/configs')).status).toBe(401);
  });

  it('runs a comparison on a recording, then serves its result as JSON and CSV, audited', async () => {
    const inline = { name: 'no-delay', news2: { enabled: false }, limits: { delayByCode: { HR_HIGH: 0 } } };
    const start = await h.send('POST', '/api/lab/runs', { recordingIds: [recordingId], configNames: ['default-limits', 'long-delays'], configs: [inline] }, researcher);
    expect(start.status).toBe(200);
    const started = LabRunStatus.parse(await start.json());
    expect(started).toMatchObject({ recordingIds: [recordingId], configNames: ['default-limits', 'long-delays', 'no-delay'], startedBy: 'res-1', finishedAt: null });

    const status = await finished(started.runId, researcher);
    expect(status).toMatchObject({ state: 'finished', progress: 1 });
    expect((await h.get('/api/lab/runs', researcher)).status).toBe(200);

    const res = await h.get(`/api/lab/runs/${started.runId}/result`, h.tokens['charge-a']);
    expect(res.status).toBe(200);
    const result = LabResult.parse(await res.json());
    expect(result.sessions[0]).toMatchObject({ name: 'hand session', patients: 1 });
    // The hand session: HR > 130 for 40 s, 20 s and 5 s (lab-fixtures.ts).
    expect(result.configs.map((c) => [c.name, c.alarms.total])).toEqual([['default-limits', 2], ['long-delays', 1], ['no-delay', 3]]);
    expect(result.configs[1]!.events).toMatchObject({ events: 2, caught: 1, missed: 1 });

    const csv = await h.get(`/api/lab/runs/${started.runId}/csv`, researcher);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]!.startsWith('default-limits,1,')).toBe(true);

    const audit = (await (await h.get('/api/audit?after=0&limit=1000', h.tokens['admin-a'])).json()) as { entries: AuditEntry[] };
    const mine = audit.entries.filter((e) => e.action.startsWith('lab.'));
    expect(mine.map((e) => [e.actor, e.action])).toEqual([
      ['res-1', 'lab.run'],
      ['charge-a', 'lab.result.read'],
      ['res-1', 'lab.result.read'],
    ]);
  });

  it('refuses bad runs with specific codes', async () => {
    const post = (body: unknown) => h.send('POST', '/api/lab/runs', body, researcher);
    const one = await post({ recordingIds: [recordingId], configNames: ['default-limits'] });
    expect([one.status, await errorCode(one)]).toEqual([400, 'PM_ERR_VALIDATION']);
    const unknownConfig = await post({ recordingIds: [recordingId], configNames: ['default-limits', 'no-such-config'] });
    expect([unknownConfig.status, await errorCode(unknownConfig)]).toEqual([400, 'PM_ERR_LAB_CONFIG']);
    const badInline = await post({ recordingIds: [recordingId], configNames: ['default-limits'], configs: [{ name: 'x', limits: { delayMs: -5 } }] });
    expect([badInline.status, await errorCode(badInline)]).toEqual([400, 'PM_ERR_VALIDATION']);
    const duplicate = await post({ recordingIds: [recordingId], configNames: ['default-limits'], configs: [{ name: 'default-limits' }] });
    expect([duplicate.status, await errorCode(duplicate)]).toEqual([400, 'PM_ERR_LAB_CONFIG']);
    const noRecording = await post({ recordingIds: ['rec-missing'], configNames: ['default-limits', 'long-delays'] });
    expect([noRecording.status, await errorCode(noRecording)]).toEqual([404, 'PM_ERR_NOT_FOUND']);
    const noRun = await h.get('/api/lab/runs/lab-missing/result', researcher);
    expect([noRun.status, await errorCode(noRun)]).toEqual([404, 'PM_ERR_NOT_FOUND']);
    const clinician = await h.send('POST', '/api/lab/runs', { recordingIds: [recordingId], configNames: ['default-limits', 'long-delays'] }, h.tokens['nurse-a']);
    expect(clinician.status).toBe(403);
  });
});
