/**
 * Which patient gets which episode, and when: a scenario mix ("sepsis:0.1,hypoxaemia:0.05,stable:0.85") applied
 * to a cohort, or an explicit spec per bed ("sepsis@2h+6h/severe", the old "tachycardia@20s+30s" still parses).
 */
import { CLINICAL_EVENT_TYPES, PmError, type SessionPatient } from '@vigil/contracts';
import type { Rng } from '../rng.ts';
import {
  createClinicalEpisode, drawSeverity, drawTiming, DETERIORATION_TYPES,
  type ClinicalEpisode, type ClinicalEventType, type EpisodeTiming, type Severity,
} from './library.ts';

/** Names of the walking-skeleton scenarios, mapped to their library type. */
export const SCENARIO_ALIASES: Readonly<Record<string, ClinicalEventType>> = {
  tachycardia: 'tachyarrhythmia',
  hypotension: 'haemorrhage',
};

export interface MixEntry {
  type: ClinicalEventType;
  /** Share of the patients, 0–1. */
  fraction: number;
}
/** The episodes of a mix; patients not covered by it are stable. */
export type ScenarioMix = readonly MixEntry[];

function scenarioType(name: string, what: string): ClinicalEventType | 'stable' {
  if (name === 'stable') return 'stable';
  const type = SCENARIO_ALIASES[name] ?? name;
  if (!(CLINICAL_EVENT_TYPES as readonly string[]).includes(type)) {
    throw new PmError('PM_ERR_CONFIG_INVALID', `${what}: unknown scenario ${JSON.stringify(name)}, expected stable, ${CLINICAL_EVENT_TYPES.join(', ')}`);
  }
  return type as ClinicalEventType;
}

/** Parse "type:fraction,…". Fractions are 0–1 and sum to at most 1 (stable included); the rest is stable. */
export function parseScenarioMix(text: string): ScenarioMix {
  const what = `scenario mix ${JSON.stringify(text)}`;
  const mix: MixEntry[] = [];
  const seen = new Set<string>();
  let total = 0;
  for (const item of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const match = /^([a-z_]+):(\d+(?:\.\d+)?|\.\d+)$/.exec(item);
    if (!match) throw new PmError('PM_ERR_CONFIG_INVALID', `${what}: expected <type>:<fraction>, got ${JSON.stringify(item)}`);
    const type = scenarioType(match[1]!, what);
    const fraction = Number(match[2]);
    if (fraction > 1) throw new PmError('PM_ERR_CONFIG_INVALID', `${what}: fraction ${fraction} of ${type} is over 1`);
    if (seen.has(type)) throw new PmError('PM_ERR_CONFIG_INVALID', `${what}: ${type} given twice`);
    seen.add(type);
    total += fraction;
    if (type !== 'stable' && fraction > 0) mix.push({ type, fraction });
  }
  if (total > 1 + 1e-9) throw new PmError('PM_ERR_CONFIG_INVALID', `${what}: fractions sum to ${+total.toFixed(6)}, over 1`);
  return mix;
}

export interface ScenarioWindow {
  /** Event-time span of the session, ms. */
  start: number;
  end: number;
}

/**
 * Patients per type by largest remainder (Hamilton), stable counted as one more type: counts as close to
 * fraction × n as integers allow, ties to the type named first (stable last).
 */
function apportion(mix: ScenarioMix, n: number): number[] {
  const quotas = mix.map((m) => m.fraction * n);
  quotas.push(Math.max(0, n - quotas.reduce((a, q) => a + q, 0)));
  const counts = quotas.map((q) => Math.floor(q + 1e-9));
  let left = n - counts.reduce((a, c) => a + c, 0);
  const byRemainder = quotas.map((q, i) => ({ i, rem: q - counts[i]! })).sort((a, b) => b.rem - a.rem || a.i - b.i);
  for (const { i } of byRemainder) {
    if (left-- <= 0) break;
    counts[i]!++;
  }
  return counts.slice(0, mix.length);
}

/** Baseline kept before any onset, and room kept after a peak, so detectors see normal data first and react after. */
function margins(spanMs: number): { lead: number; tail: number } {
  return { lead: Math.min(30 * 60_000, 0.1 * spanMs), tail: Math.min(10 * 60_000, 0.05 * spanMs) };
}

/** Time from onset until the last record's peak (for recovering episodes, back at baseline). */
function episodeSpan(timing: EpisodeTiming, recovers: boolean): number {
  return timing.rampMs + (recovers ? timing.holdMs + timing.recoveryMs : 0);
}

/**
 * Assign the mix to the patients: exact counts per type (apportion), patients shuffled by `rng`, one episode each,
 * onset uniform in the window that lets the episode reach its peak (for 'recovery', baseline again) before
 * `end`. When the session is too short for a type's durations, they are compressed to fit. Each patient's episode
 * draws from `rng.fork('episode:<patientId>')`. Returns every patient's episodes (none for stable patients).
 */
export function assignScenarios(
  mix: ScenarioMix,
  patients: readonly SessionPatient[],
  rng: Rng,
  window: ScenarioWindow,
): Map<string, ClinicalEpisode[]> {
  const out = new Map<string, ClinicalEpisode[]>(patients.map((p) => [p.patientId, []]));
  const counts = apportion(mix, patients.length);
  const order = patients.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const { lead, tail } = margins(window.end - window.start);
  const room = Math.max(0, window.end - window.start - lead - tail);
  let next = 0;
  mix.forEach((entry, m) => {
    for (let k = 0; k < counts[m]!; k++) {
      const patient = patients[order[next++]!]!;
      const erng = rng.fork(`episode:${patient.patientId}`);
      const recovers = entry.type === 'recovery';
      const severity = drawSeverity(erng);
      const of = DETERIORATION_TYPES[Math.floor(erng.next() * DETERIORATION_TYPES.length)]!;
      let timing = drawTiming(entry.type === 'recovery' ? of : entry.type, erng);
      const span = episodeSpan(timing, recovers);
      let onset: number;
      if (span <= room) {
        onset = window.start + lead + erng.next() * (room - span);
      } else {
        const f = room / span;
        timing = { rampMs: timing.rampMs * f, holdMs: timing.holdMs * f, recoveryMs: timing.recoveryMs * f };
        onset = window.start + lead;
      }
      out.get(patient.patientId)!.push(
        createClinicalEpisode(entry.type, {
          onset: Math.floor(onset), patientId: patient.patientId, bedId: patient.bedId, rng: erng, severity, of, timing,
        }),
      );
    }
  });
  return out;
}

/** An explicit episode for one bed. */
export interface EpisodeSpec {
  type: ClinicalEventType | 'stable';
  /** Onset, ms after the session start. */
  onsetMs: number;
  /** Onset → peak, ms; the type's drawn duration when omitted. */
  rampMs?: number;
  severity?: Severity;
}

/** Parse "type[@onset][+ramp][/severity]", durations in s, m or h: "sepsis@2h+6h/severe", "tachycardia@20s+30s". */
export function parseEpisodeSpec(text: string): EpisodeSpec {
  const match = /^([a-z_]+)(?:@(\d+(?:\.\d+)?)(s|m|h))?(?:\+(\d+(?:\.\d+)?)(s|m|h))?(?:\/(mild|moderate|severe))?$/.exec(text);
  const what = `scenario ${JSON.stringify(text)}`;
  if (!match) {
    throw new PmError('PM_ERR_CONFIG_INVALID', `${what}: expected <type>[@<onset>s|m|h][+<ramp>s|m|h][/mild|moderate|severe]`);
  }
  const unit = { s: 1000, m: 60_000, h: 3_600_000 } as const;
  const ms = (value: string | undefined, u: string | undefined) =>
    value === undefined ? undefined : Math.round(Number(value) * unit[(u ?? 's') as keyof typeof unit]);
  const spec: EpisodeSpec = { type: scenarioType(match[1]!, what), onsetMs: ms(match[2], match[3]) ?? 0 };
  const rampMs = ms(match[4], match[5]);
  if (rampMs !== undefined) spec.rampMs = rampMs;
  if (match[6]) spec.severity = match[6] as Severity;
  return spec;
}

/** The episode of an explicit spec (null for stable); lasting unless the type is 'recovery'. */
export function createEpisodeFromSpec(
  spec: EpisodeSpec,
  options: { start: number; patientId: string; bedId: string; rng: Rng },
): ClinicalEpisode | null {
  if (spec.type === 'stable') return null;
  return createClinicalEpisode(spec.type, {
    onset: options.start + spec.onsetMs,
    patientId: options.patientId,
    bedId: options.bedId,
    rng: options.rng,
    ...(spec.severity ? { severity: spec.severity } : {}),
    ...(spec.rampMs !== undefined ? { timing: { rampMs: spec.rampMs } } : {}),
  });
}
