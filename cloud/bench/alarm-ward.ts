/**
 * Paced load for the alarm-latency benchmark (a child process): N ICU monitors at 1 Hz from the live simulator, each
 * at its own phase within the second, and every 10th bed develops a severe tachyarrhythmia (heart rate 155–180) at a
 * staggered moment during the measurement, so the cloud raises HR_HIGH alarms at a steady pace.
 *   node --import tsx cloud/bench/alarm-ward.ts '{"url":"mqtt://…","credentialsFile":"…","devices":2000,"warmupS":15,"measureS":60}'
 * Prints JSON lines: connected, measure-start {at}, measure-end {at, sentPerS}, done.
 */
import { readFileSync } from 'node:fs';
import type { DeviceCredentials } from '@vigil/contracts';
import { createLiveSimulator } from '@vigil/simulators';

interface Options {
  url: string;
  credentialsFile: string;
  devices: number;
  warmupS: number;
  measureS: number;
}

const o = JSON.parse(process.argv[2] ?? '{}') as Options;
const say = (event: string, data: Record<string, unknown> = {}) => process.stdout.write(JSON.stringify({ event, ...data }) + '\n');
const credentials = (JSON.parse(readFileSync(o.credentialsFile, 'utf8')) as DeviceCredentials).devices.slice(0, o.devices);
const ill = credentials.filter((_, i) => i % 10 === 5);
// Onsets spread over the measurement (connection time included in warm-up), the last 25 s before its end so that
// each alarm (10 s condition delay) is raised inside it.
const span = o.measureS - 25;
const bedScenarios = Object.fromEntries(ill.map((c, k) => [c.bedId, `tachyarrhythmia@${Math.round(o.warmupS + 10 + (k * span) / ill.length)}s+5s/severe`]));
const sim = createLiveSimulator({ brokerUrl: o.url, credentials, seed: 'alarm-bench', artifacts: 'none', phase: 'spread', bedScenarios });
await sim.start();
say('connected', { devices: credentials.length, ill: ill.length });
await new Promise((r) => setTimeout(r, o.warmupS * 1000));
const before = sim.stats();
const startAt = Date.now();
say('measure-start', { at: startAt });
await new Promise((r) => setTimeout(r, o.measureS * 1000));
const after = sim.stats();
say('measure-end', { at: Date.now(), sentPerS: (after.links.sent - before.links.sent) / ((Date.now() - startAt) / 1000) });
await sim.close();
say('done', { failed: sim.stats().links.failed, dropped: sim.stats().links.dropped });
setTimeout(() => process.exit(0), 100);
