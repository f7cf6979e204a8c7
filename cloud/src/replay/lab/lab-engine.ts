/**
 * The alarm-burden lab's engine: every session is read once, as a stream, and each of its device messages goes
 * through the edge's checks (the replayer's EdgeEquivalent: the edge's own plausibility, dedupe and signal-quality
 * code) and then into every configuration's copy of the cloud's processor and
 * alarm manager (config-run.ts), batch by batch in event time, as fast as the machine goes. No real-time replay,
 * no storage: the alarms are the cloud's, because the code is the cloud's. Then each configuration's episodes are
 * scored against the sessions' ground truth (lab-metrics.ts).
 *
 * Deterministic: the result is a function of the session files and the configurations (no wall clock in it), so
 * two runs give byte-identical JSON.
 */
import { PmError, type GroundTruthEvent, type LabConfig, type LabResult, type SampleQuality, type SessionHeader, type UplinkSample, type VitalCode } from '@vigil/contracts';
import { readSession } from '@vigil/contracts/session-io';
import { ConfigRun, type LabSampleIn } from './config-run.ts';
import { assertUniqueNames } from './lab-config.ts';
import { summarizeLab, type SessionOutcome } from './lab-metrics.ts';
import { DEFAULT_MODEL_ROOT, loadLabModel, type LabModel } from './lab-model.ts';
import { EdgeEquivalent } from '../edge-equivalent.ts';

export interface LabSessionInput {
  /** Shown in the report (a file name or a recording's name). */
  name: string;
  path: string;
}

export interface LabProgress {
  /** Index of the session being read, 0-based. */
  session: number;
  sessions: number;
  name: string;
  /** Share of all sessions' event time done, 0..1. */
  fraction: number;
}

export interface LabRunOptions {
  sessions: readonly LabSessionInput[];
  configs: readonly LabConfig[];
  /** Where lstm.model names are looked up (default models/artefacts). */
  modelRoot?: string;
  /** Event time per batch fed to the processors, ms (the model scores a batch at once). */
  batchMs?: number;
  onProgress?: (p: LabProgress) => void;
  /** Abort between batches (PM_ERR_INTERNAL is not used: the caller sees the signal's reason). */
  signal?: AbortSignal;
}

const DEFAULT_BATCH_MS = 60_000; // ms: one NEWS2 window; batches only group work, they never change a result
const MAX_BATCH_SAMPLES = 20_000; // bounds memory when a session is dense (PhysioNet stays share one base time)

/** What the run measured besides the result (wall time), for the CLI and benchmarks; never in the result. */
export interface LabRunStats {
  seconds: number;
  /** CPU time of this process (user + system) during the run: the fairer figure on a shared machine. */
  cpuSeconds: number;
  messages: number;
  samples: number;
  patientHours: number;
}

export async function runLab(options: LabRunOptions): Promise<{ result: LabResult; stats: LabRunStats }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  if (options.configs.length === 0) throw new PmError('PM_ERR_LAB_CONFIG', 'no configuration to run');
  if (options.sessions.length === 0) throw new PmError('PM_ERR_VALIDATION', 'no session to run');
  assertUniqueNames(options.configs);
  const models: LabModel[] = [];
  try {
    const runs: ConfigRun[] = [];
    for (const config of options.configs) {
      const model = config.lstm.enabled ? await loadLabModel(config.lstm, options.modelRoot ?? DEFAULT_MODEL_ROOT) : null;
      if (model) models.push(model);
      runs.push(new ConfigRun(config, model));
    }
    const outcomes: SessionOutcome[] = [];
    for (const [index, session] of options.sessions.entries()) {
      outcomes.push(await runSession(index, session, runs, options));
    }
    const result = summarizeLab(options.configs, runs, outcomes);
    const stats = {
      seconds: (performance.now() - started) / 1000,
      cpuSeconds: ((u) => (u.user + u.system) / 1e6)(process.cpuUsage(cpu)),
      messages: outcomes.reduce((n, o) => n + o.info.messages, 0),
      samples: outcomes.reduce((n, o) => n + o.info.samples, 0),
      patientHours: result.patientDays * 24,
    };
    return { result, stats };
  } finally {
    for (const m of models) m.dispose();
  }
}

async function runSession(index: number, session: LabSessionInput, runs: readonly ConfigRun[], options: LabRunOptions): Promise<SessionOutcome> {
  const batchMs = options.batchMs ?? DEFAULT_BATCH_MS;
  let header: SessionHeader | undefined;
  let edge: EdgeEquivalent | undefined;
  let charted = false;
  const truth: GroundTruthEvent[] = [];
  let messages = 0;
  let samples = 0;
  let wardOf = new Map<string, string>();
  let batch: LabSampleIn[] = [];
  let batchEnd = -Infinity;
  let lastProgress = -1;
  const report = (t: number) => {
    if (!options.onProgress || !header) return;
    const span = Math.max(1, header.end - header.start);
    const within = Math.min(1, Math.max(0, (t - header.start) / span));
    const fraction = (index + within) / options.sessions.length;
    if (fraction - lastProgress < 0.002 && fraction < 1) return;
    lastProgress = fraction;
    options.onProgress({ session: index, sessions: options.sessions.length, name: session.name, fraction });
  };
  const flush = async (now: number) => {
    if (batch.length === 0) return;
    const full = batch;
    batch = [];
    for (const run of runs) await run.feed(full, now);
    // Let the event loop in between batches (the cloud's API and ingest when the lab runs inside the service).
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (options.signal?.aborted) throw options.signal.reason;
    report(now);
  };

  for await (const item of readSession(session.path)) {
    if (item.kind === 'header') {
      header = item.header;
      edge = new EdgeEquivalent(header.devices);
      wardOf = new Map(header.devices.map((d) => [d.deviceId, d.wardId]));
      charted = header.source === 'physionet-2012';
      for (const run of runs) run.beginSession();
      continue;
    }
    if (item.kind === 'truth') {
      truth.push(item.event);
      continue;
    }
    messages++;
    const record = edge!.convert(item);
    if (record?.type !== 'sample') continue; // statuses only reset the edge's state; waveforms never reach the operators
    if (item.sentAt >= batchEnd) {
      await flush(item.sentAt);
      batchEnd = Math.floor(item.sentAt / batchMs) * batchMs + batchMs;
    }
    batch.push({ wardId: wardOf.get(record.deviceId)!, sample: charted ? { ...record, quality: chartedQuality(record) } : record });
    samples++;
    if (batch.length >= MAX_BATCH_SAMPLES) await flush(item.sentAt);
  }
  if (!header) throw new PmError('PM_ERR_SESSION_FORMAT', `${session.path}: empty file (no header)`);
  await flush(batch.at(-1)?.sample.t ?? header.end);
  report(header.end);
  const episodes = runs.map((run) => run.endSession());
  const rejected = edge!.stats.rejected + edge!.stats.duplicates + edge!.stats.unknownDevice;
  const patientDays = (header.patients.length * (header.end - header.start)) / 86_400_000;
  return {
    index,
    header,
    truth,
    episodes,
    info: {
      name: session.name,
      source: header.source,
      patients: header.patients.length,
      start: header.start,
      end: header.end,
      patientDays,
      messages,
      samples,
      rejected,
      truthEvents: truth.length,
    },
  };
}

/**
 * Charted values (PhysioNet: hours apart, already checked by the importer) are not a device stream: the signal-quality
 * rules (a spike against the last seconds, settling after a drop-out) would judge them against data that is not
 * there. They count as good, as in models' PhysioNet series (physionet-dataset.ts); a flagged value stays an artifact.
 */
function chartedQuality(s: UplinkSample): Partial<Record<VitalCode, SampleQuality>> {
  const q: Partial<Record<VitalCode, SampleQuality>> = {};
  for (const code of Object.keys(s.vitals) as VitalCode[]) q[code] = s.flags?.[code] ? 'artifact' : 'good';
  return q;
}
