/**
 * Writes an evaluation report directory: report.md (tables for people), report.json (everything, keys sorted so two
 * runs diff cleanly) and PNG plots through the project's vega-lite renderer. It formats what it is given and computes
 * nothing but the ✔/✘ of targets; every metric comes from the caller.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderVegaLite } from '../../../scripts/lib/plot.ts';
import { severeRecall, type DetectorResult, type Summary } from './event-metrics.ts';
import type { ConfidenceInterval } from './ranking-metrics.ts';
import type { EvaluationReport, EventDetectionSection, Target, TargetResult } from './report-types.ts';

type VegaLiteSpec = Parameters<typeof renderVegaLite>[0];

export interface PlotSpec {
  file: string;
  title: string;
  /** The event-detection section (its dataset) the plot belongs to; null for the ranking plot. */
  section: string | null;
  spec: VegaLiteSpec;
}

export function judgeTarget(target: Target): TargetResult {
  const { value } = target;
  const met = value !== null && Number.isFinite(value) && (target.comparator === '>=' ? value >= target.target : value <= target.target);
  return { ...target, met, missedBy: met || value === null || !Number.isFinite(value) ? null : Math.abs(target.target - value) };
}

/** JSON with object keys sorted at every level and non-finite numbers as null; arrays keep their order. */
export function stableStringify(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
    }
    return v;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

// ---- markdown ----

const DASH = '–';
function fmt(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined || !Number.isFinite(value) ? DASH : value.toFixed(digits);
}
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
function median(s: Summary): string {
  return s.n === 0 ? DASH : `${fmt(s.median, 0)} [${fmt(s.q1, 0)}, ${fmt(s.q3, 0)}] (n=${s.n})`;
}
function ci(c: ConfidenceInterval): string {
  return `${fmt(c.estimate, 3)} [${fmt(c.lower, 3)}, ${fmt(c.upper, 3)}]`;
}
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'section';
}

function detectorRow(r: DetectorResult): string[] {
  const severe = r.bySeverity.find((row) => row.key === 'severe');
  return [
    r.detector,
    `${r.caughtEvents}/${r.events}`,
    fmt(r.recall, 3),
    fmt(r.precision, 3),
    fmt(r.f1, 3),
    fmt(r.falseAlarmsPerPatientDay, 2),
    fmt(r.alarmsPerPatientDay, 2),
    median(r.leadTimeMin.gradual),
    median(r.leadTimeMin.sudden),
    severe ? `${fmt(severeRecall(r), 3)} (${severe.caught}/${severe.events})` : DASH,
  ];
}

function recallTable(detectors: DetectorResult[], rowsOf: (r: DetectorResult) => DetectorResult['byType']): string {
  const keys = [...new Set(detectors.flatMap((r) => rowsOf(r).map((row) => row.key)))];
  const rows = keys.map((key) => [
    key,
    ...detectors.map((r) => {
      const row = rowsOf(r).find((x) => x.key === key);
      return row ? `${fmt(row.recall, 2)} (${row.caught}/${row.events})` : DASH;
    }),
  ]);
  return table(['', ...detectors.map((r) => r.detector)], rows);
}

function sectionMarkdown(section: EventDetectionSection, plots: readonly PlotSpec[]): string {
  const { detectors } = section;
  const out = [`## Event detection: ${section.dataset}`, ''];
  const options = detectors[0]?.options;
  if (options) {
    out.push(
      `Events are clinical ground-truth events other than recovery, each counted once (no point adjustment). An event is ` +
        `caught when an alarm of its patient starts between its onset and its offset (or the series' end). An alarm is a ` +
        `true positive when it starts between an event's onset and ${options.graceMs / 60_000} min after its offset; any ` +
        `other alarm, including one during an artifact, is false. Lead time = (peak, else onset) − first catching alarm, ` +
        `minutes, positive = before the full effect; "gradual" = peak ≥ ${options.gradualMinMs / 60_000} min after onset.`,
      '',
    );
  }
  out.push(
    table(
      ['Detector', 'Caught', 'Recall', 'Precision', 'F1', 'False alarms / pt-day', 'Alarms / pt-day', 'Median lead gradual, min [IQR]', 'Median lead sudden, min [IQR]', 'Recall severe'],
      detectors.map(detectorRow),
    ),
    '',
  );
  const withReference = detectors.filter((r) => r.leadOverReferenceMin);
  if (withReference.length > 0) {
    out.push(
      '### Lead over the reference detector (events both caught; positive = earlier)',
      '',
      table(['Detector', 'Reference', 'Median, min [IQR]'], withReference.map((r) => [r.detector, r.leadOverReferenceMin!.reference, median(r.leadOverReferenceMin!)])),
      '',
    );
  }
  out.push('### Recall per event type', '', recallTable(detectors, (r) => r.byType), '');
  out.push('### Recall per severity', '', recallTable(detectors, (r) => r.bySeverity), '');
  const curve = section.operatingCurve;
  if (curve) {
    out.push(`### Operating curve of ${curve.detector}`, '', `Scores to alarms: ${curve.rule}. ${curve.points.length} thresholds swept.`, '');
    if (curve.chosen.length > 0) {
      out.push(
        table(
          ['Point', 'Threshold', 'Recall', 'Precision', 'F1', 'Alarms / pt-day', 'False alarms / pt-day'],
          curve.chosen.map(({ label, point: p }) => [label, fmt(p.threshold, 4), fmt(p.recall, 3), fmt(p.precision, 3), fmt(p.f1, 3), fmt(p.alarmsPerPatientDay, 2), fmt(p.falseAlarmsPerPatientDay, 2)]),
        ),
        '',
      );
    }
  }
  for (const plot of plots) out.push(`![${plot.title}](${plot.file})`, '');
  return out.join('\n');
}

/** The report as markdown; `plots` are the image files written beside it. */
export function renderMarkdown(report: EvaluationReport, plots: readonly PlotSpec[] = []): string {
  const out = [`# ${report.title}`, '', `Generated ${report.generatedAt}.`, '', '## Method', '', report.method.trim(), ''];
  if (report.datasets.length > 0) {
    out.push(
      '## Data',
      '',
      table(
        ['Dataset', 'Source', 'Patients', 'Patient-days', 'Events'],
        report.datasets.map((d) => [d.description ? `${d.name}: ${d.description}` : d.name, d.source, String(d.patients), fmt(d.patientDays, 1), String(d.events)]),
      ),
      '',
    );
  }
  if (report.targets.length > 0) {
    out.push(
      '## Targets',
      '',
      table(
        ['Target', 'Detector', 'Measured', 'Required', 'Met', ''],
        report.targets.map(judgeTarget).map((t) => {
          const unit = t.unit ? ` ${t.unit}` : '';
          return [
            t.label,
            t.detector ?? DASH,
            t.value === null ? 'not measured' : `${fmt(t.value, 3)}${unit}`,
            `${t.comparator === '>=' ? '≥' : '≤'} ${t.target}${unit}`,
            t.met ? '✔' : '✘',
            t.missedBy === null ? '' : `missed by ${fmt(t.missedBy, 3)}${unit}`,
          ];
        }),
      ),
      '',
    );
  }
  for (const section of report.eventDetection) {
    out.push(sectionMarkdown(section, plots.filter((p) => p.section === section.dataset)));
  }
  if (report.ranking.length > 0) {
    const first = report.ranking[0]!.auroc;
    out.push(
      '## Ranking',
      '',
      `AUROC is the Mann–Whitney statistic (ties count ½). AUPRC is average precision, step-wise without interpolation; ` +
        `read it against the prevalence. Intervals: ${Math.round(first.level * 100)} % ${first.method}, ${first.resamples} resamples.`,
      '',
      table(
        ['Task', 'Detector', 'n', 'Positives', 'Prevalence', 'AUROC [CI]', 'AUPRC [CI]'],
        report.ranking.map((r) => [r.task, r.detector, String(r.n), String(r.positives), fmt(r.prevalence, 3), ci(r.auroc), ci(r.auprc)]),
      ),
      '',
      ...plots.filter((p) => p.section === null).flatMap((p) => [`![${p.title}](${p.file})`, '']),
    );
  }
  if (report.leadBeforeEvents.length > 0) {
    out.push(
      '## Early warning before events',
      '',
      'An event is warned of when an alert starts at least the minimum lead, and at most the lookback, before its onset; ' +
        'lead = onset − the earliest such alert. Alert rates are beside it: alerting always would warn of every event.',
      '',
      table(
        ['Task', 'Detector', 'Min lead, min', 'Lookback, h', 'Warned', 'Share', 'Median lead, min [IQR]', 'Alerts / pt-day', 'False alerts / pt-day'],
        report.leadBeforeEvents.map((e) => [
          e.task,
          e.detector,
          fmt(e.options.minLeadMs / 60_000, 0),
          fmt(e.options.lookbackMs / 3_600_000, 1),
          `${e.eventsWithEarlyAlert}/${e.events}`,
          fmt(e.share, 3),
          median(e.leadMin),
          fmt(e.alertsPerPatientDay, 2),
          fmt(e.falseAlertsPerPatientDay, 2),
        ]),
      ),
      '',
    );
  }
  if (report.notes.length > 0) out.push('## Notes', '', ...report.notes.map((n) => `- ${n}`), '');
  const provenance = Object.keys(report.provenance).sort();
  if (provenance.length > 0) {
    out.push('## Provenance', '', table(['Key', 'Value'], provenance.map((k) => [k, String(report.provenance[k])])), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

// ---- plots ----

const METRICS = ['recall', 'precision', 'f1'] as const;

/** The vega-lite specs of the report's plots, only those with data to show. */
export function plotSpecs(report: EvaluationReport): PlotSpec[] {
  const plots: PlotSpec[] = [];
  const names = report.eventDetection.map((s) => slug(s.dataset));
  if (new Set(names).size !== names.length) throw new Error(`report: section names collide as file names (${names.join(', ')})`);
  for (const section of report.eventDetection) {
    const name = slug(section.dataset);
    const inSection = section.dataset;
    const order = section.detectors.map((r) => r.detector);
    if (section.detectors.length > 0) {
      plots.push({
        file: `f1-recall-precision-${name}.png`,
        title: `Recall, precision and F1 per detector: ${section.dataset}`,
        section: inSection,
        spec: {
          title: `Recall, precision, F1: ${section.dataset}`,
          width: 420,
          height: 260,
          data: { values: section.detectors.flatMap((r) => METRICS.map((metric) => ({ detector: r.detector, metric, value: r[metric] }))) },
          mark: 'bar',
          encoding: {
            x: { field: 'detector', type: 'nominal', sort: order, title: null, axis: { labelAngle: 0 } },
            xOffset: { field: 'metric', type: 'nominal', sort: [...METRICS] },
            y: { field: 'value', type: 'quantitative', scale: { domain: [0, 1] }, title: null },
            color: { field: 'metric', type: 'nominal', sort: [...METRICS], title: null },
          },
        },
      });
    }
    const curve = section.operatingCurve;
    if (curve && curve.points.length > 0) {
      const line = [...curve.points].sort((a, b) => a.alarmsPerPatientDay - b.alarmsPerPatientDay || a.recall - b.recall);
      plots.push({
        file: `operating-curve-${name}.png`,
        title: `Alarms per patient-day against recall: ${section.dataset}`,
        section: inSection,
        spec: {
          title: `${curve.detector} operating curve, baselines as points: ${section.dataset}`,
          width: 420,
          height: 300,
          layer: [
            {
              data: { values: line.map((p, i) => ({ i, x: p.alarmsPerPatientDay, recall: p.recall, threshold: p.threshold })) },
              mark: { type: 'line', point: true, color: '#888888' },
              encoding: {
                x: { field: 'x', type: 'quantitative', title: 'Alarms per patient-day' },
                y: { field: 'recall', type: 'quantitative', scale: { domain: [0, 1] }, title: 'Recall' },
                order: { field: 'i', type: 'quantitative' },
              },
            },
            {
              data: { values: section.detectors.map((r) => ({ detector: r.detector, x: r.alarmsPerPatientDay, recall: r.recall })) },
              mark: { type: 'point', filled: true, size: 90 },
              encoding: {
                x: { field: 'x', type: 'quantitative' },
                y: { field: 'recall', type: 'quantitative' },
                color: { field: 'detector', type: 'nominal', sort: order, title: 'Detector' },
                shape: { field: 'detector', type: 'nominal', sort: order },
              },
            },
          ],
        },
      });
    }
    const leads = section.detectors.flatMap((r) =>
      r.perEvent.flatMap((o) => (o.leadMin === null ? [] : [{ detector: r.detector, kind: o.kind, leadMin: o.leadMin }])),
    );
    if (leads.length > 0) {
      plots.push({
        file: `lead-times-${name}.png`,
        title: `Lead time of caught events per detector: ${section.dataset}`,
        section: inSection,
        spec: {
          title: `Lead time of caught events, min (positive = before peak): ${section.dataset}`,
          width: 420,
          height: 280,
          data: { values: leads },
          layer: [
            {
              mark: { type: 'boxplot', extent: 'min-max', opacity: 0.35, color: '#999999' },
              encoding: {
                x: { field: 'detector', type: 'nominal', sort: order, title: null, axis: { labelAngle: 0 } },
                y: { field: 'leadMin', type: 'quantitative', title: 'Lead, min' },
              },
            },
            {
              mark: { type: 'tick', thickness: 2, size: 24, opacity: 0.8 },
              encoding: {
                x: { field: 'detector', type: 'nominal', sort: order },
                y: { field: 'leadMin', type: 'quantitative' },
                color: { field: 'kind', type: 'nominal', title: 'Event' },
              },
            },
          ],
        },
      });
    }
  }
  const withRoc = report.ranking.filter((r) => r.roc.length > 0);
  if (withRoc.length > 0) {
    plots.push({
      file: 'roc.png',
      title: 'ROC curves',
      section: null,
      spec: {
        title: 'ROC curves',
        width: 320,
        height: 320,
        layer: [
          {
            data: { values: [{ fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }] },
            mark: { type: 'line', strokeDash: [4, 4], color: '#bbbbbb' },
            encoding: { x: { field: 'fpr', type: 'quantitative' }, y: { field: 'tpr', type: 'quantitative' } },
          },
          {
            data: {
              values: withRoc.flatMap((r) =>
                r.roc.map((p, i) => ({ curve: `${r.detector}, ${r.task} (AUROC ${fmt(r.auroc.estimate, 3)})`, i, fpr: p.fpr, tpr: p.tpr })),
              ),
            },
            mark: 'line',
            encoding: {
              x: { field: 'fpr', type: 'quantitative', title: 'False positive rate', scale: { domain: [0, 1] } },
              y: { field: 'tpr', type: 'quantitative', title: 'True positive rate', scale: { domain: [0, 1] } },
              color: { field: 'curve', type: 'nominal', title: null, legend: { orient: 'bottom', direction: 'vertical', labelLimit: 400 } },
              order: { field: 'i', type: 'quantitative' },
            },
          },
        ],
      },
    });
  }
  return plots;
}

export interface WrittenReport {
  dir: string;
  /** Paths relative to `dir`: report.md, report.json, then the plots. */
  files: string[];
  /** vega-lite / vega warnings per plot file. */
  warnings: string[];
}

/** Write report.md, report.json and the plots into `dir` (created if needed). */
export async function writeReport(report: EvaluationReport, dir: string, options: { scale?: number } = {}): Promise<WrittenReport> {
  await mkdir(dir, { recursive: true });
  const plots = plotSpecs(report);
  const warnings: string[] = [];
  for (const plot of plots) {
    const result = await renderVegaLite(plot.spec, join(dir, plot.file), { scale: options.scale ?? 2 });
    warnings.push(...result.warnings.map((w) => `${plot.file}: ${w}`));
  }
  const targets = report.targets.map(judgeTarget);
  await writeFile(join(dir, 'report.md'), renderMarkdown(report, plots));
  await writeFile(join(dir, 'report.json'), stableStringify({ ...report, targets, plots: plots.map((p) => p.file) }));
  return { dir, files: ['report.md', 'report.json', ...plots.map((p) => p.file)], warnings };
}
