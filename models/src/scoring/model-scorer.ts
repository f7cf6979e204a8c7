/**
 * The runtime scorer: a loaded model + its scoring parameters → verdicts, for the cloud (scoreBatch: the newest
 * window of each patient in a tick, with its earlier windows) and for the evaluation (scoreSeries: whole series).
 * Both run the same engines and ErrorTrack, batched across patients.
 *
 * Identical input → identical verdicts: a verdict depends only on the last `contextWindows` windows. A patient whose
 * cached state continues exactly where the new input starts is advanced incrementally; any other (cloud restart,
 * hot reload, a gap longer than the context) is rebuilt from its history, which gives the same numbers (tested).
 */
import { FEATURE_VITALS, type FeatureVital, type WindowFeatures } from '@vigil/contracts';
import { denseSteps, stepIndex, type Step } from '../features/model-input.ts';
import type { LoadedModel } from '../model/artefacts.ts';
import { selectBackend } from '../runtime/backend.ts';
import { ErrorTrack, type StepError, type StepVerdict } from './error-track.ts';
import { ForecastEngine, type ForecastState } from './forecast-engine.ts';
import { disposeStepWeights, stepWeightsOf, type LstmStepWeights } from './lstm-step.ts';
import { ReconstructionEngine, type ReconstructionState } from './reconstruction-engine.ts';
import { errorHistorySteps } from './scoring-params.ts';

export interface ScoreInput {
  patientId: string;
  features: WindowFeatures;
  history: readonly WindowFeatures[];
}

export interface ScoreVerdict {
  patientId: string;
  score: number;
  threshold: number;
  anomalous: boolean;
  contributions: Partial<Record<FeatureVital, number>>;
  explanation: string;
}

type Engine = ForecastEngine | ReconstructionEngine;
type EngineState = ForecastState | ReconstructionState;

interface Track {
  state: EngineState;
  errors: ErrorTrack;
  /** Absolute index of the last step fed. */
  last: number;
}

interface Plan {
  patientId: string;
  track: Track;
  /** Consecutive absolute indices to feed, and the steps. */
  from: number;
  steps: Step[];
  /** Indices whose verdicts are wanted → where to put them. */
  wanted: Map<number, number[]>;
}

const LABEL: Readonly<Record<FeatureVital, string>> = { hr: 'heart rate', spo2: 'SpO2', rr: 'respiratory rate', sbp: 'systolic BP', map: 'mean BP', temp: 'temperature' };

/** ms of scoring after which a serving call lets the event loop go (between two batched rounds). */
const YIELD_AFTER_MS = 20;

export class ModelScorer {
  readonly metadata: LoadedModel['metadata'];
  readonly backend: string;
  /** Windows of history a verdict depends on (the cloud keeps and restores this many). */
  readonly contextWindows: number;
  readonly #engine: Engine;
  readonly #weights: LstmStepWeights | undefined;
  readonly #loaded: LoadedModel;
  readonly #tracks = new Map<string, Track>();

  private constructor(loaded: LoadedModel, backend: string) {
    this.#loaded = loaded;
    this.metadata = loaded.metadata;
    this.backend = backend;
    const m = loaded.metadata;
    if (m.kind === 'forecaster') {
      this.#weights = stepWeightsOf(loaded.model);
      this.#engine = new ForecastEngine(this.#weights, m.chainPeriod ?? Math.floor(m.steps / 2));
    } else {
      this.#engine = new ReconstructionEngine(loaded.model, m.steps, m.reconstructionSteps ?? 1);
    }
    // + one chain period: feeding starts at the chain boundary at or before the oldest step needed.
    const align = m.kind === 'forecaster' ? (m.chainPeriod ?? Math.floor(m.steps / 2)) : 0;
    this.contextWindows = errorHistorySteps(m.scoring) + this.#engine.warmupSteps + align;
  }

  static async create(loaded: LoadedModel): Promise<ModelScorer> {
    return new ModelScorer(loaded, await selectBackend());
  }

  get name(): string {
    return this.metadata.name;
  }

  get version(): string {
    return this.metadata.version;
  }

  /** Forget cached patient state (e.g. a patient discharged); the next input rebuilds from its history. */
  forget(patientId: string): void {
    this.#tracks.delete(patientId);
  }

  dispose(): void {
    this.#tracks.clear();
    if (this.#weights) disposeStepWeights(this.#weights);
    this.#loaded.model.dispose();
  }

  #newTrack(): Track {
    return { state: this.#engine.newState(), errors: new ErrorTrack(this.metadata.scoring), last: -Infinity };
  }

  /** Score each input's newest window; verdicts in input order. */
  async scoreBatch(inputs: readonly ScoreInput[]): Promise<ScoreVerdict[]> {
    const slide = this.metadata.slideMs;
    const C = this.contextWindows;
    const byPatient = new Map<string, number[]>();
    inputs.forEach((input, i) => byPatient.set(input.patientId, [...(byPatient.get(input.patientId) ?? []), i]));

    const plans: Plan[] = [];
    for (const [patientId, positions] of byPatient) {
      const first = inputs[positions[0]!]!;
      const j0 = stepIndex(first.features.end, slide);
      const jMax = Math.max(...positions.map((i) => stepIndex(inputs[i]!.features.end, slide)));
      const prev = first.history.at(-1);
      let track = this.#tracks.get(patientId);
      // A patient continuing where its state stopped needs only the new windows; any other is rebuilt from history.
      const continues = track !== undefined && prev !== undefined && track.last === stepIndex(prev.end, slide) && j0 > track.last && j0 - track.last <= C;
      const windows = new Map<number, WindowFeatures>();
      for (const i of positions) {
        const input = inputs[i]!;
        if (!continues) for (const w of input.history) windows.set(stepIndex(w.end, slide), w);
        windows.set(stepIndex(input.features.end, slide), input.features);
      }
      let from: number;
      if (continues) {
        from = track!.last + 1;
      } else {
        track = this.#newTrack();
        from = this.#engine.alignStart(Math.max(Math.min(...windows.keys()), j0 - C));
      }
      if (jMax < from) continue; // a window older than the state (cannot happen with revision-0 windows in order)
      const sorted = [...windows.entries()].sort((a, b) => a[0] - b[0]).map(([, w]) => w);
      const wanted = new Map<number, number[]>();
      for (const i of positions) {
        const j = stepIndex(inputs[i]!.features.end, slide);
        wanted.set(j, [...(wanted.get(j) ?? []), i]);
      }
      plans.push({ patientId, track: track!, from, steps: denseSteps(sorted, slide, from, jMax, this.metadata.normalisation), wanted });
    }

    const verdicts: ScoreVerdict[] = inputs.map((input) => ({ patientId: input.patientId, score: 0, threshold: 0, anomalous: false, contributions: {}, explanation: 'not scored' }));
    await this.#runYielding(plans, (plan, v) => {
      for (const i of plan.wanted.get(v.index) ?? []) verdicts[i] = this.#verdict(plan.patientId, v, inputs[i]!.features);
    });
    for (const plan of plans) this.#tracks.set(plan.patientId, plan.track);
    return verdicts;
  }

  /**
   * Score whole series offline (evaluation): every step from the first window to the last, per patient, through the
   * same engines. Returns each patient's verdicts by step.
   */
  scoreSeries(series: ReadonlyArray<{ patientId: string; windows: readonly WindowFeatures[] }>, onProgress?: (done: number, total: number) => void): Map<string, StepVerdict[]> {
    const slide = this.metadata.slideMs;
    const out = new Map<string, StepVerdict[]>();
    const plans: Plan[] = [];
    for (const s of series) {
      if (s.windows.length === 0) continue;
      const first = stepIndex(s.windows[0]!.end, slide);
      const last = stepIndex(s.windows.at(-1)!.end, slide);
      const from = this.#engine.alignStart(first);
      plans.push({ patientId: s.patientId, track: this.#newTrack(), from, steps: denseSteps(s.windows, slide, from, last, this.metadata.normalisation), wanted: new Map() });
      out.set(s.patientId, []);
    }
    this.#run(plans, (plan, v) => out.get(plan.patientId)!.push(v), onProgress);
    return out;
  }

  /** Feed all plans in lockstep rounds (round r = each plan's r-th step), one batched engine call per round. */
  #run(plans: Plan[], onVerdict: (plan: Plan, v: StepVerdict) => void, onProgress?: (done: number, total: number) => void): void {
    const rounds = Math.max(0, ...plans.map((p) => p.steps.length));
    for (let r = 0; r < rounds; r++) {
      this.#round(plans, r, onVerdict);
      onProgress?.(r + 1, rounds);
    }
  }

  /**
   * The same rounds for serving, letting the event loop go whenever they have held it for YIELD_AFTER_MS: a rebuild
   * from history (hundreds of rounds after a restart) then holds the loop for one batched round at a time, not for
   * the whole rebuild, and stays batched across patients. Same rounds, same verdicts.
   */
  async #runYielding(plans: Plan[], onVerdict: (plan: Plan, v: StepVerdict) => void): Promise<void> {
    const rounds = Math.max(0, ...plans.map((p) => p.steps.length));
    let since = performance.now();
    for (let r = 0; r < rounds; r++) {
      this.#round(plans, r, onVerdict);
      if (r + 1 < rounds && performance.now() - since > YIELD_AFTER_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        since = performance.now();
      }
    }
  }

  #round(plans: Plan[], r: number, onVerdict: (plan: Plan, v: StepVerdict) => void): void {
    const active = plans.filter((p) => r < p.steps.length);
    const errors: StepError[] = this.#engine.feed(
      active.map((p) => p.track.state) as never,
      active.map((p) => p.from + r),
      active.map((p) => p.steps[r]!),
    );
    active.forEach((p, i) => {
      const index = p.from + r;
      const v = p.track.errors.append(index, errors[i]!);
      p.track.last = index;
      onVerdict(p, v);
    });
  }

  #verdict(patientId: string, v: StepVerdict, window: WindowFeatures): ScoreVerdict {
    const contributions: Partial<Record<FeatureVital, number>> = {};
    FEATURE_VITALS.forEach((vital, i) => {
      if (v.contributions[i]! > 0) contributions[vital] = Math.round(v.contributions[i]! * 1000) / 1000;
    });
    const top = FEATURE_VITALS.map((vital, i) => ({ vital, share: v.contributions[i]!, dir: v.direction[i]! }))
      .filter((c) => c.share >= 0.15)
      .sort((a, b) => b.share - a.share)
      .slice(0, 3)
      .map((c) => `${LABEL[c.vital]} ${c.dir > 0 ? 'higher' : 'lower'} than ${this.metadata.kind === 'forecaster' ? 'forecast' : 'expected'} (${Math.round(c.share * 100)} %)`);
    const score = Number.isFinite(v.score) ? v.score : 0;
    const minutes = Math.round((window.end - window.start) / 60_000);
    const explanation = `${this.metadata.name} ${this.metadata.version}: ${top.length > 0 ? top.join(', ') : 'no vital stands out'}; score ${score.toFixed(2)} vs threshold ${Number.isFinite(v.threshold) ? v.threshold.toFixed(2) : 'not yet set'} over the ${minutes} min window ending ${new Date(window.end).toISOString()}`;
    return { patientId, score, threshold: Number.isFinite(v.threshold) ? v.threshold : 0, anomalous: v.anomalous, contributions, explanation };
  }
}
