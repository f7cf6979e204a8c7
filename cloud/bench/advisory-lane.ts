/**
 * How long the served anomaly model holds the cloud's event loop, the way the cloud runs it (processing/advisory-lane.ts:
 * adaptive rounds, the loop let go between them) beside the way it ran before (one scoreBatch of every window a tick
 * closed, inside the batch). While the loop is held nothing else runs: no batch, so no rule alarm, no HTTP, no socket.
 *
 *   (a) steady state: 1,000 patients each closing one window per tick, the model warm; per tick the time until every
 *       verdict is applied and the longest single hold of the event loop (a 1 ms interval timer records the longest
 *       gap between its runs: what any other work in the process, a batch or an HTTP request, would have waited);
 *   (b) restart: a fresh model and 1,000 patients with their whole context to rebuild (what follows a cloud restart).
 *
 *   taskset -c 0 node --import tsx cloud/bench/advisory-lane.ts [--artefact models/artefacts/vigil-lstm] [--ticks 20]
 *     [--patients 1000] [--write]
 * `--write` saves docs/benchmarks/advisory-lane.{json,md}. Nothing here asserts a time.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { FEATURE_VITALS, type WindowFeatures } from '@vigil/contracts';
import { createModelDetector } from '../src/detectors/model-detector.ts';
import type { AnomalyInput } from '../src/detectors/anomaly-detector.ts';
import { createAnomalyMetrics } from '../src/metrics.ts';
import { AdvisoryLane } from '../src/processing/advisory-lane.ts';

const { values: args } = parseArgs({
  options: {
    artefact: { type: 'string', default: 'models/artefacts/vigil-lstm' },
    ticks: { type: 'string', default: '20' },
    patients: { type: 'string', default: '1000' },
    write: { type: 'boolean', default: false },
  },
});
const PATIENTS = Number(args.patients);
const TICKS = Number(args.ticks);
const logger = pino({ level: 'silent' });

let seed = 99;
const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
const BASE = { hr: 78, spo2: 96, rr: 16, sbp: 122, map: 88, temp: 37 } as const;
const SD = { hr: 8, spo2: 1.5, rr: 2.5, sbp: 10, map: 7, temp: 0.3 } as const;
const pool: Array<WindowFeatures['vitals']> = Array.from({ length: 257 }, () => {
  const vitals = {} as WindowFeatures['vitals'];
  for (const v of FEATURE_VITALS) {
    const level = BASE[v] + SD[v] * (rand() - 0.5) * 2;
    vitals[v] = { n: 300, nGood: 300, level, min: level, max: level, last: level, slopePerMin: 0, sd: 0, missingness: 0, goodShare: 1 };
  }
  return vitals;
});

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const round1 = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const detector = await createModelDetector({ dir: args.artefact, logger, watch: false });
  const { slideMs, windowMs } = { slideMs: 60_000, windowMs: 300_000 };
  const context = detector.contextWindows;
  const T0 = Date.UTC(2026, 0, 1);
  const window = (p: number, k: number): WindowFeatures => ({ start: T0 + k * slideMs - windowMs, end: T0 + k * slideMs, vitals: pool[(p * 31 + k * 7) % pool.length]! });
  const history = Array.from({ length: PATIENTS }, (_, p) => Array.from({ length: context }, (_, k) => window(p, k)));
  let k = context;
  const tickInputs = (): AnomalyInput[] =>
    history.map((h, p) => {
      const features = window(p, k);
      const input = { patientId: `pt-${p}`, features, history: h.slice(-context) };
      h.push(features);
      h.shift();
      return input;
    });

  // The event loop's longest hold: the largest gap between two runs of a 1 ms interval timer.
  let lastBeat = performance.now();
  let longestGap = 0;
  const heartbeat = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - lastBeat);
    lastBeat = now;
  }, 1);
  const resetGap = () => {
    lastBeat = performance.now();
    longestGap = 0;
  };
  const lane = new AdvisoryLane({ detector, apply: async () => [], publish: () => undefined, metrics: () => createAnomalyMetrics([]), logger, now: Date.now });

  /** Enqueue one tick into the lane and wait until it has scored it; returns wall ms and the longest loop hold (ms). */
  async function laneTick(inputs: AnomalyInput[]): Promise<{ ms: number; maxHoldMs: number }> {
    resetGap();
    const started = performance.now();
    lane.enqueue(inputs);
    await lane.idle();
    await new Promise((resolve) => setTimeout(resolve, 2)); // let the heartbeat see the last hold
    return { ms: performance.now() - started, maxHoldMs: longestGap };
  }

  // (b) restart first: the fresh detector has to rebuild every patient.
  const rebuild = await laneTick(tickInputs());
  k++;
  // (a) steady state, the lane beside one scoreBatch of the whole tick (the old in-batch way; its hold is its duration).
  const lanes: Array<{ ms: number; maxHoldMs: number }> = [];
  const whole: number[] = [];
  for (let t = 0; t < TICKS; t++) {
    lanes.push(await laneTick(tickInputs()));
    k++;
    const inputs = tickInputs();
    k++;
    resetGap();
    await detector.scoreBatch(inputs);
    await new Promise((resolve) => setTimeout(resolve, 2));
    whole.push(longestGap);
  }
  clearInterval(heartbeat);
  await detector.close();

  const result = {
    bench: 'advisory-lane',
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.version}`,
    model: { name: detector.name, version: detector.version, backend: detector.backend, contextWindows: context },
    patients: PATIENTS,
    ticks: TICKS,
    steady: {
      laneTickMs: { p50: round1(quantile(lanes.map((x) => x.ms), 0.5)), p99: round1(quantile(lanes.map((x) => x.ms), 0.99)) },
      laneMaxHoldMs: { p50: round1(quantile(lanes.map((x) => x.maxHoldMs), 0.5)), max: round1(Math.max(...lanes.map((x) => x.maxHoldMs))) },
      wholeTickHoldMs: { p50: round1(quantile(whole, 0.5)), max: round1(Math.max(...whole)) },
    },
    restart: { seconds: round1(rebuild.ms / 1000), maxHoldMs: round1(rebuild.maxHoldMs) },
  };
  const md = [
    '# Advisory lane: how long the served anomaly model holds the cloud’s event loop',
    '',
    `Measured ${result.date} on ${result.machine}; model ${result.model.name} ${result.model.version} on ${result.model.backend}, ${context} windows of context; ${PATIENTS} patients, ${TICKS} ticks.`,
    `Command: \`node --import tsx cloud/bench/advisory-lane.ts ${process.argv.slice(2).join(' ')}\``,
    '',
    '| | time until all verdicts (ms) p50 / p99 | longest event-loop hold (ms) |',
    '|---|---:|---:|',
    `| one tick, advisory lane (rounds of 64, loop let go between steps) | ${result.steady.laneTickMs.p50} / ${result.steady.laneTickMs.p99} | ${result.steady.laneMaxHoldMs.p50} p50, ${result.steady.laneMaxHoldMs.max} max |`,
    `| one tick, one scoreBatch of all patients (the old in-batch way) | — | ${result.steady.wholeTickHoldMs.p50} p50, ${result.steady.wholeTickHoldMs.max} max |`,
    `| restart: rebuild every patient, advisory lane | ${result.restart.seconds * 1000} | ${result.restart.maxHoldMs} |`,
    '',
    'While the event loop is held nothing else runs in the cloud process (batches, rule alarms, HTTP, sockets). The lane scores 64 windows per round and the scorer lets the loop go between its batched steps, so a hold is about one step of 64 patients, also while it rebuilds every patient after a restart.',
  ].join('\n');
  console.log(md);
  console.log(JSON.stringify(result));
  if (args.write) {
    writeFileSync(new URL('../../docs/benchmarks/advisory-lane.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(new URL('../../docs/benchmarks/advisory-lane.md', import.meta.url), `${md}\n`);
  }
}

await main();
