/**
 * MQTT protocol fuzzing of the edge device broker and the cloud uplink broker, over raw TCP, while a clean device
 * publishes through the edge to the cloud. First the known broker-crash inputs (known-inputs.ts), one at a time,
 * each with the exact refusal it must be counted under; then seeded mutation fuzzing (mqtt-mutations.ts) for
 * VIGIL_FUZZ_SECONDS (default 60; VIGIL_FUZZ_LONG=1: 30 min), one connection at a time per broker, so that each
 * connection's counter movement is its own. Required: no crash (both brokers answer a valid client afterwards),
 * every connection a broker cut counted under a reason, the clean stream complete (every sample stored once).
 * The report (packets, mutation kinds, refusals by reason) goes to test-results/fuzz/mqtt-fuzz-report.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type VitalsSample } from '@vigil/contracts';
import { Rng } from '../../simulators/src/rng.ts';
import { waitFor } from '../support/in-process-stack.ts';
import { closingTotal, delta, startSecurityStack, type SecurityStack } from '../support/security-stack.ts';
import { runSession } from './fuzz-session.ts';
import { fuzzTargets, type FuzzTarget } from './fuzz-targets.ts';
import { KNOWN_INPUTS } from './known-inputs.ts';
import { nextScript, MUTATION_KINDS } from './mqtt-mutations.ts';
import { parseStream } from './mqtt-wire.ts';

const LONG = process.env.VIGIL_FUZZ_LONG === '1';
const SECONDS = Number(process.env.VIGIL_FUZZ_SECONDS ?? (LONG ? 1800 : 60));
const SEED = process.env.VIGIL_FUZZ_SEED ?? 'vigil-mqtt-fuzz';
/** The clean device's rate: below the edge's per-device limit (50/s) with room for the load of the fuzzing. */
const CLEAN_INTERVAL_MS = 40;

interface TargetReport {
  connections: number;
  packetsSent: number;
  bytesSent: number;
  serverCuts: number;
  held: number;
  kinds: Record<string, number>;
  refusals: Record<string, number>;
  contentRejections: Record<string, number>;
  answers: Record<string, number>;
  uncountedCuts: Array<{ kinds: string[]; hex: string }>;
}

let stack: SecurityStack;
let targets: FuzzTarget[];
let cleanClient: MqttClient;
let cleanCloses = 0;
let cleanSent = 0;
let cleanTimer: NodeJS.Timeout | undefined;
const cleanAcks: Array<Promise<unknown>> = [];
const reports: Record<string, TargetReport> = {};

beforeAll(async () => {
  stack = await startSecurityStack({ beds: 2, extraGateways: 1 });
  targets = fuzzTargets(stack);
  const clean = stack.ward.credentials.devices[0]!;
  cleanClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${stack.edgePort}`, { clientId: clean.deviceId, username: clean.deviceId, password: clean.secret, protocolVersion: 4 });
  cleanClient.on('close', () => (cleanCloses += 1));
  const t0 = Date.now();
  cleanTimer = setInterval(() => {
    const seq = cleanSent++;
    const sample: VitalsSample = { v: 1, deviceId: clean.deviceId, bootId: 'boot-clean', seq, t: t0 + seq * CLEAN_INTERVAL_MS, vitals: { hr: 60 + (seq % 30), spo2: 97 } };
    cleanAcks.push(cleanClient.publishAsync(topics.deviceVitals(clean.deviceId), JSON.stringify(sample), { qos: 1 }));
  }, CLEAN_INTERVAL_MS);
});

afterAll(async () => {
  clearInterval(cleanTimer);
  await cleanClient?.endAsync();
  await stack?.close();
});

async function attributed(target: FuzzTarget, chunks: Buffer[], quietMs: number) {
  const before = await target.refusals();
  const session = await runSession(chunks, { port: target.port, quietMs, maxMs: 5_000 });
  // The counters move before the broker's close reaches us (hooks count, then close); one turn for safety.
  await new Promise((r) => setImmediate(r));
  const moved = delta(await target.refusals(), before);
  return { session, moved, closing: closingTotal(moved) };
}

describe('MQTT protocol fuzzing (edge device broker, cloud uplink broker)', () => {
  it('refuses each known broker-crash input with its counted reason, on both brokers', async () => {
    const mismatches: string[] = [];
    for (const target of targets) {
      for (const input of KNOWN_INPUTS) {
        const { session, moved, closing } = await attributed(target, input.chunks(target.identity), 400);
        const outcome = `${target.name} / ${input.name}: ${session.serverClosed ? 'cut' : 'held'} ${JSON.stringify(moved)} answers ${session.answers.join(' ')}`;
        if ('cut' in input.expect) {
          if (!session.serverClosed || closing !== 1 || moved[input.expect.cut] !== 1) mismatches.push(`${outcome} — expected cut as ${input.expect.cut}`);
        } else if (session.serverClosed || closing !== 0) mismatches.push(`${outcome} — expected held`);
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000);

  it(`survives ${SECONDS} s of seeded mutations (seed ${SEED}); every cut is counted; the clean stream loses nothing`, async () => {
    const deadline = Date.now() + SECONDS * 1000;
    await Promise.all(
      targets.map(async (target) => {
        const rng = new Rng(`${SEED}:${target.name}`);
        const startRefusals = await target.refusals();
        const startContent = await target.contentRejections();
        const report: TargetReport = { connections: 0, packetsSent: 0, bytesSent: 0, serverCuts: 0, held: 0, kinds: {}, refusals: {}, contentRejections: {}, answers: {}, uncountedCuts: [] };
        reports[target.name] = report;
        while (Date.now() < deadline) {
          const script = nextScript(rng, target.identity);
          const { session, closing } = await attributed(target, script.chunks, 30);
          report.connections += 1;
          report.packetsSent += script.packets;
          report.bytesSent += session.bytesSent;
          for (const kind of script.kinds) report.kinds[kind] = (report.kinds[kind] ?? 0) + 1;
          for (const answer of session.answers) {
            const key = answer.startsWith('unparsable') ? 'unparsable' : answer;
            report.answers[key] = (report.answers[key] ?? 0) + 1;
          }
          if (session.serverClosed) report.serverCuts += 1;
          else report.held += 1;
          // A cut must be counted, unless the script itself ended the session with a DISCONNECT the broker parsed.
          const sentDisconnect = parseStream(Buffer.concat(script.chunks)).packets.some((p) => p.cmd === 'disconnect');
          if (session.serverClosed && closing === 0 && !sentDisconnect && report.uncountedCuts.length < 20) {
            report.uncountedCuts.push({ kinds: script.kinds, hex: Buffer.concat(script.chunks).subarray(0, 96).toString('hex') });
          }
        }
        report.refusals = delta(await target.refusals(), startRefusals);
        report.contentRejections = delta(await target.contentRejections(), startContent);
      }),
    );
    clearInterval(cleanTimer);
    await Promise.all(cleanAcks);

    const summary = { seed: SEED, seconds: SECONDS, mutationKinds: MUTATION_KINDS.length, knownInputs: KNOWN_INPUTS.length, cleanSamples: cleanSent, targets: reports };
    mkdirSync('test-results/fuzz', { recursive: true });
    writeFileSync('test-results/fuzz/mqtt-fuzz-report.json', JSON.stringify(summary, null, 2));
    console.log(JSON.stringify({ ...summary, targets: Object.fromEntries(Object.entries(reports).map(([k, r]) => [k, { ...r, kinds: Object.keys(r.kinds).length }])) }, null, 2));

    for (const [name, report] of Object.entries(reports)) {
      expect(report.connections, name).toBeGreaterThan(0);
      expect(report.uncountedCuts, `${name}: connections cut without a counted reason`).toEqual([]);
      expect(Object.keys(report.kinds).length, `${name}: distinct mutation kinds`).toBeGreaterThan(Math.min(20, report.connections / 4));
    }
    // No crash: both brokers still serve a valid client.
    for (const target of targets) {
      const probe = await mqtt.connectAsync(`mqtt://127.0.0.1:${target.port}`, { clientId: target.identity.clientId, username: target.identity.clientId, password: target.identity.password, protocolVersion: 4, reconnectPeriod: 0 });
      expect(probe.connected, target.name).toBe(true);
      await probe.endAsync();
    }
    // The clean device was never disconnected (no takeover) and every sample is in the cloud exactly once.
    expect(cleanCloses).toBe(0);
    const deviceId = stack.ward.credentials.devices[0]!.deviceId;
    await waitFor('every clean sample in the cloud', async () => (await stack.storedOf(deviceId)).n >= cleanSent, 60_000);
    expect(await stack.storedOf(deviceId)).toEqual({ n: cleanSent, d: cleanSent });
  }, (SECONDS + 180) * 1000);
});
