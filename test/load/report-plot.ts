/**
 * The PNG of a load run (docs/benchmarks/load/load.png), rendered headless with scripts/lib/plot.ts (vega-lite →
 * SVG → PNG): four panels over the bed count — throughput, p99 latency (log scale), CPU per process and peak memory
 * per process — Vigil's processes solid, the mosquitto reference's dashed.
 */
import type { TopLevelSpec } from 'vega-lite';
import { renderVegaLite, type RenderResult } from '../../scripts/lib/plot.ts';
import type { LoadReport } from './results.ts';

interface Point {
  beds: number;
  series: string;
  path: 'vigil' | 'mosquitto';
  value: number;
}

function points(report: LoadReport) {
  const throughput: Point[] = [];
  const latency: Point[] = [];
  const cpu: Point[] = [];
  const rss: Point[] = [];
  for (const { beds, vigil: v, reference: r } of report.levels) {
    throughput.push({ beds, series: 'offered', path: 'vigil', value: v.offered.samplesPerS });
    throughput.push({ beds, series: 'stored (Vigil)', path: 'vigil', value: v.stored.samplesPerS });
    const lat = (series: string, path: Point['path'], value: number | null) => value !== null && latency.push({ beds, series, path, value: Math.max(0.1, value) });
    lat('device → stored', 'vigil', v.latencyMs.deviceToStored.p99);
    lat('device → readable', 'vigil', v.latencyMs.deviceToReadable.p99);
    lat('device → dashboard alarm', 'vigil', v.latencyMs.deviceToDashboardAlarm.p99);
    for (const name of ['load-generator', 'edge', 'cloud']) {
      if (v.cpuPercent[name] !== undefined) cpu.push({ beds, series: name, path: 'vigil', value: v.cpuPercent[name]! });
      if (v.peakRssMb[name] !== undefined) rss.push({ beds, series: name, path: 'vigil', value: v.peakRssMb[name]! });
    }
    if (r) {
      throughput.push({ beds, series: 'delivered (mosquitto)', path: 'mosquitto', value: r.delivered.samplesPerS });
      lat('device → subscriber (mosquitto)', 'mosquitto', r.latencyMs.deviceToSubscriber.p99);
      for (const name of ['mosquitto', 'subscriber']) {
        if (r.cpuPercent[name] !== undefined) cpu.push({ beds, series: name, path: 'mosquitto', value: r.cpuPercent[name]! });
        if (r.peakRssMb[name] !== undefined) rss.push({ beds, series: name, path: 'mosquitto', value: r.peakRssMb[name]! });
      }
    }
  }
  return { throughput, latency, cpu, rss };
}

function panel(title: string, values: Point[], y: string, beds: number[], log = false) {
  return {
    title,
    width: 330,
    height: 210,
    data: { values },
    mark: { type: 'line' as const, point: true },
    encoding: {
      x: { field: 'beds', type: 'quantitative' as const, title: 'simulated beds (1 Hz)', scale: { type: 'log' as const, base: 10, domain: [Math.min(...beds) * 0.8, Math.max(...beds) * 1.25], nice: false }, axis: { values: beds, format: ',d' } },
      y: { field: 'value', type: 'quantitative' as const, title: y, ...(log ? { scale: { type: 'log' as const } } : {}) },
      color: { field: 'series', type: 'nominal' as const, title: null, legend: { orient: 'bottom' as const, columns: 2, labelLimit: 260 } },
      strokeDash: { field: 'path', type: 'nominal' as const, title: null, legend: null, scale: { domain: ['vigil', 'mosquitto'], range: [[1, 0], [5, 3]] } },
    },
  };
}

/** Each panel its own colours and legend (the series differ from panel to panel). */
const independent = { scale: { color: 'independent' }, legend: { color: 'independent' } } as const;

export function buildSpec(report: LoadReport): TopLevelSpec {
  const p = points(report);
  const beds = report.levels.map((l) => l.beds);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `Vigil under load: ${report.machine.cores} cores, ${report.machine.cpu}, Node ${report.machine.node}${report.quick ? ' (quick mode)' : ''}`, fontSize: 14 },
    vconcat: [
      { hconcat: [panel('Throughput (samples/s)', p.throughput, 'samples/s', beds), panel('Latency p99 (ms, log)', p.latency, 'ms', beds, true)], resolve: independent },
      { hconcat: [panel('CPU (% of one core)', p.cpu, '% of one core', beds), panel('Peak memory (RSS, MB)', p.rss, 'MB', beds)], resolve: independent },
    ],
    resolve: independent,
    config: { view: { stroke: '#ddd' } },
  } as TopLevelSpec;
}

export function renderPlot(report: LoadReport, outPath: string): Promise<RenderResult> {
  return renderVegaLite(buildSpec(report), outPath, { scale: 2 });
}
