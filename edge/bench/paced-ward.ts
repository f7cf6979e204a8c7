/**
 * Paced load for the gateway benchmark (a child process): N ICU monitors at 1 Hz from the live simulator, each at
 * its own phase within the second (as real devices are), reporting publish → PUBACK times. The gateway sends PUBACK
 * only once a sample is durable in its outbox, so that time is device → outbox.
 *   node --import tsx edge/bench/paced-ward.ts '{"url":"mqtt://…","credentialsFile":"…","devices":2000,"warmupS":10,"measureS":35}'
 * Prints JSON lines: connected, measure-start {at}, measure-end {at, …quantiles}, done.
 */
import { readFileSync } from 'node:fs';
import type { DeviceCredentials } from '@vigil/contracts';
import { createLiveSimulator } from '@vigil/simulators';

interface PacedOptions {
  url: string;
  credentialsFile: string;
  devices: number;
  warmupS: number;
  measureS: number;
}

const o = JSON.parse(process.argv[2] ?? '{}') as PacedOptions;
const say = (event: string, data: Record<string, unknown> = {}) => process.stdout.write(JSON.stringify({ event, ...data }) + '\n');
const credentials = (JSON.parse(readFileSync(o.credentialsFile, 'utf8')) as DeviceCredentials).devices.slice(0, o.devices);

const latencies: number[] = [];
let measuring = false;
const sim = createLiveSimulator({
  brokerUrl: o.url,
  credentials,
  seed: 'gateway-bench',
  artifacts: 'none',
  phase: 'spread',
  onAck: (ms) => measuring && latencies.push(ms),
});
const connectStart = performance.now();
await sim.start();
say('connected', { devices: credentials.length, seconds: (performance.now() - connectStart) / 1000 });
await new Promise((r) => setTimeout(r, o.warmupS * 1000));
const before = sim.stats();
const startAt = Date.now();
measuring = true;
say('measure-start', { at: startAt });
await new Promise((r) => setTimeout(r, o.measureS * 1000));
measuring = false;
const endAt = Date.now();
const after = sim.stats();
const sorted = Float64Array.from(latencies).sort();
const q = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN);
const seconds = (endAt - startAt) / 1000;
say('measure-end', {
  at: endAt,
  seconds,
  sentPerS: (after.links.sent - before.links.sent) / seconds,
  ackedPerS: (after.links.acked - before.links.acked) / seconds,
  lateSteps: after.lateSteps - before.lateSteps,
  acks: sorted.length,
  p50: q(0.5),
  p95: q(0.95),
  p99: q(0.99),
  max: sorted.length ? sorted[sorted.length - 1] : NaN,
});
await sim.close();
say('done', { failed: sim.stats().links.failed, dropped: sim.stats().links.dropped });
setTimeout(() => process.exit(0), 100);
