/**
 * Guarantees "no loss, no duplicates" and "identical alarms" under `kill -9` of the cloud processor
 * (docs/architecture.md, Guarantees; issue "cloud stream processor", recovery test).
 *
 * A seeded scenario: 20 devices, each sending exactly 400 samples with event time t0 + seq × 1 s, paced at 10 Hz of
 * wall time (a ×10 replay: 40 s of wall time, 400 s of event time), with seeded deteriorations (tachycardia,
 * hypoxaemia, bradycardia, tachypnoea) that raise limit-rule and NEWS2 alarms. It runs twice on fresh wards:
 *   1. fault-free;
 *   2. with the cloud killed by SIGKILL at 4 seeded moments and restarted after a seeded pause (0.5–3 s) on the
 *      same database; the edge's uplink resends every batch it was not acknowledged.
 * Then: 0 lost and 0 duplicated samples in both runs, and the processor's output of run 2 equals run 1's exactly —
 * every alarm (id, code, state, onset, raise and end times), every alarm transition, every NEWS2 score.
 *
 * The watermark and reorder bounds are set to 100 s of event time = 10 s of wall time at ×10, the same wall-clock
 * bound as in real time (the edge marks records it held for over 10 s late, and late records never drive alarms).
 * Seed: VIGIL_FAULT_SEED (default below); it fixes the scenario, the kill moments and the pauses, and is printed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { account, DeviceFleet, drained, planKills, report, sleep, startFaultWard, type FaultWard } from '../support/fault-ward.ts';
import { Rng } from '@vigil/simulators';

const SEED = process.env.VIGIL_FAULT_SEED ?? 'cloud-kill-1';
const DEVICES = 20;
const HZ = 10;
const SAMPLES = 400;
const STEP_MS = 1_000;
const KILLS = 4;
const DEVICE_BUFFER = 4000;
const RUN_MS = (SAMPLES / HZ) * 1000;

/** Seeded deteriorations per device: [from seq, to seq, vitals]. */
function scenario(seed: string): Array<Array<[number, number, Record<string, number>]>> {
  const rng = new Rng(`${seed}:scenario`);
  const kinds: Array<Record<string, number>> = [{ hr: 145 }, { spo2: 86 }, { hr: 35 }, { rr: 29 }, { hr: 138, rr: 27 }];
  return Array.from({ length: DEVICES }, () => {
    const episodes: Array<[number, number, Record<string, number>]> = [];
    let from = Math.round(rng.uniform(15, 60));
    while (from < SAMPLES - 40) {
      const length = Math.round(rng.uniform(25, 70));
      episodes.push([from, from + length, kinds[Math.floor(rng.uniform(0, kinds.length))]!]);
      from += length + Math.round(rng.uniform(30, 120));
    }
    return episodes;
  });
}

interface Outcome {
  accounting: ReturnType<typeof account>;
  alarms: string[];
  transitions: string[];
  news2: string[];
  kills: Array<{ killAt: number; readyAt: number; restoreMs: number }>;
  started: number;
  drainS: string;
}

async function run(seed: string, t0: number, withKills: boolean, wards: FaultWard[]): Promise<Outcome> {
  const plan = scenario(seed);
  const ward = await startFaultWard({
    beds: DEVICES,
    edgeEnv: { VIGIL_EDGE_MAX_CLOCK_SKEW_MS: String(86_400_000) },
    cloudEnv: { VIGIL_CLOUD_STREAM_REORDER_MS: '100000', VIGIL_CLOUD_OUT_OF_ORDERNESS_MS: '100000' },
  });
  wards.push(ward);
  await ward.startEdge();
  await ward.edgeStatus('ok');
  const fleet = new DeviceFleet(ward, HZ, DEVICE_BUFFER);
  fleet.eventTime = { t0, stepMs: STEP_MS };
  fleet.limit = SAMPLES;
  fleet.shape = (i, _t, seq) => plan[i]!.find(([a, b]) => seq >= a && seq < b)?.[2];
  await fleet.connect();
  const kills = withKills ? planKills(seed, RUN_MS, KILLS).map((k) => ({ ...k, killAt: 0, readyAt: 0, restoreMs: 0 })) : [];
  const started = Date.now();
  fleet.start();
  for (const kill of kills) {
    await sleep(started + kill.plannedAtMs - Date.now());
    kill.killAt = Date.now();
    await ward.killCloud();
    await sleep(kill.pauseMs);
    await ward.startCloud();
    kill.readyAt = Date.now();
    kill.restoreMs = Math.round((await ward.cloudMetric('vigil_cloud_restore_seconds')) * 1000);
  }
  await sleep(started + RUN_MS + 500 - Date.now());
  const stoppedAt = Date.now();
  const drainedAt = await drained(ward, fleet);
  fleet.stop();
  await fleet.close();
  const accounting = account(ward, fleet);
  // The processor's own output (edge-reported technical alarms carry the edge's wall-clock times: not compared).
  const alarms = ward
    .query<{ id: string; body: string }>(`SELECT id, body FROM alarms ORDER BY id`)
    .map((r) => JSON.parse(r.body) as { id: string; code: string; state: string; source: string; onsetAt: number; raisedAt: number; endedAt: number | null; priority: string })
    .filter((a) => a.source === 'limit-rule' || a.source === 'news2')
    .map((a) => `${a.id} ${a.code} ${a.priority} ${a.state} onset=${a.onsetAt - t0} raised=${a.raisedAt - t0} ended=${a.endedAt === null ? '-' : a.endedAt - t0}`);
  const transitions = ward
    .query<{ alarm_id: string; n: number; phase: string; state: string; at: number }>(`SELECT alarm_id, n, phase, state, at FROM alarm_transitions WHERE actor = 'system' ORDER BY alarm_id, n`)
    .map((r) => `${r.alarm_id} #${r.n} ${r.phase} ${r.state} at=${r.at - t0}`);
  const news2 = ward
    .query<{ patient_id: string; start: number; end: number; total: number; response: string; revision: number }>(`SELECT patient_id, start, "end", total, response, revision FROM news2_scores ORDER BY patient_id, "end"`)
    .map((r) => `${r.patient_id} ${r.start - t0}..${r.end - t0} ${r.total} ${r.response} r${r.revision}`);
  return { accounting, alarms, transitions, news2, kills, started, drainS: drainedAt === undefined ? 'n/a' : ((drainedAt - stoppedAt) / 1000).toFixed(2) };
}

describe('cloud processor kill -9 (seeded): no loss, no duplicates, identical alarms', () => {
  const wards: FaultWard[] = [];
  afterAll(async () => {
    await Promise.all(wards.map((w) => w.close()));
  });

  it('stores every sample once and produces the same alarms as a fault-free run of the same seed', async () => {
    // One event-time origin for both runs (a whole minute, so NEWS2 windows line up the same way).
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
    console.log(`cloud-kill: seed "${SEED}", plan ${JSON.stringify(planKills(SEED, RUN_MS, KILLS))}`);
    const reference = await run(SEED, t0, false, wards);
    const faulty = await run(SEED, t0, true, wards);

    const missingAlarms = reference.alarms.filter((a) => !faulty.alarms.includes(a));
    const extraAlarms = faulty.alarms.filter((a) => !reference.alarms.includes(a));
    report(`cloud kill -9 ×${KILLS} (seed "${SEED}", ${DEVICES} devices, ${SAMPLES} samples each at ${HZ} Hz, event time ×${(STEP_MS * HZ) / 1000})`, {
      'fault-free run': `${reference.accounting.sent} sent, ${reference.accounting.stored} stored, ${reference.alarms.length} alarms, ${reference.transitions.length} transitions, ${reference.news2.length} NEWS2 scores`,
      'run with kills': `${faulty.accounting.sent} sent, ${faulty.accounting.stored} stored, lost ${faulty.accounting.lost}, duplicated ${faulty.accounting.duplicated}`,
      'alarms identical': missingAlarms.length === 0 && extraAlarms.length === 0,
      'transitions identical': JSON.stringify(faulty.transitions) === JSON.stringify(reference.transitions),
      'NEWS2 scores identical': JSON.stringify(faulty.news2) === JSON.stringify(reference.news2),
      ...Object.fromEntries(
        faulty.kills.map((k, i) => [`kill ${i + 1}`, `at +${((k.killAt - faulty.started) / 1000).toFixed(2)} s, ready again after ${((k.readyAt - k.killAt) / 1000).toFixed(2)} s (state restore ${k.restoreMs} ms)`]),
      ),
      'drain after devices stopped': `${faulty.drainS} s`,
      ...(missingAlarms.length > 0 ? { 'missing alarms': missingAlarms.slice(0, 5).join(' | ') } : {}),
      ...(extraAlarms.length > 0 ? { 'extra alarms': extraAlarms.slice(0, 5).join(' | ') } : {}),
    });

    for (const outcome of [reference, faulty]) {
      expect(outcome.accounting.lost, `lost samples, e.g. ${outcome.accounting.lostKeys.join(', ')}`).toBe(0);
      expect(outcome.accounting.duplicated).toBe(0);
      expect(outcome.accounting.unexpected).toBe(0);
      expect(outcome.accounting.stored).toBe(DEVICES * SAMPLES);
    }
    // The scenario must actually alarm, or identical alarm lists prove nothing.
    expect(reference.alarms.filter((a) => a.includes(' NEWS2 ')).length).toBeGreaterThan(0);
    expect(reference.alarms.length).toBeGreaterThan(DEVICES);
    expect(faulty.alarms).toEqual(reference.alarms);
    expect(faulty.transitions).toEqual(reference.transitions);
    expect(faulty.news2).toEqual(reference.news2);
  });
});
