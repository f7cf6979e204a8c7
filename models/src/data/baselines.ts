/**
 * The rule baselines a model is compared with: what the cloud's stream processor raises over the same samples
 * (cloud/src/processing/stream-processor.ts), replayed offline with the same rule code from contracts:
 *
 *  - Limit rules: one LimitRuleEngine per device stream (device, boot), fed in stream order, as the processor's rule
 *    path does. Streams of one patient raising the same code are one episode (the alarm manager groups by
 *    (patient, code)): it starts at the first raise and ends when the last holding stream clears. A latched alarm's
 *    condition is over when it latches, so its episode ends there; a new raise is a new episode.
 *  - NEWS2: tumbling event-time windows (1 min in the cloud) → computeWindowFeatures → news2InputOf / scoreNews2 →
 *    news2Transition, on first emissions only, as the processor's window path does.
 *
 * Windows follow the cloud's event-time rule (keyed-window-operator.ts): a window fires once the patient's
 * watermark (newest sample time − outOfOrdernessMs) reaches its end, with the samples it holds by then; an empty
 * window never fires. In event-time order that is simply every non-empty window; a sample behind the watermark (a
 * device clock stepping back) misses the windows that already fired, as in the cloud, where it only revises them.
 *
 * Not replayed: storage, transactions, revisions (they never move an alarm or reach the model), the wait for a
 * missing seq (release order is seq order either way) and the alarm manager's people-facing states (acknowledge,
 * audio pause, escalation), which do not move a condition.
 */
import {
  CARRY_FORWARD_MS,
  computeWindowFeatures,
  DEFAULT_LIMIT_RULES,
  emptyNews2State,
  LimitRuleEngine,
  news2InputOf,
  news2Transition,
  PRIORITY_RANK,
  scoreNews2,
  type AlarmPriority,
  type FeatureVital,
  type LimitRule,
  type News2Measured,
  type Observation,
  type SampleQuality,
  type VitalCode,
} from '@vigil/contracts';
import { KeyedWindowOperator, type WindowEmission } from '../../../cloud/src/processing/windows/index.ts';
import type { AlarmEpisode, PatientSeries } from './series.ts';

/** One sample as the cloud receives it after the edge (quality judged, duplicates gone). */
export interface BaselineSample {
  /** Event time, epoch ms. */
  t: number;
  deviceId: string;
  /** A device's boot: a reboot starts a new stream (fresh condition states). Default: one boot per device. */
  bootId?: string;
  vitals: Partial<Record<VitalCode, number>>;
  quality: Partial<Record<VitalCode, SampleQuality>>;
}

export interface BaselineOptions {
  /** NEWS2 tumbling window, ms (the cloud's news2WindowMs; PhysioNet callers pass 3_600_000). */
  news2WindowMs?: number;
  /** Expected interval per feature vital, for missingness (computeWindowFeatures; the cloud passes none: 1 s). */
  expectedIntervalMs?: Partial<Record<FeatureVital, number>>;
  /** How long a measured NEWS2 parameter stands in for a missing one (default contracts CARRY_FORWARD_MS). */
  carryForwardMs?: Partial<Record<News2Measured, number>>;
  /** Limit rules (default DEFAULT_LIMIT_RULES: what the cloud applies to a patient without overrides). */
  rules?: readonly LimitRule[];
  /** Charted observations of this patient (consciousness, oxygen, SpO2 scale), any order. Default none. */
  observations?: readonly Observation[];
  /**
   * Event time the series ends: windows ending at or before it fire, as if the stream had gone on (the cloud's
   * advanceTo). Default: none, so the watermark stays where the cloud's is after the last sample (its t −
   * outOfOrdernessMs) and the trailing windows stay open. Callers with a known end (a stay, a simulation) pass it.
   */
  endAt?: number;
  /** The cloud's bounded out-of-orderness, ms (DEFAULT_PROCESSOR_CONFIG.outOfOrdernessMs). */
  outOfOrdernessMs?: number;
}

export interface BaselineResult {
  limitAlarms: AlarmEpisode[];
  news2Alarms: AlarmEpisode[];
  news2Scores: PatientSeries['news2Scores'];
}

export const BASELINE_DEFAULTS = {
  news2WindowMs: 60_000, // ms: the cloud's news2WindowMs, NEWS2 once a minute
  outOfOrdernessMs: 10_000, // ms: the cloud's outOfOrdernessMs
} as const;

/**
 * First emissions (revision 0) of the cloud's KeyedWindowOperator for one key, tumbling or sliding, aligned to
 * epoch 0: the window [end − size, end) fires when the watermark first reaches `end`, if it holds a sample. It is
 * that operator, with no allowed lateness: a sample whose windows have all fired is dropped, as its revisions would be.
 */
export class FirstEmissionWindows<E extends { t: number }> {
  readonly #op: KeyedWindowOperator<E, readonly E[]>;

  constructor(
    readonly spec: { sizeMs: number; slideMs: number; outOfOrdernessMs: number },
    readonly onWindow: (window: { start: number; end: number }, elements: readonly E[]) => void,
  ) {
    const { sizeMs, slideMs, outOfOrdernessMs } = spec;
    this.#op = new KeyedWindowOperator<E, readonly E[]>({
      spec: sizeMs === slideMs ? { kind: 'tumbling', sizeMs } : { kind: 'sliding', sizeMs, slideMs },
      outOfOrdernessMs,
      allowedLatenessMs: 0,
      compute: (_key, _window, elements) => elements,
    });
  }

  get watermark(): number {
    return this.#op.watermark(KEY);
  }

  add(e: E): void {
    this.#emit(this.#op.add(KEY, e).emissions);
  }

  /** Raise the watermark to `watermark` (never lowers it), firing what completes: the end of a finite series. */
  advanceTo(watermark: number): void {
    this.#emit(this.#op.advanceTo(KEY, watermark + this.spec.outOfOrdernessMs));
  }

  #emit(emissions: ReadonlyArray<WindowEmission<readonly E[]>>): void {
    for (const e of emissions) if (e.revision === 0) this.onWindow(e.window, e.result);
  }
}

const KEY = 'patient';

/** Alarm episodes of one patient by code, with the streams holding each open one (alarm-manager.ts `sources`). */
class EpisodeTracker {
  readonly episodes: AlarmEpisode[] = [];
  readonly #open = new Map<string, { episode: AlarmEpisode; sources: Set<string>; updatedAt: number }>();

  constructor(readonly patientId: string) {}

  start(code: string, source: string, priority: AlarmPriority, at: number): void {
    const open = this.#open.get(code);
    if (open) {
      if (!open.sources.has(source)) this.update(code, priority, at); // a joining stream may escalate (#join)
      open.sources.add(source);
      return;
    }
    const episode: AlarmEpisode = { patientId: this.patientId, code, priority, start: at, end: null };
    this.episodes.push(episode);
    this.#open.set(code, { episode, sources: new Set([source]), updatedAt: at });
  }

  /** A priority change while open (a NEWS2 band): the episode keeps the highest priority it reached. */
  update(code: string, priority: AlarmPriority, at: number): void {
    const open = this.#open.get(code);
    if (!open) return;
    if (PRIORITY_RANK[priority] > PRIORITY_RANK[open.episode.priority]) open.episode.priority = priority;
    open.updatedAt = Math.max(open.updatedAt, at);
  }

  end(code: string, source: string, at: number): void {
    const open = this.#open.get(code);
    if (!open || !open.sources.delete(source)) return;
    open.updatedAt = Math.max(open.updatedAt, at); // the manager never stamps an end before the last transition
    if (open.sources.size > 0) return;
    open.episode.end = open.updatedAt;
    this.#open.delete(code);
  }
}

/** The newest observation of each kind at or before t, merged (stream-processor.ts `observationAt`). */
function observationAt(sorted: readonly Observation[], t: number): Observation | undefined {
  let merged: Observation | undefined;
  for (const o of sorted) {
    if (o.t > t) break;
    merged = {
      ...o,
      consciousness: o.consciousness ?? merged?.consciousness ?? null,
      onOxygen: o.onOxygen ?? merged?.onOxygen ?? null,
      spo2Scale: o.spo2Scale ?? merged?.spo2Scale ?? null,
    };
  }
  return merged;
}

/**
 * The baselines of one patient, sample by sample, so that a long series need not be held in memory: `add` each
 * sample in the order the cloud would receive it, then `finish`.
 */
export class BaselineReplay {
  readonly #patientId: string;
  readonly #options: BaselineOptions;
  readonly #rules: readonly LimitRule[];
  readonly #engines = new Map<string, LimitRuleEngine>();
  readonly #limits: EpisodeTracker;
  readonly #news2: EpisodeTracker;
  readonly #scores: BaselineResult['news2Scores'] = [];
  readonly #windows: FirstEmissionWindows<BaselineSample>;

  constructor(patientId: string, options: BaselineOptions = {}) {
    this.#patientId = patientId;
    this.#options = options;
    this.#rules = options.rules ?? DEFAULT_LIMIT_RULES;
    this.#limits = new EpisodeTracker(patientId);
    this.#news2 = new EpisodeTracker(patientId);
    const sizeMs = options.news2WindowMs ?? BASELINE_DEFAULTS.news2WindowMs;
    const carry = { ...CARRY_FORWARD_MS, ...options.carryForwardMs };
    const featureOptions = options.expectedIntervalMs ? { expectedIntervalMs: options.expectedIntervalMs } : {};
    const observations = (options.observations ?? []).filter((o) => o.patientId === patientId).sort((a, b) => a.t - b.t);
    const state = emptyNews2State();
    const outOfOrdernessMs = options.outOfOrdernessMs ?? BASELINE_DEFAULTS.outOfOrdernessMs;
    this.#windows = new FirstEmissionWindows({ sizeMs, slideMs: sizeMs, outOfOrdernessMs }, (window, elements) => {
      // stream-processor.ts #onNews2Window, revision 0.
      const features = computeWindowFeatures(elements, window, featureOptions);
      const result = scoreNews2(news2InputOf(features, state, observationAt(observations, window.end), carry));
      this.#scores.push({ t: window.end, total: result.total, complete: result.complete });
      const transition = news2Transition(result, state);
      if (transition?.type === 'start') this.#news2.start('NEWS2', 'news2', transition.priority, window.end);
      else if (transition?.type === 'update') this.#news2.update('NEWS2', transition.priority, window.end);
      else if (transition?.type === 'end') this.#news2.end('NEWS2', 'news2', window.end);
    });
  }

  add(s: BaselineSample): void {
    // Rule path: one engine per device stream, as PatientState.stream makes them.
    const stream = `${s.deviceId}|${s.bootId ?? ''}`;
    let engine = this.#engines.get(stream);
    if (!engine) this.#engines.set(stream, (engine = new LimitRuleEngine(this.#rules)));
    for (const event of engine.evaluate({ patientId: this.#patientId, t: s.t, late: false, vitals: s.vitals, quality: s.quality })) {
      if (event.type === 'raise') this.#limits.start(event.rule.code, stream, event.rule.priority, event.raisedAt);
      else this.#limits.end(event.rule.code, stream, event.at);
    }
    // Window path.
    this.#windows.add(s);
  }

  /** Close the windows that end by `endAt` (default: options.endAt, else none) and return the baselines. */
  finish(endAt = this.#options.endAt): BaselineResult {
    if (endAt !== undefined) this.#windows.advanceTo(endAt);
    return { limitAlarms: this.#limits.episodes, news2Alarms: this.#news2.episodes, news2Scores: this.#scores };
  }
}

/**
 * Replay the cloud's limit rules and NEWS2 detector over one patient's samples, in the order the cloud would
 * receive them (event-time order for files and PhysioNet). Deterministic: a function of the samples and options.
 */
export function runBaselines(input: { patientId: string; samples: readonly BaselineSample[] }, options: BaselineOptions = {}): BaselineResult {
  const replay = new BaselineReplay(input.patientId, options);
  for (const s of input.samples) replay.add(s);
  return replay.finish();
}
