/**
 * Clinical scenarios: time-bounded changes to a patient's physiology, each with ground truth (what, when, how
 * severe). The walking skeleton carries the acute tachycardia used by the demo; the library grows from here.
 */
import type { TrueVitals } from './physiology.ts';

export const SCENARIO_TYPES = ['stable', 'tachycardia', 'hypoxaemia', 'hypotension'] as const;
export type ScenarioType = (typeof SCENARIO_TYPES)[number];

export interface ScenarioSpec {
  type: ScenarioType;
  /** Onset, ms after the simulation start. */
  onsetMs: number;
  /** Time from onset to full effect, ms. */
  rampMs: number;
}

export interface GroundTruthEpisode {
  type: ScenarioType;
  onset: number;
  /** Event time at which the full effect is reached. */
  peak: number;
  offset: number | null;
  severity: 'mild' | 'moderate' | 'severe';
  affected: Array<keyof TrueVitals>;
}

export interface ScenarioEffect {
  readonly episode: GroundTruthEpisode;
  apply(t: number, vitals: TrueVitals): void;
}

/** Full-effect offsets; each coupling follows the physiology (hypotension → reflex tachycardia, etc.). */
const FULL_EFFECT: Record<Exclude<ScenarioType, 'stable'>, { delta: Partial<TrueVitals>; severity: GroundTruthEpisode['severity'] }> = {
  tachycardia: { delta: { hr: 72 }, severity: 'severe' },
  hypoxaemia: { delta: { spo2: -14, rr: 10, hr: 18 }, severity: 'severe' },
  hypotension: { delta: { sbp: -45, dbp: -25, hr: 30 }, severity: 'severe' },
};

export function createScenarioEffect(spec: ScenarioSpec, startTime: number): ScenarioEffect | null {
  if (spec.type === 'stable') return null;
  const full = FULL_EFFECT[spec.type];
  const onset = startTime + spec.onsetMs;
  const peak = onset + Math.max(0, spec.rampMs);
  const episode: GroundTruthEpisode = {
    type: spec.type,
    onset,
    peak,
    offset: null,
    severity: full.severity,
    affected: Object.keys(full.delta) as Array<keyof TrueVitals>,
  };
  return {
    episode,
    apply(t, vitals) {
      if (t < onset) return;
      const progress = peak === onset ? 1 : Math.min(1, (t - onset) / (peak - onset));
      for (const [key, delta] of Object.entries(full.delta) as Array<[keyof TrueVitals, number]>) {
        vitals[key] += delta * progress;
      }
    },
  };
}

/** Parse "tachycardia@10s+20s" (type @ onset + ramp); durations in s or m. */
export function parseScenario(text: string): ScenarioSpec {
  const match = /^([a-z]+)(?:@(\d+(?:\.\d+)?)(s|m))?(?:\+(\d+(?:\.\d+)?)(s|m))?$/.exec(text);
  if (!match || !(SCENARIO_TYPES as readonly string[]).includes(match[1] ?? '')) {
    throw new Error(`invalid scenario ${JSON.stringify(text)}: expected <type>[@<onset>s|m][+<ramp>s|m], type one of ${SCENARIO_TYPES.join(', ')}`);
  }
  const ms = (value: string | undefined, unit: string | undefined, fallback: number) =>
    value === undefined ? fallback : Number(value) * (unit === 'm' ? 60_000 : 1000);
  return { type: match[1] as ScenarioType, onsetMs: ms(match[2], match[3], 0), rampMs: ms(match[4], match[5], 60_000) };
}
