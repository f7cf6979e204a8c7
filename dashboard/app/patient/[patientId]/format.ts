/** Times and values as the patient view prints them (local wall clock; event times from the data). */
import { VITALS, formatVital, type VitalCode } from '@vigil/contracts';

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const dayClock = new Intl.DateTimeFormat(undefined, { day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** HH:MM:SS. */
export function formatClock(t: number): string {
  return clock.format(new Date(t));
}

/** "10:02:00–10:07:00", or with the day when the window crosses midnight. */
export function formatWindow(start: number, end: number): string {
  const sameDay = new Date(start).toDateString() === new Date(end).toDateString();
  return sameDay ? `${formatClock(start)}\u2013${formatClock(end)}` : `${dayClock.format(new Date(start))}\u2013${dayClock.format(new Date(end))}`;
}

/** "72" (no unit) with the catalogue's decimals, or "--" for nothing. */
export function formatValue(code: VitalCode, value: number | null | undefined): string {
  return value === null || value === undefined ? '--' : formatVital(code, value, false);
}

export function unitOf(code: VitalCode): string {
  return VITALS[code].displayUnit;
}

/** "3 min ago"-style age of a value, from the reference time. */
export function formatAge(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.round(ms / 1000))} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}
