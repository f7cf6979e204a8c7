/** The explanation of an ML advisory alarm: which vitals drove the score (one bar each) and which window it judged. */
import type { Alarm } from '@vigil/contracts';
import { formatWindow } from './format.ts';
import { mlExplanation } from './ml-explanation-data.ts';

export function MlExplanation({ alarm }: { alarm: Alarm }) {
  const ml = mlExplanation(alarm);
  return (
    <div className="pv-ml" data-testid={`ml-explanation-${alarm.id}`}>
      <p className="pv-ml-window" data-testid="ml-window">
        Window {ml.windowStart !== null && ml.windowEnd !== null ? formatWindow(ml.windowStart, ml.windowEnd) : 'not given'}
        {ml.score !== null && ml.threshold !== null && (
          <span className="pv-muted">
            {' '}
            · score {ml.score} (threshold {ml.threshold})
          </span>
        )}
      </p>
      <ul className="pv-ml-bars" aria-label="Contribution of each vital to the anomaly score">
        {ml.bars.map((bar) => (
          <li key={bar.vital} data-testid={`ml-bar-${bar.vital}`} data-percent={bar.percent.toFixed(1)}>
            <span className="pv-ml-label">{bar.label}</span>
            <span className="pv-ml-track" aria-hidden="true">
              <span className="pv-ml-fill" style={{ width: `${bar.percent.toFixed(1)}%` }} />
            </span>
            <span className="pv-ml-pct">{Math.round(bar.percent)} %</span>
          </li>
        ))}
      </ul>
      {ml.sentence && <p className="pv-ml-sentence">{ml.sentence}</p>}
      <p className="pv-muted pv-ml-note">Advisory only: a model&apos;s judgement, not a limit alarm.</p>
    </div>
  );
}
