/**
 * `npm run bench:load`: the load benchmark of issue 9 (part 1). At 100 / 500 / 1,000 / 2,000 simulated beds, Vigil
 * (edge and cloud as separate processes) beside bare mosquitto in the same run: throughput, device → stored and
 * device → dashboard alarm latency, CPU and peak memory per process; with the LSTM scoring rate, replay speed and
 * the other issues' targets. Writes load.json, load.md and load.png.
 *
 *   node --import tsx test/load/run.ts [--quick] [--beds 100,500,1000,2000] [--warmup 10] [--measure 60]
 *     [--reference-measure 30] [--wave-share 0.1] [--alarm-share 0.1] [--no-reference] [--poll-ms 20]
 *     [--seed S] [--model models/artefacts/vigil-lstm] [--run-lstm] [--out DIR]
 * Output: docs/benchmarks/load/ for a full run, .vigil/load-quick/ with --quick (a smoke test must not replace the
 * documented figures), or --out. Nothing asserts a time; exit 2 on invalid arguments (PM_ERR_CONFIG_INVALID).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPmError } from '@vigil/contracts';
import { lstmFigures, readLstmBench, replayFigures, runLstmBench, LSTM_JSON } from './extras.ts';
import { runLoad } from './harness.ts';
import { describeMachine } from './machine.ts';
import { planFromArgs } from './plan.ts';
import { renderMarkdown } from './report-md.ts';
import { renderPlot } from './report-plot.ts';
import { LoadReport } from './results.ts';
import { collectTargets } from './targets.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const say = (line: string) => process.stderr.write(`[load] ${line}\n`);
const argv = process.argv.slice(2);

if (argv.includes('--help')) {
  process.stdout.write(readUsage());
  process.exit(0);
}

function readUsage(): string {
  return [
    'npm run bench:load -- [options]   (node --import tsx test/load/run.ts)',
    '  --quick                 100 and 500 beds, 5 s warm-up + 15 s measured each (smoke test)',
    '  --beds 100,500,…        bed counts (default 100,500,1000,2000)',
    '  --warmup S --measure S  warm-up and measured window per level (default 10 and 60)',
    '  --reference-measure S   measured window of the mosquitto reference (default 30)',
    '  --wave-share F          share of beds sending waveforms (default 0.1)',
    '  --alarm-share F         share of beds driven over the HR limit (default 0.1)',
    '  --no-reference          skip the mosquitto reference',
    '  --poll-ms N             database poll interval of the stored-watcher (default 20)',
    '  --model DIR             serve the LSTM in the cloud under load (VIGIL_CLOUD_ANOMALY_MODEL)',
    '  --run-lstm              run models/bench/scoring-throughput.ts now instead of reading its JSON',
    '  --out DIR               output directory (default docs/benchmarks/load; .vigil/load-quick with --quick)',
    '  --render                no load: re-read DIR/load.json, refresh the LSTM, replay and target figures from their',
    '                          benchmarks\' JSON, and write load.{json,md,png} again',
    '',
  ].join('\n');
}

/** load.json, load.md and load.png into `out`; the markdown also to stdout. */
async function write(report: LoadReport, out: string): Promise<void> {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'load.json'), JSON.stringify(report, null, 2) + '\n');
  const md = renderMarkdown(report);
  writeFileSync(join(out, 'load.md'), md);
  const plot = await renderPlot(report, join(out, 'load.png'));
  for (const w of plot.warnings) say(`plot: ${w}`);
  process.stdout.write(md);
  say(`wrote ${relative(root, out)}/load.{json,md,png}`);
}

/** --render: the figures of other benchmarks may have changed since the load ran (e.g. the replay benchmark's). */
async function rerender(out: string): Promise<void> {
  const old = LoadReport.parse(JSON.parse(readFileSync(join(out, 'load.json'), 'utf8')));
  const lstmRun = old.extras.find((e) => e.name.startsWith('LSTM') && e.source.endsWith('this run'));
  const extras = [...(lstmRun ? old.extras.filter((e) => e.name.startsWith('LSTM')) : lstmFigures(readLstmBench(root), LSTM_JSON)), ...replayFigures(root)];
  await write({ ...old, extras, targets: collectTargets(root, old.levels) }, out);
}

async function main(): Promise<void> {
  const quick = argv.includes('--quick');
  const outArg = argv.find((a) => a.startsWith('--out='))?.slice('--out='.length) ?? (argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : undefined);
  const out = resolve(root, outArg ?? (quick ? '.vigil/load-quick' : 'docs/benchmarks/load'));
  if (argv.includes('--render')) return rerender(out);
  const plan = planFromArgs(argv);
  const started = performance.now();
  say(`${quick ? 'quick' : 'full'} run: ${plan.levels.join(', ')} beds; output ${relative(root, out) || '.'}`);

  const levels = await runLoad(plan, say);
  let lstm;
  let lstmSource = LSTM_JSON;
  if (argv.includes('--run-lstm')) {
    say('running models/bench/scoring-throughput.ts (minutes)');
    lstm = await runLstmBench(root);
    lstmSource = 'models/bench/scoring-throughput.ts, this run';
  } else {
    lstm = readLstmBench(root);
  }
  const report = LoadReport.parse({
    bench: 'load',
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    command: `npm run bench:load${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
    quick,
    machine: describeMachine(),
    plan,
    levels,
    extras: [...lstmFigures(lstm, lstmSource), ...replayFigures(root)],
    targets: collectTargets(root, levels),
    wallS: Math.round((performance.now() - started) / 100) / 10,
  });
  await write(report, out);
}

try {
  await main();
} catch (err) {
  if (isPmError(err)) {
    process.stderr.write(`bench:load: ${err.code}: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench:load: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}
