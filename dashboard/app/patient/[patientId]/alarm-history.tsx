/** The patient's alarm history, open alarms first; ML advisory alarms show their explanation inline. */
import type { Alarm } from '@vigil/contracts';
import { evidenceText, isFlashing, KIND_TEXT, PRIORITY_TEXT, STATE_TEXT } from './alarm-text.ts';
import { formatClock } from './format.ts';
import { MlExplanation } from './ml-explanation.tsx';
import { isMlAlarm } from './ml-explanation-data.ts';

export function AlarmHistory({ alarms, loading, error }: { alarms: readonly Alarm[]; loading: boolean; error: string | null }) {
  return (
    <section className="pv-section pv-alarms" data-testid="alarm-history" aria-label="Alarm history">
      <h2>
        Alarms <span className="pv-muted">({alarms.length})</span>
      </h2>
      {error && (
        <p className="pv-error" role="alert">
          Alarm history unavailable: {error}
        </p>
      )}
      {alarms.length === 0 && !error && <p className="pv-muted">{loading ? 'Loading…' : 'No alarms for this patient.'}</p>}
      <ol className="pv-alarm-list">
        {alarms.map((alarm) => (
          <li
            key={alarm.id}
            className={`pv-alarm prio-${alarm.priority} state-${alarm.state}${isFlashing(alarm) ? ' is-flashing' : ''}`}
            data-testid={`patient-alarm-${alarm.id}`}
            data-code={alarm.code}
            data-priority={alarm.priority}
            data-state={alarm.state}
            data-kind={alarm.kind}
            data-raised-at={alarm.raisedAt}
          >
            <div className="pv-alarm-head">
              <span className="pv-alarm-prio">{PRIORITY_TEXT[alarm.priority]}</span>
              <span className="pv-alarm-msg">{alarm.message}</span>
              <span className="pv-alarm-state">{STATE_TEXT[alarm.state]}</span>
            </div>
            <div className="pv-alarm-meta">
              <span>{KIND_TEXT[alarm.kind]}</span>
              <span>
                raised {formatClock(alarm.raisedAt)}
                {alarm.endedAt !== null ? `, ended ${formatClock(alarm.endedAt)}` : ''}
              </span>
              {alarm.acknowledgedBy && <span>ack by {alarm.acknowledgedBy}</span>}
              {evidenceText(alarm) && <span>{evidenceText(alarm)}</span>}
            </div>
            {isMlAlarm(alarm) && <MlExplanation alarm={alarm} />}
          </li>
        ))}
      </ol>
    </section>
  );
}
