'use client';
/**
 * The alarm inbox: the ward's open alarms, most urgent first (compareAlarms: priority, then newest), one selected at a
 * time, with the three actions of the cloud's alarm manager: acknowledge, audio pause (time-limited, with its
 * countdown) and escalate. Keyboard shortcuts are listed under the list (use-inbox-keys.ts).
 */
import { useEffect, useState } from 'react';
import type { Alarm } from '@vigil/contracts';
import { PRIORITY_LABEL, STATE_LABEL, evidenceText, formatClock } from './alarm-labels.ts';
import { pauseSecondsLeft } from './alarm-tones.ts';

export type InboxAction = 'acknowledge' | 'audio-pause' | 'escalate';

/** Whether the alarm manager accepts the action in this state (cloud/src/alarms/alarm-manager.ts, its table). */
export function canAct(alarm: Alarm, action: InboxAction): boolean {
  if (alarm.state === 'ended') return false;
  if (action === 'acknowledge') return alarm.state === 'active' || alarm.state === 'latched';
  if (action === 'audio-pause') return alarm.state === 'active' || alarm.state === 'latched';
  return !alarm.escalatedTo;
}

interface AlarmInboxProps {
  alarms: readonly Alarm[];
  selectedId: string | null;
  onSelect(id: string): void;
  onAction(alarm: Alarm, action: InboxAction): void;
  /** Why actions are unavailable now (cloud offline, edge view), or null. */
  readOnly: string | null;
  /** The last action's outcome, shown under the list. */
  status: { ok: boolean; text: string } | null;
  audioPauseS: number;
  /** Heading suffix, e.g. "from the edge gateway". */
  source?: string;
  /** In the edge fallback: ids of the alarms that come live from the edge (the others are the cloud's last known). */
  live?: ReadonlySet<string>;
}

function useSecondTicker(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return Math.max(now, active ? Date.now() : now);
}

const countdown = (s: number) => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;

export function AlarmInbox({ alarms, selectedId, onSelect, onAction, readOnly, status, audioPauseS, source, live }: AlarmInboxProps) {
  const anyPaused = alarms.some((a) => a.audioPausedUntil);
  const now = useSecondTicker(anyPaused);
  const button = (alarm: Alarm, action: InboxAction, label: string, key: string, testId: string) => (
    <button
      type="button"
      className={`inbox-action inbox-${action}`}
      data-testid={testId}
      disabled={readOnly !== null || !canAct(alarm, action)}
      onClick={(e) => {
        e.stopPropagation();
        onAction(alarm, action);
      }}
      title={readOnly ?? undefined}
    >
      {label} <kbd>{key}</kbd>
    </button>
  );
  return (
    <section className="alarm-panel" aria-labelledby="alarm-panel-title" data-testid="alarm-inbox">
      <h2 id="alarm-panel-title">
        Alarms <span className="alarm-count">{alarms.length}</span>
        {source && <span className="alarm-source">{source}</span>}
      </h2>
      <ol className="alarm-list" data-testid="alarm-list" role="listbox" aria-label="Open alarms, most urgent first">
        {alarms.map((alarm) => {
          const selected = alarm.id === selectedId;
          const left = pauseSecondsLeft(alarm, now);
          return (
            <li
              key={alarm.id}
              className={`alarm-row priority-${alarm.priority} state-${alarm.state}${selected ? ' is-selected' : ''}`}
              data-testid={`alarm-${alarm.id}`}
              data-priority={alarm.priority}
              data-state={alarm.state}
              data-bed={alarm.bedId}
              data-code={alarm.code}
              data-audio-paused={left !== null}
              data-escalated={Boolean(alarm.escalatedTo)}
              data-source={live ? (live.has(alarm.id) ? 'edge' : 'last-known') : 'cloud'}
              role="option"
              aria-selected={selected}
              onClick={() => onSelect(alarm.id)}
            >
              <span className="alarm-priority">{PRIORITY_LABEL[alarm.priority]}</span>
              <span className="alarm-bed">{alarm.bedId}</span>
              <time className="alarm-time" dateTime={new Date(alarm.raisedAt).toISOString()}>
                {formatClock(alarm.raisedAt)}
              </time>
              <span className="alarm-message">
                {alarm.kind === 'technical' && <span className="alarm-kind">TECH </span>}
                {alarm.kind === 'advisory' && <span className="alarm-kind">ADVISORY </span>}
                {alarm.message}
              </span>
              <span className="alarm-evidence">{evidenceText(alarm)}</span>
              <span className="alarm-flags">
                {live && (live.has(alarm.id) ? <span className="alarm-edge">EDGE LIVE</span> : <span className="alarm-lastknown">LAST KNOWN</span>)}
                {left !== null && (
                  <span className="alarm-paused" data-testid={`inbox-pause-${alarm.id}`} title="Audio paused; the visual signal stays">
                    AUDIO PAUSED {countdown(left)}
                  </span>
                )}
                {alarm.escalatedTo && <span className="alarm-escalated">ESCALATED → charge nurse</span>}
                {alarm.state !== 'active' && (
                  <span className="alarm-state">
                    {STATE_LABEL[alarm.state]}
                    {alarm.state === 'acknowledged' && alarm.acknowledgedBy ? ` by ${alarm.acknowledgedBy}` : ''}
                  </span>
                )}
              </span>
              {selected && (
                <span className="alarm-actions">
                  {button(alarm, 'acknowledge', 'Acknowledge', 'a', 'inbox-ack')}
                  {button(alarm, 'audio-pause', `Pause audio ${countdown(audioPauseS)}`, 'p', 'inbox-pause')}
                  {button(alarm, 'escalate', 'Escalate', 'e', 'inbox-escalate')}
                </span>
              )}
            </li>
          );
        })}
      </ol>
      {alarms.length === 0 && <p className="alarm-empty">No open alarms.</p>}
      {status && (
        <p className={`inbox-status${status.ok ? '' : ' is-error'}`} role={status.ok ? 'status' : 'alert'} data-testid="inbox-status">
          {status.text}
        </p>
      )}
      {readOnly && <p className="inbox-readonly">{readOnly}</p>}
      <p className="inbox-keys" data-testid="inbox-keys">
        Keys: <kbd>j</kbd>/<kbd>k</kbd> next/previous · <kbd>a</kbd> acknowledge · <kbd>p</kbd> pause audio ({countdown(audioPauseS)}) ·{' '}
        <kbd>e</kbd> escalate · <kbd>s</kbd> sound on/off
      </p>
    </section>
  );
}
