/**
 * Restore after a restart (or a failed commit): the processor's state is rebuilt from what is committed, and only
 * from that, so it is exactly the state after the last committed batch.
 *   1. checkpoint rows (operator_state): stream positions, rule conditions, NEWS2 state, window bookkeeping;
 *   2. each stream's samples after its position (committed but held for a gap) go back into its reorder buffer;
 *   3. each patient's samples from the windows' `retainFrom` go back into the window operators;
 *   4. open alarms (with the wall time they were first signalled), ward beds, limits and observations;
 *   5. (restoreContext, by the pipeline) the anomaly detector's context, and the windows it had not yet scored.
 * The figures (rows, samples, ms) are returned for the log line and the recovery-time report.
 */
import type { AlarmManager } from '../alarms/alarm-manager.ts';
import type { AnomalyInput } from '../detectors/anomaly-detector.ts';
import type { AlarmRepository } from '../storage/alarm-repository.ts';
import type { Db } from '../storage/db.ts';
import type { IngestRepository, StoredSample } from '../storage/ingest-repository.ts';
import type { PatientRepository } from '../storage/patient-repository.ts';
import type { OperatorStateRepository } from '../storage/state-repository.ts';
import type { WindowRepository } from '../storage/window-repository.ts';
import { PatientState, type PatientCheckpoint, type ProcSample } from './patient-state.ts';
import type { StreamProcessor } from './stream-processor.ts';

export interface RestoreReport {
  patients: number;
  streams: number;
  pendingSamples: number;
  windowSamples: number;
  openAlarms: number;
  ms: number;
}

export interface RestoreDeps {
  db: Db;
  processor: StreamProcessor;
  alarms: AlarmManager;
  repos: {
    state: OperatorStateRepository;
    ingest: IngestRepository;
    alarms: AlarmRepository;
    patients: PatientRepository;
    windows: WindowRepository;
  };
}

const toProc = (s: StoredSample): ProcSample => ({
  deviceId: s.deviceId,
  bootId: s.bootId,
  seq: s.seq,
  patientId: s.patientId,
  bedId: s.bedId,
  t: s.t,
  late: s.late,
  vitals: s.vitals,
  quality: s.quality,
});

export async function restoreProcessor(deps: RestoreDeps): Promise<RestoreReport> {
  const started = performance.now();
  const { db, processor, repos } = deps;
  processor.clear();

  const limits = await repos.patients.allLimits(db);
  processor.inputs.limits.clear();
  for (const [id, rules] of limits) processor.inputs.limits.set(id, rules);
  processor.inputs.observations.clear();
  for (const list of (await repos.patients.allLatestObservations(db)).values()) for (const o of list) processor.addObservation(o);

  const rows = await repos.state.loadAll(db);
  let streams = 0;
  let pendingSamples = 0;
  const since = new Map<string, number>();
  const snapshots = new Map<string, PatientCheckpoint>();
  for (const row of rows) {
    const cp = row.state as PatientCheckpoint;
    if (cp?.v !== 1) continue;
    const patient = PatientState.fromCheckpoint(row.patientId, cp, processor.rulesFor(row.patientId), processor.config.streamReorderMs);
    processor.patients.set(row.patientId, patient);
    snapshots.set(row.patientId, cp);
    // Window bookkeeping first (without elements) to learn from when the windows need their samples back.
    const w = cp.windows as Record<'news2' | 'features' | 'sessions', unknown>;
    let from = Infinity;
    for (const [name, op] of [['news2', processor.news2Windows], ['features', processor.featureWindows], ['sessions', processor.sessionWindows]] as const) {
      const snap = w[name];
      if (!snap) continue;
      op.restoreKey(row.patientId, snap as never, []);
      from = Math.min(from, op.retainFrom(row.patientId));
    }
    if (Number.isFinite(from)) since.set(row.patientId, from);
    for (const s of cp.streams) {
      streams++;
      const held = await repos.ingest.streamSamplesAfter(db, s.deviceId, s.bootId, s.lastSeq ?? -1);
      const entry = patient.streams.get(`${s.deviceId}|${s.bootId}`)!;
      for (const sample of held) {
        if (sample.patientId !== row.patientId) continue;
        pendingSamples++;
        // These were held for a gap when the state was committed, and the same set holds them again.
        entry.order.accept(toProc(sample));
      }
    }
  }

  let windowSamples = 0;
  if (since.size > 0) {
    const byPatient = new Map<string, ProcSample[]>();
    for (const s of await repos.ingest.samplesOfPatientsSince(db, [...since.keys()], since)) {
      const list = byPatient.get(s.patientId) ?? [];
      list.push(toProc(s));
      byPatient.set(s.patientId, list);
    }
    for (const [id, cp] of snapshots) {
      const elements = byPatient.get(id) ?? [];
      const w = cp.windows as Record<'news2' | 'features' | 'sessions', unknown>;
      for (const [name, op] of [['news2', processor.news2Windows], ['features', processor.featureWindows], ['sessions', processor.sessionWindows]] as const) {
        const snap = w[name];
        if (!snap) continue;
        const from = op.retainFrom(id);
        const mine = elements.filter((e) => e.t >= from);
        op.restoreKey(id, snap as never, mine);
        windowSamples += mine.length;
      }
    }
  }

  const open = await repos.alarms.loadOpen(db);
  deps.alarms.load(open);
  return { patients: processor.patients.size, streams, pendingSamples, windowSamples, openAlarms: open.length, ms: Math.round(performance.now() - started) };
}

/**
 * The anomaly detector's context of every patient, from the stored feature windows: at a restore, and when a reloaded
 * model needs more context than the processor kept (pipeline.ts), so both hold what a restart would. Returns the
 * windows emitted after the patient's `advisoryThrough` (committed, but their verdict was not: the advisory lane
 * scores them again, so a crash loses no advisory alarm), oldest first per patient.
 */
export async function restoreContext(db: Db, processor: StreamProcessor, windows: WindowRepository): Promise<AnomalyInput[]> {
  const keep = processor.contextWindows;
  if (keep === 0) return [];
  // Only the windows the detector's context needs: those ending within contextWindows slides of the newest.
  const { featureSlideMs, featureWindowMs } = processor.config;
  const unscored: AnomalyInput[] = [];
  for (const [id, patient] of processor.patients) {
    const watermark = processor.featureWindows.watermark(id);
    if (!Number.isFinite(watermark)) continue;
    const through = patient.advisoryThrough;
    // Back to the first unscored window's own context when the lane was behind further than that.
    let from = watermark - (keep + 1) * featureSlideMs - featureWindowMs;
    if (through !== undefined) from = Math.min(from, through - featureWindowMs - (keep + 1) * featureSlideMs);
    const recent = (await windows.features(db, id, from, watermark)).map((r) => r.features);
    processor.setContext(id, recent);
    if (through === undefined) continue;
    recent.forEach((features, i) => {
      if (features.end > through) unscored.push({ patientId: id, features, history: recent.slice(Math.max(0, i - keep), i) });
    });
  }
  return unscored;
}
