/**
 * The clinical scenario library: one factory for every clinical ground-truth type (the numbers are in
 * definitions.ts). An episode changes the patient's state relative to their own baseline (offsets), or pulls a vital
 * to an absolute level (targets: an arrhythmia's rate, an opioid-depressed breathing rate), and carries the ground
 * truth of what it did and when.
 *
 * Time course: nothing before `onset`; each component rises along a smoothstep over its share of the onset→`peak`
 * ramp; full effect until the improvement begins; then a smoothstep back to zero. Secondary responses (fever →
 * tachycardia, hypoxaemia → tachypnoea, hypotension → baroreflex tachycardia) are not set here but follow from
 * physiology/couplings.ts, applied by the patient model after the episodes.
 */
import type { VitalCode } from '@vigil/contracts';
import type { TrueState } from '../model.ts';
import { applyCouplings, createCouplingContext, type CouplingContext } from '../physiology/couplings.ts';
import type { Rng } from '../rng.ts';
import {
  DETERIORATION_TYPES, drawSeverity, drawTiming, SCENARIOS, SEVERITY_SCALE,
  type ClinicalEventType, type ClinicalTruth, type DeteriorationType, type EpisodeTiming, type Severity, type Vital,
} from './definitions.ts';

export {
  DETERIORATION_TYPES, drawSeverity, drawTiming, SCENARIOS, SEVERITY_SCALE,
  type ClinicalEventType, type ClinicalTruth, type DeteriorationType, type EpisodeTiming, type ScenarioDefinition, type Severity,
} from './definitions.ts';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

/** A change at the peak at least this large (nominal patient, after couplings) puts the vital in `affected`. */
const AFFECTED_THRESHOLD: Record<Vital | 'map', number> = { hr: 6, rr: 3, spo2: 2, sbp: 8, dbp: 6, map: 6, temp: 0.5 };
const VITAL_CODES_OF: Record<Vital | 'map', readonly VitalCode[]> = {
  hr: ['hr'], rr: ['rr'], spo2: ['spo2'], temp: ['temp'],
  sbp: ['abpSys', 'nibpSys'], dbp: ['abpDia', 'nibpDia'], map: ['abpMean', 'nibpMean'],
};

const NOMINAL: Readonly<TrueState> = { hr: 75, spo2: 97.5, rr: 16, sbp: 125, dbp: 75, map: 275 / 3, temp: 36.8, activity: 0, breathPhase: 0 };

export type PeakDelta = Record<Vital | 'map', number>;

export interface ClinicalEpisode {
  readonly type: ClinicalEventType;
  /** The record asked for: the deterioration, or for type 'recovery' the recovery record. */
  readonly truth: ClinicalTruth;
  /** Every record of the episode in onset order: the deterioration, then its recovery when it recovers. */
  readonly truths: readonly ClinicalTruth[];
  /** Event time (ms) from which the episode no longer changes the state; Infinity when it lasts. */
  readonly end: number;
  /** Change at the peak on a nominal patient, couplings included (AF irregularity left out). */
  readonly nominalPeakDelta: Readonly<PeakDelta>;
  /** Change `state` in place for event time `t`; the model passes `ctx` so the episode can modify the couplings. */
  apply(t: number, state: TrueState, ctx?: CouplingContext): void;
}

export interface EpisodeOptions {
  /** Event time (ms) the deterioration begins (for 'recovery' too: the recovery record starts later). */
  onset: number;
  patientId: string;
  bedId: string;
  /** The episode's own stream (a fork per patient and episode). */
  rng: Rng;
  /** Drawn (35 % mild, 40 % moderate, 25 % severe) when omitted. */
  severity?: Severity;
  /** A deterioration that later recovers, with a 'recovery' record; always so for 'recovery'. */
  recovers?: boolean;
  /** The deterioration a 'recovery' episode recovers from; drawn when omitted. */
  of?: DeteriorationType;
  /** Phase durations; each one omitted is drawn from the type's ranges. */
  timing?: Partial<EpisodeTiming>;
}

function smoothstep(x: number): number {
  return x <= 0 ? 0 : x >= 1 ? 1 : x * x * (3 - 2 * x);
}

/** Hash of an integer to [-1, 1): cheap, stateless noise for the irregular rhythm, independent of call cadence. */
function hashUnit(seed: number, k: number): number {
  let h = Math.imul(seed ^ k, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2147483648 - 1;
}

/** Knot spacing of the irregular-rhythm noise: about one beat at 150 /min. */
const BEAT_MS = 400;

const fmt = (x: number, digits = 0): string => (x >= 0 ? '+' : '') + x.toFixed(digits);
function duration(ms: number): string {
  return ms >= H ? `${(ms / H).toFixed(1)} h` : ms >= MIN ? `${(ms / MIN).toFixed(1)} min` : `${(ms / S).toFixed(0)} s`;
}

export function createClinicalEpisode(type: ClinicalEventType, options: EpisodeOptions): ClinicalEpisode {
  const { rng } = options;
  // Draw everything in a fixed order, given or not, so one option never shifts the draws of the others.
  const drawnSeverity = drawSeverity(rng);
  const drawnOf = DETERIORATION_TYPES[Math.floor(rng.next() * DETERIORATION_TYPES.length)] ?? 'fever';
  const base: DeteriorationType = type === 'recovery' ? (options.of ?? drawnOf) : type;
  const severity = options.severity ?? drawnSeverity;
  const drawn = drawTiming(base, rng);
  const timing: EpisodeTiming = {
    rampMs: Math.max(0, Math.round(options.timing?.rampMs ?? drawn.rampMs)),
    holdMs: Math.max(0, Math.round(options.timing?.holdMs ?? drawn.holdMs)),
    recoveryMs: Math.max(0, Math.round(options.timing?.recoveryMs ?? drawn.recoveryMs)),
  };
  const recovers = type === 'recovery' || options.recovers === true;
  const def = SCENARIOS[base];
  const scale = SEVERITY_SCALE[severity] * rng.uniform(0.85, 1.15);

  // Compiled components: parallel arrays, read in the hot path.
  const n = def.components.length;
  const vitals: Vital[] = [];
  const amounts = new Float64Array(n);
  const isTarget = new Uint8Array(n);
  const from = new Float64Array(n);
  const span = new Float64Array(n);
  def.components.forEach((c, i) => {
    vitals.push(c.vital);
    if (c.target) {
      const [lo, hi] = c.target[severity];
      amounts[i] = rng.uniform(lo, hi);
      isTarget[i] = 1;
    } else {
      amounts[i] = (c.offset ?? 0) * scale;
    }
    const [a, b] = c.during ?? [0, 1];
    from[i] = a;
    span[i] = b - a;
  });
  const noiseSeed = Math.floor(rng.next() * 4294967296) | 0;
  const irregular = def.irregular ?? 0;
  const modChemo = def.context?.chemoreflex ?? 1;
  const modChrono = def.context?.chronotropy ?? 1;
  const modRsa = def.context?.rsa ?? 1;

  const onset = Math.round(options.onset);
  const peak = onset + timing.rampMs;
  const improves = recovers ? peak + timing.holdMs : Infinity;
  const end = recovers ? improves + timing.recoveryMs : Infinity;
  const ramp = timing.rampMs;
  const recoveryMs = timing.recoveryMs;

  function effect(t: number, state: TrueState, ctx: CouplingContext | undefined, noise: boolean): void {
    if (t < onset || t >= end) return;
    const r = t > improves ? 1 - smoothstep((t - improves) / recoveryMs) : 1;
    const u = ramp > 0 ? (t - onset) / ramp : 1;
    for (let i = 0; i < n; i++) {
      const f = smoothstep((u - from[i]!) / span[i]!) * r;
      if (f <= 0) continue;
      const v = vitals[i]!;
      state[v] += isTarget[i] ? (amounts[i]! - state[v]) * f : amounts[i]! * f;
    }
    const overall = smoothstep(u) * r;
    if (ctx) {
      ctx.chemoreflex *= 1 + (modChemo - 1) * overall;
      ctx.chronotropy *= 1 + (modChrono - 1) * overall;
      ctx.rsa *= 1 + (modRsa - 1) * overall;
    }
    if (irregular > 0 && noise) {
      const x = (t - onset) / BEAT_MS;
      const k = Math.floor(x);
      const w = smoothstep(x - k);
      const z = hashUnit(noiseSeed, k | 0) * (1 - w) + hashUnit(noiseSeed, (k + 1) | 0) * w;
      state.hr *= 1 + irregular * overall * z;
    }
  }

  // Expected response on a nominal patient, couplings included: documents the episode and decides `affected`.
  const after: TrueState = { ...NOMINAL };
  const ctx = createCouplingContext();
  effect(peak, after, ctx, false);
  applyCouplings(after, NOMINAL, ctx);
  after.map = after.dbp + (after.sbp - after.dbp) / 3;
  const keys: Array<Vital | 'map'> = ['hr', 'rr', 'spo2', 'sbp', 'dbp', 'map', 'temp'];
  const nominalPeakDelta = Object.fromEntries(keys.map((k) => [k, after[k] - NOMINAL[k]])) as PeakDelta;
  const changed = keys.filter((k) => Math.abs(nominalPeakDelta[k]) >= AFFECTED_THRESHOLD[k]);
  const affected = changed.flatMap((k) => VITAL_CODES_OF[k]);

  const d = nominalPeakDelta;
  const parts: string[] = [];
  const target = (v: Vital) => def.components.findIndex((c) => c.vital === v && c.target);
  if (target('hr') >= 0) parts.push(`HR to ${amounts[target('hr')]!.toFixed(0)} /min${irregular ? ', irregular' : ''}`);
  else if (changed.includes('hr')) parts.push(`HR ${fmt(d.hr)} /min`);
  if (target('rr') >= 0) parts.push(`RR to ${amounts[target('rr')]!.toFixed(1)} /min`);
  else if (changed.includes('rr')) parts.push(`RR ${fmt(d.rr)} /min`);
  if (changed.includes('spo2')) parts.push(`SpO2 ${fmt(d.spo2)} %`);
  if (changed.includes('sbp')) parts.push(`SBP ${fmt(d.sbp)} mmHg`);
  if (changed.includes('map')) parts.push(`MAP ${fmt(d.map)} mmHg`);
  if (changed.includes('temp')) parts.push(`T ${fmt(d.temp, 1)} °C`);
  const effectText = `${parts.join(', ')} at peak (nominal patient)`;

  const deterioration: ClinicalTruth = {
    category: 'clinical',
    type: base,
    patientId: options.patientId,
    bedId: options.bedId,
    onset,
    peak,
    offset: recovers ? improves : null,
    severity,
    affected,
    detail: `${def.label}, ${severity}: ${effectText}; onset to peak ${duration(ramp)}`.slice(0, 300),
  };
  const truths: ClinicalTruth[] = [deterioration];
  if (recovers) {
    truths.push({
      category: 'clinical',
      type: 'recovery',
      patientId: options.patientId,
      bedId: options.bedId,
      onset: improves,
      peak: end,
      offset: end,
      severity,
      affected,
      detail: `recovery from ${def.label} (${severity}), back to baseline over ${duration(recoveryMs)}`.slice(0, 300),
    });
  }

  return {
    type,
    truth: type === 'recovery' ? truths[1]! : deterioration,
    truths,
    end,
    nominalPeakDelta,
    apply: (t, state, ctx) => effect(t, state, ctx, true),
  };
}
