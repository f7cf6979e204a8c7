/** The tile's trend strip: the last minutes of heart rate and SpO2 as two thin lines (SVG: cheap, crisp, no canvas). */
import { memo } from 'react';
import { TREND_WINDOW_MS, trendSegments, type BedTrend } from './bed-trends.ts';

const W = 120;
const H = 24;

function SparklineView({ bedId, trend }: { bedId: string; trend: BedTrend | undefined }) {
  const right = trend?.t.at(-1);
  if (!trend || right === undefined) return <div className="sparkline sparkline-empty" aria-hidden="true" />;
  const minutes = Math.round(TREND_WINDOW_MS / 60_000);
  return (
    <svg
      className="sparkline"
      viewBox={`0 0 ${W} ${H}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`Bed ${bedId}: heart rate and SpO2, last ${minutes} minutes`}
      data-testid={`trend-${bedId}`}
      data-points={trend.t.length}
    >
      {trendSegments(trend, 'spo2', W, H, right).map((points, i) => (
        <polyline key={`s${i}`} className="trend-spo2" points={points} />
      ))}
      {trendSegments(trend, 'hr', W, H, right).map((points, i) => (
        <polyline key={`h${i}`} className="trend-hr" points={points} />
      ))}
    </svg>
  );
}

/** Memoised on the trend object, which bed-trends.ts replaces only when the bed's line changed. */
export const Sparkline = memo(SparklineView);
