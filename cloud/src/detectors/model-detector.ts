/**
 * The LSTM anomaly model (models/) behind the cloud's AnomalyDetector seam, with hot reload.
 *
 * Reload: the artefact directory is watched (fs.watch on the directory, debounced). saveModel writes metadata.json
 * last, by rename, so its change means a whole new artefact. The new model is loaded and checked completely (schema,
 * weights digest, window geometry) before anything changes; then it is swapped in between two batches (through the
 * pipeline's FIFO when attached, and always serialised with scoreBatch), so a batch is never scored by two models.
 * A bad artefact is refused with an error log and a metric, and the old model keeps serving. Before the swap the new
 * model is warmed on each patient's last input (see warm()), so the batch after the swap does not rebuild them all.
 *
 * A deployment that copies files into the directory by hand must write metadata.json last.
 */
import { statSync, unwatchFile, watch, watchFile, type FSWatcher, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { loadModel, ModelScorer, readMetadata, selectBackend } from '@vigil/models';
import { createAnomalyMetrics, type AnomalyMetrics } from '../metrics.ts';
import type { AnomalyDetector, AnomalyInput, AnomalyVerdict, DetectorHost } from './anomaly-detector.ts';

export interface ModelDetectorOptions {
  /** Artefact directory (model.json, weights.bin, metadata.json). */
  dir: string;
  logger: Logger;
  /** Default: the cloud's registry once attached to a pipeline; unexposed until then. */
  metrics?: AnomalyMetrics;
  /** Reload when the artefact changes (default true). */
  watch?: boolean;
  /** Quiet time after the last change before reloading, ms. */
  debounceMs?: number;
  /** Interval of the stat poll of metadata.json that backs up the directory watch, ms. */
  pollMs?: number;
  /** The processor's sliding feature window; a model trained on another geometry is refused. */
  featureWindow?: { windowMs: number; slideMs: number };
}

export type ReloadResult =
  | { result: 'swapped'; version: string; previous: string }
  | { result: 'unchanged'; version: string }
  | { result: 'refused'; version: string; error: string };

export interface ModelDetector extends AnomalyDetector {
  readonly kind: string;
  /** Load the directory's artefact now and swap it in if it is a new, valid version. */
  reload(): Promise<ReloadResult>;
  close(): Promise<void>;
}

const DEFAULT_DEBOUNCE_MS = 300; // ms: one save renames three files within a few ms
const DEFAULT_POLL_MS = 2_000; // ms: stat of metadata.json, the fallback of the directory watch
const WARM_BUDGET_MS = 50; // ms: event-loop time of one warm-up step, between which batches run

export async function createModelDetector(options: ModelDetectorOptions): Promise<ModelDetector> {
  const { dir, logger } = options;
  const log = logger.child({ component: 'anomaly-model' });
  let metrics = options.metrics ?? createAnomalyMetrics([]);
  let host: DetectorHost | undefined;

  async function open(): Promise<ModelScorer> {
    await selectBackend(); // before the weights are created, so they live on the backend that will run them
    const loaded = await loadModel(dir);
    const geometry = options.featureWindow;
    const m = loaded.metadata;
    if (geometry && (m.windowMs !== geometry.windowMs || m.slideMs !== geometry.slideMs)) {
      loaded.model.dispose();
      throw new Error(`${dir}: model ${m.name} ${m.version} was trained on ${m.windowMs / 60_000} min windows every ${m.slideMs / 60_000} min; the processor's are ${geometry.windowMs / 60_000} min every ${geometry.slideMs / 60_000} min`);
    }
    return ModelScorer.create(loaded);
  }

  let scorer = await open();
  const describe = (s: ModelScorer) => ({ model: s.name, version: s.version, kind: s.metadata.kind, backend: s.backend, contextWindows: s.contextWindows });
  log.info({ ...describe(scorer), dir }, 'anomaly model loaded');
  const showInfo = () => {
    metrics.modelInfo.reset();
    metrics.modelInfo.set({ model: scorer.name, version: scorer.version, backend: scorer.backend }, 1);
  };
  showInfo();

  let closed = false;
  const metadataFile = join(dir, 'metadata.json');
  /** metadata.json as the last reload found it (inode and mtime), so the poll does not reload it again. */
  let seen = statKey(metadataFile);
  /** Each patient's newest input (the model's whole context): what a new model is warmed on before its swap. */
  const lastInputs = new Map<string, AnomalyInput>();

  /** scoreBatch and the swap, one at a time. */
  let lock: Promise<unknown> = Promise.resolve();
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = lock.then(fn, fn);
    lock = run.catch(() => undefined);
    return run;
  }

  async function reloadNow(): Promise<ReloadResult> {
    const serving = scorer.version;
    seen = statKey(metadataFile);
    const refuse = (err: unknown): ReloadResult => {
      metrics.reloads.inc({ result: 'refused' });
      log.error({ err, dir, serving }, 'anomaly model reload refused; the previous model keeps serving');
      return { result: 'refused', version: serving, error: err instanceof Error ? err.message : String(err) };
    };
    let next: ModelScorer;
    try {
      if ((await readMetadata(dir)).version === serving) {
        metrics.reloads.inc({ result: 'unchanged' });
        return { result: 'unchanged', version: serving };
      }
      next = await open();
    } catch (err) {
      return refuse(err);
    }
    // Warm-up needs last inputs holding the new model's whole context; when it needs more, the pipeline refills the
    // context at the swap and the scorer rebuilds each patient from it on their next window instead.
    let warmed = new Map<string, AnomalyInput>();
    if (next.contextWindows <= scorer.contextWindows) {
      try {
        warmed = await warm(next);
      } catch (err) {
        next.dispose();
        return refuse(err);
      }
    }
    if (closed) {
      next.dispose();
      return { result: 'refused', version: serving, error: 'detector closed during the reload' };
    }
    const swap = () =>
      serial(async () => {
        // Patients whose next window came while warming: one more step each (incremental), so all are current.
        const behind = [...lastInputs.values()].filter((x) => warmed.get(x.patientId) !== x);
        if (warmed.size > 0 && behind.length > 0) await next.scoreBatch(behind);
        const previous = scorer;
        scorer = next;
        previous.dispose();
        return previous.version;
      });
    const previous = await (host ? host.betweenBatches(swap) : swap());
    metrics.reloads.inc({ result: 'swapped' });
    showInfo();
    log.info({ ...describe(next), previous, warmedPatients: warmed.size }, 'anomaly model reloaded');
    return { result: 'swapped', version: next.version, previous };
  }

  /**
   * The new scorer fed each patient's last input, a few patients at a time with the event loop free in between (the
   * batches go on with the old model meanwhile). Without it the first batch after the swap would rebuild every
   * patient inside that batch, holding up the rule alarms behind it: ~9 ms per patient for the forecaster, ~240 ms
   * for the autoencoder, with 1,000 patients (docs/benchmarks/lstm-scoring.md). Incremental and rebuilt states are
   * the same (model-scorer.ts), so this changes no verdict. Also a last check of the new model: one that fails to
   * score is refused.
   */
  async function warm(next: ModelScorer): Promise<Map<string, AnomalyInput>> {
    const warmed = new Map<string, AnomalyInput>();
    const inputs = [...lastInputs.values()];
    let size = 1;
    for (let i = 0; i < inputs.length && !closed; ) {
      const slice = inputs.slice(i, i + size);
      const started = performance.now();
      await next.scoreBatch(slice);
      const ms = performance.now() - started;
      for (const x of slice) warmed.set(x.patientId, x);
      i += slice.length;
      // Larger slices batch better; the budget keeps each one short (a single autoencoder patient may exceed it).
      size = ms < WARM_BUDGET_MS / 2 ? size * 2 : ms > WARM_BUDGET_MS * 2 ? Math.max(1, size >> 1) : size;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return warmed;
  }

  /**
   * Patients without a window for longer than the model's whole context (discharged, moved, monitor off) are
   * forgotten, so a cloud that runs for months does not keep every patient it ever scored. Forgetting changes no
   * verdict: a patient who comes back is rebuilt from its history, which gives the incremental state bit for bit
   * (model-scorer.ts).
   */
  let sweepAt = -Infinity;
  function forgetGone(inputs: readonly AnomalyInput[]): void {
    const newest = inputs.reduce((m, x) => Math.max(m, x.features.end), -Infinity);
    const horizon = (scorer.contextWindows + 1) * scorer.metadata.slideMs;
    if (newest < sweepAt + horizon / 4) return; // a sweep every quarter horizon of event time is plenty
    sweepAt = newest;
    for (const [id, x] of lastInputs) {
      if (x.features.end >= newest - horizon) continue;
      lastInputs.delete(id);
      scorer.forget(id);
    }
    metrics.patientsTracked.set(lastInputs.size);
  }

  /** Reloads one at a time: a change during a reload is picked up by the next one. */
  let reloading: Promise<ReloadResult> | undefined;
  function reload(): Promise<ReloadResult> {
    const run = (reloading ?? Promise.resolve()).then(reloadNow, reloadNow);
    reloading = run;
    return run;
  }

  // Watching: fs.watch on the directory for metadata.json (immediate), and a slow stat poll of metadata.json by path,
  // which outlives what fs.watch does not: the directory removed and copied anew (train.ts replaces the served model
  // that way) or a symlink switched to another directory.
  let watcher: FSWatcher | undefined;
  let watchedDir = -1;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (why: string) => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      log.info({ file: metadataFile, why }, 'anomaly model artefact changed; reloading');
      void reload();
    }, options.debounceMs ?? DEFAULT_DEBOUNCE_MS);
    timer.unref();
  };
  const watchDir = () => {
    watcher?.close();
    try {
      watchedDir = inode(dir);
      watcher = watch(dir, (_event, filename) => {
        if (filename === null || filename === 'metadata.json') schedule('directory event');
      });
      watcher.on('error', (err) => log.warn({ err, dir }, 'directory watch failed; the poll of metadata.json goes on'));
      watcher.unref();
    } catch (err) {
      log.warn({ err, dir }, 'cannot watch the anomaly model directory; the poll of metadata.json goes on');
    }
  };
  if (options.watch ?? true) {
    watchDir();
    watchFile(metadataFile, { interval: options.pollMs ?? DEFAULT_POLL_MS, persistent: false }, onPoll);
  }
  function onPoll(curr: Stats): void {
    // A new directory (or symlink target) at the path: watch that one.
    const ino = inode(dir);
    if (ino !== -1 && ino !== watchedDir) watchDir();
    const key = curr.ino === 0 ? 'absent' : `${curr.ino}:${curr.mtimeMs}`;
    if (key !== 'absent' && key !== seen) schedule('poll');
  }

  return {
    get name() {
      return scorer.name;
    },
    get version() {
      return scorer.version;
    },
    get backend() {
      return scorer.backend;
    },
    get kind() {
      return scorer.metadata.kind;
    },
    get contextWindows() {
      return scorer.contextWindows;
    },
    scoreBatch(inputs: readonly AnomalyInput[]): Promise<AnomalyVerdict[]> {
      return serial(async () => {
        if (closed) throw new Error('anomaly model detector closed');
        const started = performance.now();
        const verdicts = await scorer.scoreBatch(inputs);
        for (const x of inputs) if ((lastInputs.get(x.patientId)?.features.end ?? -Infinity) < x.features.end) lastInputs.set(x.patientId, x);
        forgetGone(inputs);
        metrics.scoringSeconds.observe((performance.now() - started) / 1000);
        metrics.batchWindows.observe(inputs.length);
        metrics.windowsScored.inc(inputs.length);
        metrics.anomalous.inc(verdicts.filter((v) => v.anomalous).length);
        return verdicts;
      });
    },
    attach(h: DetectorHost) {
      host = h;
      if (!options.metrics) {
        metrics = h.metrics.anomaly;
        showInfo();
      }
    },
    reload,
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      watcher?.close();
      unwatchFile(metadataFile, onPoll);
      await reloading?.catch(() => undefined);
      await serial(async () => scorer.dispose());
    },
  };
}

function inode(path: string): number {
  try {
    return statSync(path).ino;
  } catch {
    return -1;
  }
}

/** "inode:mtime" of a path, or 'absent'. */
function statKey(path: string): string {
  try {
    const st = statSync(path);
    return `${st.ino}:${st.mtimeMs}`;
  } catch {
    return 'absent';
  }
}
