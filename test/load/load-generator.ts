/**
 * The load of one level (a child process, so that its CPU and memory are its own): N simulated ICU monitors, each on
 * its own MQTT connection with its own credential (simulators' MqttDeviceLink), 1 Hz numerics from the simulators'
 * ward model, a share of them with ECG and pleth chunks, a share driven into a severe tachyarrhythmia at known
 * times. Each device sends at its own phase within the second (real devices are not synchronised). The same
 * generator drives the Vigil edge and bare mosquitto.
 *
 *   node --import tsx test/load/load-generator.ts '<GeneratorOptions JSON>'
 * Prints JSON lines: connected, measure-start {at}, measure-end {at, …}, stopped {…}, done. Writes the key of every
 * numerics sample it handed to a link to `sentFile` (the harness's accounting: sent vs stored).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DeviceCredentials, type DeviceCredential, type SessionDevice, type SessionMessage } from '@vigil/contracts';
import { buildWard, MqttDeviceLink, type DeviceGenerator } from '@vigil/simulators';
import { quantiles } from '../../edge/bench/bench-processes.ts';
import { alarmOnsets, GeneratorOptions, pickBeds } from './plan.ts';

const o = GeneratorOptions.parse(JSON.parse(process.argv[2] ?? '{}'));
const warn = (line: string) => process.stderr.write(`[load-generator] ${line}\n`);
const say = (event: string, data: Record<string, unknown> = {}) => process.stdout.write(JSON.stringify({ event, ...data }) + '\n');
const STEP_MS = 1000; // 1 Hz numerics
const HORIZON_MS = 3_600_000; // scenario placement horizon: far beyond any run

const credentials = DeviceCredentials.parse(JSON.parse(readFileSync(o.credentialsFile, 'utf8'))).devices.slice(0, o.beds);
if (credentials.length < o.beds) throw new Error(`only ${credentials.length} credentials for ${o.beds} beds`);
const waveBeds = new Set(pickBeds(o.beds, o.waveShare, 'first'));
const alarmBeds = pickBeds(o.beds, o.alarmShare, 'middle');
const onsets = alarmOnsets(alarmBeds.length, o.warmupS, o.measureS);
// Severe tachyarrhythmia: heart rate 155-180 /min within 5 s (simulators/src/scenarios), over HR_HIGH's 130 /min.
const bedScenarios = Object.fromEntries(alarmBeds.map((i, k) => [credentials[i]!.bedId, `tachyarrhythmia@${onsets[k]}s+5s/severe`]));

/** The ward model of the beds with and without waveforms (the device options are per ward), from one seed. */
function buildDevices(start: number): Array<{ generator: DeviceGenerator; phase: number; credential: DeviceCredential }> {
  const out: Array<{ generator: DeviceGenerator; phase: number; credential: DeviceCredential }> = [];
  for (const waveforms of [false, true]) {
    const subset = credentials.filter((_, i) => waveBeds.has(i) === waveforms);
    if (subset.length === 0) continue;
    const devices: SessionDevice[] = subset.map((c) => ({ deviceId: c.deviceId, deviceType: c.deviceType, patientId: c.patientId, bedId: c.bedId, wardId: c.wardId }));
    const ward = buildWard({
      devices,
      seed: o.seed,
      start,
      end: start + HORIZON_MS,
      artifacts: 'none', // accounting needs every sample delivered: no drop-outs, no duplicate sends
      bedScenarios: Object.fromEntries(subset.filter((c) => bedScenarios[c.bedId]).map((c) => [c.bedId, bedScenarios[c.bedId]!])),
      deviceOptions: { waveforms },
      // Seeded boot ids do not depend on `start`, so the links can connect before the ward's start is known.
      bootIds: 'seeded',
      phaseSpread: { withinMs: STEP_MS, slotMs: 1 },
    });
    ward.generators.forEach((generator, i) => out.push({ generator, phase: ward.phases[i]!, credential: subset[i]! }));
  }
  return out;
}

const counts = { vitals: 0, wave: 0, status: 0 };
const acked = { vitals: 0, wave: 0, status: 0 };
let failed = 0;
let measuring = false;
const pubackMs: number[] = [];
/** Per device: its boot id and the seq of every numerics sample handed to its link. */
const sent = new Map<string, { bootId: string; seqs: number[] }>();

const probe = buildDevices(Math.floor(Date.now() / STEP_MS) * STEP_MS);
const links = probe.map(
  ({ generator, credential }) =>
    new MqttDeviceLink({
      brokerUrl: o.url,
      credential,
      bootId: generator.bootId,
      onAck: (message: SessionMessage, ms: number) => {
        acked[message.channel]++;
        if (measuring && message.channel === 'vitals') pubackMs.push(ms);
      },
    }),
);
const connectStart = performance.now();
// In groups, as a ward's devices come up over a few seconds, not all CONNECTs in one millisecond.
for (let i = 0; i < links.length; i += 200) await Promise.all(links.slice(i, i + 200).map((l) => l.connect()));
const start = Math.ceil((Date.now() + 200) / STEP_MS) * STEP_MS;
const devices = buildDevices(start).map((d, i) => ({ ...d, link: links[i]! }));
say('connected', { devices: devices.length, waveBeds: waveBeds.size, alarmBeds: alarmBeds.length, alarmOnsetsS: onsets, seconds: (performance.now() - connectStart) / 1000, start });

// One wake-up per distinct phase and step (as the live simulator does), in phase order.
const byPhase = new Map<number, number[]>();
devices.forEach((d, i) => (byPhase.get(d.phase) ?? byPhase.set(d.phase, []).get(d.phase)!).push(i));
const slots = [...byPhase].sort(([a], [b]) => a - b);
let running = true;
let lateSteps = 0;

function hand(d: (typeof devices)[number], message: SessionMessage): void {
  counts[message.channel]++;
  if (message.channel === 'vitals') {
    const entry = sent.get(d.credential.deviceId) ?? sent.set(d.credential.deviceId, { bootId: message.message.bootId, seqs: [] }).get(d.credential.deviceId)!;
    entry.seqs.push(message.message.seq);
  }
  d.link.send(message);
}

async function run(): Promise<void> {
  for (let t = start; running; t += STEP_MS) {
    for (const [n, [offset, indices]] of slots.entries()) {
      const at = t + offset;
      const wait = at - Date.now();
      if (wait >= 1) await new Promise((r) => setTimeout(r, wait));
      if (!running) return;
      // A step begun more than a step late means this process cannot keep up: reported, never hidden.
      if (n === 0 && Date.now() - at > STEP_MS) lateSteps++;
      for (const i of indices) for (const message of devices[i]!.generator.advance(at)) hand(devices[i]!, message);
    }
  }
}

const loop = run();
const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
await sleepUntil(start + o.warmupS * 1000);
const before = { ...counts };
const measureStart = Date.now();
measuring = true;
say('measure-start', { at: measureStart });
await sleepUntil(measureStart + o.measureS * 1000);
measuring = false;
const measureEnd = Date.now();
const seconds = (measureEnd - measureStart) / 1000;
const [p50, p95, p99, max] = quantiles(pubackMs, [0.5, 0.95, 0.99, 1]);
say('measure-end', {
  at: measureEnd,
  seconds,
  vitalsPerS: (counts.vitals - before.vitals) / seconds,
  wavesPerS: (counts.wave - before.wave) / seconds,
  pubackMs: { p50, p95, p99, max, n: pubackMs.length },
  lateSteps,
});

running = false;
await loop;
// Every numerics sample acknowledged (durable at the edge; at the broker for mosquitto) before the links close.
const linkFailed = () => links.reduce((s, l) => s + l.stats.failed + l.stats.dropped, 0);
const settleUntil = Date.now() + 60_000;
while (acked.vitals + linkFailed() < counts.vitals && Date.now() < settleUntil) await new Promise((r) => setTimeout(r, 50));
failed = linkFailed();
if (acked.vitals + failed < counts.vitals) warn(`${counts.vitals - acked.vitals - failed} numerics samples still unacknowledged after 60 s`);
writeFileSync(o.sentFile, JSON.stringify({ devices: [...sent].map(([deviceId, v]) => ({ deviceId, bootId: v.bootId, seqs: v.seqs })) }));
say('stopped', { sent: counts, acked, failed, unacked: counts.vitals - acked.vitals - failed, lateSteps });
await Promise.all(links.map((l) => l.close()));
say('done');
setTimeout(() => process.exit(0), 100);
