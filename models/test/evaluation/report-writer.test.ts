import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bestF1UnderFalseAlarmCap, evaluateDetector, operatingCurve } from '../../src/evaluation/event-metrics.ts';
import { randomDetectorLike } from '../../src/evaluation/random-detector.ts';
import { leadBeforeEvents, rankingSummary, rocCurve } from '../../src/evaluation/ranking-metrics.ts';
import type { EvaluationReport } from '../../src/evaluation/report-types.ts';
import { judgeTarget, plotSpecs, renderMarkdown, stableStringify, writeReport } from '../../src/evaluation/report-writer.ts';
import { alarm, H, T0, ward, wardAlarms } from './fixtures.ts';

function buildReport(): EvaluationReport {
  const s = ward();
  const model = wardAlarms();
  const limit = [alarm('p1', T0 + 4 * H + 1800_000), alarm('p2', T0 + 4 * H), alarm('p2', T0 + 20 * H)];
  const random = randomDetectorLike(model, s, 'report-test');
  const reference = { name: 'limit', alarms: limit };
  const points = operatingCurve([0.2, 0.5, 0.8], (thr) => model.filter((_, i) => i % 3 !== 0 || thr < 0.5), s);
  const labels = [true, false, true, false, false, true, false, false];
  const scores = [0.9, 0.1, 0.7, 0.4, 0.3, 0.35, 0.2, 0.8];
  const truth = s.flatMap((x) => x.truth).filter((e) => e.category === 'clinical' && e.type !== 'recovery');
  return {
    title: 'Vigil anomaly detection | test',
    generatedAt: '2025-01-01T00:00:00.000Z',
    method: 'Hand-made series; see fixtures.ts.',
    datasets: [{ name: 'Fixture ward', source: 'simulator', patients: 2, patientDays: 2, events: 3 }],
    eventDetection: [
      {
        dataset: 'Fixture ward',
        detectors: [
          evaluateDetector('model', model, s, { reference }),
          evaluateDetector('limit', limit, s),
          evaluateDetector('random', random.alarms, s),
        ],
        operatingCurve: {
          detector: 'model',
          rule: 'raise on one window',
          points,
          chosen: [{ label: 'best F1 at ≤ 2 FA/pt-day', point: bestF1UnderFalseAlarmCap(points, 2)! }],
        },
      },
    ],
    targets: [
      { id: 'severe-recall', label: 'Recall of severe events', detector: 'model', comparator: '>=', target: 0.9, value: 1 },
      { id: 'fa-rate', label: 'False alarms per patient-day', detector: 'model', comparator: '<=', target: 1, value: 1.5, unit: '/pt-day' },
      { id: 'auroc', label: 'AUROC, in-hospital death', detector: 'model', comparator: '>=', target: 0.8, value: null },
    ],
    ranking: [{ task: 'in-hospital death', detector: 'model', ...rankingSummary(scores, labels, { resamples: 200 }), roc: rocCurve(scores, labels) }],
    leadBeforeEvents: [{ task: 'fixture events', detector: 'model', ...leadBeforeEvents({ alarms: model }, truth, { series: s, lookbackMs: 6 * H }) }],
    notes: ['Two patients only: the numbers test the writer, not a detector.'],
    provenance: { seed: 'report-test', commit: null },
  };
}

describe('judgeTarget', () => {
  it('marks met targets and says by how much the others were missed', () => {
    const [severe, fa, auroc] = buildReport().targets.map(judgeTarget);
    expect(severe).toMatchObject({ met: true, missedBy: null });
    expect(fa).toMatchObject({ met: false, missedBy: 0.5 });
    expect(auroc).toMatchObject({ met: false, missedBy: null });
  });
});

describe('renderMarkdown', () => {
  const md = renderMarkdown(buildReport(), plotSpecs(buildReport()));

  it('has a row per detector with the event metrics', () => {
    expect(md).toContain('| model | 2/3 | 0.667 | 0.571 | 0.615 | 1.50 | 3.50 | 120 [120, 120] (n=1) | 20 [20, 20] (n=1) | 1.000 (2/2) |');
    // limit: the 20 h alarm on p2 falls in hypoxaemia, which lasts to the series' end: 3 TP of 3.
    expect(md).toMatch(/^\| limit \| 2\/3 \| 0\.667 \| 1\.000 \| 0\.800 \| 0\.00 \| 1\.50 \| 30 \[30, 30\] \(n=1\) \| 30 \[30, 30\] \(n=1\) \| 1\.000 \(2\/2\) \|$/m);
    expect(md).toMatch(/^\| random \| /m);
    expect(md).toContain('| model | limit | 40 [15, 65] (n=2) |');
  });

  it('has the targets with ✔ / ✘ and what was missed', () => {
    expect(md).toContain('| Recall of severe events | model | 1.000 | ≥ 0.9 | ✔ |  |');
    expect(md).toContain('| False alarms per patient-day | model | 1.500 /pt-day | ≤ 1 /pt-day | ✘ | missed by 0.500 /pt-day |');
    expect(md).toContain('| AUROC, in-hospital death | model | not measured | ≥ 0.8 | ✘ |  |');
  });

  it('has per-type and per-severity recall, ranking with CIs, early warning, notes and plots', () => {
    expect(md).toContain('| tachyarrhythmia | 0.00 (0/1) | 0.00 (0/1) |');
    expect(md).toMatch(/^\| severe \| 1\.00 \(2\/2\) \| 1\.00 \(2\/2\) \|/m);
    expect(md).toMatch(/^\| in-hospital death \| model \| 8 \| 3 \| 0\.375 \| 0\.\d{3} \[0\.\d{3}, \d\.\d{3}\] \|/m);
    expect(md).toMatch(/^\| fixture events \| model \| 60 \| 6\.0 \| /m);
    expect(md).toContain('- Two patients only');
    expect(md).toContain('# Vigil anomaly detection | test'); // headings are not table cells: no escaping
    expect(md).toContain('![Alarms per patient-day against recall: Fixture ward](operating-curve-fixture-ward.png)');
    expect(md).toContain('](roc.png)');
    expect(md).toContain('| commit | null |');
  });
});

describe('writeReport', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes report.md, a stable report.json and PNG plots', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-report-'));
    const written = await writeReport(buildReport(), dir);
    expect(written.files).toEqual([
      'report.md',
      'report.json',
      'f1-recall-precision-fixture-ward.png',
      'operating-curve-fixture-ward.png',
      'lead-times-fixture-ward.png',
      'roc.png',
    ]);
    expect(written.warnings).toEqual([]);
    for (const file of written.files.filter((f) => f.endsWith('.png'))) {
      const png = await readFile(join(dir, file));
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(png.byteLength).toBeGreaterThan(5_000);
    }
    const md = await readFile(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('| model | 2/3 | 0.667 |');

    const text = await readFile(join(dir, 'report.json'), 'utf8');
    const json = JSON.parse(text);
    expect(Object.keys(json)).toEqual([...Object.keys(json)].sort());
    expect(json.targets[1]).toMatchObject({ id: 'fa-rate', met: false, missedBy: 0.5 });
    expect(json.eventDetection[0].detectors[0].perEvent).toHaveLength(3);
    expect(json.plots).toEqual(written.files.slice(2));
    // Same report, keys built in another order → byte-identical JSON.
    const reordered = Object.fromEntries(Object.entries({ ...buildReport(), targets: buildReport().targets.map(judgeTarget), plots: json.plots }).reverse());
    expect(stableStringify(reordered)).toBe(text);
  }, 60_000);
});

describe('stableStringify', () => {
  it('sorts keys at every level, keeps array order, writes non-finite numbers as null', () => {
    expect(stableStringify({ b: 1, a: { d: [3, 1], c: Number.NaN } })).toBe('{\n  "a": {\n    "c": null,\n    "d": [\n      3,\n      1\n    ]\n  },\n  "b": 1\n}\n');
  });
});
