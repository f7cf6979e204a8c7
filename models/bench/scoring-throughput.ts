/**
 * Benchmark: serving cost of the LSTM anomaly model, per tfjs backend present (tensorflow if @tensorflow/tfjs-node
 * is installed, wasm, cpu), with the production geometry (models/src/cli/experiment.ts GEOMETRY.simulated: 60 steps,
 * chain period 30, 32 units) and the trainer's scoring before calibration (models/src/cli/train.ts defaultScoring:
 * Hundman dynamic threshold over 240 steps, smoothing 5, hold 15). Untrained weights: the cost does not depend on them.
 *
 *   (a) incremental: ModelScorer.scoreBatch, each patient advancing by one window per call, warm state, inputs as the
 *       cloud builds them (the window and the patient's last contextWindows windows), at batch sizes 1 … 1024;
 *   (b) peer: a batched model.predict recomputing each patient's whole 60-step window (tensor in, forecasts out),
 *       the forecasts only — no error tracking or threshold, which (a) includes;
 *   (c) latency of one tick = scoreBatch of 1,000 patients, warm, over --ticks ticks (p50 / p95 / p99);
 *   (d) rebuild: the first scoreBatch of 1,000 patients on a fresh scorer (cloud restart or model hot swap): each is
 *       rebuilt from its contextWindows windows of history.
 *
 *   taskset -c 0 node --import tsx models/bench/scoring-throughput.ts [--ticks 100] [--seconds 1] [--backends wasm,cpu]
 *     [--artefact models/artefacts/vigil-lstm] [--write]
 * `--artefact` also times (c) and (d) for a saved model (the one the cloud serves: it may be the autoencoder, which
 * recomputes its whole window at every step).
 * Prints a markdown table (and one JSON line); `--write` saves docs/benchmarks/lstm-scoring.{json,md}. Nothing
 * asserts a time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { FEATURE_VITALS, type FeatureVital, type WindowFeatures } from '@vigil/contracts';
import { GEOMETRY } from '../src/cli/experiment.ts';
import { INPUT_SIZE } from '../src/features/model-input.ts';
import type { Normalisation } from '../src/features/normalisation.ts';
import { buildForecaster } from '../src/model/architecture.ts';
import { loadModel, type ModelMetadata } from '../src/model/artefacts.ts';
import { BACKEND_PREFERENCE, switchBackend, tf, type BackendName } from '../src/runtime/backend.ts';
import { ModelScorer, type ScoreInput } from '../src/scoring/model-scorer.ts';
import type { ScoringParams } from '../src/scoring/scoring-params.ts';

const { values: args } = parseArgs({
  options: {
    ticks: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '1' },
    backends: { type: 'string', default: BACKEND_PREFERENCE.join(',') },
    /** Also time a saved artefact (e.g. models/artefacts/vigil-lstm, the model the cloud serves) on the first backend. */
    artefact: { type: 'string' },
    write: { type: 'boolean', default: false },
  },
});
const TICKS = Math.max(100, Number(args.ticks));
const MIN_SECONDS = Number(args.seconds);
const BATCHES = [1, 16, 64, 256, 1024];
const PATIENTS = 1024;
const TICK_PATIENTS = 1000;
const SLIDE_MS = 60_000; // 1 min slide, 5 min windows: the cloud's default feature windows
const WINDOW_MS = 300_000;
const T0 = Math.floor(Date.UTC(2026, 0, 1) / SLIDE_MS) * SLIDE_MS;

const geometry = GEOMETRY.simulated;
/** models/src/cli/train.ts defaultScoring(240): the scoring every trained model starts from. */
const scoring: ScoringParams = { smoothingSteps: 5, smoothingAlpha: 0.4, holdSteps: 15, threshold: { mode: 'dynamic', windowSteps: 240, zMin: 2, zMax: 10, zStep: 0.5, floor: 0 } };
const BASE: Record<FeatureVital, number> = { hr: 78, spo2: 96, rr: 16, sbp: 122, map: 88, temp: 37 };
const SD: Record<FeatureVital, number> = { hr: 8, spo2: 1.5, rr: 2.5, sbp: 10, map: 7, temp: 0.3 };
const normalisation: Normalisation = { centre: { ...BASE }, scale: { ...SD } };
const metadata: ModelMetadata = {
  format: 'vigil-anomaly-model',
  formatVersion: 1,
  name: 'bench-forecaster',
  version: '0.0.0+00000000',
  kind: 'forecaster',
  steps: geometry.steps,
  units: geometry.units,
  chainPeriod: geometry.chainPeriod,
  windowMs: WINDOW_MS,
  slideMs: SLIDE_MS,
  normalisation,
  scoring,
  training: {},
};

/** Deterministic pseudo-random numbers (no Math.random: the same run every time). */
let seed = 12345;
const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());

/** A pool of vitals (shared by windows: only levels are read), so 1,024 patients × 350 windows stay small. */
const VITALS_POOL: Array<WindowFeatures['vitals']> = Array.from({ length: 509 }, () => {
  const vitals = {} as WindowFeatures['vitals'];
  for (const v of FEATURE_VITALS) {
    const level = BASE[v] + SD[v] * gauss();
    vitals[v] = { n: 300, nGood: 300, level, min: level, max: level, last: level, slopePerMin: 0, sd: 0, missingness: 0, goodShare: 1 };
  }
  return vitals;
});

/** Each patient has its own clock: scoring it advances it by one window, whatever the batch it is in. */
class Ward {
  readonly next: number[];
  readonly history: WindowFeatures[][];
  constructor(
    readonly patients: number,
    readonly context: number,
  ) {
    this.next = Array.from({ length: patients }, () => context);
    this.history = Array.from({ length: patients }, (_, p) => Array.from({ length: context }, (_, k) => this.window(p, k)));
  }
  window(p: number, k: number): WindowFeatures {
    const end = T0 + k * SLIDE_MS;
    return { start: end - WINDOW_MS, end, vitals: VITALS_POOL[(p * 31 + k * 7) % VITALS_POOL.length]! };
  }
  /**
   * The inputs the cloud would pass for these patients' next windows (built outside the timed call, as there);
   * `lastOnly`: the history cut to the previous window, all a warm patient's state needs to continue.
   */
  inputs(patients: readonly number[], lastOnly = false): ScoreInput[] {
    return patients.map((p) => ({ patientId: `pt-${p}`, features: this.window(p, this.next[p]!), history: this.history[p]!.slice(lastOnly ? -1 : -this.context) }));
  }
  advance(patients: readonly number[], inputs: readonly ScoreInput[]): void {
    patients.forEach((p, i) => {
      const h = this.history[p]!;
      h.push(inputs[i]!.features);
      if (h.length > this.context) h.shift();
      this.next[p] = this.next[p]! + 1;
    });
  }
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
const round = (x: number, digits = 0) => Number(x.toFixed(digits));

interface BatchRow {
  backend: BackendName;
  batch: number;
  incrementalPerS: number;
  peerPerS: number;
  ratio: number;
}
interface BackendRow {
  backend: BackendName;
  contextWindows: number;
  tick: { patients: number; ticks: number; p50ms: number; p95ms: number; p99ms: number };
  /** The same ticks with the history cut to the previous window: the cost of reading the whole history each tick. */
  tickLastWindowOnly: { p50ms: number; p95ms: number; p99ms: number };
  rebuild: { patients: number; seconds: number; msPerPatient: number };
}

async function incrementalPerS(scorer: ModelScorer, ward: Ward, batch: number): Promise<number> {
  let updates = 0;
  let seconds = 0;
  // One round = every patient once, in groups of `batch`; at least two rounds of patients and MIN_SECONDS.
  for (let rounds = 0; rounds < 2 || seconds < MIN_SECONDS; rounds++) {
    for (let from = 0; from < ward.patients; from += batch) {
      const group = range(from, Math.min(batch, ward.patients - from));
      const inputs = ward.inputs(group);
      const t0 = performance.now();
      await scorer.scoreBatch(inputs);
      seconds += (performance.now() - t0) / 1000;
      ward.advance(group, inputs);
      updates += group.length;
    }
  }
  return updates / seconds;
}

function peerPerS(model: tf.LayersModel, batch: number): number {
  const x = new Float32Array(batch * geometry.steps * INPUT_SIZE);
  for (let i = 0; i < x.length; i++) x[i] = i % INPUT_SIZE < INPUT_SIZE / 2 ? gauss() : 1;
  const once = () => {
    const out = tf.tidy(() => model.predict(tf.tensor3d(x, [batch, geometry.steps, INPUT_SIZE])) as tf.Tensor);
    out.dataSync();
    out.dispose();
  };
  once(); // warm-up: kernels compiled, memory allocated
  let reps = 0;
  let seconds = 0;
  while (reps < 3 || seconds < MIN_SECONDS) {
    const t0 = performance.now();
    once();
    seconds += (performance.now() - t0) / 1000;
    reps++;
  }
  return (batch * reps) / seconds;
}

async function benchBackend(backend: BackendName, rows: BatchRow[], out: BackendRow[]): Promise<void> {
  const log = (line: string) => process.stderr.write(`[${backend}] ${line}\n`);
  const scorer = await ModelScorer.create({ model: buildForecaster({ steps: geometry.steps, units: geometry.units, seed: 1 }), metadata, dir: '' });
  const ward = new Ward(PATIENTS, scorer.contextWindows);

  // (d) Rebuild: the first call for 1,000 patients on a fresh scorer (then the rest, untimed).
  const first = range(0, TICK_PATIENTS);
  const inputs = ward.inputs(first);
  const t0 = performance.now();
  await scorer.scoreBatch(inputs);
  const rebuildS = (performance.now() - t0) / 1000;
  ward.advance(first, inputs);
  const rest = range(TICK_PATIENTS, PATIENTS - TICK_PATIENTS);
  const restInputs = ward.inputs(rest);
  await scorer.scoreBatch(restInputs);
  ward.advance(rest, restInputs);
  log(`rebuild of ${TICK_PATIENTS} patients (${scorer.contextWindows} windows each): ${rebuildS.toFixed(2)} s`);

  // (a) and (b) at each batch size; the peer is the same architecture, built on this backend.
  const peerModel = buildForecaster({ steps: geometry.steps, units: geometry.units, seed: 2 });
  for (const batch of BATCHES) {
    const incremental = await incrementalPerS(scorer, ward, batch);
    const peer = peerPerS(peerModel, batch);
    rows.push({ backend, batch, incrementalPerS: round(incremental), peerPerS: round(peer), ratio: round(incremental / peer, 2) });
    log(`batch ${batch}: incremental ${Math.round(incremental)}/s, peer predict ${Math.round(peer)}/s`);
  }
  peerModel.dispose();

  // (c) Latency of a tick of 1,000 patients (the other 24 fall behind; nothing reads them after this).
  const ticks = async (lastOnly: boolean) => {
    const ms: number[] = [];
    for (let t = 0; t < TICKS; t++) {
      const tick = ward.inputs(first, lastOnly);
      const s = performance.now();
      await scorer.scoreBatch(tick);
      ms.push(performance.now() - s);
      ward.advance(first, tick);
    }
    ms.sort((a, b) => a - b);
    return { p50ms: round(percentile(ms, 0.5), 1), p95ms: round(percentile(ms, 0.95), 1), p99ms: round(percentile(ms, 0.99), 1) };
  };
  const tick = { patients: TICK_PATIENTS, ticks: TICKS, ...(await ticks(false)) };
  const tickLastWindowOnly = await ticks(true);
  log(`tick of ${TICK_PATIENTS}: p50 ${tick.p50ms} ms, p95 ${tick.p95ms} ms, p99 ${tick.p99ms} ms (history cut to one window: p50 ${tickLastWindowOnly.p50ms} ms)`);
  out.push({ backend, contextWindows: scorer.contextWindows, tick, tickLastWindowOnly, rebuild: { patients: TICK_PATIENTS, seconds: round(rebuildS, 2), msPerPatient: round((rebuildS * 1000) / TICK_PATIENTS, 2) } });
  scorer.dispose();
}

interface ArtefactRow {
  dir: string;
  backend: string;
  model: string;
  version: string;
  kind: string;
  contextWindows: number;
  tick: { patients: number; ticks: number; p50ms: number; p95ms: number; p99ms: number };
  rebuild: { patients: number; seconds: number; msPerPatient: number };
}

/** (c) and (d) for a saved artefact: what the cloud pays for the model it actually serves. */
async function benchArtefact(dir: string): Promise<ArtefactRow> {
  const scorer = await ModelScorer.create(await loadModel(dir));
  const log = (line: string) => process.stderr.write(`[${dir} on ${scorer.backend}] ${line}\n`);
  const ward = new Ward(TICK_PATIENTS, scorer.contextWindows);
  const all = range(0, TICK_PATIENTS);
  const first = ward.inputs(all);
  const t0 = performance.now();
  await scorer.scoreBatch(first);
  const rebuildS = (performance.now() - t0) / 1000;
  ward.advance(all, first);
  log(`rebuild of ${TICK_PATIENTS} patients (${scorer.contextWindows} windows each): ${rebuildS.toFixed(2)} s`);
  const ms: number[] = [];
  for (let t = 0; t < TICKS; t++) {
    const tick = ward.inputs(all);
    const s0 = performance.now();
    await scorer.scoreBatch(tick);
    ms.push(performance.now() - s0);
    ward.advance(all, tick);
  }
  ms.sort((a, b) => a - b);
  const tick = { patients: TICK_PATIENTS, ticks: TICKS, p50ms: round(percentile(ms, 0.5), 1), p95ms: round(percentile(ms, 0.95), 1), p99ms: round(percentile(ms, 0.99), 1) };
  log(`tick of ${TICK_PATIENTS}: p50 ${tick.p50ms} ms, p95 ${tick.p95ms} ms, p99 ${tick.p99ms} ms`);
  const row = { dir, backend: scorer.backend, model: scorer.name, version: scorer.version, kind: scorer.metadata.kind, contextWindows: scorer.contextWindows, tick, rebuild: { patients: TICK_PATIENTS, seconds: round(rebuildS, 2), msPerPatient: round((rebuildS * 1000) / TICK_PATIENTS, 2) } };
  scorer.dispose();
  return row;
}

/** The CPUs this process may run on (taskset), from /proc (Linux). */
function affinity(): string {
  try {
    return /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const rows: BatchRow[] = [];
const perBackend: BackendRow[] = [];
const skipped: string[] = [];
for (const backend of args.backends.split(',') as BackendName[]) {
  if (!(await switchBackend(backend))) {
    skipped.push(backend);
    process.stderr.write(`[${backend}] not available (not installed or failed to load): skipped\n`);
    continue;
  }
  await benchBackend(backend, rows, perBackend);
}
let served: ArtefactRow | undefined;
if (args.artefact) {
  const first = perBackend[0]?.backend;
  if (first) await switchBackend(first);
  served = await benchArtefact(args.artefact);
}

const cores = affinity();
const pinned = cores.includes(',') || cores.includes('-') ? `not pinned (CPUs ${cores}); run under taskset -c 0` : `pinned to core ${cores} (taskset -c ${cores})`;
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, @tensorflow/tfjs ${tf.version.tfjs}`;
const result = {
  bench: 'lstm-scoring-throughput',
  date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  machine,
  pinning: pinned,
  geometry: { ...geometry, windowMs: WINDOW_MS, slideMs: SLIDE_MS },
  scoring,
  skippedBackends: skipped,
  batches: rows,
  ticks: perBackend,
  ...(served ? { servedArtefact: served } : {}),
};
const at = (backend: BackendName, batch: number) => rows.find((r) => r.backend === backend && r.batch === batch);

const md = [
  '# LSTM anomaly model: serving throughput and latency',
  '',
  `Measured ${result.date} on ${machine}; ${pinned}. Untrained forecaster of the production geometry (${geometry.steps} steps, chain period ${geometry.chainPeriod}, ${geometry.units} units; 5 min windows every minute), the trainer's scoring before calibration (dynamic threshold over 240 steps, smoothing 5, hold 15): a verdict needs ${perBackend[0]?.contextWindows ?? '?'} windows of context.`,
  `Command: \`taskset -c 0 node --import tsx models/bench/scoring-throughput.ts ${process.argv.slice(2).join(' ')}\``,
  '',
  '**Incremental** = `ModelScorer.scoreBatch`, each patient one window further per call, warm state, inputs as the cloud passes them (the window plus the patient\u2019s last contextWindows windows); error tracking, dynamic threshold and explanation included. **Peer** = one batched `model.predict` recomputing each patient\u2019s whole 60-step window (tensor in, forecasts read back), forecasts only. Patient-updates per second of wall time on the one pinned core.',
  '',
  '| backend | batch | incremental (updates/s) | peer predict (updates/s) | incremental / peer |',
  '|---|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.backend} | ${r.batch} | ${r.incrementalPerS} | ${r.peerPerS} | ${r.ratio} |`),
  '',
  `| backend | tick = scoreBatch of ${TICK_PATIENTS} patients, ${TICKS} ticks: p50 / p95 / p99 (ms) | same, history cut to the previous window (ms) | rebuild of ${TICK_PATIENTS} patients from history (s) | per patient (ms) |`,
  '|---|---:|---:|---:|---:|',
  ...perBackend.map((b) => `| ${b.backend} | ${b.tick.p50ms} / ${b.tick.p95ms} / ${b.tick.p99ms} | ${b.tickLastWindowOnly.p50ms} / ${b.tickLastWindowOnly.p95ms} / ${b.tickLastWindowOnly.p99ms} | ${b.rebuild.seconds} | ${b.rebuild.msPerPatient} |`),
  '',
  ...perBackend.map((b) => {
    const r64 = at(b.backend, 64);
    const r1024 = at(b.backend, 1024);
    return `Incremental / peer on ${b.backend}: ${r64?.ratio ?? '?'}× at batch 64, ${r1024?.ratio ?? '?'}× at batch 1024.`;
  }),
  ...(skipped.length > 0 ? ['', `Not measured (backend not installed here): ${skipped.join(', ')}.`] : []),
  ...(served
    ? [
        '',
        `Served artefact \`${served.dir}\` (${served.model} ${served.version}, ${served.kind}, ${served.contextWindows} windows of context) on ${served.backend}:`,
        '',
        `| model | tick = scoreBatch of ${TICK_PATIENTS} patients, ${TICKS} ticks: p50 / p95 / p99 (ms) | rebuild of ${TICK_PATIENTS} patients from history (s) | per patient (ms) |`,
        '|---|---:|---:|---:|',
        `| ${served.model} (${served.kind}) | ${served.tick.p50ms} / ${served.tick.p95ms} / ${served.tick.p99ms} | ${served.rebuild.seconds} | ${served.rebuild.msPerPatient} |`,
      ]
    : []),
  '',
  'A tick with the history cut to the previous window gives the same verdicts for warm patients; the difference is what scoreBatch spends reading and sorting every input’s whole history on each tick. The rebuild is what the first window of each patient costs on a fresh scorer (model-scorer.ts rebuilds it from its history): after a cloud restart it runs in the cloud’s advisory lane, beside the batches (cloud/src/processing/advisory-lane.ts, docs/benchmarks/advisory-lane.md); after a hot reload the cloud warms the new model beforehand, a few patients at a time (cloud/src/detectors/model-detector.ts). Nothing here is asserted by a test.',
  '',
].join('\n');

process.stdout.write(md);
console.log(JSON.stringify(result));
if (args.write) {
  writeFileSync(new URL('../../docs/benchmarks/lstm-scoring.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(new URL('../../docs/benchmarks/lstm-scoring.md', import.meta.url), md);
}
