/**
 * The patient view in headless chromium, against a ward with 20 min of history (test/support/patient-stack.ts): sign in
 * and land on the patient; live uPlot charts render and advance at 1 Hz; the zoom buttons load the history at the
 * resolution of each span (raw over 15 min, 1 min rollups over 1 h and 24 h); the alarm limits are drawn on the
 * canvas; the NEWS2 breakdown lists each parameter's value and sub-score; a heart-rate alarm raised while the page is
 * open appears in the patient's alarm history; an ML advisory alarm shows which vitals contributed and its window; a
 * bed whose devices fall silent is greyed and marked stale. Saves the README's screenshot.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Request } from 'playwright-core';
import { AlarmListResponse } from '@vigil/contracts';
import { launchChromium } from '../support/browser.ts';
import { HR_ANOMALY_BPM, startPatientStack, type PatientStack } from '../support/patient-stack.ts';

const screenshot = fileURLToPath(
  new URL(process.env.VIGIL_UPDATE_DOCS === '1' ? '../../docs/screenshots/patient-view.png' : '../../test-results/patient-view.png', import.meta.url),
);

const HISTORY_MS = 20 * 60_000; // 20 min of history before the browser opens
const PATIENT = 'pt-ward-p-01';

/** Colour of the canvas pixels along one row of a chart's plot, as "r,g,b" strings (evaluated in the page). */
function rowColours(page: Page, testId: string, y: number): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const canvas = document.querySelector('[data-testid="${testId}"] canvas');
    const ratio = canvas.width / canvas.getBoundingClientRect().width;
    const row = Math.round(${y} * ratio);
    const data = canvas.getContext('2d').getImageData(0, row, canvas.width, 1).data;
    const out = new Set();
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0) out.add(data[i] + ',' + data[i + 1] + ',' + data[i + 2]);
    return [...out];
  })()`);
}

const attr = (page: Page, testId: string, name: string) => page.getByTestId(testId).getAttribute(name);

describe('patient view in headless chromium', () => {
  let stack: PatientStack | undefined;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    stack = await startPatientStack({
      beds: 2,
      wearableBeds: 1,
      historyMs: HISTORY_MS,
      historySpeed: 40,
      // bed-01 develops a severe tachyarrhythmia 8 min into the history (HR ~160–180 after 3 min): a heart-rate
      // limit alarm and, once a 5 min window's mean exceeds HR_ANOMALY_BPM, an ML advisory alarm. Live, its SpO2
      // falls from 10 s on (-14 points over 40 s, within the edge's credible rate): SPO2_LOW while the page is open.
      historyScenarios: { 'bed-01': 'tachycardia@8m+3m/severe' },
      liveScenarios: { 'bed-01': 'hypoxaemia@10s+40s/severe' },
      // Chart the NEWS2 observations no device measures, so the score is complete.
      async onPatientsKnown({ cloudUrl, token, start }) {
        for (const patientId of [PATIENT, 'pt-ward-p-02']) {
          const res = await fetch(`${cloudUrl}/api/patients/${patientId}/observations`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ t: start, consciousness: 'alert', onOxygen: false }),
          });
          if (!res.ok) throw new Error(`observation refused: ${res.status} ${await res.text()}`);
        }
      },
    });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
    page.on('request', (r: Request) => {
      if (r.url().includes('/vitals?')) requests.push(r.url());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('signs in and returns to the patient, live', async () => {
    await page.goto(`${stack!.dashboardUrl}/patient/${PATIENT}`);
    await page.waitForURL((url) => url.pathname === '/login', { timeout: 30_000 });
    expect(new URL(page.url()).searchParams.get('next')).toBe(`/patient/${PATIENT}`);
    await page.getByTestId('login-username').fill(stack!.credentials.username);
    await page.getByTestId('login-password').fill(stack!.credentials.password);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((url) => url.pathname === `/patient/${PATIENT}`, { timeout: 30_000 });
    await page.getByTestId('connection-status').and(page.locator('[data-state="live"]')).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('patient-title').textContent()).toMatch(/Bed bed-01.*pt-ward-p-01/);
    expect(await page.getByTestId('back-to-ward').getAttribute('href')).toBe('/ward/ward-p');
    expect(await page.getByTestId('disclaimer').isVisible()).toBe(true);
  });

  it('draws live charts for the vitals the patient has, advancing at 1 Hz', async () => {
    for (const chart of ['hr', 'spo2', 'rr', 'bp', 'temp']) await page.getByTestId(`chart-${chart}`).locator('canvas').waitFor({ timeout: 30_000 });
    const lastT = async () => Number((await attr(page, 'chart-hr', 'data-last-t')) || 0);
    await expect.poll(lastT, { timeout: 30_000 }).toBeGreaterThan(stack!.liveStart);
    const first = await lastT();
    await expect.poll(lastT, { timeout: 30_000 }).toBeGreaterThan(first);
    expect(Number(await attr(page, 'chart-hr', 'data-live-points'))).toBeGreaterThan(0);
    expect(Number(await page.getByTestId('value-hr').textContent())).toBeGreaterThan(0);
  });

  it('loads 15 min of raw history, then 1 min rollups for 1 h and 24 h', async () => {
    // 15 min (the default): raw samples, ~1 per second of the history.
    await page.getByTestId('history-status').and(page.locator('[data-zoom="15m"][data-resolution="raw"]')).waitFor({ timeout: 30_000 });
    expect(Number(await attr(page, 'chart-hr', 'data-history-points'))).toBeGreaterThan(600);
    const span = (url: string) => {
      const q = new URL(url).searchParams;
      return { span: Number(q.get('to')) - Number(q.get('from')), resolution: q.get('resolution') };
    };
    expect(span(requests.at(-1)!)).toEqual({ span: 15 * 60_000, resolution: 'raw' });

    for (const [zoom, spanMs] of [
      ['1h', 3_600_000],
      ['24h', 86_400_000],
    ] as const) {
      await page.getByTestId(`zoom-${zoom}`).click();
      await page.getByTestId('history-status').and(page.locator(`[data-zoom="${zoom}"][data-resolution="1m"]`)).waitFor({ timeout: 30_000 });
      expect(span(requests.at(-1)!)).toEqual({ span: spanMs, resolution: '1m' });
      expect(await page.getByTestId(`zoom-${zoom}`).getAttribute('aria-pressed')).toBe('true');
      // 20 min of history in 1 min buckets (the rest of the span is empty: no points, not zeros).
      const points = Number(await attr(page, 'chart-hr', 'data-history-points'));
      expect(points).toBeGreaterThanOrEqual(18);
      expect(points).toBeLessThanOrEqual(22);
    }
    await page.getByTestId('zoom-15m').click();
    await page.getByTestId('history-status').and(page.locator('[data-zoom="15m"][data-resolution="raw"]')).waitFor({ timeout: 30_000 });
  });

  it('draws the alarm limits on the charts, in their priority colours, and names them', async () => {
    const limits = JSON.parse((await attr(page, 'chart-hr', 'data-limits')) ?? '[]') as Array<{ code: string; limit: number; y: number }>;
    expect(limits.map((l) => `${l.code}:${l.limit}`).sort()).toEqual(['HR_HIGH:130', 'HR_LOW:40']);
    const high = limits.find((l) => l.code === 'HR_HIGH')!;
    const low = limits.find((l) => l.code === 'HR_LOW')!;
    expect(high.y).toBeLessThan(low.y); // 130 above 40
    // The pixels on those rows carry the IEC colours: medium yellow #ffd21f, high red #ff2a2a.
    expect(await rowColours(page, 'chart-hr', high.y)).toContain('255,210,31');
    expect(await rowColours(page, 'chart-hr', low.y)).toContain('255,42,42');
    expect(await page.getByTestId('limit-hr-HR_HIGH').textContent()).toMatch(/Heart rate high: > 130 bpm/);
    const spo2 = JSON.parse((await attr(page, 'chart-spo2', 'data-limits')) ?? '[]') as Array<{ code: string }>;
    expect(spo2.map((l) => l.code)).toEqual(['SPO2_LOW']);
  });

  it('shows the NEWS2 breakdown: each parameter\u2019s value and sub-score, and the band in the header', async () => {
    const breakdown = page.getByTestId('news2-breakdown');
    await breakdown.and(page.locator('[data-state="scored"]')).waitFor({ timeout: 30_000 });
    expect(await breakdown.locator('tbody tr').count()).toBe(7);
    for (const parameter of ['rr', 'spo2', 'o2', 'sbp', 'hr', 'consciousness', 'temp']) {
      const points = await attr(page, `news2-row-${parameter}`, 'data-points');
      expect(points, parameter).toMatch(/^[0-3]$/);
    }
    expect(await page.getByTestId('news2-row-consciousness').textContent()).toContain('Alert');
    expect(await page.getByTestId('news2-row-o2').textContent()).toContain('Air');
    expect(await page.getByTestId('news2-row-hr').textContent()).toMatch(/\d+ bpm/);
    // The header's score is the breakdown's total.
    const total = await page.getByTestId('news2-total').textContent();
    expect(await page.getByTestId('header-news2').locator('.pv-head-score').textContent()).toBe(total);
  });

  it('explains the ML advisory alarm: which vitals contributed, and which window', async () => {
    const ml = page.locator('[data-testid^="patient-alarm-"][data-code="ML_ANOMALY"]').first();
    await ml.waitFor({ timeout: 30_000 });
    expect(await ml.getAttribute('data-kind')).toBe('advisory');
    expect(await ml.textContent()).toMatch(/ML advisory/);
    const bars = ml.locator('[data-testid^="ml-bar-"]');
    expect(await bars.count()).toBeGreaterThanOrEqual(3);
    // Heart rate drove it (the stand-in detector fires on the HR level): the first and largest bar.
    expect(await bars.first().getAttribute('data-testid')).toBe('ml-bar-hr');
    const percents = await bars.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-percent'))));
    expect(percents).toEqual([...percents].sort((a, b) => b - a));
    expect(percents.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
    // Its window is the event-time window the cloud judged (REST shows the same alarm).
    const res = await fetch(`${stack!.cloudUrl}/api/alarms?patientId=${PATIENT}`, { headers: { authorization: `Bearer ${stack!.token}` } });
    const stored = AlarmListResponse.parse(await res.json()).alarms.find((a) => a.code === 'ML_ANOMALY')!;
    expect(stored.evidence.windowEnd! - stored.evidence.windowStart!).toBe(5 * 60_000);
    const clock = (t: number) => new Date(t).toLocaleTimeString('en-GB', { hour12: false });
    const windowText = await ml.getByTestId('ml-window').textContent();
    expect(windowText).toMatch(/Window \d\d:\d\d:\d\d\u2013\d\d:\d\d:\d\d/);
    expect(windowText).toContain(clock(stored.evidence.windowEnd!));
    expect(await ml.textContent()).toMatch(new RegExp(`heart rate level \\d+ bpm`));
    expect(HR_ANOMALY_BPM).toBeLessThan(130);
  });

  it('adds an alarm raised while the page is open to the alarm history and the header', async () => {
    const raised = (code: string) =>
      page
        .locator(`[data-testid^="patient-alarm-"][data-code="${code}"]`)
        .evaluateAll((els) => els.map((e) => ({ t: Number(e.getAttribute('data-raised-at')), state: e.getAttribute('data-state') })));
    // The history's heart-rate alarm is listed; the live desaturation raises SPO2_LOW (high priority, latching).
    expect((await raised('HR_HIGH')).filter((a) => a.t < stack!.liveStart).length).toBe(1);
    await expect.poll(async () => (await raised('SPO2_LOW')).filter((a) => a.t >= stack!.liveStart && a.state !== 'ended').length, { timeout: 120_000 }).toBe(1);
    const header = page.getByTestId('header-alarm');
    await expect.poll(() => header.getAttribute('data-priority'), { timeout: 10_000 }).toBe('high');
    expect(await header.textContent()).toMatch(/!!! HIGH/);
    await page.screenshot({ path: screenshot });
  });

  it('greys and marks a silent bed\u2019s values as stale', async () => {
    expect(await attr(page, 'readout-hr', 'data-stale')).toBe('false');
    await stack!.stopBed('bed-01'); // bed-02 goes on: the ward's clock moves, bed-01's values age
    await expect.poll(() => attr(page, 'readout-hr', 'data-stale'), { timeout: 90_000 }).toBe('true');
    expect(await page.getByTestId('readout-hr').textContent()).toMatch(/stale/i);
    expect(await attr(page, 'panel-hr', 'data-stale')).toBe('true');
    const colour = await page.evaluate<string>(`getComputedStyle(document.querySelector('[data-testid="value-hr"]')).color`);
    expect(colour).toBe('rgb(91, 104, 117)'); // --dim
  });
});
