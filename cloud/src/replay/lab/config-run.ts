/**
 * One configuration replayed over one session: the cloud's StreamProcessor (limit rules per device stream, NEWS2
 * windows, feature windows → the anomaly model) and its AlarmManager, fed in event time from the session reader.
 * No storage, transactions or sockets: those never move an alarm. Because every decision is a function of the
 * samples' own timestamps (stream-processor.ts), a session gives the same alarms, with the same ids, as the cloud
 * gives it live or in a replay at any speed.
 *
 * What a configuration changes, and through which seam:
 *  - limit rules and condition delays: the processor's `rulesFor` (its own per-patient rule lookup) returns the
 *    configuration's rules (lab-config.ts limitRulesOf);
 *  - NEWS2 triggers: the default bands are the processor's own NEWS2 alarm; other triggers re-map each first-emission
 *    score's band and drive the same alarm manager through contracts' news2Transition (news2-trigger.ts);
 *  - LSTM on/off, threshold, model: the processor's advisory inputs are scored by the configuration's model after
 *    each batch and applied with the processor's applyVerdicts, as the cloud's pipeline does.
 */
import { emptyNews2State, type LabConfig, type LimitRule, type News2State } from '@vigil/contracts';
import { DEFAULT_PROCESSOR_CONFIG, emptyEffects, StreamProcessor, type ProcessEffects, type ProcessorConfig } from '../../processing/stream-processor.ts';
import type { ProcSample } from '../../processing/patient-state.ts';
import { EpisodeLog, LabAlarmManager, NEWS2_CODE, type LabEpisode } from './lab-alarms.ts';
import { limitRulesOf } from './lab-config.ts';
import type { LabModel } from './lab-model.ts';
import { isDefaultTriggers, triggeredTransition } from './news2-trigger.ts';

/** The processor with the configuration's limit rules for every patient (overrides by REST do not exist here). */
class LabProcessor extends StreamProcessor {
  constructor(
    config: ProcessorConfig,
    alarms: LabAlarmManager,
    readonly labRules: readonly LimitRule[],
    contextWindows: number,
  ) {
    super(config, alarms, { limits: new Map(), observations: new Map() }, contextWindows);
  }

  override rulesFor(): readonly LimitRule[] {
    return this.labRules;
  }
}

export interface LabSampleIn {
  wardId: string;
  sample: ProcSample;
}

export class ConfigRun {
  readonly config: LabConfig;
  readonly model: LabModel | null;
  readonly processorConfig: ProcessorConfig;
  readonly #rules: LimitRule[];
  readonly #customNews2: boolean;
  #processor!: LabProcessor;
  #alarms!: LabAlarmManager;
  #episodes!: EpisodeLog;
  readonly #news2 = new Map<string, News2State>();

  constructor(config: LabConfig, model: LabModel | null) {
    this.config = config;
    this.model = model;
    this.#rules = limitRulesOf(config);
    this.#customNews2 = !config.news2.enabled || !isDefaultTriggers(config.news2.triggers);
    this.processorConfig = {
      ...DEFAULT_PROCESSOR_CONFIG,
      news2WindowMs: config.news2WindowMs,
      // With a model: its geometry (model-detector.ts refuses a mismatch; the lab sets the processor to match).
      // Without one, sliding feature windows feed nothing that moves an alarm (no advisory inputs when contextWindows
      // is 0), so they are made tumbling like NEWS2's: each sample in one window instead of five, same alarms, and
      // feature computation was the largest cost of a run (profiled).
      // Monitoring sessions (runs of data without a 1 min gap) move no alarm, and an open one holds all its samples:
      // a day of 1 Hz data per patient. A 1 ms gap closes each at once: memory stays flat, the same alarms.
      sessionGapMs: 1,
      ...(model ? { featureWindowMs: model.windowMs, featureSlideMs: model.slideMs } : { featureWindowMs: config.news2WindowMs, featureSlideMs: config.news2WindowMs }),
    };
  }

  /** Fresh operators and alarms for a session (patients of different sessions never share state). */
  beginSession(): void {
    this.#alarms = new LabAlarmManager(this.#customNews2);
    this.#processor = new LabProcessor(this.processorConfig, this.#alarms, this.#rules, this.model?.contextWindows ?? 0);
    this.#episodes = new EpisodeLog();
    this.#news2.clear();
  }

  /** Process one batch of samples in arrival order; `now` is the batch's event time (the lab has no wall clock). */
  async feed(batch: readonly LabSampleIn[], now: number): Promise<void> {
    const effects = emptyEffects();
    for (const { wardId, sample } of batch) this.#processor.process(wardId, [sample], now, effects);
    if (this.#customNews2 && this.config.news2.enabled) this.#news2Alarms(effects, now);
    if (this.model && effects.advisory.length > 0) {
      const verdicts = await this.model.scoreBatch(effects.advisory);
      this.#processor.applyVerdicts(effects.advisory, verdicts, now, effects);
    }
    this.#episodes.add(effects.alarmChanges);
    this.#alarms.tick(now); // forgets ended alarms (escalation is off)
  }

  /** The session's episodes; the model forgets its patients. */
  endSession(): LabEpisode[] {
    if (this.model) for (const id of this.#processor.patients.keys()) this.model.forget(id);
    return this.#episodes.episodes;
  }

  /** stream-processor.ts #onNews2Window with the configuration's triggers, on first emissions only. */
  #news2Alarms(effects: ProcessEffects, now: number): void {
    const triggers = this.config.news2.triggers;
    for (const { wardId, bedId, score } of effects.news2) {
      if (score.revision !== 0) continue; // late data revises the stored score, never the alarm
      const patientId = score.patientId;
      let state = this.#news2.get(patientId);
      if (!state) this.#news2.set(patientId, (state = emptyNews2State()));
      const transition = triggeredTransition(score.result, triggers, state);
      if (!transition) continue;
      const evidence = { windowStart: score.start, windowEnd: score.end, value: score.result.total, detail: transition.message };
      if (transition.type === 'start') {
        effects.alarmChanges.push(
          ...this.#alarms.news2Start(
            {
              wardId,
              bedId,
              patientId,
              code: NEWS2_CODE,
              source: 'news2',
              kind: 'physiological',
              priority: transition.priority,
              latching: false,
              sourceKey: 'news2',
              onsetAt: score.start,
              raisedAt: score.end,
              message: transition.message,
              evidence,
            },
            now,
          ),
        );
      } else if (transition.type === 'update') {
        effects.alarmChanges.push(...this.#alarms.news2Update({ patientId, code: NEWS2_CODE, at: score.end, priority: transition.priority, message: transition.message, evidence }));
      } else {
        effects.alarmChanges.push(...this.#alarms.news2End({ patientId, code: NEWS2_CODE, sourceKey: 'news2', at: score.end, detail: transition.message }));
      }
    }
  }
}
