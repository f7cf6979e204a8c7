/**
 * Per-patient critical limits, evaluated at the edge so that they keep working with the cloud unreachable
 * (ARCHITECTURE.md, "Edge autonomy"). Each patient has its own LimitRuleEngine: event-time condition delays, only
 * good-quality values start or end a condition, late (backlog) samples never raise.
 *
 * Defaults: the high-priority rules of DEFAULT_LIMIT_RULES (HR_LOW, SPO2_LOW, RR_LOW, SBP_LOW), the ones that must
 * not wait for the cloud. Medium and low rules (tachycardia, fever…) stay in the cloud, which sees the trend too.
 *
 * Overrides (a clinical engineer tunes limits per patient) merge by rule code: a patient's rule replaces the
 * default of the same code, a new code adds a rule. A default cannot be removed for a patient: at the edge a
 * critical limit can be moved, never switched off.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_LIMIT_RULES, LimitRule, LimitRuleEngine, mergeLimitRules, PatientId, PmError, type RuleEvent, type RuleInput } from '@vigil/contracts';

/** The edge's default set: the critical (high-priority) rules. */
export const EDGE_CRITICAL_RULES: readonly LimitRule[] = DEFAULT_LIMIT_RULES.filter((r) => r.priority === 'high');

/**
 * The per-patient limits file: `{ "patients": { "<patientId>": [LimitRule, …] } }`. Strict at every level, so a
 * misspelt field ("delay" for "delayMs") is an error at start, never a silently ignored setting.
 */
export const PatientLimitsFile = z
  .object({
    patients: z.record(
      PatientId,
      z.array(LimitRule).refine((rules) => new Set(rules.map((r) => r.code)).size === rules.length, 'rule codes must be unique per patient'),
    ),
  })
  .strict();
export type PatientLimitsFile = z.infer<typeof PatientLimitsFile>;
/** Overrides by patient id. */
export type PatientLimits = PatientLimitsFile['patients'];

/** Validate an already-parsed limits document; `source` names it in the error. */
export function parsePatientLimits(value: unknown, source = 'patient limits'): PatientLimits {
  const parsed = PatientLimitsFile.safeParse(value);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(root)', message: issue.message }));
    throw new PmError(
      'PM_ERR_CONFIG_INVALID',
      `${source} is invalid: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  return parsed.data.patients;
}

/** Read and validate a per-patient limits file (JSON). Throws PM_ERR_CONFIG_INVALID naming the file and field. */
export function loadPatientLimits(file: string): PatientLimits {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new PmError('PM_ERR_CONFIG_INVALID', `patient limits file ${file} cannot be read as JSON: ${(err as Error).message}`);
  }
  return parsePatientLimits(raw, `patient limits file ${file}`);
}

/** Defaults with a patient's overrides merged in by code (the rule lives in contracts, shared with the cloud). */
export const mergeRules = mergeLimitRules;

export interface CriticalLimitsOptions {
  /** The ward's default rules; EDGE_CRITICAL_RULES unless given. */
  defaults?: readonly LimitRule[];
  patients?: PatientLimits;
}

/** One LimitRuleEngine per patient (created on the patient's first sample), each with the patient's rules. */
export class CriticalLimits {
  readonly defaults: readonly LimitRule[];
  readonly #patients: PatientLimits;
  readonly #engines = new Map<string, LimitRuleEngine>();

  constructor(options: CriticalLimitsOptions = {}) {
    this.defaults = options.defaults ?? EDGE_CRITICAL_RULES;
    this.#patients = options.patients ?? {};
  }

  rulesFor(patientId: string): readonly LimitRule[] {
    return mergeRules(this.defaults, this.#patients[patientId]);
  }

  evaluate(input: RuleInput): RuleEvent[] {
    let engine = this.#engines.get(input.patientId);
    if (!engine) {
      engine = new LimitRuleEngine(this.rulesFor(input.patientId));
      this.#engines.set(input.patientId, engine);
    }
    return engine.evaluate(input);
  }

  /** Forget a patient's condition state (discharge, or a new patient in the bed). */
  forget(patientId: string): void {
    this.#engines.delete(patientId);
  }
}
