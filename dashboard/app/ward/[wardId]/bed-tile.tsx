/**
 * One bed on the central station: identity (linking to the patient view), NEWS2, its most urgent open alarm, its
 * technical states, the live numerics and a trend strip. Alarm state is given by colour, flashing and text together.
 */
import Link from 'next/link';
import { memo } from 'react';
import type { Alarm, BedState } from '@vigil/contracts';
import { PRIORITY_LABEL, STATE_LABEL, isFlashing } from './alarm-labels.ts';
import type { BedTrend } from './bed-trends.ts';
import { News2Badge } from './news2-badge.tsx';
import { NumericCell } from './numeric-cell.tsx';
import { Sparkline } from './sparkline.tsx';
import { tileNumerics } from './tile-numerics.ts';
import { techStates } from './tile-status.ts';

interface BedTileProps {
  bed: BedState;
  /** The bed's highest-priority open alarm (compareAlarms order), or null. */
  alarm: Alarm | null;
  /** The bed's open alarms (technical states come from them too); the same array while they do not change. */
  bedAlarms: readonly Alarm[];
  /** Space-separated tile vitals that are stale (a string, so memo compares by value). */
  stale: string;
  /** The NEWS2 score's window ended long before the ward's newest data. */
  news2Stale: boolean;
  trend: BedTrend | undefined;
}

function BedTileView({ bed, alarm, bedAlarms, stale, news2Stale, trend }: BedTileProps) {
  const staleSet = new Set(stale.split(' '));
  const tech = techStates(bed, bedAlarms);
  const priority = alarm?.priority ?? 'none';
  const flashing = alarm !== null && isFlashing(alarm);
  return (
    <article
      className={`bed-tile priority-${priority}${flashing ? ' is-flashing' : ''}${stale ? ' has-stale' : ''}`}
      data-testid={`bed-${bed.bedId}`}
      data-alarm-priority={priority}
      data-alarm-state={alarm?.state ?? 'none'}
      aria-label={`Bed ${bed.bedId}${alarm ? `, ${alarm.priority} priority alarm: ${alarm.message}` : ''}`}
    >
      <header className="tile-head">
        <Link className="tile-bed tile-link" href={`/patient/${encodeURIComponent(bed.patientId)}`} title={`Open the patient view of ${bed.patientId}`}>
          {bed.bedId}
        </Link>
        <span className="tile-patient">{bed.patientId}</span>
        <News2Badge bedId={bed.bedId} news2={bed.news2} stale={news2Stale} />
      </header>
      <div className="tile-alarm" role={alarm ? 'alert' : undefined}>
        {alarm ? (
          <>
            <span className="tile-alarm-priority">{PRIORITY_LABEL[alarm.priority]}</span>
            <span className="tile-alarm-message">{alarm.message}</span>
            {alarm.state !== 'active' && <span className="tile-alarm-state">{STATE_LABEL[alarm.state]}</span>}
          </>
        ) : (
          <span className="tile-alarm-none">no alarm</span>
        )}
      </div>
      <div className="tile-numerics">
        {tileNumerics(bed).map((n) => (
          <NumericCell key={n.key} bedId={bed.bedId} numeric={n} stale={staleSet.has(n.key)} />
        ))}
      </div>
      <footer className="tile-foot">
        <Sparkline bedId={bed.bedId} trend={trend} />
        {tech.length > 0 && (
          <div className="tile-tech" data-testid={`tech-${bed.bedId}`}>
            {tech.map((s) => (
              <span key={s.key} className="tech-state" title={s.title}>
                <span aria-hidden="true">⚠ </span>
                {s.text}
              </span>
            ))}
          </div>
        )}
      </footer>
    </article>
  );
}

/** Memoised: a 1 Hz update to one bed re-renders that tile only. */
export const BedTile = memo(BedTileView);
