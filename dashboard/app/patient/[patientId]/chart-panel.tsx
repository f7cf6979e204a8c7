/**
 * A chart with its readouts: the newest value of each of its vitals (greyed and marked "stale" when no new value came
 * for 30 s, marked "?" when the edge judged the signal doubtful) and, under it, the alarm limits it draws, in words.
 */
import type { SampleQuality, VitalCode, VitalsHistoryResponse } from '@vigil/contracts';
import type { ChartDef, ChartLimit } from './chart-defs.ts';
import { formatAge, formatValue, unitOf } from './format.ts';
import type { LatestValues, PatientLive } from './patient-live.ts';
import { PRIORITY_TEXT } from './alarm-text.ts';
import { VitalChart } from './vital-chart.tsx';

const QUALITY_TEXT: Readonly<Record<Exclude<SampleQuality, 'good'>, string>> = {
  questionable: 'questionable signal',
  artifact: 'artifact',
  sensor_off: 'sensor off',
};

export interface ChartPanelProps {
  chart: ChartDef;
  limits: readonly ChartLimit[];
  live: PatientLive;
  latest: LatestValues;
  stale: ReadonlySet<VitalCode>;
  reference: number;
  history: VitalsHistoryResponse | null;
  spanMs: number;
}

export function ChartPanel({ chart, limits, live, latest, stale, reference, history, spanMs }: ChartPanelProps) {
  const anyStale = chart.series.some((s) => stale.has(s.code));
  return (
    <article className={`pv-panel${anyStale ? ' is-stale' : ''}`} data-testid={`panel-${chart.key}`} data-stale={anyStale ? 'true' : 'false'}>
      <div className="pv-readouts">
        <h3>
          {chart.title} <span className="pv-unit">{chart.unit}</span>
        </h3>
        {chart.series.map((s) => {
          const value = latest[s.code];
          const isStale = stale.has(s.code);
          const doubt = value && value.quality !== 'good' ? QUALITY_TEXT[value.quality] : null;
          const why = [doubt, isStale && value ? `no new value for ${formatAge(reference - value.t)}` : null].filter(Boolean).join('; ');
          return (
            <div
              key={s.code}
              className={`pv-readout${isStale ? ' is-stale' : ''}${doubt ? ' is-doubtful' : ''}${value ? '' : ' is-missing'}`}
              data-testid={`readout-${s.code}`}
              data-stale={isStale ? 'true' : 'false'}
              title={why || undefined}
            >
              <span className="pv-readout-label" style={{ color: s.color }}>
                {s.label}
              </span>
              <span className="pv-readout-value" data-testid={`value-${s.code}`}>
                {formatValue(s.code, value?.value)}
              </span>
              <span className="pv-unit">{unitOf(s.code)}</span>
              {doubt && (
                <span className="pv-marker" aria-label={`quality: ${doubt}`}>
                  ?
                </span>
              )}
              {isStale && <span className="pv-stale">stale</span>}
            </div>
          );
        })}
      </div>
      <div className="pv-chart">
        <VitalChart chart={chart} limits={limits} live={live} history={history} spanMs={spanMs} />
        {limits.length > 0 && (
          <ul className="pv-limits" aria-label={`${chart.title} alarm limits`}>
            {limits.map((l) => (
              <li key={l.code} className={`prio-${l.priority}`} data-testid={`limit-${chart.key}-${l.code}`}>
                <span className="pv-limit-swatch" aria-hidden="true" />
                {l.label}: {l.comparator} {l.limit} {chart.unit} <span className="pv-muted">({PRIORITY_TEXT[l.priority]})</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </article>
  );
}
