/** The ward's open alarms (active, latched, acknowledged), most urgent first (compareAlarms from contracts). */
import { memo } from 'react';
import type { Alarm } from '@vigil/contracts';
import { PRIORITY_LABEL, STATE_LABEL, evidenceText, formatClock } from './alarm-labels.ts';

function AlarmListView({ alarms }: { alarms: readonly Alarm[] }) {
  return (
    <section className="alarm-panel" aria-labelledby="alarm-panel-title">
      <h2 id="alarm-panel-title">
        Alarms <span className="alarm-count">{alarms.length}</span>
      </h2>
      <ol className="alarm-list" data-testid="alarm-list">
        {alarms.map((alarm) => (
          <li
            key={alarm.id}
            className={`alarm-row priority-${alarm.priority} state-${alarm.state}`}
            data-testid={`alarm-${alarm.id}`}
            data-priority={alarm.priority}
            data-state={alarm.state}
          >
            <span className="alarm-priority">{PRIORITY_LABEL[alarm.priority]}</span>
            <span className="alarm-bed">{alarm.bedId}</span>
            <time className="alarm-time" dateTime={new Date(alarm.raisedAt).toISOString()}>
              {formatClock(alarm.raisedAt)}
            </time>
            <span className="alarm-message">{alarm.message}</span>
            <span className="alarm-evidence">{evidenceText(alarm)}</span>
            {alarm.state !== 'active' && <span className="alarm-state">{STATE_LABEL[alarm.state]}</span>}
          </li>
        ))}
      </ol>
      {alarms.length === 0 && <p className="alarm-empty">No open alarms.</p>}
    </section>
  );
}

/** Memoised on the sorted array, which is rebuilt only when the alarm set changes. */
export const AlarmList = memo(AlarmListView);
