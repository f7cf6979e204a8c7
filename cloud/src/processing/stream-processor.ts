/**
 * The keyed event-time operators of the cloud, per patient. Two paths, because they need different things:
 *
 *  - Limit rules (the fast path): per device stream, in seq order (stream-order.ts), straight away. An in-order
 *    sample is evaluated the moment it is committed, so a limit alarm waits for nothing but its condition delay.
 *  - Windows (the window path), per patient, on a watermark = newest on-time event time − outOfOrdernessMs:
 *      tumbling `news2WindowMs` (1 min) → features → NEWS2 → the NEWS2 alarm condition;
 *      sliding `featureWindowMs` every `featureSlideMs` (5 min / 1 min) → features → the anomaly detector (advisory);
 *      session windows with `sessionGapMs` (1 min) → monitoring sessions (runs of data without a longer gap).
 *    Lateness policy (allowedLatenessMs, 2 min by default): a sample that arrives after its window fired, within the
 *    allowed lateness, revises the window (stored as revision n+1; a revision never moves an alarm); a sample later
 *    than that is a side output: stored with every other sample, counted, listed in dropped_late_samples, and in no
 *    window. Samples the edge forwarded late (its backlog) never advance a watermark and never drive a limit rule.
 *
 * Everything here is a function of the samples' own timestamps and their per-stream order, never of the wall clock
 * or of how batches were cut, so a replay, or a recovery after kill -9, yields the same alarms with the same ids.
 * The alarm manager's wall-clock duties (audio pause expiry, escalation) are separate (alarm-manager.ts `tick`).
 */
import {
  computeWindowFeatures,
  describeRaise,
  DEFAULT_LIMIT_RULES,
  mergeLimitRules,
  scoreNews2,
  type LimitRule,
  type News2Score,
  type Observation,
  type WindowFeatures,
} from '@vigil/contracts';
import type { AlarmChange, AlarmManager } from '../alarms/alarm-manager.ts';
import { ADVISORY_CODE, advisoryEvidence, type AnomalyInput, type AnomalyVerdict } from '../detectors/anomaly-detector.ts';
import { news2InputOf, news2Transition } from '../detectors/news2-detector.ts';
import { PatientState, streamKey, type PatientCheckpoint, type ProcSample } from './patient-state.ts';
import { KeyedWindowOperator, type WindowEmission } from './windows/index.ts';

export interface ProcessorConfig {
  /** Longest wait for a missing seq in a device stream, ms of event time. */
  streamReorderMs: number;
  /** Bounded out-of-orderness of the window watermarks, ms. */
  outOfOrdernessMs: number;
  allowedLatenessMs: number;
  news2WindowMs: number;
  featureWindowMs: number;
  featureSlideMs: number;
  sessionGapMs: number;
}

export const DEFAULT_PROCESSOR_CONFIG: ProcessorConfig = {
  streamReorderMs: 10_000, // ms: the edge's lateAfterMs; longer-held records arrive marked late
  outOfOrdernessMs: 10_000, // ms: same bound, for the window watermarks
  allowedLatenessMs: 120_000, // ms: two NEWS2 windows
  news2WindowMs: 60_000, // ms: NEWS2 once a minute
  featureWindowMs: 300_000, // ms: 5 min of context per feature window
  featureSlideMs: 60_000, // ms
  sessionGapMs: 60_000, // ms: a minute without data ends a monitoring session
};

export interface FeatureRow {
  patientId: string;
  wardId: string;
  bedId: string;
  revision: number;
  features: WindowFeatures;
}
export interface SessionRow {
  patientId: string;
  wardId: string;
  bedId: string;
  start: number;
  end: number;
  samples: number;
  revision: number;
}
export interface DroppedLate {
  deviceId: string;
  bootId: string;
  seq: number;
  patientId: string;
  t: number;
  reason: string;
}

export interface ProcessEffects {
  alarmChanges: AlarmChange[];
  features: FeatureRow[];
  news2: Array<{ wardId: string; bedId: string; score: News2Score }>;
  sessions: SessionRow[];
  droppedLate: DroppedLate[];
  /** Sliding-window features to score (first emissions only), with the patient's recent context. */
  advisory: AnomalyInput[];
  touched: Set<string>;
  /** Gaps in device streams given up in this call. */
  gapsSkipped: number;
}

export const emptyEffects = (): ProcessEffects => ({ alarmChanges: [], features: [], news2: [], sessions: [], droppedLate: [], advisory: [], touched: new Set(), gapsSkipped: 0 });

/** The per-patient inputs that are not samples: limit overrides and charted observations. */
export interface PatientInputs {
  limits: Map<string, LimitRule[]>;
  /** Per patient, sorted by t. */
  observations: Map<string, Observation[]>;
}

const sampleOrder = (a: ProcSample, b: ProcSample) =>
  a.t - b.t || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0) || (a.bootId < b.bootId ? -1 : a.bootId > b.bootId ? 1 : 0) || a.seq - b.seq;

export class StreamProcessor {
  readonly patients = new Map<string, PatientState>();
  readonly news2Windows: KeyedWindowOperator<ProcSample, WindowFeatures>;
  readonly featureWindows: KeyedWindowOperator<ProcSample, WindowFeatures>;
  readonly sessionWindows: KeyedWindowOperator<ProcSample, number>;
  /** Recent sliding-window features per patient (the anomaly detector's context). */
  readonly #context = new Map<string, WindowFeatures[]>();
  readonly #contextWindows: () => number;

  /**
   * `contextWindows`: how many earlier windows the anomaly detector wants, or a function read at every window (a
   * detector that reloads its model may change it; the pipeline refills the histories when it grows).
   */
  constructor(
    readonly config: ProcessorConfig,
    readonly alarms: AlarmManager,
    readonly inputs: PatientInputs,
    contextWindows: number | (() => number) = 0,
  ) {
    this.#contextWindows = typeof contextWindows === 'number' ? () => contextWindows : contextWindows;
    const features = (_key: string, w: { start: number; end: number }, elements: readonly ProcSample[]) => computeWindowFeatures(elements, w);
    const common = { outOfOrdernessMs: config.outOfOrdernessMs, allowedLatenessMs: config.allowedLatenessMs, order: sampleOrder };
    this.news2Windows = new KeyedWindowOperator({ ...common, spec: { kind: 'tumbling', sizeMs: config.news2WindowMs }, compute: features });
    this.featureWindows = new KeyedWindowOperator({ ...common, spec: { kind: 'sliding', sizeMs: config.featureWindowMs, slideMs: config.featureSlideMs }, compute: features });
    this.sessionWindows = new KeyedWindowOperator({ ...common, spec: { kind: 'session', gapMs: config.sessionGapMs }, countOnly: true, compute: () => 0 });
  }

  /** Earlier windows kept per patient for the anomaly detector (0: no detector). */
  get contextWindows(): number {
    return this.#contextWindows();
  }

  rulesFor(patientId: string): readonly LimitRule[] {
    return mergeLimitRules(DEFAULT_LIMIT_RULES, this.inputs.limits.get(patientId));
  }

  /** A patient's limits changed (REST): the new rules apply from the next sample on. */
  setLimits(patientId: string, rules: LimitRule[] | undefined): void {
    if (rules) this.inputs.limits.set(patientId, rules);
    else this.inputs.limits.delete(patientId);
    this.patients.get(patientId)?.setRules(this.rulesFor(patientId));
  }

  addObservation(observation: Observation): void {
    const list = this.inputs.observations.get(observation.patientId) ?? [];
    list.push(observation);
    list.sort((a, b) => a.t - b.t);
    this.inputs.observations.set(observation.patientId, list);
  }

  /** The newest observation of each kind at or before `t`, merged (consciousness, oxygen and scale separately). */
  observationAt(patientId: string, t: number): Observation | undefined {
    const list = this.inputs.observations.get(patientId);
    if (!list) return undefined;
    let merged: Observation | undefined;
    for (const o of list) {
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

  #patient(wardId: string, s: ProcSample): PatientState {
    let p = this.patients.get(s.patientId);
    if (!p) {
      p = new PatientState(s.patientId, wardId, s.bedId);
      this.patients.set(s.patientId, p);
    }
    p.wardId = wardId;
    p.bedId = s.bedId;
    return p;
  }

  /** Process new (just committed) samples, in the order they arrived. Mutates the operators; returns the effects. */
  process(wardId: string, samples: readonly ProcSample[], wallNow: number, effects: ProcessEffects = emptyEffects()): ProcessEffects {
    for (const s of samples) {
      const p = this.#patient(wardId, s);
      effects.touched.add(p.patientId);
      this.#rulePath(p, s, wallNow, effects);
      this.#windowPath(p, s, wallNow, effects);
    }
    return effects;
  }

  #rulePath(p: PatientState, s: ProcSample, wallNow: number, effects: ProcessEffects): void {
    const stream = p.stream(s.deviceId, s.bootId, () => this.rulesFor(p.patientId), this.config.streamReorderMs);
    const before = stream.order.gapsSkipped;
    const released = stream.order.accept(s);
    effects.gapsSkipped += stream.order.gapsSkipped - before;
    const sourceKey = streamKey(s.deviceId, s.bootId);
    for (const { sample, outOfOrder } of released) {
      if (outOfOrder) continue; // its place in the stream was given up: history only
      for (const event of stream.rules.evaluate(sample)) {
        const changes =
          event.type === 'raise'
            ? this.alarms.conditionStart(
                {
                  wardId: p.wardId,
                  bedId: p.bedId,
                  patientId: p.patientId,
                  code: event.rule.code,
                  source: 'limit-rule',
                  kind: 'physiological',
                  priority: event.rule.priority,
                  latching: event.rule.latching,
                  sourceKey,
                  onsetAt: event.onsetAt,
                  raisedAt: event.raisedAt,
                  ...describeRaise(event),
                },
                wallNow,
              )
            : this.alarms.conditionEnd({ patientId: p.patientId, code: event.rule.code, sourceKey, at: event.at, detail: `condition ended at ${event.value}` });
        effects.alarmChanges.push(...changes);
      }
    }
  }

  #windowPath(p: PatientState, s: ProcSample, wallNow: number, effects: ProcessEffects): void {
    let dropped = false;
    const n2 = this.news2Windows.add(p.patientId, s);
    dropped ||= n2.disposition === 'dropped-late';
    for (const e of n2.emissions) this.#onNews2Window(p, e, wallNow, effects);
    const fw = this.featureWindows.add(p.patientId, s);
    dropped ||= fw.disposition === 'dropped-late';
    for (const e of fw.emissions) this.#onFeatureWindow(p, e, effects);
    const sw = this.sessionWindows.add(p.patientId, s);
    for (const e of sw.emissions) {
      effects.sessions.push({ patientId: p.patientId, wardId: p.wardId, bedId: p.bedId, start: e.window.start, end: e.window.end, samples: e.count, revision: e.revision });
    }
    if (dropped) effects.droppedLate.push({ deviceId: s.deviceId, bootId: s.bootId, seq: s.seq, patientId: s.patientId, t: s.t, reason: 'beyond allowed lateness' });
  }

  #onNews2Window(p: PatientState, e: WindowEmission<WindowFeatures>, wallNow: number, effects: ProcessEffects): void {
    const observation = this.observationAt(p.patientId, e.window.end);
    // A revision must not move the carried-forward values of the live stream: score it on a copy.
    const state = e.revision === 0 ? p.news2 : structuredClone(p.news2);
    const result = scoreNews2(news2InputOf(e.result, state, observation));
    const score: News2Score = { patientId: p.patientId, start: e.window.start, end: e.window.end, revision: e.revision, result };
    effects.news2.push({ wardId: p.wardId, bedId: p.bedId, score });
    if (e.revision !== 0) return; // late data revises the stored score, never the alarm
    const transition = news2Transition(result, p.news2);
    if (!transition) return;
    const evidence = { windowStart: e.window.start, windowEnd: e.window.end, value: result.total, detail: transition.message };
    if (transition.type === 'start') {
      effects.alarmChanges.push(
        ...this.alarms.conditionStart(
          {
            wardId: p.wardId,
            bedId: p.bedId,
            patientId: p.patientId,
            code: 'NEWS2',
            source: 'news2',
            kind: 'physiological',
            priority: transition.priority,
            latching: false,
            sourceKey: 'news2',
            onsetAt: e.window.start,
            raisedAt: e.window.end,
            message: transition.message,
            evidence,
          },
          wallNow,
        ),
      );
    } else if (transition.type === 'update') {
      effects.alarmChanges.push(...this.alarms.conditionUpdate({ patientId: p.patientId, code: 'NEWS2', at: e.window.end, priority: transition.priority, message: transition.message, evidence }));
    } else {
      effects.alarmChanges.push(...this.alarms.conditionEnd({ patientId: p.patientId, code: 'NEWS2', sourceKey: 'news2', at: e.window.end, detail: transition.message }));
    }
  }

  #onFeatureWindow(p: PatientState, e: WindowEmission<WindowFeatures>, effects: ProcessEffects): void {
    effects.features.push({ patientId: p.patientId, wardId: p.wardId, bedId: p.bedId, revision: e.revision, features: e.result });
    const keep = this.contextWindows;
    if (e.revision !== 0 || keep === 0) return;
    const history = this.#context.get(p.patientId) ?? [];
    // From its first window on, a patient's checkpoint says how far the advisory lane got (restore re-queues the rest).
    p.advisoryThrough ??= 0;
    effects.advisory.push({ patientId: p.patientId, features: e.result, history: history.slice(-keep) });
    history.push(e.result);
    if (history.length > keep) history.splice(0, history.length - keep);
    this.#context.set(p.patientId, history);
  }

  /** Turn detector verdicts into advisory alarm conditions (code ML_ANOMALY, kind advisory, low priority). */
  applyVerdicts(inputs: readonly AnomalyInput[], verdicts: readonly AnomalyVerdict[], wallNow: number, effects: ProcessEffects): void {
    verdicts.forEach((v, i) => {
      const input = inputs[i];
      const p = input ? this.patients.get(input.patientId) : undefined;
      if (!input || !p) return;
      const { start, end } = input.features;
      p.advisoryThrough = Math.max(p.advisoryThrough ?? -Infinity, end);
      if (v.anomalous && !p.advisory) {
        p.advisory = true;
        effects.alarmChanges.push(
          ...this.alarms.conditionStart(
            {
              wardId: p.wardId,
              bedId: p.bedId,
              patientId: p.patientId,
              code: ADVISORY_CODE,
              source: 'lstm',
              kind: 'advisory',
              priority: 'low',
              latching: false,
              sourceKey: 'lstm',
              onsetAt: start,
              raisedAt: end,
              message: `Advisory: ${v.explanation}`.slice(0, 200),
              evidence: advisoryEvidence(v, input.features),
            },
            wallNow,
          ),
        );
      } else if (!v.anomalous && p.advisory) {
        p.advisory = false;
        effects.alarmChanges.push(...this.alarms.conditionEnd({ patientId: p.patientId, code: ADVISORY_CODE, sourceKey: 'lstm', at: end, detail: 'model score back under its threshold' }));
      }
      effects.touched.add(p.patientId);
    });
  }

  /** Checkpoint rows of the given patients. */
  checkpoints(patientIds: Iterable<string>): Array<{ key: string; patientId: string; state: PatientCheckpoint }> {
    const rows = [];
    for (const id of patientIds) {
      const p = this.patients.get(id);
      if (!p) continue;
      rows.push({ key: id, patientId: id, state: p.checkpoint(this.#windowSnapshots(id)) });
    }
    return rows;
  }

  #windowSnapshots(id: string): Record<string, unknown> {
    return { news2: this.news2Windows.snapshotKey(id) ?? null, features: this.featureWindows.snapshotKey(id) ?? null, sessions: this.sessionWindows.snapshotKey(id) ?? null };
  }

  /** Drop everything (before a full restore). */
  clear(): void {
    for (const id of this.patients.keys()) {
      this.news2Windows.deleteKey(id);
      this.featureWindows.deleteKey(id);
      this.sessionWindows.deleteKey(id);
    }
    this.patients.clear();
    this.#context.clear();
  }

  setContext(patientId: string, history: WindowFeatures[]): void {
    this.#context.set(patientId, history.slice(-this.contextWindows));
  }

  /** Watermark of a patient's window path (for the lag metric). */
  watermark(patientId: string): number {
    return this.news2Windows.watermark(patientId);
  }
}
