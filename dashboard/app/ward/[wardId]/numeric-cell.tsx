/** One numeric on a bed tile: label, unit and markers, then the value alone in its own element (tests read it). */
import type { SampleQuality } from '@vigil/contracts';
import type { TileNumeric } from './tile-numerics.ts';

const QUALITY_TEXT: Record<Exclude<SampleQuality, 'good'>, string> = {
  questionable: 'questionable signal',
  artifact: 'artifact',
  sensor_off: 'sensor off',
};

export function NumericCell({ bedId, numeric, stale }: { bedId: string; numeric: TileNumeric; stale: boolean }) {
  const { quality } = numeric;
  const doubt = quality !== null && quality !== 'good' ? QUALITY_TEXT[quality] : null;
  const why = [doubt, stale ? 'no new value for over 30 s' : null].filter(Boolean).join('; ');
  const classes = ['numeric', `numeric-${numeric.key}`, quality === null && 'is-missing', doubt && 'is-doubtful', stale && 'is-stale'];
  return (
    <div className={classes.filter(Boolean).join(' ')} title={why || undefined}>
      <div className="numeric-head">
        <span className="numeric-label">{numeric.label}</span>
        <span className="numeric-unit">{numeric.unit}</span>
        {doubt && (
          <span className="numeric-marker" aria-label={`quality: ${doubt}`}>
            ?
          </span>
        )}
        {stale && <span className="numeric-stale">stale</span>}
      </div>
      <span className="numeric-value" data-testid={`bed-${bedId}-${numeric.key}`}>
        {numeric.text}
      </span>
    </div>
  );
}
