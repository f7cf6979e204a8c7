/**
 * Audible alarm signals by priority, after IEC 60601-1-8 (Table 3 and Table 4: burst patterns and pulse timing), and
 * which alarm should be sounding at all. Pure: the WebAudio player (use-alarm-sound.ts) only plays what this says.
 *
 * Patterns (IEC 60601-1-8, "x" a pulse): high priority a burst of 10 pulses, x-x-x--x-x, a pause, x-x-x--x-x;
 * medium priority 3 pulses, x-x-x; low priority 1–2 pulses (we use 2). Pulse duration 75–200 ms for high and 125–250
 * ms for medium and low priority; spacing between pulses 50–125 ms (high) and 125–250 ms (medium, low). Bursts
 * repeat every 2.5–15 s (high), 2.5–30 s (medium), and low priority may repeat after more than 15 s or not at all.
 * Fundamental 150–1000 Hz with harmonics: a square wave gives them.
 */
import { PRIORITY_RANK, type Alarm, type AlarmPriority } from '@vigil/contracts';

export interface TonePattern {
  /** Pulse start offsets within the burst and their length, ms. */
  pulses: ReadonlyArray<{ at: number; ms: number }>;
  /** Burst start to next burst start, ms. */
  repeatMs: number;
  /** Fundamental frequency, Hz. */
  hz: number;
}

function pulses(durationMs: number, gapsMs: readonly number[]): Array<{ at: number; ms: number }> {
  const out = [{ at: 0, ms: durationMs }];
  let at = 0;
  for (const gap of gapsMs) {
    at += durationMs + gap;
    out.push({ at, ms: durationMs });
  }
  return out;
}

const HIGH_PULSE_MS = 150; // 75–200 ms
const HIGH_GAP_MS = 100; // 50–125 ms between pulses; the "--" of x-x-x--x-x is 3 spacings
const HIGH_HALF_PAUSE_MS = 700; // the pause between the two halves of the 10-pulse burst (0.35–1.3 s)
const half = [HIGH_GAP_MS, HIGH_GAP_MS, 3 * HIGH_GAP_MS, HIGH_GAP_MS];

export const TONE_PATTERNS: Readonly<Record<AlarmPriority, TonePattern>> = {
  high: {
    pulses: pulses(HIGH_PULSE_MS, [...half, HIGH_HALF_PAUSE_MS, ...half]),
    repeatMs: 5_000, // within 2.5–15 s
    hz: 880,
  },
  medium: { pulses: pulses(200, [175, 175]), repeatMs: 10_000, hz: 660 }, // 125–250 ms pulses, repeat within 2.5–30 s
  low: { pulses: pulses(200, [200]), repeatMs: 30_000, hz: 520 }, // 2 pulses, repeat after more than 15 s
};

/**
 * An alarm is audible while its condition is signalling (active, or latched after it ended) unless someone
 * acknowledged it or paused its audio and that pause has not run out by `now` (browser clock; the cloud also ends the
 * pause with an `audio-resume`, but a lost message must not keep the ward silent).
 */
export function isAudible(alarm: Alarm, now: number): boolean {
  if (alarm.state !== 'active' && alarm.state !== 'latched') return false;
  const paused = alarm.audioPausedUntil ?? null;
  return paused === null || paused <= now;
}

/** The priority to sound: the highest among audible alarms (IEC: one signal, the most urgent condition), or null. */
export function soundingPriority(alarms: Iterable<Alarm>, now: number): AlarmPriority | null {
  let best: AlarmPriority | null = null;
  for (const alarm of alarms) {
    if (!isAudible(alarm, now)) continue;
    if (best === null || PRIORITY_RANK[alarm.priority] > PRIORITY_RANK[best]) best = alarm.priority;
  }
  return best;
}

/** Seconds of audio pause left (rounded up), or null when the alarm's audio is not paused at `now`. */
export function pauseSecondsLeft(alarm: Alarm, now: number): number | null {
  const until = alarm.audioPausedUntil ?? null;
  if (until === null || until <= now) return null;
  return Math.ceil((until - now) / 1000);
}

/** The earliest moment an audio pause among these alarms runs out (to re-evaluate then), or null. */
export function nextPauseExpiry(alarms: Iterable<Alarm>, now: number): number | null {
  let next: number | null = null;
  for (const alarm of alarms) {
    const until = alarm.audioPausedUntil ?? null;
    if (until !== null && until > now && (next === null || until < next)) next = until;
  }
  return next;
}
