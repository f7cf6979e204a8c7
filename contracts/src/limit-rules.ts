/**
 * Limit rules with an alarm condition delay (IEC 60601-1-8): a condition exists once a vital has stayed beyond its
 * limit for `delayMs` of event time. Only values of good quality start or end a condition, so an artifact can
 * neither raise an alarm nor hide one. Late (backlog) samples never raise a new alarm.
 */
import { z } from 'zod';
import { AlarmPriority, type AlarmEvidence } from './alarm.ts';
import type { SampleQuality } from './uplink.ts';
import { VitalCode } from './vitals.ts';

/** One limit rule; shared by the edge's local alarms, the cloud's detectors and the replay lab's configurations. */
export const LimitRule = z
  .object({
    code: z.string().regex(/^[A-Z0-9_]{2,40}$/),
    /** Any of these vitals may carry the condition (e.g. invasive or non-invasive systolic pressure). */
    vitals: z.array(VitalCode).min(1),
    comparator: z.enum(['<', '>']),
    limit: z.number(),
    priority: AlarmPriority,
    /** Alarm condition delay, ms of event time (IEC 60601-1-8, disclosed). */
    delayMs: z.number().int().min(0).max(3_600_000),
    latching: z.boolean(),
    label: z.string().min(1).max(80),
  })
  .strict();
export type LimitRule = z.infer<typeof LimitRule>;

/**
 * Defaults, adult ward. Limits sit at the edge of the NEWS2 3-point bands (CLINICAL.md) so that a limit alarm means
 * a value a NEWS2 review would also flag. Delays: 10 s for rates and pressures; 15 s for SpO2, which cut low-SpO2
 * alarms by about 60 % in a published study (CLINICAL.md, "Alarm delays that reduce noise").
 */
export const DEFAULT_LIMIT_RULES: readonly LimitRule[] = [
  { code: 'HR_HIGH', vitals: ['hr'], comparator: '>', limit: 130, priority: 'medium', delayMs: 10_000, latching: false, label: 'Heart rate high' },
  { code: 'HR_LOW', vitals: ['hr'], comparator: '<', limit: 40, priority: 'high', delayMs: 5_000, latching: true, label: 'Heart rate low' },
  { code: 'SPO2_LOW', vitals: ['spo2'], comparator: '<', limit: 90, priority: 'high', delayMs: 15_000, latching: true, label: 'SpO\u2082 low' },
  { code: 'RR_HIGH', vitals: ['rr'], comparator: '>', limit: 24, priority: 'medium', delayMs: 10_000, latching: false, label: 'Respiratory rate high' },
  { code: 'RR_LOW', vitals: ['rr'], comparator: '<', limit: 8, priority: 'high', delayMs: 10_000, latching: true, label: 'Respiratory rate low' },
  { code: 'SBP_LOW', vitals: ['abpSys', 'nibpSys'], comparator: '<', limit: 90, priority: 'high', delayMs: 10_000, latching: true, label: 'Systolic pressure low' },
  { code: 'TEMP_HIGH', vitals: ['temp'], comparator: '>', limit: 39, priority: 'low', delayMs: 60_000, latching: false, label: 'Temperature high' },
];

/**
 * A patient's rules: the defaults with the patient's overrides merged in by code (an override replaces the default of
 * the same code, a new code adds a rule; order: defaults first, then additions). Used by the edge's critical limits
 * and the cloud's limit detector.
 */
export function mergeLimitRules(defaults: readonly LimitRule[], overrides: readonly LimitRule[] | undefined): readonly LimitRule[] {
  if (!overrides || overrides.length === 0) return defaults;
  const byCode = new Map(overrides.map((r) => [r.code, r]));
  const merged = defaults.map((r) => byCode.get(r.code) ?? r);
  const known = new Set(defaults.map((r) => r.code));
  return [...merged, ...overrides.filter((r) => !known.has(r.code))];
}

export type RuleEvent =
  | { type: 'raise'; rule: LimitRule; patientId: string; onsetAt: number; raisedAt: number; vital: VitalCode; value: number }
  | { type: 'clear'; rule: LimitRule; patientId: string; at: number; vital: VitalCode; value: number };

interface ConditionState {
  since: number | null;
  raised: boolean;
  lastT: number;
}

/** An engine's condition states, JSON-safe (checkpoints): key → [since, raised, lastT]. */
export type LimitRuleEngineState = Record<string, [number | null, boolean, number | null]>;

export interface RuleInput {
  patientId: string;
  t: number;
  late: boolean;
  vitals: Partial<Record<VitalCode, number>>;
  quality: Partial<Record<VitalCode, SampleQuality>>;
}

export class LimitRuleEngine {
  readonly rules: readonly LimitRule[];
  readonly #state = new Map<string, ConditionState>();

  constructor(rules: readonly LimitRule[] = DEFAULT_LIMIT_RULES) {
    this.rules = rules;
  }

  /** The condition states, for a checkpoint; `restore` brings them back (same decisions afterwards). */
  snapshot(): LimitRuleEngineState {
    const out: LimitRuleEngineState = {};
    for (const [key, s] of this.#state) out[key] = [s.since, s.raised, Number.isFinite(s.lastT) ? s.lastT : null];
    return out;
  }

  restore(state: LimitRuleEngineState): void {
    this.#state.clear();
    for (const [key, [since, raised, lastT]] of Object.entries(state)) this.#state.set(key, { since, raised, lastT: lastT ?? -Infinity });
  }

  /** True when some condition is pending or raised (the engine's state matters for a checkpoint). */
  get idle(): boolean {
    for (const s of this.#state.values()) if (s.since !== null || s.raised) return false;
    return true;
  }

  evaluate(input: RuleInput): RuleEvent[] {
    if (input.late) return [];
    const events: RuleEvent[] = [];
    for (const rule of this.rules) {
      const vital = rule.vitals.find((v) => input.vitals[v] !== undefined && (input.quality[v] ?? 'good') === 'good');
      if (vital === undefined) continue;
      const value = input.vitals[vital] as number;
      const key = `${input.patientId}\u0000${rule.code}`;
      let state = this.#state.get(key);
      if (!state) {
        state = { since: null, raised: false, lastT: -Infinity };
        this.#state.set(key, state);
      }
      if (input.t <= state.lastT) continue; // out of order: history only, never a transition
      state.lastT = input.t;
      const beyond = rule.comparator === '>' ? value > rule.limit : value < rule.limit;
      if (beyond) {
        state.since ??= input.t;
        if (!state.raised && input.t - state.since >= rule.delayMs) {
          state.raised = true;
          events.push({ type: 'raise', rule, patientId: input.patientId, onsetAt: state.since, raisedAt: input.t, vital, value });
        }
      } else {
        if (state.raised) events.push({ type: 'clear', rule, patientId: input.patientId, at: input.t, vital, value });
        state.since = null;
        state.raised = false;
      }
    }
    return events;
  }
}

/** What an alarm raised by a limit rule says and shows as evidence; the same words at the edge and in the cloud. */
export function describeRaise(event: Extract<RuleEvent, { type: 'raise' }>): { message: string; evidence: AlarmEvidence } {
  const { rule } = event;
  return {
    message: `${rule.label}: ${event.value} (limit ${rule.comparator} ${rule.limit})`,
    evidence: {
      vital: event.vital,
      value: event.value,
      limit: rule.limit,
      comparator: rule.comparator,
      windowStart: event.onsetAt,
      windowEnd: event.raisedAt,
      conditionDelayMs: rule.delayMs,
    },
  };
}
