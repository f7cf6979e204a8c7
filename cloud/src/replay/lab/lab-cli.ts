/**
 * vigil-lab: replay sessions through two or more alarm configurations and write the comparison.
 *   npm run -w @vigil/cloud lab -- --sessions ward.vsession.jsonl.gz --configs cloud/lab/configs --out out/lab
 * Relative paths are taken from the directory npm was started in (INIT_CWD), not the workspace's.
 */
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { isPmError, PmError, type LabConfig } from '@vigil/contracts';
import { assertUniqueNames, loadLabConfig, loadLabConfigDir } from './lab-config.ts';
import { runLab } from './lab-engine.ts';
import { writeLabOutput } from './lab-output.ts';
import { createProgress } from '../../../../simulators/src/progress.ts';

const HELP = `Usage: vigil-lab --sessions <file…> --configs <file|dir…> --out <dir> [options]

Replays session files (*.vsession.jsonl[.gz]) through each alarm configuration in event time, as fast as the
machine goes, with the cloud's own processor and alarm manager, and writes result.json, report.md, summary.csv,
alarms-by-code.csv and two PNG figures into --out.

  --sessions <file…>    session files (simulator, edge recorder, PhysioNet importer)
  --configs <file|dir…> lab configurations (JSON, contracts LabConfig); a directory means all its *.json;
                        the first configuration is the reference for lead-time comparisons
  --out <dir>           output directory (created)
  --models <dir>        where lstm.model names are looked up          default models/artefacts
  --title <text>        report title
  --no-plots            skip the PNG figures
  --no-progress         no progress bar on stderr
  -h, --help

Example:
  npm run -w @vigil/cloud lab -- --sessions ward.vsession.jsonl.gz --configs cloud/lab/configs --out out/lab
`;

interface Args {
  sessions: string[];
  configs: string[];
  out?: string;
  models?: string;
  title?: string;
  plots: boolean;
  progress: boolean;
}

/** Flags that take several values (`--sessions a b c`) read until the next flag. */
export function parseLabArgs(argv: readonly string[]): Args | 'help' {
  const args: Args = { sessions: [], configs: [], plots: true, progress: true };
  let list: string[] | undefined;
  const single = (flag: string, value: string | undefined): string => {
    if (value === undefined || value.startsWith('--')) throw new PmError('PM_ERR_VALIDATION', `${flag} needs a value`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') return 'help';
    if (!a.startsWith('-')) {
      if (!list) throw new PmError('PM_ERR_VALIDATION', `unexpected argument ${a} (see --help)`);
      list.push(a);
      continue;
    }
    list = undefined;
    if (a === '--sessions') list = args.sessions;
    else if (a === '--configs') list = args.configs;
    else if (a === '--out') args.out = single(a, argv[++i]);
    else if (a === '--models') args.models = single(a, argv[++i]);
    else if (a === '--title') args.title = single(a, argv[++i]);
    else if (a === '--no-plots') args.plots = false;
    else if (a === '--no-progress') args.progress = false;
    else throw new PmError('PM_ERR_VALIDATION', `unknown option ${a} (see --help)`);
  }
  if (args.sessions.length === 0) throw new PmError('PM_ERR_VALIDATION', '--sessions: give at least one session file');
  if (args.configs.length === 0) throw new PmError('PM_ERR_VALIDATION', '--configs: give configuration files or a directory');
  if (!args.out) throw new PmError('PM_ERR_VALIDATION', '--out: give an output directory');
  return args;
}

async function loadConfigs(paths: readonly string[]): Promise<LabConfig[]> {
  const configs: LabConfig[] = [];
  for (const p of paths) {
    const isDir = await stat(p).then((s) => s.isDirectory(), () => false);
    configs.push(...(isDir ? await loadLabConfigDir(p) : [await loadLabConfig(p)]));
  }
  assertUniqueNames(configs);
  if (configs.length < 2) throw new PmError('PM_ERR_LAB_CONFIG', `a comparison needs at least two configurations, got ${configs.length}`);
  return configs;
}

async function main(): Promise<void> {
  const parsed = parseLabArgs(process.argv.slice(2));
  if (parsed === 'help') {
    process.stdout.write(HELP);
    return;
  }
  const base = process.env.INIT_CWD ?? process.cwd();
  const at = (p: string) => resolve(base, p);
  const configs = await loadConfigs(parsed.configs.map(at));
  const sessions = parsed.sessions.map((p) => ({ name: basename(p).replace(/\.vsession\.jsonl(\.gz)?$/, ''), path: at(p) }));
  const progress = createProgress('lab', 1, process.stderr, parsed.progress);
  const { result, stats } = await runLab({
    sessions,
    configs,
    ...(parsed.models ? { modelRoot: at(parsed.models) } : {}),
    onProgress: (p) => progress.update(p.fraction),
  });
  const rate = stats.patientHours / stats.seconds;
  progress.finish(`${sessions.length} session(s), ${configs.length} configurations, ${stats.patientHours.toFixed(0)} patient-hours in ${stats.seconds.toFixed(1)} s (${stats.cpuSeconds.toFixed(1)} s CPU)`);
  const runNotes = [
    `Run: ${configs.length} configurations over ${stats.patientHours.toFixed(0)} patient-hours (${stats.messages} messages) in ${stats.seconds.toFixed(1)} s wall time ` +
      `(${stats.cpuSeconds.toFixed(1)} s CPU), ${rate.toFixed(0)} patient-hours/s for all configurations together ` +
      `(${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores shared with other jobs; load average ${loadavg()[0]!.toFixed(1)} at the end).`,
  ];
  const written = await writeLabOutput(result, at(parsed.out!), { ...(parsed.title ? { title: parsed.title } : {}), plots: parsed.plots, runNotes });
  process.stdout.write(`wrote ${written.files.join(', ')} to ${written.dir}\n`);
  for (const c of result.configs) {
    process.stdout.write(
      `${c.name.padEnd(24)} ${c.alarms.perPatientDay.toFixed(2).padStart(8)} alarms/patient-day   events ${c.events.caught}/${c.events.events} (recall ${(c.events.recall * 100).toFixed(1)} %)   median lead ${c.events.leadTimeMin.all.median?.toFixed(1) ?? '–'} min\n`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    if (isPmError(err)) process.stderr.write(`vigil-lab: ${err.code}: ${err.message}\n`);
    else process.stderr.write(`vigil-lab: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
