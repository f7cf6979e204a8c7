/**
 * vigil-sim: run a simulated ward against an edge gateway.
 *   node --import tsx simulators/src/cli.ts --broker mqtt://127.0.0.1:1883 --credentials .vigil/demo/device-credentials.json
 * Every option can also come from VIGIL_SIM_* variables (flags win).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { DeviceCredentials, loadConfig, PmError } from '@vigil/contracts';
import { SIM_ENV_PREFIX, SimConfig } from './config.ts';
import { runService } from '@vigil/contracts/service';
import { parseScenario, SCENARIO_TYPES, type ScenarioSpec } from './scenarios.ts';
import { createWardSimulator } from './ward-simulator.ts';

const HELP = `Usage: vigil-sim [options]

Simulated ICU monitors and wearables publishing 1 Hz numerics over MQTT, each with its own credentials.

Options:
  --broker <url>          edge gateway MQTT URL            (VIGIL_SIM_BROKER, default mqtt://127.0.0.1:1883)
  --credentials <file>    device credentials JSON          (VIGIL_SIM_CREDENTIALS, default .vigil/demo/provisioning/device-credentials.json)
  --seed <text>           random seed                      (VIGIL_SIM_SEED, default vigil)
  --scenario <bed=spec>   scenario for a bed, repeatable   (VIGIL_SIM_SCENARIOS, comma-separated)
                          spec: <type>[@<onset>s|m][+<ramp>s|m], type one of ${SCENARIO_TYPES.join(', ')}
                          e.g. --scenario bed-03=tachycardia@20s+30s
  --interval-ms <ms>      sample interval                  (VIGIL_SIM_INTERVAL_MS, default 1000)
  --log-level <level>     pino level                       (VIGIL_SIM_LOG_LEVEL, default info)
  -h, --help              show this help
`;


function parseScenarios(list: string[]): Record<string, ScenarioSpec> {
  const out: Record<string, ScenarioSpec> = {};
  for (const item of list) {
    const [bed, spec] = item.split('=');
    if (!bed || !spec) throw new PmError('PM_ERR_CONFIG_INVALID', `scenario ${JSON.stringify(item)}: expected <bedId>=<spec>`);
    try {
      out[bed] = parseScenario(spec);
    } catch (err) {
      throw new PmError('PM_ERR_CONFIG_INVALID', (err as Error).message);
    }
  }
  return out;
}

const { values } = parseArgs({
  options: {
    broker: { type: 'string' },
    credentials: { type: 'string' },
    seed: { type: 'string' },
    scenario: { type: 'string', multiple: true },
    'interval-ms': { type: 'string' },
    'log-level': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});

if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

await runService('simulator', async () => {
  const fromEnv = loadConfig(SimConfig, SIM_ENV_PREFIX);
  const config = SimConfig.parse({
    ...fromEnv,
    ...(values.broker ? { broker: values.broker } : {}),
    ...(values.credentials ? { credentials: values.credentials } : {}),
    ...(values.seed ? { seed: values.seed } : {}),
    ...(values['interval-ms'] ? { intervalMs: values['interval-ms'] } : {}),
    ...(values['log-level'] ? { logLevel: values['log-level'] } : {}),
  });
  const scenarioList = [...(config.scenarios ? config.scenarios.split(',') : []), ...(values.scenario ?? [])];
  const credentials = DeviceCredentials.parse(JSON.parse(readFileSync(config.credentials, 'utf8')));
  const logger = pino({ level: config.logLevel, base: { service: 'simulator' } });
  const simulator = createWardSimulator({
    brokerUrl: config.broker,
    credentials: credentials.devices,
    seed: config.seed,
    scenarios: parseScenarios(scenarioList),
    intervalMs: config.intervalMs,
    logger,
  });
  await simulator.start();
  return simulator;
});
