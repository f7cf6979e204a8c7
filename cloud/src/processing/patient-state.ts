/**
 * What the processor keeps per patient between batches, and its checkpoint form.
 *
 * A checkpoint row (operator_state, one per patient) is small: the position of each device stream and its limit
 * rules' condition states, the NEWS2 detector's state, and the window operators' bookkeeping — never the samples
 * themselves. Those are already in the samples table, committed in the same transaction, and are read back on
 * restore (the stream's samples after its position; the windows' samples from `retainFrom`).
 */
import { LimitRuleEngine, type LimitRule, type LimitRuleEngineState, type SampleQuality, type VitalCode } from '@vigil/contracts';
import { emptyNews2State, type News2State } from '../detectors/news2-detector.ts';
import { StreamOrder } from './stream-order.ts';

/** The fields of a sample the operators use (an uplink sample and a stored one both have them). */
export interface ProcSample {
  deviceId: string;
  bootId: string;
  seq: number;
  patientId: string;
  bedId: string;
  t: number;
  late: boolean;
  vitals: Partial<Record<VitalCode, number>>;
  quality: Partial<Record<VitalCode, SampleQuality>>;
}

export interface StreamEntry {
  deviceId: string;
  bootId: string;
  order: StreamOrder<ProcSample>;
  rules: LimitRuleEngine;
}

export interface StreamCheckpoint {
  deviceId: string;
  bootId: string;
  lastSeq: number | null;
  lastT: number | null;
  rules: LimitRuleEngineState;
}

export interface PatientCheckpoint {
  v: 1;
  wardId: string;
  bedId: string;
  streams: StreamCheckpoint[];
  news2: News2State;
  advisory: boolean;
  /** End of the last feature window whose advisory verdict was applied (absent: no detector, or an older checkpoint). */
  advisoryThrough?: number;
  /** Window operators' per-key snapshots, by operator name. */
  windows: Record<string, unknown>;
}

export const streamKey = (deviceId: string, bootId: string) => `${deviceId}|${bootId}`;

export class PatientState {
  readonly streams = new Map<string, StreamEntry>();
  news2: News2State = emptyNews2State();
  /** An advisory (ML) condition is open. */
  advisory = false;
  /** End of the last feature window whose advisory verdict was applied (advisory-lane.ts). */
  advisoryThrough: number | undefined;

  constructor(
    readonly patientId: string,
    public wardId: string,
    public bedId: string,
  ) {}

  /** The entry of a device stream; `rules` is asked only when the stream is new. */
  stream(deviceId: string, bootId: string, rules: () => readonly LimitRule[], reorderMs: number): StreamEntry {
    const key = streamKey(deviceId, bootId);
    let entry = this.streams.get(key);
    if (!entry) {
      entry = { deviceId, bootId, order: new StreamOrder({ lastSeq: null, lastT: null }, reorderMs), rules: new LimitRuleEngine(rules()) };
      this.streams.set(key, entry);
    }
    return entry;
  }

  /** New rules for this patient (limits changed): condition states of kept codes carry over. */
  setRules(rules: readonly LimitRule[]): void {
    for (const entry of this.streams.values()) {
      const state = entry.rules.snapshot();
      entry.rules = new LimitRuleEngine(rules);
      entry.rules.restore(state);
    }
  }

  checkpoint(windows: Record<string, unknown>): PatientCheckpoint {
    return {
      v: 1,
      wardId: this.wardId,
      bedId: this.bedId,
      streams: [...this.streams.values()].map((s) => ({ deviceId: s.deviceId, bootId: s.bootId, ...s.order.position, rules: s.rules.snapshot() })),
      news2: this.news2,
      advisory: this.advisory,
      ...(this.advisoryThrough === undefined ? {} : { advisoryThrough: this.advisoryThrough }),
      windows,
    };
  }

  static fromCheckpoint(patientId: string, cp: PatientCheckpoint, rules: readonly LimitRule[], reorderMs: number): PatientState {
    const state = new PatientState(patientId, cp.wardId, cp.bedId);
    for (const s of cp.streams) {
      const engine = new LimitRuleEngine(rules);
      engine.restore(s.rules);
      state.streams.set(streamKey(s.deviceId, s.bootId), {
        deviceId: s.deviceId,
        bootId: s.bootId,
        order: new StreamOrder({ lastSeq: s.lastSeq, lastT: s.lastT }, reorderMs),
        rules: engine,
      });
    }
    state.news2 = cp.news2;
    state.advisory = cp.advisory;
    state.advisoryThrough = cp.advisoryThrough;
    return state;
  }
}
