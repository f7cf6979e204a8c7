/**
 * The maintenance jobs on a schedule (node-cron 4): downsampling, retention and compaction (maintenance.ts). A job
 * never overlaps itself: node-cron's noOverlap skips a tick while the previous run is busy, and runNow() waits for a
 * run in progress instead of starting a second one. Failures are logged and counted; the next tick tries again.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Db } from './db.ts';
import { Maintenance, type MaintenanceJob, type MaintenanceOptions, type MaintenanceResult } from './maintenance.ts';

export interface MaintenanceSchedule extends MaintenanceOptions {
  /** Cron expressions (node-cron: optional seconds field first). */
  downsampleCron: string;
  retentionCron: string;
  compactionCron: string;
}

/** The parts of a pino logger used here. */
export interface MaintenanceLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface MaintenanceJobsOptions {
  db: Db;
  logger: MaintenanceLogger;
  config: MaintenanceSchedule;
  /** prom-client histogram vigil_cloud_maintenance_seconds{job} (cloud/src/metrics.ts). */
  metrics?: { maintenance: { observe(labels: { job: string }, seconds: number): void } };
  /** Wall clock (tests pass a fixed one). */
  now?: () => number;
}

export interface MaintenanceJobs {
  /** Run one job now (after a run of it in progress, if any); rejects when the job fails. */
  runNow(job: MaintenanceJob): Promise<MaintenanceResult>;
  /** Stop the schedule; a run in progress finishes. */
  stop(): void;
}

export function scheduleMaintenance(options: MaintenanceJobsOptions): MaintenanceJobs {
  const { db, logger, config, metrics } = options;
  const now = options.now ?? Date.now;
  const maintenance = new Maintenance(config);
  const running = new Map<MaintenanceJob, Promise<MaintenanceResult>>();

  function run(job: MaintenanceJob): Promise<MaintenanceResult> {
    const previous = running.get(job) ?? Promise.resolve(undefined);
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        try {
          const result = await maintenance[job](db, now());
          metrics?.maintenance.observe({ job }, result.ms / 1000);
          logger.info({ job, counts: result.counts, ms: result.ms }, 'maintenance job done');
          return result;
        } catch (err) {
          logger.error({ err, job }, 'maintenance job failed');
          throw err;
        }
      });
    running.set(job, next);
    void next.finally(() => {
      if (running.get(job) === next) running.delete(job);
    }).catch(() => undefined);
    return next;
  }

  const tasks: ScheduledTask[] = (
    [
      ['downsample', config.downsampleCron],
      ['retention', config.retentionCron],
      ['compact', config.compactionCron],
    ] as const
  ).map(([job, expression]) =>
    cron.schedule(
      expression,
      async () => {
        // Scheduled runs skip while a run of the same job is busy; the error is already logged.
        if (running.has(job)) return;
        await run(job).catch(() => undefined);
      },
      { name: `vigil-${job}`, noOverlap: true },
    ),
  );

  return {
    runNow: run,
    stop() {
      for (const task of tasks) {
        void Promise.resolve(task.stop()).catch(() => undefined);
        void Promise.resolve(task.destroy()).catch(() => undefined);
      }
    },
  };
}
