/** The alarm sound switch: off until the user turns it on (browsers allow audio only after a user gesture). */
import type { AlarmSound } from './use-alarm-sound.ts';

const SOUNDING_TEXT = { high: 'high', medium: 'medium', low: 'low' } as const;

export function SoundToggle({ sound }: { sound: AlarmSound }) {
  const on = sound.state === 'on';
  const label =
    sound.state === 'unavailable' ? 'Sound unavailable in this browser' : on ? 'Sound on' : 'Enable alarm sound';
  return (
    <button
      type="button"
      className={`sound-toggle sound-${sound.state}${sound.sounding ? ` sounding-${sound.sounding}` : ''}`}
      data-testid="sound-toggle"
      data-state={sound.state}
      data-sounding={sound.sounding ?? 'none'}
      data-bursts={sound.bursts}
      aria-pressed={on}
      disabled={sound.state === 'unavailable'}
      onClick={() => (on ? sound.disable() : sound.enable())}
      title="Alarm tones by priority (IEC 60601-1-8 patterns); key s"
    >
      {label}
      {sound.sounding && <span className="sound-now"> · {on ? 'sounding' : 'would sound'}: {SOUNDING_TEXT[sound.sounding]}</span>}
    </button>
  );
}
