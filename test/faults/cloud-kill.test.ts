/**
 * Guarantees "no loss, no duplicates" and "identical alarms" under `kill -9` of the cloud processor
 * (docs/architecture.md, Guarantees; docs/faults.md).
 *
 * The seeded scenario (test/support/fault-scenario.ts: 20 devices, numbered samples, event time ×10, seeded
 * deteriorations raising limit-rule and NEWS2 alarms) runs twice on fresh wards:
 *   1. fault-free;
 *   2. with the cloud killed by SIGKILL at seeded moments and restarted after a seeded pause (0.5–3 s) on the same
 *      database; the edge's uplink resends every batch it was not acknowledged.
 * Then: 0 lost and 0 duplicated samples in both runs, and the processor's output of run 2 equals run 1's exactly —
 * every alarm (id, code, state, onset, raise and end times), every alarm transition, every NEWS2 score.
 * Seed: VIGIL_FAULT_SEED; it fixes the scenario, the kill moments and the pauses, and is printed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { planKills, sleep, type FaultWard } from '../support/fault-ward.ts';
import { compareAlarms, faultSeed, LONG, REPLAY, runScenario, scenarioT0 } from '../support/fault-scenario.ts';
import { writeFaultReport } from '../support/fault-report.ts';

const SEED = faultSeed('cloud-kill-1');
const DEVICES = 20;
const SAMPLES = LONG ? 400 : 250;
const KILLS = LONG ? 4 : 2;
const RUN_MS = (SAMPLES / REPLAY.hz) * 1000;

describe('cloud processor kill -9 (seeded): no loss, no duplicates, identical alarms', () => {
  const wards: FaultWard[] = [];
  afterAll(async () => {
    await Promise.all(wards.map((w) => w.close()));
  });

  it('stores every sample once and produces the same alarms as a fault-free run of the same seed', async () => {
    const t0 = scenarioT0();
    const plan = planKills(SEED, RUN_MS, KILLS).map((k) => ({ ...k, killAt: 0, readyAt: 0, restoreMs: 0 }));
    console.log(`cloud-kill: seed "${SEED}", plan ${JSON.stringify(plan.map(({ plannedAtMs, pauseMs }) => ({ plannedAtMs, pauseMs })))}`);
    const common = { seed: SEED, t0, devices: DEVICES, samples: SAMPLES, wards };
    const reference = await runScenario(common);
    await reference.ward.close();
    const faulty = await runScenario({
      ...common,
      async fault({ ward, at }) {
        for (const kill of plan) {
          await at(kill.plannedAtMs);
          kill.killAt = Date.now();
          await ward.killCloud();
          await sleep(kill.pauseMs);
          await ward.startCloud();
          kill.readyAt = Date.now();
          kill.restoreMs = Math.round((await ward.cloudMetric('vigil_cloud_restore_seconds')) * 1000);
        }
      },
    });
    const parity = compareAlarms(reference.snapshot, faulty.snapshot);
    const baseline = faulty.watch.baseline(faulty.started + plan[0]!.plannedAtMs);
    const last = faulty.watch.recovery(plan.at(-1)!.readyAt, baseline);
    writeFaultReport({
      name: 'cloud-kill',
      seed: SEED,
      fault: `cloud kill -9 ×${KILLS}, ${DEVICES} devices × ${SAMPLES} samples at ${REPLAY.hz} Hz (event time ×${(REPLAY.stepMs * REPLAY.hz) / 1000})`,
      accounting: faulty.accounting,
      parity,
      // Kill → the restarted cloud's /readyz ok (its state restored).
      recoveryS: plan.map((k) => (k.readyAt - k.killAt) / 1000),
      drainRecordsPerS: last.drainPerS,
      figures: {
        'reference: sent / stored / lost': `${reference.accounting.sent} / ${reference.accounting.stored} / ${reference.accounting.lost}`,
        'kills at (s after start)': plan.map((k) => ((k.killAt - faulty.started) / 1000).toFixed(2)).join(', '),
        'state restore (ms)': plan.map((k) => k.restoreMs).join(', '),
        'outbox peak after last kill (records)': last.peak,
        'backlog back to normal after last restart (s)': last.recoveryS,
        'drain after devices stopped (s)': faulty.drainedAt === undefined ? null : (faulty.drainedAt - faulty.stoppedAt) / 1000,
        'redeliveries absorbed (cloud, last process)': await faulty.ward.cloudMetric('vigil_cloud_duplicate_records_total'),
      },
    });

    for (const outcome of [reference, faulty]) {
      expect(outcome.accounting.lost, `lost samples, e.g. ${outcome.accounting.lostKeys.join(', ')}`).toBe(0);
      expect(outcome.accounting.duplicated).toBe(0);
      expect(outcome.accounting.unexpected).toBe(0);
      expect(outcome.accounting.stored).toBe(DEVICES * SAMPLES);
    }
    // The scenario must actually alarm, or identical alarm lists prove nothing.
    expect(reference.snapshot.alarms.filter((a) => a.includes(' NEWS2 ')).length).toBeGreaterThan(0);
    expect(reference.snapshot.alarms.length).toBeGreaterThan(DEVICES);
    expect(faulty.snapshot.alarms).toEqual(reference.snapshot.alarms);
    expect(faulty.snapshot.transitions).toEqual(reference.snapshot.transitions);
    expect(faulty.snapshot.news2).toEqual(reference.snapshot.news2);
  });
});
