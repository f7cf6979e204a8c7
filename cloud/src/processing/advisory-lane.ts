/**
 * The anomaly detector's own lane, beside the batch FIFO (pipeline.ts). A batch commits its rule alarms, NEWS2 and
 * feature windows without waiting for the model; the windows it closed are queued here, scored, and their advisory
 * verdicts applied in a short transaction of their own, serialised with the batches. So a slow model (the served
 * autoencoder takes ~0.7 s for 1,000 patients, minutes to rebuild them after a restart:
 * docs/benchmarks/lstm-scoring.md) delays advisory alarms only, never a limit-rule or NEWS2 alarm.
 *
 * Order and determinism: one round scores at most one window per patient, in arrival order, so each patient's windows
 * reach the (stateful, incremental) scorer oldest first. Verdicts depend on the windows only and advisory alarms
 * take their onset from event time, so they get the same ids whatever the lag. Exactly once across a crash: the
 * end of the last window applied is part of each patient's checkpoint (`advisoryThrough`), and a restore queues the
 * stored windows after it again (restore.ts `unscoredAdvisory`).
 */
import type { Logger } from 'pino';
import type { AlarmEvent } from '@vigil/contracts';
import type { AnomalyDetector, AnomalyInput, AnomalyVerdict } from '../detectors/anomaly-detector.ts';
import type { AnomalyMetrics } from '../metrics.ts';

export interface AdvisoryLaneDeps {
  detector: AnomalyDetector;
  /** Apply one round's verdicts (in the pipeline's FIFO, one transaction); returns the alarm changes committed. */
  apply: (inputs: AnomalyInput[], verdicts: AnomalyVerdict[]) => Promise<AlarmEvent[]>;
  /** Committed advisory alarm changes, for the dashboards. */
  publish: (events: AlarmEvent[]) => void;
  metrics: () => AnomalyMetrics;
  logger: Logger;
  /** Wall clock, for the lag metric only. */
  now: () => number;
}

/**
 * Windows per round. The scorer lets the event loop go between its batched steps (models' model-scorer.ts), so a
 * round holds the loop for one step of its patients at a time, even when it rebuilds them from history after a
 * restart; the round size bounds that step: ~0.7 ms per patient for the served autoencoder, far less for the
 * forecaster (docs/benchmarks/lstm-scoring.md), so 64 keeps a hold near 50 ms while batching well.
 */
const ROUND = 64;

export class AdvisoryLane {
  #pending: AnomalyInput[] = [];
  #running: Promise<void> | undefined;
  /** Bumped by clear(): a round in flight when the engine was rebuilt is not applied. */
  #generation = 0;

  constructor(private readonly deps: AdvisoryLaneDeps) {}

  /** Windows waiting to be scored. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Queue windows (oldest first per patient) and start scoring if idle. */
  enqueue(inputs: readonly AnomalyInput[]): void {
    this.#pending.push(...inputs);
    this.deps.metrics().pendingWindows.set(this.#pending.length);
    this.#kick();
  }

  #kick(): void {
    if (this.#running || this.#pending.length === 0) return;
    // Windows queued after the loop's last look are picked up by the next kick.
    this.#running = this.#run().finally(() => {
      this.#running = undefined;
      this.#kick();
    });
  }

  /** Resolves when nothing is queued or being scored (tests, replays, shutdown). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Forget everything queued (the engine is being rebuilt from the database, which re-queues what it needs). */
  clear(): void {
    this.#pending = [];
    this.#generation++;
    this.deps.metrics().pendingWindows.set(0);
  }

  async #run(): Promise<void> {
    const { detector, logger } = this.deps;
    while (this.#pending.length > 0) {
      const generation = this.#generation;
      const round = this.#takeRound();
      this.deps.metrics().pendingWindows.set(this.#pending.length);
      let verdicts: AnomalyVerdict[];
      try {
        verdicts = await detector.scoreBatch(round);
      } catch (err) {
        // Advisory only: the round is skipped (each patient's next window carries its context again).
        this.deps.metrics().laneFailures.inc();
        logger.warn({ err, detector: detector.name, windows: round.length }, 'anomaly detector failed; advisory round skipped, rule alarms unaffected');
        continue;
      }
      if (generation !== this.#generation) continue;
      const newestEnd = round.reduce((m, x) => Math.max(m, x.features.end), 0);
      try {
        const events = await this.deps.apply(round, verdicts);
        this.deps.publish(events);
        this.deps.metrics().laneLagSeconds.set(Math.max(0, this.deps.now() - newestEnd) / 1000);
      } catch (err) {
        // The pipeline rebuilt its state from the database (and re-queued from the checkpoints); nothing to redo here.
        logger.error({ err }, 'advisory verdicts could not be committed');
      }
      await new Promise((resolve) => setImmediate(resolve)); // let I/O in between rounds
    }
  }

  /** The oldest pending window of each patient, up to the round size; the others keep their order for later rounds. */
  #takeRound(): AnomalyInput[] {
    const round: AnomalyInput[] = [];
    const rest: AnomalyInput[] = [];
    const seen = new Set<string>();
    for (const x of this.#pending) {
      if (round.length < ROUND && !seen.has(x.patientId)) {
        seen.add(x.patientId);
        round.push(x);
      } else {
        seen.add(x.patientId); // a later window of a patient never overtakes an earlier one left in `rest`
        rest.push(x);
      }
    }
    this.#pending = rest;
    return round;
  }
}
