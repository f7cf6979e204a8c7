/**
 * The one-command demo, as a user runs it, seen in a real browser: the ward overview shows live beds, a bed's heart
 * rate changes, a simulated tachycardia raises a heart-rate limit alarm that appears on the bed tile and in the
 * alarm list, and Ctrl-C stops everything cleanly. Saves the README's screenshot.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { startDemo, type RunningDemo } from '../support/demo-process.ts';

// The README's screenshot: refreshed in docs/ with VIGIL_UPDATE_DOCS=1, otherwise written to test-results/.
const screenshot = fileURLToPath(
  new URL(process.env.VIGIL_UPDATE_DOCS === '1' ? '../../docs/screenshots/ward-overview.png' : '../../test-results/ward-overview.png', import.meta.url),
);

describe('demo dashboard in headless chromium', () => {
  let demo: RunningDemo | undefined;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    // bed-02 develops a severe tachyarrhythmia 5 s in (HR ~160–180 at 15 s): HR > 130 for the 10 s condition delay.
    demo = await startDemo({ VIGIL_DEMO_BEDS: '8', VIGIL_DEMO_WEARABLE_BEDS: '2', VIGIL_DEMO_SCENARIOS: 'bed-02=tachycardia@5s+15s/severe' });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.interrupt().catch(() => undefined);
  });

  it('shows live beds whose heart rate changes', async () => {
    await page.goto(demo!.dashboardUrl);
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

  it('stops everything cleanly on Ctrl-C', async () => {
    const code = await demo!.interrupt();
    expect(code, demo!.output()).toBe(0);
    expect(demo!.output()).toContain('[demo] stopped.');
  });
});
