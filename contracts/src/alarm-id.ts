import { createHash } from 'node:crypto';

/**
 * Alarm ids are derived from what the alarm is about (patient, condition code, onset in event time), never from a
 * counter or the wall clock, so a replay or a recovery after a crash produces the same ids.
 */
export function alarmId(patientId: string, code: string, onsetAt: number): string {
  return `al-${createHash('sha256').update(`${patientId}|${code}|${onsetAt}`).digest('hex').slice(0, 20)}`;
}
