/**
 * The one-command demo, as a user runs it, seen in a real browser: the ward page sends a visitor without a sign-in to
 * the sign-in page, a wrong password shows the cloud's error, the demo's clinician (credentials.txt) signs in and
 * lands back on the ward, which shows live beds; a bed's heart rate changes, a simulated tachycardia raises a
 * heart-rate limit alarm that appears on the bed tile and in the alarm list; signing out ends the session; and
 * Ctrl-C stops everything cleanly. Saves the README's screenshot.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { startDemo, type RunningDemo } from '../support/demo-process.ts';

// The demo's screenshot (the README's overview comes from ward-overview.test.ts): docs/ with VIGIL_UPDATE_DOCS=1, else test-results/.
const screenshot = fileURLToPath(
  new URL(process.env.VIGIL_UPDATE_DOCS === '1' ? '../../docs/screenshots/ward-demo.png' : '../../test-results/ward-demo.png', import.meta.url),
);

/** The tab's stored sign-in (dashboard/app/auth/auth-storage.ts), as a string evaluated in the page (no DOM types here). */
const storedSession = (page: Page) => page.evaluate<string | null>(`sessionStorage.getItem('vigil.session')`);
const storedToken = async (page: Page) => (JSON.parse((await storedSession(page)) ?? '{}') as { token?: string }).token ?? '';

describe('demo dashboard in headless chromium', () => {
  let demo: RunningDemo | undefined;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let wardPath: string;

  beforeAll(async () => {
    // bed-02 develops a severe tachyarrhythmia 5 s in (HR ~160–180 at 15 s): HR > 130 for the 10 s condition delay.
    demo = await startDemo({ VIGIL_DEMO_BEDS: '8', VIGIL_DEMO_WEARABLE_BEDS: '2', VIGIL_DEMO_SCENARIOS: 'bed-02=tachycardia@5s+15s/severe' });
    wardPath = new URL(demo.dashboardUrl).pathname;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.interrupt().catch(() => undefined);
  });

  it('prints the demo clinician in the banner and keeps its password in a 0600 file', async () => {
    const { username, password } = demo!.credentials();
    expect(username).toBe('nurse');
    expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(demo!.output()).toContain(`Sign in as nurse, password ${password}`);
    expect(statSync(join(demo!.dataDir, 'credentials.txt')).mode & 0o777).toBe(0o600);
  });

  it('sends the ward page to the sign-in page when this tab has no sign-in', async () => {
    await page.goto(demo!.dashboardUrl);
    await page.waitForURL((url) => url.pathname === '/login', { timeout: 30_000 });
    expect(new URL(page.url()).searchParams.get('next')).toBe(wardPath);
    await page.getByTestId('login-form').waitFor();
    expect(await page.getByTestId('product-label').textContent()).toMatch(/research and demonstration software — not a medical device/i);
    expect(await page.getByTestId('disclaimer').isVisible()).toBe(true);
    expect(await page.locator('[data-testid^="bed-"]').count()).toBe(0);
  });

  it('shows the cloud\u2019s error for a wrong password', async () => {
    await page.getByTestId('login-username').fill('nurse');
    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-submit').click();
    const error = page.getByTestId('login-error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toMatch(/wrong username or password/i);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await storedSession(page)).toBeNull();
  });

  it('signs in with the demo credentials and returns to the ward; the token stays in this tab', async () => {
    const { username, password } = demo!.credentials();
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((url) => url.pathname === wardPath, { timeout: 30_000 });
    const token = await storedToken(page);
    expect(token.length).toBeGreaterThan(0);
    expect(page.url()).not.toContain(token);
    expect(await page.evaluate<number>('localStorage.length')).toBe(0);
    expect(await page.getByTestId('account-user').textContent()).toContain('nurse');
    // sessionStorage is per tab: another tab of the same browser is not signed in.
    const other = await context.newPage();
    await other.goto(demo!.dashboardUrl);
    await other.waitForURL((url) => url.pathname === '/login', { timeout: 30_000 });
    await other.close();
  });

  it('shows live beds whose heart rate changes', async () => {
    await page.getByTestId('connection-status').and(page.locator('[data-state="live"]')).waitFor({ timeout: 30_000 });
    const tiles = page.locator('[data-testid^="bed-"][data-alarm-priority]');
    await expect.poll(() => tiles.count(), { timeout: 30_000 }).toBe(8);
    const hr = page.getByTestId('bed-bed-02-hr');
    await expect.poll(async () => Number(await hr.textContent()), { timeout: 30_000 }).toBeGreaterThan(0);
    const first = Number(await hr.textContent());
    await expect.poll(async () => Number(await hr.textContent()), { timeout: 30_000 }).not.toBe(first);
  });

  it('shows the heart-rate limit alarm on the tile and in the alarm list', async () => {
    const row = page.locator('[data-testid="alarm-list"] [data-testid^="alarm-"]', { hasText: /heart rate high/i });
    await row.first().waitFor({ timeout: 90_000 });
    expect(await row.first().getAttribute('data-priority')).toBe('medium');
    expect(await page.getByTestId('bed-bed-02').getAttribute('data-alarm-priority')).toBe('medium');
    expect(Number(await page.getByTestId('bed-bed-02-hr').textContent())).toBeGreaterThan(130);
    await page.screenshot({ path: screenshot });
  });

  it('lists the user\u2019s ward on the home page', async () => {
    await page.goto(new URL('/', demo!.dashboardUrl).href);
    const link = page.getByTestId('ward-link-ward-a');
    await link.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('ward-list').locator('li').count()).toBe(1);
  });

  it('signs out: the cloud ends the session and the sign-in page says so', async () => {
    const token = await storedToken(page);
    expect(token).not.toBe('');
    await page.getByTestId('sign-out').click();
    await page.waitForURL((url) => url.pathname === '/login', { timeout: 30_000 });
    expect(await page.getByTestId('login-notice').textContent()).toMatch(/signed out/i);
    expect(await storedSession(page)).toBeNull();
    const res = await fetch(`${demo!.cloudUrl}/api/wards`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
  });

  it('stops everything cleanly on Ctrl-C', async () => {
    const code = await demo!.interrupt();
    expect(code, demo!.output()).toBe(0);
    expect(demo!.output()).toContain('[demo] stopped.');
  });
});
