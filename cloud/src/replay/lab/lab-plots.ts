/**
 * The lab's two figures as vega-lite specs, rendered to PNG by scripts/lib/plot.ts (headless, no browser):
 * alarms per patient-day per configuration by priority, and recall against alarm burden.
 * CLI only: the dashboard draws its own chart.
 */
import { join } from 'node:path';
import type { LabResult } from '@vigil/contracts';
import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLite } from '../../../../scripts/lib/plot.ts';

// IEC 60601-1-8 colours: high red, medium yellow, low cyan.
const PRIORITY_COLOURS = { domain: ['high', 'medium', 'low'], range: ['#d62728', '#e6b400', '#17becf'] };

export function burdenSpec(result: LabResult): TopLevelSpec {
  const values = result.configs.flatMap((c) =>
    (['high', 'medium', 'low'] as const).map((priority, order) => ({ config: c.name, priority, order, perPatientDay: c.alarms.byPriority[priority].perPatientDay })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Alarms per patient-day, by priority',
    width: 420,
    height: Math.max(120, 36 * result.configs.length),
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'config', type: 'nominal', sort: null, title: null },
      x: { field: 'perPatientDay', type: 'quantitative', stack: 'zero', title: 'alarms per patient-day' },
      color: { field: 'priority', type: 'nominal', scale: PRIORITY_COLOURS, title: 'priority' },
      order: { field: 'order', type: 'quantitative' },
    },
  };
}

export function recallSpec(result: LabResult): TopLevelSpec {
  const values = result.configs.map((c) => ({ config: c.name, perPatientDay: c.alarms.perPatientDay, recall: c.events.recall }));
  const encoding = {
    x: { field: 'perPatientDay', type: 'quantitative' as const, title: 'alarms per patient-day', scale: { zero: true } },
    y: { field: 'recall', type: 'quantitative' as const, title: 'events caught (recall)', scale: { domain: [0, 1] }, axis: { format: '%' } },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Recall against alarm burden',
    width: 420,
    height: 280,
    data: { values },
    layer: [
      { mark: { type: 'point', filled: true, size: 90 }, encoding: { ...encoding, color: { field: 'config', type: 'nominal', legend: null } } },
      { mark: { type: 'text', align: 'left', dx: 7, dy: -7, fontSize: 11 }, encoding: { ...encoding, text: { field: 'config', type: 'nominal' } } },
    ],
  };
}

/** Render both figures into `dir`; returns the files with captions for the markdown. */
export async function writeLabPlots(result: LabResult, dir: string): Promise<Array<{ file: string; caption: string }>> {
  const figures = [
    { file: 'alarms-per-patient-day.png', caption: 'Alarms per patient-day per configuration, by priority', spec: burdenSpec(result) },
    { file: 'recall-vs-burden.png', caption: 'Ground-truth events caught against alarms per patient-day', spec: recallSpec(result) },
  ];
  for (const f of figures) await renderVegaLite(f.spec, join(dir, f.file), { scale: 2 });
  return figures.map(({ file, caption }) => ({ file, caption }));
}
