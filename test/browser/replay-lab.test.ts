/**
 * The replay page in headless chromium against a real cloud and `next start` of the built dashboard: a researcher
 * runs an alarm-burden comparison from the page (the figures shown are the cloud's result), downloads the CSV,
 * uploads and deletes a recording, plays one into a replay ward and controls it; a clinician sees the list only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { LabResult, LabRunListResponse } from '@vigil/contracts';
import { CloudConfigSchema, createCloudService, GatewayDirectory, type CloudService } from '@vigil/cloud';
import { ensureDashboardBuild } from '../../scripts/lib/dashboard-build.ts';
import { launchChromium } from '../support/browser.ts';
import { freePort } from '../support/mosquitto.ts';
import { writeHandSession, writeSimulatedSession } from '../../cloud/test/lab/lab-fixtures.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PASSWORD = 'replay-lab-password-0123';

async function signIn(page: Page, url: string, username: string): Promise<void> {
  await page.goto(url);
  await page.waitForURL((u) => u.pathname === '/login', { timeout: 30_000 });
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((u) => u.pathname === '/replay', { timeout: 30_000 });
}

describe('replay page and alarm-burden lab in headless chromium', () => {
  let dir: string;
  let cloud: CloudService;
  let dashboard: ChildProcess;
  let output = '';
  let dashboardUrl: string;
  let browser: Browser;
  let page: Page;
  let handId: string;
  let wardId: string;
  const sessions: Record<string, string> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-replay-lab-'));
    sessions.hand = join(dir, 'hand.vsession.jsonl');
    sessions.ward = join(dir, 'ward.vsession.jsonl.gz');
    await writeHandSession(sessions.hand);
    await writeSimulatedSession(sessions.ward, { patients: 3, hours: 1 });
    ensureDashboardBuild(root, (line) => process.stdout.write(`[replay-lab] ${line}\n`));
    const port = await freePort();
    cloud = await createCloudService({
      config: CloudConfigSchema.parse({
        httpPort: 0,
        embeddedMqttPort: 0,
        dbFile: join(dir, 'cloud.sqlite'),
        recordingsDir: join(dir, 'recordings'),
        maintenance: false,
        corsOrigins: `http://127.0.0.1:${port},http://localhost:${port}`,
      }),
      gateways: new GatewayDirectory({ v: 1, gateways: [] }),
      logger: pino({ level: process.env.VIGIL_TEST_LOG_LEVEL ?? 'silent' }),
    });
    await cloud.start();
    await cloud.ctx.auth.users.create(cloud.db, { username: 'res-1', password: PASSWORD, role: 'researcher', wards: [] });
    await cloud.ctx.auth.users.create(cloud.db, { username: 'nurse-1', password: PASSWORD, role: 'clinician', wards: ['ward-a'] });
    const { createReadStream } = await import('node:fs');
    handId = (await cloud.ctx.recordings.add(createReadStream(sessions.hand), 'hand session')).id;
    await cloud.ctx.recordings.add(createReadStream(sessions.ward), 'simulated ward');

    dashboard = spawn(process.execPath, [join(root, 'node_modules/next/dist/bin/next'), 'start', '-p', String(port), '-H', '127.0.0.1'], {
      cwd: join(root, 'dashboard'),
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', VIGIL_DASHBOARD_CLOUD_URL: `http://127.0.0.1:${cloud.ports.http}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    dashboard.stdout?.on('data', (b: Buffer) => (output += b.toString()));
    dashboard.stderr?.on('data', (b: Buffer) => (output += b.toString()));
    dashboardUrl = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (dashboard.exitCode !== null) throw new Error(`next start exited (${dashboard.exitCode}):\n${output}`);
      if (await fetch(`${dashboardUrl}/login`).then((r) => r.ok, () => false)) break;
      if (i > 240) throw new Error(`next start not ready:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true })).newPage();
    page.on('dialog', (d) => void d.accept()); // the delete confirmation
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (dashboard && dashboard.exitCode === null) {
      dashboard.kill('SIGTERM');
      await Promise.race([once(dashboard, 'exit'), new Promise((r) => setTimeout(r, 10_000))]);
    }
    await cloud?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a researcher runs a lab comparison from the page; the page shows the cloud\u2019s figures and downloads the CSV', async () => {
    await signIn(page, `${dashboardUrl}/replay`, 'res-1');
    const rows = page.locator('[data-testid="recordings"] tbody tr');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    for (const name of ['hand session', 'simulated ward']) await page.locator(`tr[data-name="${name}"] [data-testid="recording-select"]`).check();
    // Defaults tick the three; compare two rule configurations and the delay variant instead (no tfjs here).
    await page.getByTestId('lab-configs').waitFor({ timeout: 30_000 });
    await page.getByTestId('lab-config-lstm-assisted').uncheck();
    await page.getByTestId('lab-config-long-delays').check();
    await page.getByTestId('lab-run').click();
    await page.getByTestId('lab-results').waitFor({ timeout: 120_000 });

    const runs = LabRunListResponse.parse(await (await fetch(`http://127.0.0.1:${cloud.ports.http}/api/lab/runs`, { headers: { authorization: `Bearer ${(await cloud.ctx.auth.login('res-1', PASSWORD, {})).token}` } })).json());
    const run = runs.runs[0]!;
    expect(run).toMatchObject({ state: 'finished', configNames: ['default-limits', 'long-delays', 'news2-driven'], startedBy: 'res-1' });
    const token = (await cloud.ctx.auth.login('res-1', PASSWORD, {})).token;
    const result = LabResult.parse(await (await fetch(`http://127.0.0.1:${cloud.ports.http}/api/lab/runs/${run.runId}/result`, { headers: { authorization: `Bearer ${token}` } })).json());
    for (const c of result.configs) {
      const row = page.getByTestId(`lab-row-${c.name}`);
      expect(await row.getByTestId('lab-alarms-per-day').textContent()).toBe(c.alarms.perPatientDay.toFixed(2));
      expect(await row.getByTestId('lab-caught').textContent()).toContain(`${c.events.caught} / ${c.events.events}`);
    }
    // Fewer alarms with longer delays, on the page as in the result.
    expect(result.configs[1]!.alarms.total).toBeLessThan(result.configs[0]!.alarms.total);
    expect(await page.getByTestId('lab-chart').locator('.lab-bar-row').count()).toBe(3);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('lab-csv').click()]);
    const csv = readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n');
    expect(csv).toHaveLength(4);
    expect(csv[0]).toMatch(/^config,patients,patient_days,alarms,/);
    expect(csv.slice(1).map((l) => l.split(',')[0])).toEqual(['default-limits', 'long-delays', 'news2-driven']);
    await page.screenshot({ path: join(root, 'test-results', 'replay-lab.png'), fullPage: true });
  });

  it('uploads a session file from the page and deletes it again', async () => {
    await page.getByTestId('upload-file').setInputFiles(sessions.hand!);
    await page.getByTestId('upload-name').fill('uploaded copy');
    await page.getByTestId('upload-submit').click();
    const uploaded = page.locator('tr[data-name="uploaded copy"]');
    await uploaded.waitFor({ timeout: 30_000 });
    expect((await cloud.ctx.recordings.list()).map((r) => r.name)).toContain('uploaded copy');
    await uploaded.getByTestId('recording-delete').click();
    await uploaded.waitFor({ state: 'detached', timeout: 30_000 });
    expect((await cloud.ctx.recordings.list()).map((r) => r.name)).not.toContain('uploaded copy');
  });

  it('plays a recording into a replay ward, links to it, and pauses, resumes and stops it', async () => {
    await page.getByTestId('play-speed').selectOption('1');
    await page.locator(`tr[data-testid="recording-${handId}"] [data-testid="recording-play"]`).click();
    const link = page.getByTestId('replay-played-link');
    await link.waitFor({ timeout: 30_000 });
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/^\/ward\/replay-/);
    wardId = decodeURIComponent(href.slice('/ward/'.length));
    const item = page.locator(`[data-testid^="replay-"][data-state]`).filter({ has: page.locator(`a[href="${href}"]`) });
    await expect.poll(() => item.getAttribute('data-state'), { timeout: 30_000 }).toBe('running');
    await item.getByTestId('replay-pause').click();
    await expect.poll(() => item.getAttribute('data-state'), { timeout: 30_000 }).toBe('paused');
    await item.getByTestId('replay-resume').click();
    await expect.poll(() => item.getAttribute('data-state'), { timeout: 30_000 }).toBe('running');
    await item.getByTestId('replay-seek-minute').fill('5');
    await item.getByTestId('replay-seek').click();
    await expect.poll(async () => (await cloud.ctx.replays.list()).find((r) => r.wardId === wardId)?.position ?? 0, { timeout: 30_000 }).toBeGreaterThanOrEqual(Date.UTC(2026, 0, 1) + 5 * 60_000);
    await item.getByTestId('replay-stop').click();
    await expect.poll(() => item.getAttribute('data-state'), { timeout: 30_000 }).toBe('stopped');
  });

  it('a clinician sees the recordings but no upload, delete, play or lab', async () => {
    const other = await (await browser.newContext()).newPage();
    await signIn(other, `${dashboardUrl}/replay`, 'nurse-1');
    await expect.poll(() => other.locator('[data-testid="recordings"] tbody tr').count(), { timeout: 30_000 }).toBe(2);
    expect(await other.getByTestId('recording-play').count()).toBe(0);
    expect(await other.getByTestId('recording-delete').count()).toBe(0);
    expect(await other.getByTestId('upload-file').count()).toBe(0);
    expect(await other.getByTestId('lab-run').count()).toBe(0);
    await other.close();
  });
});
