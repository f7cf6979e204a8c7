/**
 * A simulator process for the simulator-kill fault (test/faults/simulator-kill.test.ts): every device of a ward on
 * its own MQTT link (the simulators' MqttDeviceLink), sending the fault scenario's numbered samples on a wall-clock
 * schedule, with a journal so that a restart after `kill -9` resumes instead of starting over.
 *
 * "Sent" (what the simulator vouches for) = acknowledged by the edge with a QoS 1 PUBACK *and* journalled. The
 * journal holds, per device, the count of contiguously acknowledged seqs; it is rewritten atomically (write, then
 * rename) every 100 ms. After a restart each device resumes at its journalled count with the same bootId: samples
 * published but not journalled at the kill are sent again with the same key and content (the edge and the cloud
 * absorb the repeat), samples not yet published are sent late, in order. So nothing confirmed is lost, and nothing
 * is stored twice. The schedule continues from the journalled start time (a missed stretch is caught up at once).
 *
 * Configuration: VIGIL_FAULT_SIM_CONFIG, a JSON file (SimulatorConfig). Prints JSON lines: ready, caught-up, done.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { DeviceCredential, SessionMessage } from '@vigil/contracts';
import { MqttDeviceLink } from '@vigil/simulators';
import { deteriorations, shapeOf } from './fault-scenario.ts';
import { fleetVitals } from './fault-ward.ts';

export interface SimulatorConfig {
  brokerUrl: string;
  credentials: DeviceCredential[];
  bootId: string;
  seed: string;
  samples: number;
  hz: number;
  t0: number;
  stepMs: number;
  journal: string;
}

export interface SimulatorJournal {
  /** Wall time of the first start: the schedule's origin across restarts. */
  startedAt: number;
  /** Per device: seqs 0 … n − 1 acknowledged by the edge. */
  acked: Record<string, number>;
  restarts: number;
  done: boolean;
}

const JOURNAL_EVERY_MS = 100;
const TICK_MS = 10;

const say = (event: string, extra: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ event, at: Date.now(), ...extra })}\n`);

const config = JSON.parse(readFileSync(process.env.VIGIL_FAULT_SIM_CONFIG ?? '', 'utf8')) as SimulatorConfig;
const journal: SimulatorJournal = existsSync(config.journal)
  ? { ...(JSON.parse(readFileSync(config.journal, 'utf8')) as SimulatorJournal), done: false }
  : { startedAt: Date.now(), acked: {}, restarts: -1, done: false };
journal.restarts++;

function saveJournal(): void {
  writeFileSync(`${config.journal}.tmp`, JSON.stringify(journal));
  renameSync(`${config.journal}.tmp`, config.journal); // atomic: a kill leaves the old or the new journal, never half
}

const shape = shapeOf(deteriorations(config.seed, config.credentials.length, config.samples));
const period = 1000 / config.hz;
const devices = config.credentials.map((credential, i) => {
  const acked = journal.acked[credential.deviceId] ?? 0;
  // Acknowledgements arrive in order on one connection; a set keeps the watermark right if they ever do not.
  const early = new Set<number>();
  const device = { i, credential, next: acked, acked, early, link: undefined as unknown as MqttDeviceLink };
  device.link = new MqttDeviceLink({
    brokerUrl: config.brokerUrl,
    credential,
    bootId: config.bootId,
    bufferLimit: 100_000,
    onAck: (message: SessionMessage) => {
      if (message.channel !== 'vitals') return;
      early.add(message.message.seq);
      while (early.delete(device.acked)) device.acked++;
    },
  });
  return device;
});

function message(i: number, credential: DeviceCredential, seq: number): SessionMessage {
  const t = config.t0 + seq * config.stepMs;
  return { kind: 'message', sentAt: Date.now(), channel: 'vitals', message: { v: 1, deviceId: credential.deviceId, bootId: config.bootId, seq, t, vitals: { ...fleetVitals(i, seq), ...shape(i, t, seq) } } };
}

/** Seqs due by now: device i sends at its own phase within the period, as unsynchronised devices do. */
const due = (i: number, now: number) => Math.min(config.samples, Math.max(0, Math.floor((now - journal.startedAt - (i * period) / devices.length) / period) + 1));

await Promise.all(devices.map((d) => d.link.connect()));
const dueAtStart = devices.map((d) => due(d.i, Date.now()));
say('ready', { resumedAt: Object.fromEntries(devices.map((d) => [d.credential.deviceId, d.next])), restarts: journal.restarts });
let caughtUp = false;

const tick = setInterval(() => {
  const now = Date.now();
  for (const d of devices) {
    for (const n = due(d.i, now); d.next < n; d.next++) d.link.send(message(d.i, d.credential, d.next));
  }
  if (!caughtUp && devices.every((d, k) => d.acked >= dueAtStart[k]!)) {
    caughtUp = true;
    say('caught-up');
  }
}, TICK_MS);

const journalTimer = setInterval(() => {
  for (const d of devices) journal.acked[d.credential.deviceId] = d.acked;
  if (devices.every((d) => d.acked >= config.samples)) {
    journal.done = true;
    clearInterval(tick);
    clearInterval(journalTimer);
    saveJournal();
    say('done');
    void Promise.all(devices.map((d) => d.link.close())).then(() => process.exit(0));
    return;
  }
  saveJournal();
}, JOURNAL_EVERY_MS);
