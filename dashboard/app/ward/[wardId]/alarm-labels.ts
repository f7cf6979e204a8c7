/** How alarms are named on screen: priority as text and icon as well as colour (IEC 60601-1-8: never colour alone). */
import { VITALS, formatVital, type Alarm, type AlarmPriority, type AlarmState } from '@vigil/contracts';

export const PRIORITY_LABEL: Readonly<Record<AlarmPriority, string>> = { high: '!!! HIGH', medium: '!! MED', low: '! LOW' };

export const STATE_LABEL: Readonly<Record<AlarmState, string>> = {
  active: 'ACTIVE',
  latched: 'LATCHED',
  acknowledged: 'ACK',
  ended: 'ENDED',
};

/** Acknowledged alarms stay listed but stop flashing: acknowledgement silences until the condition ends. */
export function isFlashing(alarm: Alarm): boolean {
  return alarm.state === 'active' || alarm.state === 'latched';
}

/** "142 bpm (limit > 130)" from the alarm's evidence, or its detail text for technical alarms. */
export function evidenceText(alarm: Alarm): string {
  const { vital, value, limit, comparator, detail } = alarm.evidence;
  const fmt = (n: number) => (vital ? formatVital(vital, n) : String(n));
  const parts: string[] = [];
  if (value !== undefined) parts.push(fmt(value));
  if (limit !== undefined) parts.push(`(limit ${comparator ? `${comparator} ` : ''}${fmt(limit)})`);
  if (parts.length === 0 && detail) parts.push(detail);
  if (parts.length > 0 && vital && value === undefined) parts.unshift(VITALS[vital].shortLabel);
  return parts.join(' ');
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** Local wall-clock HH:MM:SS of an event time. */
export function formatClock(t: number): string {
  return clock.format(new Date(t));
}
