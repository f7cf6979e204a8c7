/**
 * Ward overview render cost: 48 beds at 1 Hz for 60 s into headless chromium, the whole path real (MQTT devices →
 * edge → cloud → socket.io → the built dashboard under `next start`; test/support/dashboard-stack.ts).
 *
 * Measured over the window, in the page's renderer, through the Chrome DevTools Protocol and the page itself:
 *   - main-thread busy time: Performance.getMetrics TaskDuration (all main-thread tasks), as % of one core, with its
 *     script / style / layout parts;
 *   - long tasks: PerformanceObserver 'longtask' (tasks over 50 ms): count and the longest;
 *   - frames: requestAnimationFrame callbacks; frames dropped = frame slots (16.7 ms at 60 Hz) skipped between two
 *     callbacks, summed.
 * Goal (issue 7): under 20 % of one core and no long task over 100 ms. Figures only: nothing asserts a time.
 *
 *   node --import tsx dashboard/bench/ward-render.ts [--beds 48] [--seconds 60] [--write]
 * `--write` saves docs/benchmarks/dashboard-render.{json,md} and docs/screenshots/ward-overview-48.png.
 * Build with VIGIL_DASHBOARD_DIST_DIR set as for the browser tests (the stack builds the dashboard when it is stale).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../test/support/browser.ts';
import { startDashboardStack } from '../../test/support/dashboard-stack.ts';

const { values } = parseArgs({ options: { beds: { type: 'string', default: '48' }, seconds: { type: 'string', default: '60' }, write: { type: 'boolean', default: false } } });
const beds = Number(values.beds);
const seconds = Number(values.seconds);
if (!Number.isInteger(beds) || beds < 1 || !(seconds > 0)) {
  process.stderr.write('usage: ward-render.ts [--beds N] [--seconds S] [--write]\n');
  process.exit(2);
}
const docs = (path: string) => fileURLToPath(new URL(`../../docs/${path}`, import.meta.url));
const FRAME_MS = 1000 / 60;

/** Installed before the page's own scripts: long tasks and frame gaps, collected in `window.__vigilBench`. */
const PROBE = `
  window.__vigilBench = { longTasks: [], frames: 0, dropped: 0, maxGap: 0, last: 0, on: false };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (window.__vigilBench.on) window.__vigilBench.longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: false });
  const frame = (t) => {
    const b = window.__vigilBench;
    if (b.on && b.last > 0) {
      const gap = t - b.last;
      b.frames += 1;
      b.maxGap = Math.max(b.maxGap, gap);
      b.dropped += Math.max(0, Math.round(gap / ${FRAME_MS}) - 1);
    }
    b.last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
`;

interface Probe {
  longTasks: number[];
  frames: number;
  dropped: number;
  maxGap: number;
}

const say = (line: string) => process.stdout.write(`[ward-render] ${line}\n`);
say(`starting a ${beds}-bed ward (cloud, edge, ${beds} MQTT devices at 1 Hz, dashboard)…`);
const stack = await startDashboardStack({ beds, edgeView: false });
const browser = await launchChromium();
try {
  const password = await stack.addUser('bench-nurse', [stack.wardId]);
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const page = await context.newPage();
  await page.addInitScript(PROBE);
  await page.goto(`${stack.dashboardUrl}/ward/${stack.wardId}`);
  await page.waitForURL((u) => u.pathname === '/login', { timeout: 60_000 });
  await page.getByTestId('login-username').fill('bench-nurse');
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('connection-status').and(page.locator('[data-state="live"]')).waitFor({ timeout: 60_000 });
  // A realistic wall: a few beds in alarm (flashing tiles), the rest stable.
  for (const [bed, vitals] of [['bed-03', { hr: 150 }], ['bed-11', { hr: 145 }], ['bed-20', { rr: 28 }]] as const) {
    const i = Number(bed.slice(4));
    if (i <= beds) stack.setBed(bed, { vitals: { ...stack.baseline(i, Date.now()), ...vitals } });
  }
  const tiles = page.locator('[data-testid^="bed-"][data-alarm-priority]');
  const deadline = Date.now() + 60_000;
  while ((await tiles.count()) < beds && Date.now() < deadline) await page.waitForTimeout(500);
  // Let the alarms come up (10 s condition delay) and the first NEWS2 windows close before measuring.
  await page.waitForTimeout(20_000);

  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  const metrics = async () => Object.fromEntries(((await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> }).metrics.map((m) => [m.name, m.value]));
  await page.evaluate('window.__vigilBench.on = true; window.__vigilBench.last = 0');
  const before = await metrics();
  const t0 = performance.now();
  say(`measuring for ${seconds} s…`);
  await page.waitForTimeout(seconds * 1000);
  const after = await metrics();
  const wallS = (performance.now() - t0) / 1000;
  const probe = (await page.evaluate('window.__vigilBench')) as Probe;
  await page.evaluate('window.__vigilBench.on = false');
  const delta = (name: string) => (after[name] ?? 0) - (before[name] ?? 0);
  const pct = (s: number) => Math.round((s / wallS) * 1000) / 10;
  const shownBeds = await tiles.count();
  const alarms = await page.locator('[data-testid="alarm-list"] > li').count();

  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverage1m: Math.round(loadavg()[0]! * 10) / 10 },
    setup: { beds: shownBeds, rateHz: 1, seconds: Math.round(wallS * 10) / 10, viewport: '1920x1080', openAlarms: alarms, chromium: browser.version() },
    mainThread: {
      busyPercentOfOneCore: pct(delta('TaskDuration')),
      scriptPercent: pct(delta('ScriptDuration')),
      styleRecalcPercent: pct(delta('RecalcStyleDuration')),
      layoutPercent: pct(delta('LayoutDuration')),
      layouts: delta('LayoutCount'),
      styleRecalcs: delta('RecalcStyleCount'),
    },
    longTasks: { count: probe.longTasks.length, maxMs: Math.round(Math.max(0, ...probe.longTasks)), over100ms: probe.longTasks.filter((d) => d > 100).length },
    frames: { rendered: probe.frames, perSecond: Math.round((probe.frames / wallS) * 10) / 10, dropped: probe.dropped, maxGapMs: Math.round(probe.maxGap) },
    goal: { busyPercentBelow: 20, longTaskMaxMsBelow: 100 },
  };
  const met = result.mainThread.busyPercentOfOneCore < 20 && result.longTasks.maxMs < 100;
  say(JSON.stringify(result, null, 2));
  say(`goal (< 20 % of one core, no long task over 100 ms): ${met ? 'met' : 'MISSED'}`);

  if (values.write) {
    mkdirSync(docs('benchmarks'), { recursive: true });
    writeFileSync(docs('benchmarks/dashboard-render.json'), `${JSON.stringify(result, null, 2)}\n`);
    const md = [
      '# Dashboard render cost: ward overview, 48 beds at 1 Hz',
      '',
      `Measured ${result.date.slice(0, 10)} on ${result.machine.cpus} cores (${result.machine.model}); headless Debian chromium ${result.setup.chromium}, viewport ${result.setup.viewport}.`,
      `Path: ${result.setup.beds} MQTT devices (1 Hz numerics) → edge gateway → cloud → socket.io → the built dashboard (\`next start\`), ${result.setup.openAlarms} open alarms on screen (flashing tiles), for ${result.setup.seconds} s.`,
      '',
      '| figure | value | goal |',
      '|---|---|---|',
      `| main-thread busy (TaskDuration), % of one core | ${result.mainThread.busyPercentOfOneCore} | < 20 |`,
      `| of which script / style / layout, % | ${result.mainThread.scriptPercent} / ${result.mainThread.styleRecalcPercent} / ${result.mainThread.layoutPercent} | |`,
      `| long tasks (> 50 ms): count, longest | ${result.longTasks.count}, ${result.longTasks.maxMs} ms | none over 100 ms |`,
      `| frames rendered per second | ${result.frames.perSecond} | |`,
      `| frames dropped (60 Hz slots skipped), longest gap | ${result.frames.dropped}, ${result.frames.maxGapMs} ms | |`,
      '',
      `Load average (1 min) at the end of the window: ${result.machine.loadAverage1m} on ${result.machine.cpus} cores. Busy time is the renderer's thread`,
      'CPU time (threadTicks); long tasks and frame gaps are wall-clock, so on a loaded machine they include time the renderer',
      'waited for a core. Judge the 100 ms goal on an idle machine.',
      '',
      `Goal ${met ? 'met' : 'missed'}. Command: \`VIGIL_DASHBOARD_DIST_DIR=.next-ward node --import tsx dashboard/bench/ward-render.ts --write\`.`,
      'Why it is cheap: socket updates are merged outside React and published once per animation frame; tiles are memoised',
      'per bed and re-render only when that bed changed; trends are 120-point SVG polylines per vital; staleness is passed',
      'as a string so that the ward clock moving on does not re-render every tile.',
      '',
    ].join('\n');
    writeFileSync(docs('benchmarks/dashboard-render.md'), md);
    mkdirSync(docs('screenshots'), { recursive: true });
    await page.screenshot({ path: docs('screenshots/ward-overview-48.png') });
    say('wrote docs/benchmarks/dashboard-render.{json,md} and docs/screenshots/ward-overview-48.png');
  }
} finally {
  await browser.close();
  await stack.close();
}
