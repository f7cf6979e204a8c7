/**
 * The figures the issue wants beside the load table that other benchmarks measure: LSTM scoring rate by tfjs backend
 * (models/bench/scoring-throughput.ts: read from its committed JSON, or run now with --run-lstm) and replay speed
 * (cloud/bench/replay-physionet.ts, another helper's: read from its JSON when it exists, else a named gap).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import type { ExtraFigure } from './results.ts';

const LstmBench = z.object({
  date: z.string(),
  machine: z.string(),
  skippedBackends: z.array(z.string()).default([]),
  batches: z.array(z.object({ backend: z.string(), batch: z.number(), incrementalPerS: z.number(), peerPerS: z.number(), ratio: z.number() })),
  ticks: z.array(z.object({ backend: z.string(), tick: z.object({ p50ms: z.number(), p95ms: z.number(), p99ms: z.number() }) })).default([]),
});
export type LstmBench = z.infer<typeof LstmBench>;

export const LSTM_JSON = 'docs/benchmarks/lstm-scoring.json';
/** Where the replay benchmark's JSON is expected (cloud/bench/replay-physionet.ts, issue 8). */
export const REPLAY_SCRIPT = 'cloud/bench/replay-physionet.ts';
export const REPLAY_JSON = 'docs/benchmarks/replay-physionet.json';

export function readLstmBench(root: string): LstmBench | undefined {
  const file = join(root, LSTM_JSON);
  return existsSync(file) ? LstmBench.parse(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
}

/** Run the scoring benchmark now (its last stdout line is its JSON); minutes on a shared two-core machine. */
export async function runLstmBench(root: string): Promise<LstmBench> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'models/bench/scoring-throughput.ts', '--seconds', '1', '--ticks', '100'], {
    cwd: root,
    timeout: 15 * 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error('models/bench/scoring-throughput.ts printed no JSON line');
  return LstmBench.parse(JSON.parse(line));
}

export function lstmFigures(bench: LstmBench | undefined, source: string): ExtraFigure[] {
  if (!bench) return [{ name: 'LSTM scoring rate', value: `not measured: ${LSTM_JSON} is absent (run models/bench/scoring-throughput.ts --write, or this harness with --run-lstm)`, source, measuredAt: null }];
  const backends = [...new Set(bench.batches.map((b) => b.backend))];
  const figures = backends.map((backend): ExtraFigure => {
    const rows = bench.batches.filter((b) => b.backend === backend);
    const best = rows.reduce((a, b) => (b.incrementalPerS > a.incrementalPerS ? b : a));
    const tick = bench.ticks.find((t) => t.backend === backend)?.tick;
    return {
      name: `LSTM scoring, ${backend} backend`,
      value:
        `${best.incrementalPerS.toLocaleString('en-GB')} patient-updates/s on one core (incremental, batch ${best.batch}); ` +
        `recomputing 60-step windows: ${Math.max(...rows.map((r) => r.peerPerS)).toLocaleString('en-GB')}/s` +
        (tick ? `; tick of 1,000 patients p99 ${tick.p99ms} ms` : ''),
      source,
      measuredAt: bench.date,
    };
  });
  for (const skipped of bench.skippedBackends) figures.push({ name: `LSTM scoring, ${skipped} backend`, value: 'not measured: backend not installed on this machine', source, measuredAt: bench.date });
  return figures;
}

/** The fields of cloud/bench/replay-physionet.ts's JSON that this report quotes (the rest is left alone). */
const ReplayBench = z.object({
  date: z.string(),
  stays: z.number().nullable(),
  patientHours: z.number(),
  wallSeconds: z.number(),
  patientHoursPerSecond: z.number(),
  goalSeconds: z.number().optional(),
  model: z.object({ backend: z.string() }).nullable().optional(),
});

/** Replay speed from the replay benchmark's JSON when it exists; a named gap otherwise. */
export function replayFigures(root: string): ExtraFigure[] {
  const name = 'Replay speed (PhysioNet set A through cloud ingest, windows, NEWS2, LSTM)';
  const file = REPLAY_JSON;
  if (!existsSync(join(root, file))) {
    const script = existsSync(join(root, REPLAY_SCRIPT)) ? `${REPLAY_SCRIPT} exists but has not written ${file} yet` : `${REPLAY_SCRIPT} does not exist yet`;
    return [{ name, value: `GAP: not measured (${script}; issue 8)`, source: REPLAY_SCRIPT, measuredAt: null }];
  }
  const parsed = ReplayBench.safeParse(JSON.parse(readFileSync(join(root, file), 'utf8')));
  if (!parsed.success) return [{ name, value: `see ${file} (its fields changed: ${parsed.error.issues[0]?.path.join('.')})`, source: file, measuredAt: null }];
  const r = parsed.data;
  const value = `${r.stays === null ? '' : `${r.stays.toLocaleString('en-GB')} stays, `}${r.patientHours.toLocaleString('en-GB')} patient-hours in ${r.wallSeconds} s = ${r.patientHoursPerSecond.toLocaleString('en-GB')} patient-hours/s${r.model ? ` (LSTM on ${r.model.backend})` : ' (no LSTM)'}`;
  return [{ name, value, source: file, measuredAt: r.date }];
}
