/**
 * How the patient view names alarms: priority as text and icon as well as colour (IEC 60601-1-8: never colour alone),
 * state in words, and the evidence in units. Same wording as the ward overview.
 */
import { VITALS, formatVital, type Alarm, type AlarmPriority, type AlarmState } from '@vigil/contracts';

export const PRIORITY_TEXT: Readonly<Record<AlarmPriority, string>> = { high: '!!! HIGH', medium: '!! MED', low: '! LOW' };

export const STATE_TEXT: Readonly<Record<AlarmState, string>> = { active: 'ACTIVE', latched: 'LATCHED', acknowledged: 'ACK', ended: 'ENDED' };

export const KIND_TEXT: Readonly<Record<Alarm['kind'], string>> = { physiological: 'physiological', technical: 'technical', advisory: 'ML advisory' };

/** Active and latched alarms flash; an acknowledged one is silenced until its condition ends. */
export function isFlashing(alarm: Alarm): boolean {
  return alarm.state === 'active' || alarm.state === 'latched';
}

/** "142 bpm (limit > 130)" for a limit alarm, the detail for others; ML alarms are explained separately. */
export function evidenceText(alarm: Alarm): string {
  const { vital, value, limit, comparator, detail, contributions } = alarm.evidence;
  if (contributions) return '';
  const fmt = (n: number) => (vital ? formatVital(vital, n) : String(n));
  const parts: string[] = [];
  if (vital && value !== undefined) parts.push(`${VITALS[vital].shortLabel} ${fmt(value)}`);
  else if (value !== undefined) parts.push(fmt(value));
  if (limit !== undefined) parts.push(`(limit ${comparator ? `${comparator} ` : ''}${fmt(limit)})`);
  if (parts.length === 0 && detail) parts.push(detail);
  return parts.join(' ');
}
