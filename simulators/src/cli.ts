/**
 * vigil-sim: simulated ICU monitors and wearables, live over MQTT or straight to a session file.
 * Every option can also come from VIGIL_SIM_* variables (flags win). `--help` lists them.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { DeviceCredentials, isPmError, loadConfig, PmError } from '@vigil/contracts';
import { runService } from '@vigil/contracts/service';
import { parseSpeed } from './clock.ts';
import { SIM_ENV_PREFIX, SimConfig } from './config.ts';
import { createLiveSimulator } from './live-simulator.ts';
import { generateSession } from './output/generate-session.ts';
import { wardDevices } from './ward.ts';

const HELP = `Usage: vigil-sim [options]

Simulated ICU bedside monitors (1 Hz numerics, invasive + 15-min NIBP, optional ECG/pleth waveforms) and wearables
(5 s numerics, battery, radio gaps), with seeded physiology, clinical scenarios and artifacts, and ground truth.

Output:
  --output <url|file>     mqtt://host:port (live devices, one connection each) or a session file
                          (*.vsession.jsonl or *.vsession.jsonl.gz, generated as fast as possible)
  --credentials <file>    device credentials (MQTT output), from edge/src/provision-cli.ts
Ward:
  --ward <id>             ward id (file output)                               default ward-sim
  --patients <n>          number of patients                                  default 12
  --wearables <n>         of which wear a wearable (file output)              default 4
Scenarios:
  --mix <spec>            share of patients per scenario, e.g. sepsis:0.1,hypoxaemia:0.05
  --scenario <bed=spec>   explicit, repeatable: bed-03=sepsis@2h+6h/severe, bed-05=tachycardia@20s+30s
                          types: sepsis, respiratory_failure, fever, hypoxaemia, haemorrhage,
                          opioid_respiratory_depression, tachyarrhythmia, bradycardia, recovery
  --artifacts <set>       default (rates per device-day) or none              default none
Time:
  --speed <1|N|max>       real time, N× accelerated, or as fast as possible   default 1 (files: max)
  --hours <h>             duration (live: until Ctrl-C when 0)                default 0 (files: 24)
  --start <ISO time>      event time of the start (files)                     default 2026-01-01T00:00:00Z
Other:
  --seed <text>           same seed and options → byte-identical output       default vigil
  --waveforms             ECG (250 Hz) and pleth (125 Hz) chunks from ICU monitors
  --progress              progress bar (file output)
  -h, --help

Examples:
  vigil-sim --output mqtt://127.0.0.1:1883 --credentials .vigil/demo/provisioning/device-credentials.json
  vigil-sim --output ward.vsession.jsonl.gz --patients 100 --hours 24 --mix sepsis:0.1 --artifacts default --progress
`;

const { values } = parseArgs({
  options: {
    output: { type: 'string' },
    credentials: { type: 'string' },
    ward: { type: 'string' },
    patients: { type: 'string' },
    wearables: { type: 'string' },
    seed: { type: 'string' },
    mix: { type: 'string' },
    scenario: { type: 'string', multiple: true },
    artifacts: { type: 'string' },
    speed: { type: 'string' },
    hours: { type: 'string' },
    start: { type: 'string' },
    waveforms: { type: 'boolean' },
    progress: { type: 'boolean' },
    'log-level': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

function configure(): SimConfig {
  const flags: Record<string, unknown> = { ...values, logLevel: values['log-level'], waveforms: values.waveforms ? 'true' : undefined };
  delete flags.scenario;
  delete flags.progress;
  delete flags.help;
  delete flags['log-level'];
  const fromEnv = loadConfig(SimConfig, SIM_ENV_PREFIX);
  const merged = { ...fromEnv, ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) };
  const parsed = SimConfig.safeParse(merged);
  if (!parsed.success) throw new PmError('PM_ERR_CONFIG_INVALID', parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('; '));
  return parsed.data;
}

function bedScenarios(config: SimConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of [...(config.scenarios ? config.scenarios.split(',') : []), ...(values.scenario ?? [])]) {
    const [bed, spec] = item.split('=');
    if (!bed || !spec) throw new PmError('PM_ERR_CONFIG_INVALID', `scenario ${JSON.stringify(item)}: expected <bedId>=<spec>`);
    out[bed] = spec;
  }
  return out;
}

function startTime(text: string, fallback: number): number {
  if (!text) return fallback;
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new PmError('PM_ERR_CONFIG_INVALID', `--start ${JSON.stringify(text)} is not an ISO 8601 time`);
  return t;
}

const isMqtt = (output: string) => /^mqtts?:\/\//.test(output);

try {
  const config = configure();
  const common = {
    seed: config.seed,
    ...(config.mix ? { scenarioMix: config.mix } : {}),
    bedScenarios: bedScenarios(config),
    artifacts: config.artifacts,
    deviceOptions: { waveforms: config.waveforms === 'true' },
  };
  if (!isMqtt(config.output)) {
    const start = startTime(config.start, Date.UTC(2026, 0, 1));
    const hours = config.hours || 24;
    const result = await generateSession({
      ...common,
      devices: wardDevices(config.ward, config.patients, Math.min(config.wearables, config.patients)),
      start,
      end: start + hours * 3_600_000,
      out: config.output,
      progress: values.progress ?? false,
    });
    process.stdout.write(
      `${config.output}: ${result.messages} messages, ${result.truth} ground-truth events, ${(result.bytes / 1e6).toFixed(1)} MB; ` +
        `${result.patientHours.toFixed(0)} patient-hours in ${result.seconds.toFixed(1)} s (${(result.patientHours / result.seconds).toFixed(1)} patient-hours/s)\n`,
    );
  } else {
    await runService('simulator', async () => {
      const credentials = DeviceCredentials.parse(JSON.parse(readFileSync(config.credentials, 'utf8'))).devices.slice(0, config.patients);
      const logger = pino({ level: config.logLevel, base: { service: 'simulator' } });
      const speed = parseSpeed(config.speed);
      const simulator = createLiveSimulator({
        ...common,
        brokerUrl: config.output,
        credentials,
        clock: speed,
        ...(config.start ? { start: startTime(config.start, 0) } : {}),
        logger,
      });
      await simulator.start();
      if (config.hours > 0) setTimeout(() => process.kill(process.pid, 'SIGTERM'), (config.hours * 3_600_000) / (speed.kind === 'accelerated' ? speed.speed : 1));
      return simulator;
    });
  }
} catch (err) {
  process.stderr.write(`vigil-sim: ${isPmError(err) ? err.message : (err as Error).stack}\n`);
  process.exit(isPmError(err) && err.code === 'PM_ERR_CONFIG_INVALID' ? 2 : 1);
}
