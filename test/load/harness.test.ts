/**
 * The load harness end to end on a tiny load: 20 beds (2 with waveforms, 5 driven over the heart-rate limit) through
 * a real edge and cloud (child processes) and through bare mosquitto, then the report. Checks the accounting (every
 * sample sent is stored exactly once when nothing fails), that every latency and resource figure is present and
 * consistent, and that JSON, markdown and PNG are produced. No time or rate is asserted: this machine is shared.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runLoad } from './harness.ts';
import { describeMachine } from './machine.ts';
import { DEFAULT_PLAN, type LoadPlan } from './plan.ts';
import { renderMarkdown } from './report-md.ts';
import { renderPlot } from './report-plot.ts';
import { LoadReport, type LatencyStats, type LevelResult } from './results.ts';
import { collectTargets } from './targets.ts';

// The alarms are raised ~15 s after the ward starts (plan.ts): warm-up 10 s + 10 s measured holds them.
const plan: LoadPlan = { ...DEFAULT_PLAN, levels: [20], warmupS: 10, measureS: 10, referenceMeasureS: 5, alarmShare: 0.25 };
const out = mkdtempSync(join(tmpdir(), 'vigil-load-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function ordered(s: LatencyStats): void {
  expect(s.n).toBeGreaterThan(0);
  expect(s.p50).not.toBeNull();
  expect(s.p50!).toBeGreaterThanOrEqual(0);
  expect(s.p50!).toBeLessThanOrEqual(s.p95!);
  expect(s.p95!).toBeLessThanOrEqual(s.p99!);
  expect(s.p99!).toBeLessThanOrEqual(s.max!);
}

describe('load harness (20 beds)', () => {
  let level: LevelResult;

  it('runs a level through Vigil and mosquitto and accounts for every sample', async () => {
    const levels = await runLoad(plan, () => undefined);
    expect(levels).toHaveLength(1);
    level = levels[0]!;
    const v = level.vigil;

    expect(v).toMatchObject({ beds: 20, waveBeds: 2, alarmBeds: 5, edgeRejected: 0, cloudDuplicates: 0 });
    // Stored = sent, key by key, once each.
    expect(v.accounting.sent).toBeGreaterThanOrEqual(20 * (plan.warmupS + plan.measureS - 1));
    expect(v.accounting).toMatchObject({ stored: v.accounting.sent, lost: 0, duplicated: 0, unexpected: 0, lostKeys: [] });
    expect(v.drainS).not.toBeNull();
    expect(v.offered.samplesPerS).toBeGreaterThan(0);
    expect(v.offered.wavesPerS).toBeGreaterThan(0);
    expect(v.stored.samplesPerS).toBeGreaterThan(0);
    expect(v.dashboardVitalsPerS).toBeGreaterThan(0);

    for (const s of Object.values(v.latencyMs)) ordered(s);
    // Each row is readable only after its batch began: readable − t ≥ stored_at − t, row by row, so per quantile.
    expect(v.latencyMs.deviceToReadable.n).toBe(v.latencyMs.deviceToStored.n);
    for (const q of ['p50', 'p95', 'p99', 'max'] as const) expect(v.latencyMs.deviceToReadable[q]!).toBeGreaterThanOrEqual(v.latencyMs.deviceToStored[q]!);
    expect(v.alarms.received).toBe(v.latencyMs.deviceToDashboardAlarm.n);
    expect(Object.keys(v.alarms.codes)).toEqual(['HR_HIGH']);

    for (const p of ['load-generator', 'edge', 'cloud', 'harness']) {
      expect(v.cpuPercent[p], p).toBeGreaterThanOrEqual(0);
      expect(v.peakRssMb[p], p).toBeGreaterThan(0);
    }
    expect(v.cpuPercent.others).toBeGreaterThanOrEqual(0);

    const r = level.reference!;
    expect(r.accounting).toMatchObject({ lost: 0, unexpected: 0, lostKeys: [] });
    expect(r.accounting.sent).toBeGreaterThan(0);
    expect(r.delivered.samplesPerS).toBeGreaterThan(0);
    expect(r.delivered.wavesPerS).toBeGreaterThan(0);
    ordered(r.latencyMs.deviceToSubscriber);
    ordered(r.latencyMs.deviceToBroker);
    for (const p of ['load-generator', 'mosquitto', 'subscriber']) expect(r.peakRssMb[p], p).toBeGreaterThan(0);
  });

  it('writes a report that validates, with the results table, the ratio and the targets', async () => {
    expect(level, 'the level above ran').toBeDefined();
    const report = LoadReport.parse({
      bench: 'load',
      date: '2026-01-01 00:00 UTC',
      command: 'test',
      quick: true,
      machine: describeMachine(),
      plan,
      levels: [level],
      extras: [],
      targets: collectTargets(process.cwd(), [level]),
      wallS: 1,
    });
    const md = renderMarkdown(report);
    const row = md.split('\n').find((l) => l.startsWith('| 20 | 20 + '));
    expect(row, md).toBeDefined();
    expect(md).toContain('## Reference: the same load through bare mosquitto, same run');
    expect(md).toMatch(/\| 20 \| \d\.\d\d × \|/); // stored / delivered throughput at the same input
    expect(md).toContain('| vigil | 20 |');
    for (const issue of [3, 4, 5, 6, 7, 8]) expect(report.targets.some((t) => t.issue === issue), `issue ${issue}`).toBe(true);
    const png = join(out, 'load.png');
    const result = await renderPlot(report, png);
    expect(existsSync(png) && statSync(png).size).toBeGreaterThan(10_000);
    expect(result.warnings).toEqual([]);
  });
});
