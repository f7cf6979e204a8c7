/** One bed on the central station: identity, its most urgent open alarm, and the live numerics. */
import { memo } from 'react';
import type { Alarm, BedState } from '@vigil/contracts';
import { PRIORITY_LABEL, STATE_LABEL, isFlashing } from './alarm-labels.ts';
import { NumericCell } from './numeric-cell.tsx';
import { tileNumerics } from './tile-numerics.ts';

interface BedTileProps {
  bed: BedState;
  /** The bed's highest-priority open alarm (compareAlarms order), or null. */
  alarm: Alarm | null;
  /** Space-separated tile vitals that are stale (a string, so memo compares by value). */
  stale: string;
}

function BedTileView({ bed, alarm, stale }: BedTileProps) {
  const staleSet = new Set(stale.split(' '));
  const offline = bed.devices.filter((d) => d.state === 'offline');
  const priority = alarm?.priority ?? 'none';
  return (
    <article
      className={`bed-tile priority-${priority}${alarm && isFlashing(alarm) ? ' is-flashing' : ''}`}
      data-testid={`bed-${bed.bedId}`}
      data-alarm-priority={priority}
      aria-label={`Bed ${bed.bedId}${alarm ? `, ${alarm.priority} priority alarm: ${alarm.message}` : ''}`}
    >
      <header className="tile-head">
        <span className="tile-bed">{bed.bedId}</span>
        <span className="tile-patient">{bed.patientId}</span>
        {offline.length > 0 && (
          <span className="tile-device-off" title={offline.map((d) => `${d.deviceType} ${d.deviceId}`).join(', ')}>
            device offline
          </span>
        )}
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
    </article>
  );
}

/** Memoised: a 1 Hz update to one bed re-renders that tile only. */
export const BedTile = memo(BedTileView);
