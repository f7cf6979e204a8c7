/**
 * Signal artifacts applied to one sample: motion (spikes and a 'motion' flag), stuck sensor (the last value repeated
 * exactly, unflagged), probe off and lead off (values absent, flagged). Applied in that order, so a detached probe
 * hides a stuck or moving one. An episode affects the samples taken at true time τ with onset ≤ τ < offset.
 */
import type { VitalCode } from '@vigil/contracts';
import { report, type Flags, type Numerics } from '../devices/measure.ts';
import type { Rng } from '../rng.ts';
import type { ArtifactEpisode, ArtifactType, Severity } from './library.ts';

/** The episodes active at a time that never goes back: the active set is recomputed only at episode boundaries. */
export class EpisodeTimeline {
  readonly #pending: ArtifactEpisode[];
  #active: ArtifactEpisode[] = [];
  #next = -Infinity;

  constructor(episodes: readonly ArtifactEpisode[]) {
    this.#pending = [...episodes].sort((a, b) => a.onset - b.onset);
  }

  active(t: number): readonly ArtifactEpisode[] {
    if (t < this.#next) return this.#active;
    this.#active = this.#active.filter((e) => e.offset === null || e.offset > t);
    while (this.#pending.length > 0 && this.#pending[0]!.onset <= t) {
      const e = this.#pending.shift()!;
      if (e.offset === null || e.offset > t) this.#active.push(e);
    }
    this.#next = this.#pending[0]?.onset ?? Infinity;
    for (const e of this.#active) if (e.offset !== null && e.offset < this.#next) this.#next = e.offset;
    return this.#active;
  }
}

export const find = (active: readonly ArtifactEpisode[], type: ArtifactType): ArtifactEpisode | undefined => {
  for (const e of active) if (e.type === type) return e;
  return undefined;
};

/** How hard a motion bout shakes the sensor, 0–1. */
export const MOTION_INTENSITY: Readonly<Record<Severity, number>> = { mild: 0.3, moderate: 0.6, severe: 1 };

export interface SignalArtifacts {
  /** Apply the active episodes to `vitals` in place; returns the device's channel flags, if any. */
  apply(active: readonly ArtifactEpisode[], vitals: Numerics): Flags | undefined;
}

export function createSignalArtifacts(rng: Rng): SignalArtifacts {
  const last: Numerics = {};
  const held = new Map<ArtifactEpisode, Numerics>();

  return {
    apply(active, vitals) {
      let flags: Flags | undefined;
      const flag = (code: VitalCode, f: Flags[VitalCode]) => ((flags ??= {})[code] = f);
      if (active.length > 0) {
        const motion = find(active, 'motion_artifact');
        if (motion) {
          const k = MOTION_INTENSITY[motion.severity];
          const spike = rng.next() < 0.3 + 0.5 * k; // drawn every sample, spike or not: a stable stream
          const hrJump = (rng.next() < 0.5 ? -1 : 1) * rng.uniform(10, 60) * k;
          const spo2Drop = rng.uniform(2, 20) * k;
          const moved = rng.uniform(0.2, 1.5) * (0.5 + k);
          for (const code of motion.affected) {
            const v = vitals[code];
            if (v === undefined) continue;
            if (code === 'activity') vitals.activity = report('activity', v + moved);
            else {
              if (spike && code === 'hr') vitals.hr = report('hr', v + hrJump);
              if (spike && code === 'spo2') vitals.spo2 = report('spo2', v - spo2Drop);
              flag(code, 'motion');
            }
          }
        }
        for (const e of active) {
          if (e.type !== 'stuck_sensor') continue;
          let values = held.get(e);
          if (!values) {
            values = {};
            for (const code of e.affected) values[code] = last[code] ?? vitals[code];
            held.set(e, values);
          }
          for (const code of e.affected) {
            const v = values[code];
            if (v === undefined || vitals[code] === undefined) continue;
            vitals[code] = v;
            if (flags) delete flags[code];
          }
        }
        for (const e of active) {
          if (e.type !== 'probe_off' && e.type !== 'lead_off') continue;
          for (const code of e.affected) {
            delete vitals[code];
            flag(code, e.type);
          }
        }
      }
      for (const code in vitals) last[code as VitalCode] = vitals[code as VitalCode];
      if (flags && Object.keys(flags).length === 0) flags = undefined;
      return flags;
    },
  };
}
