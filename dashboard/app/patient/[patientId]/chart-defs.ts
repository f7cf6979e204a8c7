/**
 * The patient view's trend charts: which vitals share a chart, their colours, how long a pause in a series is a gap
 * rather than a line, and which alarm limits each chart draws. Labels and units come from the contracts' catalogue.
 */
import { VITALS, type AlarmPriority, type LimitRule, type VitalCode } from '@vigil/contracts';

export type ChartKey = 'hr' | 'spo2' | 'rr' | 'bp' | 'temp';

export interface SeriesDef {
  code: VitalCode;
  label: string;
  /** Canvas stroke (uPlot draws on a canvas, which cannot read CSS variables): the ward's colours, globals.css. */
  color: string;
  /** A pause longer than this between two values is drawn as a gap, not a line (sensor off, link down). */
  gapMs: number;
  /** Sparse series (NIBP cuff cycles) are drawn as points joined by a thin line. */
  sparse?: boolean;
}

export interface ChartDef {
  key: ChartKey;
  title: string;
  unit: string;
  series: readonly SeriesDef[];
}

/** 1 Hz monitors and 5 s wearables: three wearable periods without a value is a gap. */
const CONTINUOUS_GAP_MS = 15_000;
/** A cuff cycles every 15 min (simulators' default); NEWS2 keeps an SBP valid 20 min (docs/architecture.md). */
const NIBP_GAP_MS = 20 * 60_000;

const s = (code: VitalCode, color: string, gapMs = CONTINUOUS_GAP_MS, sparse = false): SeriesDef => ({
  code,
  label: VITALS[code].shortLabel,
  color,
  gapMs,
  ...(sparse ? { sparse } : {}),
});

export const CHARTS: readonly ChartDef[] = [
  { key: 'hr', title: VITALS.hr.label, unit: VITALS.hr.displayUnit, series: [s('hr', '#4ade80')] },
  { key: 'spo2', title: VITALS.spo2.label, unit: VITALS.spo2.displayUnit, series: [s('spo2', '#7dd3fc')] },
  { key: 'rr', title: VITALS.rr.label, unit: VITALS.rr.displayUnit, series: [s('rr', '#fde68a')] },
  {
    key: 'bp',
    title: 'Blood pressure',
    unit: VITALS.abpSys.displayUnit,
    series: [
      s('abpSys', '#fca5a5'),
      s('abpMean', '#f87171'),
      s('abpDia', '#fecaca'),
      s('nibpSys', '#f0abfc', NIBP_GAP_MS, true),
      s('nibpMean', '#e879f9', NIBP_GAP_MS, true),
      s('nibpDia', '#f5d0fe', NIBP_GAP_MS, true),
    ],
  },
  { key: 'temp', title: 'Temperature', unit: VITALS.temp.displayUnit, series: [s('temp', '#e5e7eb'), s('skinTemp', '#9ca3af')] },
];

/** The charts that have at least one vital the patient has, each with only those of its series. */
export function chartsFor(present: ReadonlySet<VitalCode>): ChartDef[] {
  return CHARTS.flatMap((chart) => {
    const series = chart.series.filter((x) => present.has(x.code));
    return series.length > 0 ? [{ ...chart, series }] : [];
  });
}

export interface ChartLimit {
  code: string;
  label: string;
  limit: number;
  comparator: '<' | '>';
  priority: AlarmPriority;
  /** The chart vitals it applies to (e.g. ART S and NBP S for SBP_LOW). */
  vitals: VitalCode[];
}

/** The limit rules that watch a vital of this chart. */
export function limitsFor(chart: ChartDef, rules: readonly LimitRule[]): ChartLimit[] {
  const codes = new Set(chart.series.map((x) => x.code));
  return rules.flatMap((rule) => {
    const vitals = rule.vitals.filter((v) => codes.has(v));
    return vitals.length > 0 ? [{ code: rule.code, label: rule.label, limit: rule.limit, comparator: rule.comparator, priority: rule.priority, vitals }] : [];
  });
}

/** IEC 60601-1-8 alarm colours (globals.css): limit lines take their rule's priority colour. */
export const PRIORITY_COLOR: Readonly<Record<AlarmPriority, string>> = { high: '#ff2a2a', medium: '#ffd21f', low: '#22d3ee' };

/**
 * The y range of a chart: the data's range widened to include every limit, so a limit line is always on screen and the
 * distance of the values from it can be read; 8 % padding, and at least one unit of span.
 */
export function yRange(dataMin: number | null, dataMax: number | null, limits: readonly ChartLimit[]): [number, number] {
  const values = [dataMin, dataMax, ...limits.map((l) => l.limit)].filter((v): v is number => v !== null && Number.isFinite(v));
  if (values.length === 0) return [0, 100];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi - lo < 1) {
    const mid = (hi + lo) / 2;
    lo = mid - 0.5;
    hi = mid + 0.5;
  }
  const pad = (hi - lo) * 0.08;
  return [lo - pad, hi + pad];
}
