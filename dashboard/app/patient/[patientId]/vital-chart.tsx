'use client';
/**
 * One live trend chart (uPlot, canvas): history at the zoom's resolution followed by the live 1 Hz samples, the alarm
 * limits of its vitals drawn as dashed lines in their priority colour, rollup min–max envelopes, and gaps where a
 * series paused. Redraws (setData) happen at most once per animation frame, however many samples arrived.
 *
 * For tests and tools the container carries what was drawn: data-points, data-last-t, data-history-points,
 * data-live-points, data-draws, and data-limits (each limit's code, value and y in CSS pixels of the canvas).
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { VitalsHistoryResponse } from '@vigil/contracts';
import { buildChartFrame, columnsOf, type ChartFrame } from './chart-data.ts';
import { PRIORITY_COLOR, yRange, type ChartDef, type ChartLimit } from './chart-defs.ts';
import { createFrameScheduler } from './frame-scheduler.ts';
import type { PatientLive } from './patient-live.ts';

const TICK_MS = 1_000; // 1 Hz, the rate of the data
const HEIGHT = 150; // px: five charts and the header fit a 1080p screen
// 24-hour clock on the time axis, as on bedside monitors.
const hhmm = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const AXIS = { stroke: '#8a99a8', grid: { stroke: '#1c2733', width: 1 }, ticks: { stroke: '#243140', width: 1 }, font: '12px system-ui, sans-serif' };

export interface VitalChartProps {
  chart: ChartDef;
  limits: readonly ChartLimit[];
  live: PatientLive;
  history: VitalsHistoryResponse | null;
  spanMs: number;
}

/** "#rrggbb" with an alpha byte, for the envelope fill. */
const translucent = (hex: string) => `${hex}33`;

function seriesOptions(chart: ChartDef, gapsOf: (k: number) => Array<[number, number]>): uPlot.Series[] {
  const gaps = (k: number) => (u: uPlot) => gapsOf(k).map(([a, b]) => [Math.round(u.valToPos(a, 'x', true)), Math.round(u.valToPos(b, 'x', true))] as [number, number]);
  const means = chart.series.map<uPlot.Series>((s, k) => ({
    label: s.label,
    stroke: s.color,
    width: s.sparse ? 1 : 1.75,
    spanGaps: false,
    gaps: gaps(k),
    points: s.sparse ? { show: true, size: 6, fill: s.color } : { show: false },
  }));
  const edge = (which: 'min' | 'max') =>
    chart.series.map<uPlot.Series>((s, k) => ({ label: `${s.label} ${which}`, stroke: 'transparent', width: 0, spanGaps: false, gaps: gaps(k), points: { show: false } }));
  return [{}, ...means, ...edge('min'), ...edge('max')];
}

export function VitalChart({ chart, limits, live, history, spanMs }: VitalChartProps) {
  const box = useRef<HTMLDivElement>(null);
  // Inputs the frame callback reads: kept in a ref so a new history or zoom does not rebuild the chart.
  const inputs = useRef({ limits, history, spanMs });
  inputs.current = { limits, history, spanMs };
  const schedule = useRef<() => void>(() => undefined);
  const codes = chart.series.map((s) => s.code).join(',');

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let frame: ChartFrame | null = null;
    let view = { from: 0, to: 1 };
    let draws = 0;
    const n = chart.series.length;

    const drawLimits = (u: uPlot) => {
      const { ctx } = u;
      const { left, top, width, height } = u.bbox;
      const ratio = typeof devicePixelRatio === 'number' && devicePixelRatio > 0 ? devicePixelRatio : 1;
      const drawn: Array<{ code: string; limit: number; y: number }> = [];
      ctx.save();
      ctx.beginPath();
      ctx.rect(left, top, width, height);
      ctx.clip();
      for (const limit of inputs.current.limits) {
        const y = Math.round(u.valToPos(limit.limit, 'y', true));
        if (y < top || y > top + height) continue;
        ctx.strokeStyle = PRIORITY_COLOR[limit.priority];
        ctx.lineWidth = 2 * ratio;
        ctx.setLineDash([8 * ratio, 5 * ratio]);
        ctx.beginPath();
        ctx.moveTo(left, y);
        ctx.lineTo(left + width, y);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = PRIORITY_COLOR[limit.priority];
        ctx.font = `${11 * ratio}px system-ui, sans-serif`;
        ctx.textAlign = 'right';
        ctx.textBaseline = limit.comparator === '>' ? 'bottom' : 'top';
        ctx.fillText(`${limit.comparator} ${limit.limit}`, left + width - 4 * ratio, limit.comparator === '>' ? y - 3 * ratio : y + 3 * ratio);
        drawn.push({ code: limit.code, limit: limit.limit, y: y / ratio });
      }
      ctx.restore();
      el.dataset.limits = JSON.stringify(drawn);
    };

    const bands: uPlot.Band[] = chart.series.map((s, k) => {
      const c = columnsOf(k, n);
      return { series: [c.max, c.min], fill: translucent(s.color) };
    });
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: HEIGHT,
      ms: 1,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: true, range: () => [view.from, view.to] },
        y: { range: () => yRange(frame?.min ?? null, frame?.max ?? null, inputs.current.limits) },
      },
      axes: [
        { ...AXIS, size: 28, values: (_u, splits) => splits.map((t) => hhmm.format(new Date(t))) },
        { ...AXIS, size: 44 },
      ],
      series: seriesOptions(chart, (k) => frame?.gaps[k] ?? []),
      bands,
      hooks: { draw: [drawLimits] },
    };
    const empty: uPlot.AlignedData = [[], ...Array.from({ length: 3 * n }, () => [] as number[])];
    const u = new uPlot(opts, empty, el);

    const redraw = () => {
      const { history: h, spanMs: span } = inputs.current;
      const to = Math.max(live.wardNewestT, live.ring.newestT ?? 0, h?.to ?? 0);
      view = { from: to - span, to };
      frame = buildChartFrame(chart, h, live.ring.rows(chart.series.map((s) => s.code), view.from), view);
      u.setData(frame.data as uPlot.AlignedData);
      draws++;
      el.dataset.points = String(frame.data[0].length);
      el.dataset.historyPoints = String(frame.historyPoints);
      el.dataset.livePoints = String(frame.livePoints);
      el.dataset.lastT = frame.lastT === null ? '' : String(frame.lastT);
      el.dataset.draws = String(draws);
    };
    const scheduler = createFrameScheduler(redraw);
    schedule.current = () => scheduler.schedule();
    const unsubscribe = live.subscribe(() => scheduler.schedule());
    const resize = new ResizeObserver(() => {
      const width = Math.max(200, el.clientWidth);
      if (width !== u.width) u.setSize({ width, height: HEIGHT });
    });
    resize.observe(el);
    // The time axis moves on with the ward's clock even when this patient sends nothing (a pause shows as a gap).
    const tick = setInterval(() => scheduler.schedule(), TICK_MS);
    scheduler.schedule();
    return () => {
      clearInterval(tick);
      scheduler.cancel();
      unsubscribe();
      resize.disconnect();
      u.destroy();
      schedule.current = () => undefined;
    };
    // The chart is rebuilt only when its series change; `chart` is derived from `codes`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [codes, live]);

  // New history, limits or zoom: one redraw in the next frame.
  useEffect(() => schedule.current(), [history, limits, spanMs]);

  return <div ref={box} className="pv-chart-canvas" data-testid={`chart-${chart.key}`} data-chart={chart.key} />;
}
