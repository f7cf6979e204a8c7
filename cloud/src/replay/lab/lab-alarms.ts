/**
 * The cloud's alarm manager as the lab uses it, and the alarm episodes it produced.
 *
 * LabAlarmManager is the AlarmManager itself with one switch: the stream processor's own NEWS2 conditions can be
 * held back, so that a configuration with other NEWS2 triggers (news2-trigger.ts) or none drives the NEWS2 alarm
 * instead. Escalation is off (nobody acknowledges in a replay, so every alarm would escalate: noise in the counts).
 *
 * An episode is one alarm (one id): raised at its start, over when its condition ended — at 'end', or at 'latch' for
 * a latching alarm (its condition is over then; the latched alarm waits for an acknowledgement nobody gives here),
 * as the models' baselines count them (models/src/data/baselines.ts). Its priority is the highest it reached.
 */
import { PRIORITY_RANK, type AlarmKind, type AlarmPriority, type AlarmSource } from '@vigil/contracts';
import { AlarmManager, type AlarmChange, type ConditionEnd, type ConditionStart, type ConditionUpdate } from '../../alarms/alarm-manager.ts';

export const NEWS2_CODE = 'NEWS2';

export class LabAlarmManager extends AlarmManager {
  /** True: NEWS2 conditions from the processor are dropped; the lab calls the `news2*` methods itself. */
  readonly holdNews2: boolean;

  constructor(holdNews2: boolean) {
    super({ escalateAfterMs: { high: null, medium: null, low: null } });
    this.holdNews2 = holdNews2;
  }

  override conditionStart(c: ConditionStart, wallNow: number): AlarmChange[] {
    return this.holdNews2 && c.code === NEWS2_CODE ? [] : super.conditionStart(c, wallNow);
  }

  override conditionEnd(c: ConditionEnd): AlarmChange[] {
    return this.holdNews2 && c.code === NEWS2_CODE ? [] : super.conditionEnd(c);
  }

  override conditionUpdate(c: ConditionUpdate): AlarmChange[] {
    return this.holdNews2 && c.code === NEWS2_CODE ? [] : super.conditionUpdate(c);
  }

  news2Start(c: ConditionStart, wallNow: number): AlarmChange[] {
    return super.conditionStart(c, wallNow);
  }

  news2End(c: ConditionEnd): AlarmChange[] {
    return super.conditionEnd(c);
  }

  news2Update(c: ConditionUpdate): AlarmChange[] {
    return super.conditionUpdate(c);
  }
}

export interface LabEpisode {
  id: string;
  patientId: string;
  bedId: string;
  code: string;
  source: AlarmSource;
  kind: AlarmKind;
  /** Highest priority reached. */
  priority: AlarmPriority;
  onsetAt: number;
  raisedAt: number;
  /** Event time the condition ended (end or latch); null while it lasted to the end of the session. */
  end: number | null;
}

/** Episodes from the alarm manager's changes, in the order they started. */
export class EpisodeLog {
  readonly episodes: LabEpisode[] = [];
  readonly #byId = new Map<string, LabEpisode>();

  add(changes: readonly AlarmChange[]): void {
    for (const { alarm, transition } of changes) {
      let episode = this.#byId.get(alarm.id);
      if (transition.phase === 'start') {
        if (episode) continue;
        episode = {
          id: alarm.id,
          patientId: alarm.patientId,
          bedId: alarm.bedId,
          code: alarm.code,
          source: alarm.source,
          kind: alarm.kind,
          priority: alarm.priority,
          onsetAt: alarm.onsetAt,
          raisedAt: alarm.raisedAt,
          end: null,
        };
        this.#byId.set(alarm.id, episode);
        this.episodes.push(episode);
        continue;
      }
      if (!episode) continue;
      if (PRIORITY_RANK[alarm.priority] > PRIORITY_RANK[episode.priority]) episode.priority = alarm.priority;
      if ((transition.phase === 'latch' || transition.phase === 'end') && episode.end === null) {
        episode.end = transition.at;
        this.#byId.delete(alarm.id); // nothing later changes a finished episode's figures
      }
    }
  }
}
