'use client';
/**
 * The central station's audible alarm signal (WebAudio). Silent until the user enables sound with a button: browsers
 * refuse to start audio without a user gesture, and a screen that beeps on its own in the wrong room helps nobody.
 * Plays the pattern of the highest audible priority (alarm-tones.ts), re-decided whenever the alarms change and when
 * an audio pause runs out.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Alarm, AlarmPriority } from '@vigil/contracts';
import { TONE_PATTERNS, nextPauseExpiry, soundingPriority } from './alarm-tones.ts';

export type SoundState = 'off' | 'on' | 'unavailable';

export interface AlarmSound {
  state: SoundState;
  /** What is sounding now (also when sound is off: what would sound), for the screen and the tests. */
  sounding: AlarmPriority | null;
  /** Bursts played since sound was enabled. */
  bursts: number;
  enable(): void;
  disable(): void;
}

const GAIN = 0.25; // loud enough over a ward's noise from a desktop speaker without clipping the square wave
const RAMP_S = 0.01; // 10 ms attack and release: no clicks at the pulse edges

function playBurst(ctx: AudioContext, priority: AlarmPriority): void {
  const { pulses, hz } = TONE_PATTERNS[priority];
  const start = ctx.currentTime + 0.02;
  for (const pulse of pulses) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = hz;
    const t0 = start + pulse.at / 1000;
    const t1 = t0 + pulse.ms / 1000;
    gain.gain.setValueAtTime(0, t0);
    gain.gain.linearRampToValueAtTime(GAIN, t0 + RAMP_S);
    gain.gain.setValueAtTime(GAIN, t1 - RAMP_S);
    gain.gain.linearRampToValueAtTime(0, t1);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0);
    osc.stop(t1 + 0.01);
  }
}

export function useAlarmSound(alarms: readonly Alarm[]): AlarmSound {
  const [state, setState] = useState<SoundState>('off');
  const [bursts, setBursts] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const ctxRef = useRef<AudioContext | null>(null);

  // Re-decide when the earliest audio pause runs out, even if the cloud's audio-resume has not arrived yet.
  useEffect(() => {
    const expiry = nextPauseExpiry(alarms, Date.now());
    if (expiry === null) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.max(0, expiry - Date.now()) + 50);
    return () => clearTimeout(timer);
  }, [alarms, now]);

  const sounding = soundingPriority(alarms, Math.max(now, Date.now()));

  useEffect(() => {
    const ctx = ctxRef.current;
    if (state !== 'on' || sounding === null || !ctx) return;
    const burst = () => {
      playBurst(ctx, sounding);
      setBursts((n) => n + 1);
    };
    burst();
    const timer = setInterval(burst, TONE_PATTERNS[sounding].repeatMs);
    return () => clearInterval(timer);
  }, [state, sounding]);

  const enable = useCallback(() => {
    try {
      ctxRef.current ??= new AudioContext();
      void ctxRef.current.resume();
      setState('on');
    } catch {
      setState('unavailable');
    }
  }, []);
  const disable = useCallback(() => {
    void ctxRef.current?.suspend();
    setState('off');
  }, []);

  useEffect(
    () => () => {
      void ctxRef.current?.close();
      ctxRef.current = null;
    },
    [],
  );

  return { state, sounding, bursts, enable, disable };
}
