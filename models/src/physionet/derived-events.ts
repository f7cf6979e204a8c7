/**
 * Events derived from a PhysioNet stay's own measurements, as GroundTruthEvents (contracts/src/ground-truth.ts). The
 * challenge labels only the outcome of a stay, never a time; these rules give detectors something timed to be scored
 * against. They are definitions applied to charted data, not clinicians' annotations: state them wherever scores are
 * reported.
 *
 * One rule shape: every measurement beyond the threshold for at least `minDurationMs`, with at least `minCount`
 * measurement times. Onset = the first beyond measurement; offset = the first measurement back within the threshold,
 * or null when the data end first. Gaps between measurements are not filled or capped: hourly data are all there is.
 */
import type { GroundTruthEvent, GroundTruthType, SampleQuality, VitalCode } from '@vigil/contracts';

/** One charted value: a catalogue vital, or SaO2 (kept aside by parameter-map.ts, never spo2). */
export interface DerivedReading {
  t: number;
  code: VitalCode | 'SaO2';
  value: number;
  quality: SampleQuality;
}

export interface DerivedEventRule {
  id: 'hypotension' | 'tachycardia' | 'hypoxaemia';
  /** The closest contracts type; `detail` says what the event really is. */
  type: GroundTruthType;
  /** Codes read, preferred first: at each time the first one with a good value is the measurement. */
  sources: ReadonlyArray<VitalCode | 'SaO2'>;
  comparator: '<' | '>';
  threshold: number;
  /** Beyond this (same comparator) anywhere in the episode → severity 'severe', else 'moderate'. */
  severeBeyond?: number;
  minDurationMs: number;
  minCount: number;
  affected: VitalCode[];
  detail: string;
}

const HOUR = 3_600_000;

export const DERIVED_EVENT_RULES: readonly DerivedEventRule[] = [
  {
    // Surviving Sepsis Campaign 2021 (Evans et al., Crit Care Med 2021;49:e1063): initial target MAP ≥ 65 mmHg.
    // MAP < 55 is where organ injury rises steeply (Walsh et al., Anesthesiology 2013;119:507-515) → severe.
    // Type 'sepsis' (its simulator episode is the vasodilatory hypotension this threshold comes from), with a detail
    // saying the cause is unknown. contracts now has 'hypotension' (used by the PhysioNet session importer); this
    // dataset keeps 'sepsis' so that the published evaluation (docs/models/evaluation/) reproduces from its cache.
    id: 'hypotension', type: 'sepsis', sources: ['abpMean', 'nibpMean'], comparator: '<', threshold: 65, severeBeyond: 55,
    minDurationMs: HOUR, minCount: 2, affected: ['abpMean', 'nibpMean'],
    detail: 'derived: sustained hypotension, MAP < 65 mmHg (invasive, else cuff) on every measurement for >= 1 h; cause unknown, not a sepsis label',
  },
  {
    // HR > 130: the cloud's HR_HIGH limit and the NEWS2 3-point band (≥ 131). Sinus or not is unknown: closest type.
    id: 'tachycardia', type: 'tachyarrhythmia', sources: ['hr'], comparator: '>', threshold: 130,
    minDurationMs: HOUR, minCount: 2, affected: ['hr'],
    detail: 'derived: sustained tachycardia, HR > 130 /min on every measurement for >= 1 h; rhythm unknown',
  },
  {
    // SaO2 < 90 % ≈ PaO2 < 8 kPa on the oxyhaemoglobin dissociation curve, the usual definition of respiratory
    // failure, and the cloud's SPO2_LOW limit. Arterial (blood gas) saturation: `affected` is empty, never spo2.
    id: 'hypoxaemia', type: 'hypoxaemia', sources: ['SaO2'], comparator: '<', threshold: 90,
    minDurationMs: HOUR, minCount: 2, affected: [],
    detail: 'derived: sustained hypoxaemia, arterial SaO2 (blood gas, not SpO2) < 90 % on every measurement for >= 1 h',
  },
];

interface Measurement {
  t: number;
  /** All good values of the chosen source at this time (a duplicate row is a second value). */
  values: number[];
}

/** One measurement per time: the first source of `sources` with a good value at that time. */
function measurementsOf(readings: readonly DerivedReading[], sources: DerivedEventRule['sources']): Measurement[] {
  const byTime = new Map<number, Map<string, number[]>>();
  for (const r of readings) {
    if (r.quality !== 'good' || !sources.includes(r.code)) continue;
    let at = byTime.get(r.t);
    if (!at) byTime.set(r.t, (at = new Map()));
    const list = at.get(r.code);
    if (list) list.push(r.value);
    else at.set(r.code, [r.value]);
  }
  const out: Measurement[] = [];
  for (const [t, at] of byTime) {
    const code = sources.find((s) => at.has(s));
    if (code !== undefined) out.push({ t, values: at.get(code)! });
  }
  return out.sort((a, b) => a.t - b.t);
}

/** Apply one rule to one stay's readings (any order). */
export function deriveRuleEvents(
  rule: DerivedEventRule,
  readings: readonly DerivedReading[],
  stay: { patientId: string; bedId: string },
): GroundTruthEvent[] {
  const beyond = (v: number, limit: number) => (rule.comparator === '<' ? v < limit : v > limit);
  const events: GroundTruthEvent[] = [];
  const measurements = measurementsOf(readings, rule.sources);
  let run: Measurement[] = [];
  const close = (offset: number | null) => {
    const first = run[0];
    const last = run[run.length - 1];
    if (first && last && run.length >= rule.minCount && last.t - first.t >= rule.minDurationMs) {
      let peak = first;
      let extreme = rule.comparator === '<' ? Infinity : -Infinity;
      for (const m of run) {
        for (const v of m.values) {
          if (rule.comparator === '<' ? v < extreme : v > extreme) {
            extreme = v;
            peak = m;
          }
        }
      }
      const severe = rule.severeBeyond !== undefined && beyond(extreme, rule.severeBeyond);
      events.push({
        id: `${stay.patientId}-${rule.id}-${events.length + 1}`,
        category: 'clinical',
        type: rule.type,
        patientId: stay.patientId,
        bedId: stay.bedId,
        onset: first.t,
        peak: peak.t,
        offset,
        severity: severe ? 'severe' : 'moderate',
        affected: [...rule.affected],
        detail: rule.detail,
      });
    }
    run = [];
  };
  for (const m of measurements) {
    // A time counts as beyond only when every value at it is beyond ("on every measurement").
    if (m.values.every((v) => beyond(v, rule.threshold))) run.push(m);
    else if (run.length > 0) close(m.t);
  }
  if (run.length > 0) close(null);
  return events;
}

/** Every rule of DERIVED_EVENT_RULES (or `rules`) over one stay, ordered by onset. */
export function deriveEvents(
  readings: readonly DerivedReading[],
  stay: { patientId: string; bedId: string },
  rules: readonly DerivedEventRule[] = DERIVED_EVENT_RULES,
): GroundTruthEvent[] {
  return rules.flatMap((rule) => deriveRuleEvents(rule, readings, stay)).sort((a, b) => a.onset - b.onset);
}
