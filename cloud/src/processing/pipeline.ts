/**
 * One uplink batch, exactly once: in ONE transaction the batch's records are stored idempotently (their keys make a
 * redelivery a no-op), the new samples run through the operators (stream-processor.ts), and everything that changed
 * is written with them — alarm changes (with their cursors), feature windows, NEWS2 scores, sessions, bed states and
 * the checkpoint rows of the patients the batch touched. So the checkpoint and the input position are the same
 * commit: after kill -9 the processor restores exactly the state of the last committed batch (restore.ts), and a
 * batch that was not committed is redelivered and processed as if for the first time. Only after the commit are the
 * changes pushed to dashboards, and only after that is the batch acknowledged (by the caller).
 *
 * Batches, people's alarm actions and the alarm manager's clock tick run one at a time (a FIFO): they share the
 * operators' memory. If a commit fails, memory is rebuilt from the database before anything else runs.
 *
 * The anomaly detector does not run inside a batch: the windows a batch closes go to the advisory lane
 * (advisory-lane.ts), whose verdicts are applied later in the same FIFO, so no rule alarm ever waits for the model.
 */
import type { Logger } from 'pino';
import { isReplayWard, type Alarm, type AlarmEvent, type BedState, type DeviceUpdate, type News2Update, type UplinkBatch, type UplinkSample, type VitalsUpdate } from '@vigil/contracts';
import { AlarmManager, type AlarmChange } from '../alarms/alarm-manager.ts';
import type { AlarmPolicy } from '../alarms/alarm-policy.ts';
import type { AnomalyDetector, AnomalyInput, AnomalyVerdict } from '../detectors/anomaly-detector.ts';
import type { CloudMetrics } from '../metrics.ts';
import type { AlarmRepository } from '../storage/alarm-repository.ts';
import type { Db, DbExecutor } from '../storage/db.ts';
import type { IngestRepository } from '../storage/ingest-repository.ts';
import type { PatientRepository } from '../storage/patient-repository.ts';
import type { OperatorStateRepository } from '../storage/state-repository.ts';
import type { WindowRepository } from '../storage/window-repository.ts';
import { AdvisoryLane } from './advisory-lane.ts';
import { restoreContext, restoreProcessor, type RestoreReport } from './restore.ts';
import { emptyEffects, StreamProcessor, type PatientInputs, type ProcessEffects, type ProcessorConfig } from './stream-processor.ts';
import type { WardStateCache } from './ward-state.ts';

export interface BatchOutcome {
  stored: number;
  duplicates: number;
  vitals: VitalsUpdate[];
  devices: DeviceUpdate[];
  beds: BedState[];
  alarms: AlarmEvent[];
  /** Those of `alarms` that are a new alarm (phase start): the alarm signal delay is measured on them. */
  raised: AlarmEvent[];
  news2: News2Update[];
}

export interface Repositories {
  ingest: IngestRepository;
  alarms: AlarmRepository;
  state: OperatorStateRepository;
  windows: WindowRepository;
  patients: PatientRepository;
}

export interface PipelineDeps {
  db: Db;
  repos: Repositories;
  wardState: WardStateCache;
  metrics: CloudMetrics;
  logger: Logger;
  processorConfig: ProcessorConfig;
  alarmPolicy?: Partial<AlarmPolicy>;
  detector?: AnomalyDetector;
  /** Advisory alarm changes committed by the anomaly detector's lane (outside any batch), for the dashboards. */
  publishAdvisory?: (events: AlarmEvent[]) => void;
  /** Wall clock (storedAt, people's actions, escalation); never used for event-time decisions. */
  now: () => number;
}

export function createPipeline(deps: PipelineDeps) {
  const { db, repos, wardState, metrics, logger, now } = deps;
  const inputs = (): PatientInputs => ({ limits: new Map(), observations: new Map() });
  const fresh = () => {
    const alarms = new AlarmManager(deps.alarmPolicy);
    // The detector's context is read at every window: a reloaded model may want more or less of it.
    return { alarms, processor: new StreamProcessor(deps.processorConfig, alarms, inputs(), () => deps.detector?.contextWindows ?? 0) };
  };
  let engine = fresh();
  let queue: Promise<unknown> = Promise.resolve();

  /** Run `fn` after everything queued before it; a failure does not stop the queue. */
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  }

  const { detector } = deps;
  detector?.attach?.({
    metrics,
    // A model swap runs between two batches. A model that needs more context than the processor kept gets it from
    // the stored windows before the next batch, as a restart would, so its verdicts are the ones a replay gives.
    betweenBatches: <T>(swap: () => Promise<T>) =>
      exclusive(async () => {
        const before = detector.contextWindows;
        const result = await swap();
        if (detector.contextWindows > before) {
          try {
            await restoreContext(db, engine.processor, repos.windows); // its unscored windows are in the lane already
          } catch (err) {
            logger.warn({ err, detector: detector.name }, 'could not refill the anomaly context; patients are rebuilt from a shorter history');
          }
        }
        return result;
      }),
  });

  const lane = detector
    ? new AdvisoryLane({
        detector,
        apply: (inputs, verdicts) => exclusive(() => applyAdvisory(inputs, verdicts)),
        publish: (events) => deps.publishAdvisory?.(events),
        metrics: () => metrics.anomaly,
        logger,
        now,
      })
    : undefined;

  async function restore(): Promise<RestoreReport & { advisoryQueued: number }> {
    lane?.clear();
    engine = fresh();
    wardState.load(await repos.ingest.loadBeds(db), true);
    const report = await restoreProcessor({ db, processor: engine.processor, alarms: engine.alarms, repos });
    const unscored = await restoreContext(db, engine.processor, repos.windows);
    lane?.enqueue(unscored);
    return { ...report, advisoryQueued: unscored.length };
  }

  /** One round of the advisory lane: verdicts → advisory alarm changes and the patients' checkpoints, one commit. */
  async function applyAdvisory(inputs: AnomalyInput[], verdicts: AnomalyVerdict[]): Promise<AlarmEvent[]> {
    const wallAt = now();
    const effects = emptyEffects();
    engine.processor.applyVerdicts(inputs, verdicts, wallAt, effects);
    try {
      return await db.transaction(async (tx) => {
        const events = await saveAlarmChanges(tx, effects.alarmChanges, wallAt);
        await repos.state.save(tx, engine.processor.checkpoints(effects.touched), wallAt);
        return events;
      });
    } catch (err) {
      return rollback(err);
    }
  }

  /** After a failed commit memory is ahead of the database: rebuild it, then rethrow. */
  async function rollback(err: unknown): Promise<never> {
    logger.error({ err }, 'commit failed; rebuilding processor state from the database');
    try {
      await restore();
    } catch (restoreErr) {
      logger.fatal({ err: restoreErr }, 'state rebuild failed');
    }
    throw err;
  }

  async function saveAlarmChanges(x: DbExecutor, changes: AlarmChange[], wallAt: number): Promise<AlarmEvent[]> {
    if (changes.length === 0) return [];
    const cursors = await repos.alarms.saveChanges(x, changes.map((c) => ({ ...c, wallAt })));
    return changes.map((c, i) => ({ cursor: cursors[i]!, alarm: c.alarm }));
  }

  async function processBatchNow(batch: UplinkBatch): Promise<BatchOutcome> {
    const outcome: BatchOutcome = { stored: 0, duplicates: 0, vitals: [], devices: [], beds: [], alarms: [], raised: [], news2: [] };
    const storedAt = now();
    const { wardId } = batch;
    const replay = isReplayWard(wardId);
    const changedBeds = new Map<string, BedState>();
    const effects: ProcessEffects = emptyEffects();
    const samples = batch.records.filter((r): r is UplinkSample => r.type === 'sample');
    try {
      await db.transaction(async (tx) => {
        const isNew = await repos.ingest.insertSamples(tx, wardId, samples, storedAt);
        const newSamples = samples.filter((_, i) => isNew[i]);
        outcome.stored = newSamples.length;
        outcome.duplicates += samples.length - newSamples.length;
        for (const s of newSamples) {
          const bed = wardState.applySample(wardId, s);
          changedBeds.set(`${bed.wardId}\u0000${bed.bedId}`, bed);
          outcome.vitals.push({ wardId, bedId: s.bedId, patientId: s.patientId, t: s.t, vitals: s.vitals, quality: s.quality });
          // A replay's event times are the recording's, not now: it must not enter the live delay histogram.
          if (!s.late && !replay) metrics.endToEnd.observe(Math.max(0, storedAt - s.t) / 1000);
        }
        engine.processor.process(wardId, newSamples, storedAt, effects);

        const statuses = batch.records.filter((r) => r.type === 'status');
        const statusNew = await repos.ingest.insertStatuses(tx, wardId, statuses);
        statuses.forEach((status, i) => {
          if (!statusNew[i]) return void outcome.duplicates++;
          const bed = wardState.applyStatus(wardId, status);
          changedBeds.set(`${bed.wardId}\u0000${bed.bedId}`, bed);
          const device = bed.devices.find((d) => d.deviceId === status.deviceId);
          if (device) outcome.devices.push({ ...device, wardId, bedId: status.bedId, patientId: status.patientId });
        });
        const count = (flags: boolean[]) => flags.forEach((f) => !f && outcome.duplicates++);
        count(await repos.ingest.insertEdgeWindows(tx, wardId, batch.records.filter((r) => r.type === 'window')));
        count(await repos.ingest.insertWaveSummaries(tx, wardId, batch.records.filter((r) => r.type === 'wave_summary')));
        count(await repos.ingest.insertWaves(tx, wardId, batch.records.filter((r) => r.type === 'wave')));
        // The edge's local alarms are kept as reports. Its technical alarms (sensor off, device offline, battery,
        // data gap, link down) have no cloud-side detector, so they join the ward's alarms; its limit alarms repeat
        // the cloud's own rules, which stay the source of the ward's physiological alarms.
        const edgeAlarms = batch.records.filter((r) => r.type === 'alarm').map((r) => ({ ...r.alarm, wardId }));
        const edgeNew = await repos.ingest.insertEdgeAlarms(tx, wardId, edgeAlarms);
        edgeAlarms.forEach((alarm, i) => {
          if (!edgeNew[i]) return void outcome.duplicates++;
          if (alarm.kind === 'technical') effects.alarmChanges.push(...engine.alarms.adopt(alarm, storedAt));
        });

        outcome.alarms = await saveAlarmChanges(tx, effects.alarmChanges, storedAt);
        outcome.raised = outcome.alarms.filter((_, i) => effects.alarmChanges[i]!.transition.phase === 'start');
        await repos.windows.upsertFeatures(tx, effects.features);
        await repos.windows.upsertNews2(tx, effects.news2);
        await repos.windows.upsertSessions(tx, effects.sessions);
        await repos.windows.recordDroppedLate(tx, effects.droppedLate);
        for (const { wardId: w, bedId, score } of effects.news2) {
          const bed = wardState.applyNews2(w, bedId, score);
          if (bed) changedBeds.set(`${bed.wardId}\u0000${bed.bedId}`, bed);
          outcome.news2.push({ ...score, wardId: w, bedId });
        }
        await repos.state.save(tx, engine.processor.checkpoints(effects.touched), storedAt);
        await repos.ingest.saveBeds(tx, [...changedBeds.values()]);
      });
    } catch (err) {
      return rollback(err);
    }
    outcome.beds = [...changedBeds.values()];
    lane?.enqueue(effects.advisory);
    metrics.batches.inc();
    metrics.samplesStored.inc(outcome.stored);
    metrics.duplicates.inc(outcome.duplicates);
    metrics.lateDropped.inc(effects.droppedLate.length);
    metrics.streamGaps.inc(effects.gapsSkipped);
    if (!replay) for (const { alarm } of outcome.raised) metrics.alarms.inc({ priority: alarm.priority, kind: alarm.kind });
    let lag = 0;
    for (const id of effects.touched) {
      const w = engine.processor.watermark(id);
      if (Number.isFinite(w)) lag = Math.max(lag, storedAt - w);
    }
    if (effects.touched.size > 0 && !replay) metrics.watermarkLag.set(lag / 1000);
    return outcome;
  }

  /** Persist alarm changes made outside a batch (a person's action, the clock tick); rebuild memory on failure. */
  async function commitChanges(changes: AlarmChange[], wallAt: number): Promise<AlarmEvent[]> {
    try {
      return await db.transaction((tx) => saveAlarmChanges(tx, changes, wallAt));
    } catch (err) {
      return rollback(err);
    }
  }

  return {
    get alarms(): AlarmManager {
      return engine.alarms;
    },
    get processor(): StreamProcessor {
      return engine.processor;
    },
    restore: () => exclusive(restore),
    /** Resolves when the anomaly detector's lane has applied every window queued so far (replays, tests, shutdown). */
    advisoryIdle: async (): Promise<void> => {
      await lane?.idle();
      await exclusive(async () => undefined);
    },
    /** Stop the lane (shutdown): queued windows are dropped, the checkpoints re-queue them at the next start. */
    stopAdvisory: async (): Promise<void> => {
      lane?.clear();
      await lane?.idle();
    },
    /** Windows waiting for the anomaly detector. */
    get advisoryPending(): number {
      return lane?.pending ?? 0;
    },
    processBatch: (batch: UplinkBatch) => exclusive(() => processBatchNow(batch)),
    /**
     * A person's action on the alarm manager (acknowledge, audio pause, escalate), serialised with the batches.
     * `act` throws a PmError for a refused action (nothing is written then).
     */
    alarmAction: (act: (alarms: AlarmManager, wallNow: number) => AlarmChange[]) =>
      exclusive(async () => {
        const wallNow = now();
        const changes = act(engine.alarms, wallNow);
        return commitChanges(changes, wallNow);
      }),
    /** The alarm manager's wall clock: audio-pause expiry and escalation. */
    tick: () =>
      exclusive(async () => {
        const wallNow = now();
        return commitChanges(engine.alarms.tick(wallNow), wallNow);
      }),
    /** Serialise other state changes (limits, observations) with the batches. */
    exclusive,
    openAlarms: (wardId?: string): Alarm[] => engine.alarms.openAlarms(wardId),
  };
}
export type Pipeline = ReturnType<typeof createPipeline>;
