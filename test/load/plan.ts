/**
 * What a load run does, as zod schemas (types inferred from them): the plan the CLI builds from its arguments, the
 * options handed to the load-generator child process, and the bed selection rule both sides share. Bad input is a
 * PmError PM_ERR_CONFIG_INVALID naming the argument.
 */
import { z } from 'zod';
import { PmError } from '@vigil/contracts';

/** The issue's bed counts (issue 9, part 1): 100 / 500 / 1,000 / 2,000 simulated beds at 1 Hz. */
export const FULL_LEVELS = [100, 500, 1000, 2000] as const;
/** --quick: a smoke test in about two minutes. */
export const QUICK_LEVELS = [100, 500] as const;

export const LoadPlan = z
  .object({
    /** Simulated beds per level (one ICU monitor each, 1 Hz numerics). */
    levels: z.array(z.number().int().min(1).max(5000)).min(1),
    /** Seconds of load before the measured window (connections settle, JIT warms, first windows close). */
    warmupS: z.number().min(1).max(600),
    /**
     * Length of the measured window, s. 60 s (the default) always holds one minute boundary: the cloud's per-minute
     * work (NEWS2 and feature window emissions 10 s after it, the rollup job at it) is then inside every measurement.
     */
    measureS: z.number().min(3).max(1800),
    /** The mosquitto reference's window, s: it has no periodic work, so a shorter one measures the same. */
    referenceMeasureS: z.number().min(3).max(1800),
    /** Share of beds whose monitor also sends ECG (250 Hz) and pleth (125 Hz) chunks. */
    waveShare: z.number().min(0).max(1),
    /** Share of beds driven over the heart-rate limit (severe tachyarrhythmia) at known times. */
    alarmShare: z.number().min(0).max(1),
    /** Run the same load through bare mosquitto at each level (the reference ratio). */
    reference: z.boolean(),
    /** How often the stored-watcher reads the cloud's database, ms (bounds the "readable" latency's resolution). */
    pollMs: z.number().int().min(5).max(1000),
    seed: z.string().min(1),
    /** Extra VIGIL_CLOUD_* variables (e.g. VIGIL_CLOUD_ANOMALY_MODEL to serve the LSTM under load). */
    cloudEnv: z.record(z.string(), z.string()),
  })
  .strict();
export type LoadPlan = z.infer<typeof LoadPlan>;

export const DEFAULT_PLAN: LoadPlan = {
  levels: [...FULL_LEVELS],
  warmupS: 10,
  measureS: 60,
  referenceMeasureS: 30,
  waveShare: 0.1,
  alarmShare: 0.1,
  reference: true,
  pollMs: 20,
  seed: 'vigil-load-1',
  cloudEnv: {},
};

export const QUICK_PLAN: LoadPlan = { ...DEFAULT_PLAN, levels: [...QUICK_LEVELS], warmupS: 5, measureS: 15, referenceMeasureS: 15 };

/** Mosquitto and the subscriber have nothing to warm beyond their connections, and no alarm is timed there: ≤ 5 s. */
export const referenceWarmupS = (plan: LoadPlan) => Math.min(plan.warmupS, 5);

/** Options of one load-generator child (JSON in argv[2]). */
export const GeneratorOptions = z
  .object({
    url: z.string().url(),
    credentialsFile: z.string().min(1),
    beds: z.number().int().min(1),
    waveShare: z.number().min(0).max(1),
    alarmShare: z.number().min(0).max(1),
    warmupS: z.number().positive(),
    measureS: z.number().positive(),
    seed: z.string().min(1),
    /** Where the generator writes the keys of every numerics sample it sent (accounting). */
    sentFile: z.string().min(1),
  })
  .strict();
export type GeneratorOptions = z.infer<typeof GeneratorOptions>;

/**
 * Beds picked for a share: every k-th bed (k = round(1 / share)) starting at `offset` within the period, so that
 * waveform beds (offset 0) and alarm beds (offset k / 2) are different beds and spread over the ward.
 */
export function pickBeds(beds: number, share: number, offset: 'first' | 'middle'): number[] {
  if (share <= 0) return [];
  const k = Math.max(1, Math.round(1 / share));
  const start = offset === 'first' ? 0 : Math.floor(k / 2);
  const picked: number[] = [];
  for (let i = start; i < beds; i += k) picked.push(i);
  return picked;
}

/**
 * Onsets (s after the ward's start) of the alarm beds' episodes. HR_HIGH (> 130 /min for 10 s, contracts/src/
 * limit-rules.ts) was raised 14.4-14.7 s after the onset of a severe tachyarrhythmia (5 s ramp) in a trial run
 * here; its beat-to-beat irregularity (simulators/src/scenarios/definitions.ts) can dip below the limit and restart
 * the condition delay, so some are later. Onsets are spread so that the alarms fall inside the measured window:
 * the first just after its start, the last leaving 8 s for the late ones.
 */
export const ALARM_RAISE_AFTER_ONSET_S = 15;
export function alarmOnsets(count: number, warmupS: number, measureS: number): number[] {
  const first = Math.max(0, warmupS + 1 - ALARM_RAISE_AFTER_ONSET_S);
  const last = Math.max(first, warmupS + measureS - 8 - ALARM_RAISE_AFTER_ONSET_S);
  return Array.from({ length: count }, (_, k) => Math.round(first + (count > 1 ? (k * (last - first)) / (count - 1) : 0)));
}

function invalid(arg: string, message: string): never {
  throw new PmError('PM_ERR_CONFIG_INVALID', `${arg}: ${message}`, [{ path: arg, message }]);
}

/**
 * The plan from command-line arguments:
 *   --quick | --beds 100,500 | --warmup S | --measure S | --reference-measure S | --wave-share F | --alarm-share F | --no-reference
 *   --poll-ms N | --seed S | --model DIR (serve the LSTM in the cloud) | --out DIR | --run-lstm
 */
export function planFromArgs(argv: readonly string[]): LoadPlan {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const withValue = new Set(['--beds', '--warmup', '--measure', '--reference-measure', '--wave-share', '--alarm-share', '--poll-ms', '--seed', '--model', '--out']);
  // --out, --run-lstm and --help are the CLI's (run.ts); accepted here so that one parser checks every argument.
  const known = new Set([...withValue, '--quick', '--no-reference', '--run-lstm', '--help']);
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    if (!known.has(name)) invalid(name, `unknown argument (known: ${[...known].join(' ')})`);
    if (!withValue.has(name)) {
      flags.add(name);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) invalid(name, 'needs a value');
    values.set(name, value);
  }
  const base = flags.has('--quick') ? QUICK_PLAN : DEFAULT_PLAN;
  const num = (arg: string, fallback: number) => {
    const text = values.get(arg);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isFinite(n)) invalid(arg, `not a number: ${JSON.stringify(text)}`);
    return n;
  };
  const levels = values.has('--beds')
    ? values.get('--beds')!.split(',').map((s) => {
        const n = Number(s);
        if (!Number.isInteger(n) || n < 1) invalid('--beds', `not a positive whole number: ${JSON.stringify(s)}`);
        return n;
      })
    : base.levels;
  const model = values.get('--model');
  const candidate = {
    levels,
    warmupS: num('--warmup', base.warmupS),
    measureS: num('--measure', base.measureS),
    referenceMeasureS: num('--reference-measure', values.has('--measure') ? Math.min(num('--measure', 0), base.referenceMeasureS) : base.referenceMeasureS),
    waveShare: num('--wave-share', base.waveShare),
    alarmShare: num('--alarm-share', base.alarmShare),
    reference: !flags.has('--no-reference'),
    pollMs: num('--poll-ms', base.pollMs),
    seed: values.get('--seed') ?? base.seed,
    cloudEnv: model ? { VIGIL_CLOUD_ANOMALY_MODEL: model } : {},
  };
  const parsed = LoadPlan.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const arg = { levels: '--beds', warmupS: '--warmup', measureS: '--measure', referenceMeasureS: '--reference-measure', waveShare: '--wave-share', alarmShare: '--alarm-share', pollMs: '--poll-ms', seed: '--seed' }[String(issue.path[0])] ?? String(issue.path[0]);
    invalid(arg, issue.message);
  }
  return parsed.data;
}
