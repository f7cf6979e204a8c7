/**
 * The seeded scenario every fault test runs twice — fault-free, then with its fault — and the comparison of the two:
 * the same devices send the same numbered samples (event time t0 + seq × stepMs, seeded deteriorations that raise
 * limit-rule and NEWS2 alarms), so the cloud processor's output must be identical: every alarm (id, code, priority,
 * state, onset, raise and end times relative to t0), every system transition, every NEWS2 score.
 *
 * Seed: VIGIL_FAULT_SEED (each test has its own default). Scale: short in CI, longer with VIGIL_FAULTS_LONG=1.
 */
import { Rng } from '@vigil/simulators';
import { account, DeviceFleet, drained, sleep, startFaultWard, until, type Accounting, type FaultWard, type FaultWardOptions } from './fault-ward.ts';

export const LONG = process.env.VIGIL_FAULTS_LONG === '1';
export const faultSeed = (fallback: string): string => process.env.VIGIL_FAULT_SEED ?? fallback;

/** A replay at ×10: one sample per device per second of event time, sent at 10 Hz of wall time. */
export const REPLAY = { hz: 10, stepMs: 1_000 } as const;

/** Edge and cloud settings of a ×10 replay (stated once): event time runs ahead of the wall clock, and the reorder and
 * watermark bounds are 100 s of event time = 10 s of wall time, the same wall bound as in real time. */
export const REPLAY_EDGE_ENV = { VIGIL_EDGE_MAX_CLOCK_SKEW_MS: String(86_400_000) };
export const REPLAY_CLOUD_ENV = { VIGIL_CLOUD_STREAM_REORDER_MS: '100000', VIGIL_CLOUD_OUT_OF_ORDERNESS_MS: '100000' };

export type Episode = [from: number, to: number, vitals: Record<string, number>];

/** Seeded deteriorations per device (tachycardia, hypoxaemia, bradycardia, tachypnoea, both), as seq ranges. */
export function deteriorations(seed: string, devices: number, samples: number): Episode[][] {
  const rng = new Rng(`${seed}:scenario`);
  const kinds: Array<Record<string, number>> = [{ hr: 145 }, { spo2: 86 }, { hr: 35 }, { rr: 29 }, { hr: 138, rr: 27 }];
  return Array.from({ length: devices }, () => {
    const episodes: Episode[] = [];
    let from = Math.round(rng.uniform(15, 60));
    while (from < samples - 40) {
      const length = Math.round(rng.uniform(25, 70));
      episodes.push([from, from + length, kinds[Math.floor(rng.uniform(0, kinds.length))]!]);
      from += length + Math.round(rng.uniform(30, 120));
    }
    return episodes;
  });
}

/** The vitals override of device `i` at `seq` (undefined: normal vitals). */
export const shapeOf = (plan: Episode[][]) => (i: number, _t: number, seq: number) => plan[i]?.find(([a, b]) => seq >= a && seq < b)?.[2];

export interface AlarmSnapshot {
  /** Cloud processor alarms (limit-rule, NEWS2): the clinical output compared for parity. */
  alarms: string[];
  transitions: string[];
  news2: string[];
  /** Physiological alarms the edge raised locally (critical limits) and forwarded. */
  edgeAlarms: string[];
  /** Technical alarms (edge or cloud): expected to differ under a fault (they report it). */
  technical: string[];
}

interface StoredAlarm {
  id: string;
  code: string;
  state: string;
  source: string;
  kind: string;
  patientId: string;
  onsetAt: number;
  raisedAt: number;
  endedAt: number | null;
  priority: string;
}

/** The alarms, transitions and NEWS2 scores the cloud stored, times relative to t0. */
export function alarmSnapshot(ward: FaultWard, t0: number): AlarmSnapshot {
  const all = ward.query<{ body: string }>(`SELECT body FROM alarms ORDER BY id`).map((r) => JSON.parse(r.body) as StoredAlarm);
  const processor = all.filter((a) => a.source === 'limit-rule' || a.source === 'news2');
  const ids = new Set(processor.map((a) => a.id));
  return {
    alarms: processor.map((a) => `${a.id} ${a.patientId} ${a.code} ${a.priority} ${a.state} onset=${a.onsetAt - t0} raised=${a.raisedAt - t0} ended=${a.endedAt === null ? '-' : a.endedAt - t0}`),
    transitions: ward
      // Escalation of an unacknowledged alarm runs on the wall clock (docs/architecture.md: "two clocks"), so its
      // moment — and whether it happened before a run ended — is not a function of the data: not compared.
      .query<{ alarm_id: string; n: number; phase: string; state: string; at: number }>(`SELECT alarm_id, n, phase, state, at FROM alarm_transitions WHERE actor = 'system' AND phase <> 'escalate' ORDER BY alarm_id, n`)
      .filter((r) => ids.has(r.alarm_id))
      .map((r) => `${r.alarm_id} ${r.phase} ${r.state} at=${r.at - t0}`),
    news2: ward
      .query<{ patient_id: string; start: number; end: number; total: number; response: string; revision: number }>(`SELECT patient_id, start, "end", total, response, revision FROM news2_scores ORDER BY patient_id, "end"`)
      .map((r) => `${r.patient_id} ${r.start - t0}..${r.end - t0} ${r.total} ${r.response} r${r.revision}`),
    edgeAlarms: edgeAlarmReports(ward, t0),
    technical: all.filter((a) => a.kind === 'technical').map((a) => `${a.code} ${a.patientId}`),
  };
}

/**
 * The edge's local alarms as the cloud keeps them (edge_alarm_reports: every transition the edge forwarded): per
 * alarm, its id (a hash of patient, code and onset in event time), code, onset and the states it went through. The
 * edge's transition times are its wall clock: not compared.
 */
function edgeAlarmReports(ward: FaultWard, t0: number): string[] {
  const byId = new Map<string, { code: string; patientId: string; onsetAt: number; states: Set<string> }>();
  for (const r of ward.query<{ alarm_id: string; state: string; body: string }>('SELECT alarm_id, state, body FROM edge_alarm_reports ORDER BY alarm_id')) {
    const a = JSON.parse(r.body) as StoredAlarm;
    if (a.kind !== 'physiological') continue;
    const entry = byId.get(r.alarm_id) ?? { code: a.code, patientId: a.patientId, onsetAt: a.onsetAt, states: new Set<string>() };
    entry.states.add(r.state);
    byId.set(r.alarm_id, entry);
  }
  return [...byId].map(([id, a]) => `${id} ${a.patientId} ${a.code} onset=${a.onsetAt - t0} states=${[...a.states].sort().join(',')}`);
}

export interface AlarmParity {
  reference: number;
  faulty: number;
  identical: boolean;
  transitionsIdentical: boolean;
  news2Identical: boolean;
  missing: string[];
  extra: string[];
  /** What the comparison left out, and why (empty: nothing). */
  excluded: string;
}

export function compareAlarms(reference: AlarmSnapshot, faulty: AlarmSnapshot, excluded = ''): AlarmParity {
  const missing = reference.alarms.filter((a) => !faulty.alarms.includes(a));
  const extra = faulty.alarms.filter((a) => !reference.alarms.includes(a));
  const transitionsIdentical = JSON.stringify(reference.transitions) === JSON.stringify(faulty.transitions);
  const news2Identical = JSON.stringify(reference.news2) === JSON.stringify(faulty.news2);
  return {
    reference: reference.alarms.length,
    faulty: faulty.alarms.length,
    identical: missing.length === 0 && extra.length === 0 && transitionsIdentical && news2Identical,
    transitionsIdentical,
    news2Identical,
    missing: missing.slice(0, 5),
    extra: extra.slice(0, 5),
    excluded,
  };
}

/** The edge's outbox depth, polled (4 Hz) for the whole run: recovery time and backlog drain rate come from it. */
export class OutboxWatch {
  readonly points: Array<{ t: number; depth: number }> = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly ward: FaultWard) {}

  start(): void {
    this.#timer = setInterval(() => {
      this.ward.edgeMetric('vigil_edge_outbox_records').then(
        (depth) => this.points.push({ t: Date.now(), depth }),
        () => undefined, // the edge is down (a kill): no point
      );
    }, 250);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The normal depth: twice the 90th percentile before `until` (records waiting for the next batch), at least 100. */
  baseline(until: number): number {
    const before = this.points.filter((p) => p.t < until).map((p) => p.depth).sort((a, b) => a - b);
    return Math.max(100, 2 * (before[Math.floor(0.9 * (before.length - 1))] ?? 0));
  }

  /**
   * After `from` (a heal, a restart): seconds until the depth is back at the baseline, and the drain rate from the
   * peak to then (records/s; null when no backlog above the baseline formed).
   */
  recovery(from: number, baseline: number): { recoveryS: number | null; peak: number; drainPerS: number | null } {
    const after = this.points.filter((p) => p.t >= from);
    let peak = { t: from, depth: 0 };
    for (const p of after) if (p.depth > peak.depth) peak = p;
    if (peak.depth <= baseline) return { recoveryS: 0, peak: peak.depth, drainPerS: null }; // no backlog formed
    const back = after.find((p) => p.t >= peak.t && p.depth <= baseline);
    if (!back) return { recoveryS: null, peak: peak.depth, drainPerS: null };
    const drainS = (back.t - peak.t) / 1000;
    return { recoveryS: (back.t - from) / 1000, peak: peak.depth, drainPerS: peak.depth > baseline && drainS > 0 ? (peak.depth - back.depth) / drainS : null };
  }
}

export interface FaultContext {
  ward: FaultWard;
  fleet: DeviceFleet;
  watch: OutboxWatch;
  /** Wall time the devices started. */
  started: number;
  /** Sleep until `ms` after the start. */
  at(ms: number): Promise<void>;
}

export interface ScenarioOptions {
  seed: string;
  t0: number;
  devices: number;
  samples: number;
  ward?: Omit<FaultWardOptions, 'beds'>;
  /** Uplink port of the edge (a proxy, an external broker); default the cloud's embedded broker. */
  uplinkPort?: (ward: FaultWard) => Promise<number> | number;
  /** The fault, run while the devices send; omitted for the fault-free reference. */
  fault?: (ctx: FaultContext) => Promise<void>;
  /** Vitals that win over the seeded plan (a test's own episode), by device index and seq. */
  override?: (i: number, seq: number) => Record<string, number> | undefined;
  /** Device ring buffer (resend while the edge is away). */
  deviceBuffer?: number;
  /** Wards started, for the caller's cleanup. */
  wards: FaultWard[];
}

export interface ScenarioOutcome {
  ward: FaultWard;
  fleet: DeviceFleet;
  watch: OutboxWatch;
  accounting: Accounting;
  snapshot: AlarmSnapshot;
  started: number;
  stoppedAt: number;
  /** Devices stopped → every sample acknowledged, outbox empty, everything stored (undefined: never). */
  drainedAt: number | undefined;
  links: ReturnType<DeviceFleet['stats']>;
}

/** One run of the scenario on a fresh ward; the ward stays open (in `wards`) so the caller can read more from it. */
export async function runScenario(o: ScenarioOptions): Promise<ScenarioOutcome> {
  const plan = deteriorations(o.seed, o.devices, o.samples);
  const ward = await startFaultWard({
    beds: o.devices,
    ...o.ward,
    edgeEnv: { ...REPLAY_EDGE_ENV, ...o.ward?.edgeEnv },
    cloudEnv: { ...REPLAY_CLOUD_ENV, ...o.ward?.cloudEnv },
  });
  o.wards.push(ward);
  await ward.startEdge(o.uplinkPort ? await o.uplinkPort(ward) : undefined);
  await ward.edgeStatus('ok');
  const fleet = new DeviceFleet(ward, REPLAY.hz, o.deviceBuffer ?? 4000);
  fleet.eventTime = { t0: o.t0, stepMs: REPLAY.stepMs };
  fleet.limit = o.samples;
  const planned = shapeOf(plan);
  fleet.shape = (i, t, seq) => o.override?.(i, seq) ?? planned(i, t, seq);
  await fleet.connect();
  const watch = new OutboxWatch(ward);
  watch.start();
  const runMs = (o.samples / REPLAY.hz) * 1000;
  const started = Date.now();
  fleet.start();
  await o.fault?.({ ward, fleet, watch, started, at: (ms) => sleep(started + ms - Date.now()) });
  await sleep(started + runMs - Date.now());
  // Timers drift on a busy machine: every device sends its full count, or the two runs would differ in input.
  await until('every device to send all its samples', () => fleet.total >= o.devices * o.samples, 60_000, 50);
  const stoppedAt = Date.now();
  const drainedAt = await drained(ward, fleet);
  watch.stop();
  fleet.stop();
  const links = fleet.stats();
  await fleet.close();
  return { ward, fleet, watch, accounting: account(ward, fleet), snapshot: alarmSnapshot(ward, o.t0), started, stoppedAt, drainedAt, links };
}

/** One event-time origin for a reference and its fault run: a whole minute (NEWS2 windows line up the same way). */
export const scenarioT0 = (): number => Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
