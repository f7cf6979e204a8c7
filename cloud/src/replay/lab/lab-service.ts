/**
 * Lab runs inside the cloud service, for the REST API and the dashboard's replay page: a run compares configurations
 * over stored recordings (RecordingStore). Runs go one at a time, in order, in this process: the engine yields to the
 * event loop between batches, so live ingest and the API keep going, but a run shares the cloud's CPU — studies of
 * thousands of stays belong to the CLI (lab-cli.ts). Results stay in memory (the newest `keepFinished` runs).
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import { isPmError, PmError, type LabConfig, type LabResult, type LabRunRequest, type LabRunStatus } from '@vigil/contracts';
import type { RecordingStore } from '../recording-store.ts';
import { assertUniqueNames, loadLabConfigDir } from './lab-config.ts';
import { labSummaryCsv } from './lab-csv.ts';
import { runLab } from './lab-engine.ts';
import { DEFAULT_MODEL_ROOT } from './lab-model.ts';

export interface LabServiceOptions {
  recordings: RecordingStore;
  logger: Logger;
  registry: Registry;
  /** The stored configurations offered by name (default cloud/lab/configs). */
  configDir?: string;
  modelRoot?: string;
  /** Runs waiting or running at once; more is PM_ERR_LAB_RUN_LIMIT. Default 4. */
  maxPending?: number;
  /** Finished runs kept with their results. Default 20. */
  keepFinished?: number;
  now?: () => number;
}

export interface LabService {
  configs(): Promise<LabConfig[]>;
  start(request: LabRunRequest, startedBy: string): Promise<LabRunStatus>;
  list(): LabRunStatus[];
  status(runId: string): LabRunStatus;
  result(runId: string): LabResult;
  csv(runId: string): string;
  close(): Promise<void>;
}

export const DEFAULT_LAB_CONFIG_DIR = resolve(import.meta.dirname, '../../../lab/configs');

interface Run {
  status: LabRunStatus;
  configs: LabConfig[];
  sessions: Array<{ name: string; path: string }>;
  result?: LabResult;
}

export function createLabService(options: LabServiceOptions): LabService {
  const now = options.now ?? Date.now;
  const maxPending = options.maxPending ?? 4;
  const keepFinished = options.keepFinished ?? 20;
  const log = options.logger.child({ component: 'lab' });
  const registers = [options.registry];
  const metrics = {
    runs: new Counter({ name: 'vigil_cloud_lab_runs_total', help: 'lab runs ended, by result (finished, or the error reason)', labelNames: ['result'], registers }),
    seconds: new Histogram({ name: 'vigil_cloud_lab_run_seconds', help: 'wall time of a finished lab run', buckets: [1, 5, 15, 60, 300, 1800], registers }),
  };
  const runs = new Map<string, Run>();
  const abort = new AbortController();
  let queue: Promise<void> = Promise.resolve();

  const stored = async (): Promise<LabConfig[]> => loadLabConfigDir(options.configDir ?? DEFAULT_LAB_CONFIG_DIR);

  function find(runId: string): Run {
    const run = runs.get(runId);
    if (!run) throw new PmError('PM_ERR_NOT_FOUND', `no lab run ${runId}`);
    return run;
  }

  function forgetOld(): void {
    const done = [...runs.values()].filter((r) => r.status.state === 'finished' || r.status.state === 'failed');
    for (const r of done.slice(0, Math.max(0, done.length - keepFinished))) runs.delete(r.status.runId);
  }

  async function execute(run: Run): Promise<void> {
    if (abort.signal.aborted) return;
    run.status.state = 'running';
    log.info({ runId: run.status.runId, recordings: run.status.recordingIds.length, configs: run.status.configNames }, 'lab run started');
    try {
      const { result, stats } = await runLab({
        sessions: run.sessions,
        configs: run.configs,
        modelRoot: options.modelRoot ?? DEFAULT_MODEL_ROOT,
        signal: abort.signal,
        onProgress: (p) => {
          run.status.progress = Math.round(p.fraction * 1000) / 1000;
        },
      });
      run.result = result;
      run.status.state = 'finished';
      run.status.progress = 1;
      metrics.runs.inc({ result: 'finished' });
      metrics.seconds.observe(stats.seconds);
      log.info({ runId: run.status.runId, seconds: Math.round(stats.seconds * 10) / 10, patientHours: Math.round(stats.patientHours) }, 'lab run finished');
    } catch (err) {
      run.status.state = 'failed';
      run.status.error = (isPmError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err)).slice(0, 500);
      metrics.runs.inc({ result: isPmError(err) ? err.reason : 'internal' });
      log.error({ runId: run.status.runId, err }, 'lab run failed');
    } finally {
      run.status.finishedAt = now();
      run.sessions = [];
      forgetOld();
    }
  }

  function resultOf(runId: string): LabResult {
    const run = find(runId);
    if (run.status.state === 'failed') throw new PmError('PM_ERR_LAB_NOT_READY', `lab run ${runId} failed: ${run.status.error ?? 'unknown error'}`);
    if (!run.result) throw new PmError('PM_ERR_LAB_NOT_READY', `lab run ${runId} is ${run.status.state} (${Math.round(run.status.progress * 100)} %)`);
    return run.result;
  }

  return {
    configs: stored,

    async start(request, startedBy) {
      const pending = [...runs.values()].filter((r) => r.status.state === 'queued' || r.status.state === 'running').length;
      if (pending >= maxPending) throw new PmError('PM_ERR_LAB_RUN_LIMIT', `${pending} lab runs are queued or running (at most ${maxPending})`);
      let configs: LabConfig[] = [];
      if (request.configNames.length > 0) {
        const byName = new Map((await stored()).map((c) => [c.name, c]));
        configs = request.configNames.map((name) => {
          const c = byName.get(name);
          if (!c) throw new PmError('PM_ERR_LAB_CONFIG', `no stored lab configuration named ${name}`);
          return c;
        });
      }
      configs.push(...request.configs);
      assertUniqueNames(configs);
      const sessions = [];
      for (const id of request.recordingIds) {
        const info = await options.recordings.get(id);
        if (!info) throw new PmError('PM_ERR_NOT_FOUND', `no recording ${id}`);
        sessions.push({ name: info.name, path: options.recordings.filePath(id) });
      }
      const status: LabRunStatus = {
        runId: `lab-${now().toString(36)}-${randomBytes(4).toString('hex')}`,
        state: 'queued',
        recordingIds: request.recordingIds,
        configNames: configs.map((c) => c.name),
        progress: 0,
        startedBy,
        createdAt: now(),
        finishedAt: null,
      };
      const run: Run = { status, configs, sessions };
      runs.set(status.runId, run);
      queue = queue.then(() => execute(run));
      return { ...status };
    },

    list: () => [...runs.values()].map((r) => ({ ...r.status })).sort((a, b) => b.createdAt - a.createdAt || (a.runId < b.runId ? -1 : 1)),

    status: (runId) => ({ ...find(runId).status }),

    result: resultOf,
    csv: (runId) => labSummaryCsv(resultOf(runId)),

    async close() {
      abort.abort(new PmError('PM_ERR_LAB_NOT_READY', 'the cloud is shutting down'));
      await queue;
    },
  };
}
