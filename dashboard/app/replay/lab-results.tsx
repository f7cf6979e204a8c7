'use client';
/**
 * A finished lab run: the comparison table (alarm burden by priority, events caught, precision, lead time), a bar
 * chart of alarms per patient-day by priority (IEC 60601-1-8 colours, the numbers also as text), the alarms an extra
 * delay would have suppressed, and the CSV download (GET /api/lab/runs/:id/csv).
 */
import type { LabResult } from '@vigil/contracts';
import { apiText, downloadText } from './replay-api.ts';
import type { CloudCall } from './recordings-panel.tsx';

const PRIORITIES = ['high', 'medium', 'low'] as const;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const num = (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? '–' : x.toFixed(digits));

function BurdenChart({ result }: { result: LabResult }) {
  const max = Math.max(1e-9, ...result.configs.map((c) => c.alarms.perPatientDay));
  return (
    <div className="lab-chart" data-testid="lab-chart" role="img" aria-label="Alarms per patient-day per configuration, by priority">
      {result.configs.map((c) => (
        <div className="lab-bar-row" key={c.name} data-testid={`lab-bar-${c.name}`}>
          <span className="lab-bar-label">{c.name}</span>
          <span className="lab-bar-track">
            {PRIORITIES.map((p) => {
              const v = c.alarms.byPriority[p].perPatientDay;
              return v > 0 ? <span key={p} className={`lab-bar lab-bar-${p}`} style={{ width: `${(v / max) * 100}%` }} title={`${p}: ${num(v)} per patient-day`} /> : null;
            })}
          </span>
          <span className="lab-bar-value">{num(c.alarms.perPatientDay, 1)}</span>
        </div>
      ))}
      <p className="replay-muted lab-legend">
        <span className="lab-key lab-bar-high" /> high <span className="lab-key lab-bar-medium" /> medium <span className="lab-key lab-bar-low" /> low — alarms per patient-day
      </p>
    </div>
  );
}

export function LabResults({ call, runId, result }: { call: CloudCall; runId: string; result: LabResult }) {
  const download = async () => {
    const csv = await call.run('download CSV', () => apiText(call.cloudUrl, call.token, `/api/lab/runs/${encodeURIComponent(runId)}/csv`));
    if (csv !== undefined) downloadText(csv, `${runId}.csv`, 'text/csv');
  };
  const delays = result.configs[0]?.suppressedByDelay.map((s) => s.delayMs) ?? [];
  return (
    <div className="lab-results" data-testid="lab-results">
      <p className="replay-muted">
        {result.sessions.length} recording{result.sessions.length === 1 ? '' : 's'}, {result.patients} patients, {num(result.patientDays, 1)} patient-days. Lead times
        compare with {result.reference}.
      </p>
      <table className="replay-table" data-testid="lab-table">
        <thead>
          <tr>
            <th scope="col">Configuration</th>
            <th scope="col" className="num">Alarms / patient-day</th>
            {PRIORITIES.map((p) => (
              <th scope="col" className="num" key={p}>
                {p}
              </th>
            ))}
            <th scope="col" className="num">Advisory</th>
            <th scope="col" className="num">Events caught</th>
            <th scope="col" className="num">Precision</th>
            <th scope="col" className="num">Median lead (min)</th>
          </tr>
        </thead>
        <tbody>
          {result.configs.map((c) => (
            <tr key={c.name} data-testid={`lab-row-${c.name}`}>
              <th scope="row" title={c.description ?? undefined}>
                {c.name}
              </th>
              <td className="num" data-testid="lab-alarms-per-day">
                {num(c.alarms.perPatientDay)}
              </td>
              {PRIORITIES.map((p) => (
                <td className="num" key={p}>
                  {num(c.alarms.byPriority[p].perPatientDay)}
                </td>
              ))}
              <td className="num">{num(c.alarms.byKind.advisory.perPatientDay)}</td>
              <td className="num" data-testid="lab-caught">
                {c.events.caught} / {c.events.events} ({pct(c.events.recall)})
              </td>
              <td className="num">{pct(c.events.precision)}</td>
              <td className="num">{num(c.events.leadTimeMin.all.median, 1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <BurdenChart result={result} />
      <h3>Alarms an extra condition delay would have suppressed</h3>
      <table className="replay-table">
        <thead>
          <tr>
            <th scope="col">Configuration</th>
            {delays.map((d) => (
              <th scope="col" className="num" key={d}>
                ended within {d / 1000} s
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.configs.map((c) => (
            <tr key={c.name}>
              <th scope="row">{c.name}</th>
              {c.suppressedByDelay.map((s) => (
                <td className="num" key={s.delayMs}>
                  {s.alarms} ({pct(s.share)})
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Noisiest patients</h3>
      <ul className="replay-muted">
        {result.configs.map((c) => (
          <li key={c.name}>
            <strong>{c.name}</strong>: {c.noisiestPatients.map((p) => `${p.patientId} (${p.alarms}, mostly ${p.topCode})`).join('; ') || 'no alarm'}
          </li>
        ))}
      </ul>
      <button type="button" data-testid="lab-csv" onClick={() => void download()}>
        Download CSV
      </button>
    </div>
  );
}
