/**
 * The ward dashboard in headless chromium against a real cloud, edge gateway and 24 MQTT devices whose vitals the
 * test chooses (test/support/dashboard-stack.ts): sign-in; ward isolation; the overview (NEWS2 bands, trends,
 * technical states); a deterioration raising an alarm in the inbox and on the tile; an acknowledgement in one browser
 * context seen in another; an audio pause that runs out; a cut between browser and cloud (edge fallback, then a
 * resync that loses no alarm); stale data marked; and the idle logoff. Saves the overview screenshot for the docs.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { VITALS } from '@vigil/contracts';
import { launchChromium } from '../support/browser.ts';
import { startDashboardStack, type DashboardStack } from '../support/dashboard-stack.ts';

const BEDS = 24;
const AUDIO_PAUSE_S = 6;
// The README's screenshots: refreshed in docs/ with VIGIL_UPDATE_DOCS=1, otherwise written to test-results/.
const shot = (name: string) =>
  fileURLToPath(new URL(process.env.VIGIL_UPDATE_DOCS === '1' ? `../../docs/screenshots/${name}` : `../../test-results/${name}`, import.meta.url));

async function signIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(url);
  await page.waitForURL((u) => u.pathname === '/login', { timeout: 30_000 });
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

const row = (page: Page, bedId: string, code: string) => page.locator(`[data-testid="alarm-list"] li[data-bed="${bedId}"][data-code="${code}"]`);
const liveBanner = (page: Page) => page.getByTestId('connection-status').and(page.locator('[data-state="live"]'));

describe('ward overview and alarm inbox in headless chromium', () => {
  let stack: DashboardStack;
  let browser: Browser;
  let contexts: BrowserContext[];
  let page: Page;
  let other: Page;
  let password: string;
  let wardUrl: string;

  beforeAll(async () => {
    stack = await startDashboardStack({ beds: BEDS, audioPauseS: AUDIO_PAUSE_S });
    password = await stack.addUser('nurse-a', ['ward-a']);
    await stack.addUser('nurse-b', ['ward-a']);
    wardUrl = `${stack.dashboardUrl}/ward/ward-a`;
    browser = await launchChromium();
    contexts = [await browser.newContext({ viewport: { width: 1920, height: 1080 } }), await browser.newContext({ viewport: { width: 1600, height: 900 } })];
    page = await contexts[0]!.newPage();
    other = await contexts[1]!.newPage();
    // Bed 24 goes silent from the start: by the stale test its values are well over 30 s old.
    stack.setBed('bed-24', null);
    // Technical states for the overview: a probe off on bed 22, a low battery on bed 23.
    // The monitor flags the SpO2 channel probe_off (the edge judges such values sensor_off).
    stack.setBed('bed-22', { vitals: { ...stack.baseline(22, Date.now()), spo2: 0 }, flags: { spo2: 'probe_off' } });
    stack.sendStatus('bed-23', 12);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('sends a visitor to the sign-in page and back to the ward after signing in', async () => {
    await signIn(page, wardUrl, 'nurse-a', password);
    await page.waitForURL((u) => u.pathname === '/ward/ward-a', { timeout: 30_000 });
    await liveBanner(page).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.locator('[data-testid^="bed-"][data-alarm-priority]').count(), { timeout: 30_000 }).toBe(BEDS);
    await signIn(other, wardUrl, 'nurse-b', password);
    await liveBanner(other).waitFor({ timeout: 30_000 });
  });

  it('ward isolation: lists only the assigned ward and refuses a foreign ward URL', async () => {
    // The same tab: the sign-in lives in this tab's sessionStorage.
    await page.goto(stack.dashboardUrl);
    await page.getByTestId('ward-list').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('ward-list').locator('li').allTextContents()).toEqual([expect.stringContaining('ward-a')]);
    await page.goto(`${stack.dashboardUrl}/ward/ward-z`);
    const refusal = page.getByTestId('ward-forbidden');
    await refusal.waitFor({ timeout: 30_000 });
    expect(await refusal.textContent()).toMatch(/not assigned to ward ward-z/);
    expect(await page.locator('[data-testid^="bed-"][data-alarm-priority]').count()).toBe(0);
    // The cloud refuses the data too, not only the screen.
    const token = (JSON.parse((await page.evaluate<string | null>(`sessionStorage.getItem('vigil.session')`)) ?? '{}') as { token: string }).token;
    expect((await fetch(`${stack.cloudUrl}/api/wards/ward-z`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
    await page.goto(wardUrl);
    await liveBanner(page).waitFor({ timeout: 30_000 });
  });

  it('shows numerics with units, NEWS2 with its band, trends and technical states', async () => {
    const tile = page.getByTestId('bed-bed-05');
    expect(await tile.locator('.numeric-hr .numeric-unit').textContent()).toBe(VITALS.hr.displayUnit);
    expect(await tile.locator('.numeric-spo2 .numeric-unit').textContent()).toBe(VITALS.spo2.displayUnit);
    // NEWS2 windows are 10 s here (VIGIL_CLOUD_NEWS2_WINDOW_MS): the first score arrives within ~15 s.
    const news2 = page.getByTestId('news2-bed-05');
    await expect.poll(() => news2.getAttribute('data-band'), { timeout: 60_000 }).not.toBe('none');
    expect(await news2.textContent()).toMatch(/NEWS2\s*\d+\*?\s*(LOW|LOW–MED|MEDIUM|HIGH)/);
    await expect.poll(async () => Number(await page.getByTestId('trend-bed-05').getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(2);
    await expect.poll(() => page.getByTestId('tech-bed-22').textContent(), { timeout: 30_000 }).toContain('SENSOR OFF');
    // A value from a sensor that is off is not shown as a number.
    expect(await page.getByTestId('bed-bed-22-spo2').textContent()).toBe('--');
    await expect.poll(() => page.getByTestId('tech-bed-23').textContent(), { timeout: 30_000 }).toContain('BATT 12%');
  });

  it('a deterioration shows up as an alarm in the inbox and on the bed tile', async () => {
    stack.setBed('bed-03', { vitals: { ...stack.baseline(3, Date.now()), hr: 152 } });
    const alarm = row(page, 'bed-03', 'HR_HIGH');
    await alarm.waitFor({ timeout: 60_000 });
    expect(await alarm.getAttribute('data-priority')).toBe('medium');
    expect(await alarm.textContent()).toMatch(/!! MED.*bed-03.*Heart rate high/s);
    const tile = page.getByTestId('bed-bed-03');
    expect(await tile.getAttribute('data-alarm-priority')).toBe('medium');
    expect(await tile.locator('.tile-alarm').textContent()).toMatch(/!! MED\s*Heart rate high/);
    expect(await tile.getAttribute('class')).toContain('is-flashing');
    // The tile links to the patient view.
    expect(await tile.locator('a.tile-link').getAttribute('href')).toBe('/patient/pt-ward-a-03');
    await page.screenshot({ path: shot('ward-overview.png') });
  });

  it('acknowledging with the keyboard in one browser context updates the other at once', async () => {
    const mine = row(page, 'bed-03', 'HR_HIGH');
    const theirs = row(other, 'bed-03', 'HR_HIGH');
    await theirs.waitFor({ timeout: 30_000 });
    await mine.click();
    expect(await mine.getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('a');
    await expect.poll(() => theirs.getAttribute('data-state'), { timeout: 15_000 }).toBe('acknowledged');
    expect(await theirs.textContent()).toContain('ACK by nurse-a');
    // Each browser publishes socket updates once per animation frame: this one's may come a frame after the other's.
    await expect.poll(() => mine.getAttribute('data-state'), { timeout: 15_000 }).toBe('acknowledged');
    expect(await other.getByTestId('bed-bed-03').getAttribute('class')).not.toContain('is-flashing');
    const id = (await mine.getAttribute('data-testid'))!.slice('alarm-'.length);
    expect(stack.cloud.pipeline.alarms.get(id)).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'nurse-a' });
    // Escalation from the other browser (its button this time), seen in the first.
    await theirs.click();
    await other.getByTestId('inbox-escalate').click();
    await expect.poll(() => mine.getAttribute('data-escalated'), { timeout: 15_000 }).toBe('true');
    expect(await mine.textContent()).toContain('ESCALATED → charge nurse');
    expect(stack.cloud.pipeline.alarms.get(id)?.escalatedTo).toBe('charge_nurse');
  });

  it('audio pause silences the tone with a countdown in every browser, and runs out', async () => {
    // Quiet the ward first: the technical alarms of beds 22 (sensor off) and 24 (no data) sound too.
    const { token } = await stack.cloud.ctx.auth.login('nurse-b', password, {});
    for (const a of stack.cloud.pipeline.openAlarms('ward-a').filter((x) => x.state === 'active' || x.state === 'latched')) {
      const res = await fetch(`${stack.cloudUrl}/api/alarms/${a.id}/acknowledge`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
      expect(res.status, `acknowledge ${a.code} of ${a.bedId}`).toBe(200);
    }
    const sound = page.getByTestId('sound-toggle');
    await sound.click();
    expect(await sound.getAttribute('data-state')).toBe('on');
    stack.setBed('bed-04', { vitals: { ...stack.baseline(4, Date.now()), hr: 150 } });
    const mine = row(page, 'bed-04', 'HR_HIGH');
    await mine.waitFor({ timeout: 60_000 });
    await expect.poll(() => sound.getAttribute('data-sounding'), { timeout: 10_000 }).toBe('medium');
    await expect.poll(async () => Number(await sound.getAttribute('data-bursts')), { timeout: 10_000 }).toBeGreaterThan(0);
    await mine.click();
    await page.getByTestId('inbox-pause').click();
    const theirs = row(other, 'bed-04', 'HR_HIGH');
    await expect.poll(() => theirs.getAttribute('data-audio-paused'), { timeout: 10_000 }).toBe('true');
    expect(await other.locator('[data-testid^="inbox-pause-"]').first().textContent()).toMatch(/AUDIO PAUSED 0:0[1-6]/);
    // The paused medium tone stops. HR 150 also scores NEWS2 3 for heart rate, so the bed's NEWS2 single-parameter
    // alarm (low priority) may be sounding by now, depending on where the minute window fell: low, never medium.
    await expect.poll(async () => ['none', 'low'].includes((await sound.getAttribute('data-sounding')) ?? ''), { timeout: 5_000 }).toBe(true);
    // The visual signal stays while the audio is paused.
    expect(await page.getByTestId('bed-bed-04').getAttribute('class')).toContain('is-flashing');
    // Runs out after AUDIO_PAUSE_S: both browsers drop the countdown and the tone comes back.
    await expect.poll(() => theirs.getAttribute('data-audio-paused'), { timeout: 20_000 }).toBe('false');
    await expect.poll(() => mine.getAttribute('data-audio-paused'), { timeout: 5_000 }).toBe('false');
    await expect.poll(() => sound.getAttribute('data-sounding'), { timeout: 5_000 }).toBe('medium');
    const id = (await mine.getAttribute('data-testid'))!.slice('alarm-'.length);
    // The browsers go by the pause's end time; the cloud's tick records the audio-resume (alarmTickMs) just after.
    await expect.poll(() => stack.cloud.pipeline.alarms.get(id)?.audioPausedUntil ?? null, { timeout: 5_000 }).toBeNull();
    // Done with the tone: acknowledge it (key a) so that the rest of the suite is quiet.
    await page.keyboard.press('a');
    await expect.poll(() => mine.getAttribute('data-state'), { timeout: 10_000 }).toBe('acknowledged');
  });

  it('cloud unreachable: says so, shows the edge\u2019s local alarms, and after reconnecting misses no alarm', async () => {
    stack.proxy.partition();
    const banner = page.getByTestId('connection-status');
    await expect.poll(() => banner.getAttribute('data-state'), { timeout: 30_000 }).toBe('offline');
    expect(await banner.textContent()).toMatch(/Cloud unreachable/);
    await expect.poll(() => banner.getAttribute('data-edge'), { timeout: 30_000 }).toBe('live');
    // Meanwhile: a hypoxaemia on bed 06 (a critical limit: the edge raises it too) and a tachycardia on bed 07
    // (a cloud-only rule: the browser cannot see it until it is back).
    stack.setBed('bed-06', { vitals: { ...stack.baseline(6, Date.now()), spo2: 82 } });
    stack.setBed('bed-07', { vitals: { ...stack.baseline(7, Date.now()), hr: 149 } });
    const edgeRow = page.locator('[data-testid="alarm-list"] li[data-bed="bed-06"][data-source="edge"]');
    await edgeRow.waitFor({ timeout: 60_000 });
    expect(await edgeRow.textContent()).toMatch(/!!! HIGH.*EDGE LIVE/s);
    expect(await page.getByTestId('inbox-keys').isVisible()).toBe(true);
    // The cloud raises both while the browser is cut off.
    const cloudOpen = () => stack.cloud.pipeline.openAlarms('ward-a');
    await expect.poll(() => cloudOpen().some((a) => a.bedId === 'bed-07' && a.code === 'HR_HIGH'), { timeout: 60_000 }).toBe(true);
    await expect.poll(() => cloudOpen().some((a) => a.bedId === 'bed-06' && a.code === 'SPO2_LOW'), { timeout: 60_000 }).toBe(true);
    expect(await row(page, 'bed-07', 'HR_HIGH').count()).toBe(0);
    await page.screenshot({ path: shot('ward-edge-fallback.png') });

    stack.proxy.heal();
    await liveBanner(page).waitFor({ timeout: 60_000 });
    await row(page, 'bed-07', 'HR_HIGH').waitFor({ timeout: 10_000 });
    // Every alarm the cloud has open is on screen, and nothing else.
    const shown = async () => (await page.locator('[data-testid="alarm-list"] > li').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')))).sort();
    await expect.poll(shown, { timeout: 10_000 }).toEqual(cloudOpen().map((a) => `alarm-${a.id}`).sort());
  });

  it('marks stale values: a bed that stopped sending is greyed and tagged', async () => {
    const hr = page.getByTestId('bed-bed-24').locator('.numeric-hr');
    await expect.poll(() => hr.getAttribute('class'), { timeout: 60_000 }).toContain('is-stale');
    expect(await hr.locator('.numeric-stale').textContent()).toBe('stale');
    expect(await page.getByTestId('bed-bed-24').getAttribute('class')).toContain('has-stale');
    expect(await page.getByTestId('bed-bed-05').locator('.numeric-hr').getAttribute('class')).not.toContain('is-stale');
  });

  it('idle logoff: when the cloud ends idle sessions, every browser returns to sign-in and says why', async () => {
    stack.advanceClock(16 * 60_000); // past the 15 min idle timeout (VIGIL_CLOUD_IDLE_TIMEOUT_S default)
    for (const p of [page, other]) {
      await p.waitForURL((u) => u.pathname === '/login', { timeout: 30_000 });
      expect(await p.getByTestId('login-notice').textContent()).toMatch(/inactivity/);
      expect(await p.evaluate<string | null>(`sessionStorage.getItem('vigil.session')`)).toBeNull();
    }
  });
});
