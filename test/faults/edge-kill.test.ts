/**
 * Guarantee "no loss, no duplicates" and "identical alarms" under `kill -9` of the edge gateway
 * (docs/architecture.md, Guarantees; docs/faults.md).
 *
 * The seeded scenario (test/support/fault-scenario.ts) runs fault-free, then again with the gateway killed by
 * SIGKILL at seeded moments and restarted on the same data directory after a seeded pause (0.5–3 s); the device
 * links reconnect and resend what was not acknowledged (QoS 1). Then the devices stop, the outbox drains, and the
 * cloud's `samples` table is compared with what each device sent (0 lost, 0 duplicated), and its alarms with the
 * fault-free run's. The edge's own local alarms are in memory and restart with it: they are not compared.
 *
 * Limits for a 10 Hz ward (stated, not defaults by accident): a device sends 10 msg/s, a fifth of the sustained
 * rate limit (50/s); its reconnect burst is what it buffered while the gateway was down, at most ~(3 s pause + ~3 s
 * start + 1 s reconnect) × 10 ≈ 70 messages, far below the burst of 600. A rejection would be acknowledged and not
 * stored, so it would show as a loss here, never hide as one.
 * Seed: VIGIL_FAULT_SEED; it fixes the scenario, the kill moments and pauses, and is printed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { planKills, sleep, type FaultWard } from '../support/fault-ward.ts';
import { compareAlarms, faultSeed, LONG, REPLAY, runScenario, scenarioT0 } from '../support/fault-scenario.ts';
import { writeFaultReport } from '../support/fault-report.ts';

const SEED = faultSeed('edge-kill-1');
const DEVICES = 20;
const SAMPLES = LONG ? 400 : 250;
const KILLS = LONG ? 4 : 2;
const RUN_MS = (SAMPLES / REPLAY.hz) * 1000;

describe('edge gateway kill -9 (seeded)', () => {
  const wards: FaultWard[] = [];
  afterAll(async () => {
    await Promise.all(wards.map((w) => w.close()));
  });

  it('loses and duplicates no sample across kills and restarts, and the cloud raises the same alarms', async () => {
    const t0 = scenarioT0();
    const plan = planKills(SEED, RUN_MS, KILLS).map((k) => ({ ...k, killAt: 0, restartAt: 0, readyAt: 0 }));
    console.log(`edge-kill: seed "${SEED}", plan ${JSON.stringify(plan.map(({ plannedAtMs, pauseMs }) => ({ plannedAtMs, pauseMs })))}`);
    const common = {
      seed: SEED,
      t0,
      devices: DEVICES,
      samples: SAMPLES,
      wards,
      deviceBuffer: 2000, // ≫ the ~70 messages a device buffers while the gateway is down: a drop means a defect
      ward: { edgeEnv: { VIGIL_EDGE_RATE_LIMIT_PER_S: '50', VIGIL_EDGE_RATE_LIMIT_BURST: '600' } },
    };
    const reference = await runScenario(common);
    await reference.ward.close();
    const faulty = await runScenario({
      ...common,
      async fault({ ward, at }) {
        for (const kill of plan) {
          await at(kill.plannedAtMs);
          kill.killAt = Date.now();
          await ward.killEdge();
          await sleep(kill.pauseMs);
          kill.restartAt = Date.now();
          await ward.restartEdge();
          await ward.edgeStatus('ok');
          kill.readyAt = Date.now();
        }
      },
    });
    const { ward } = faulty;
    const parity = compareAlarms(reference.snapshot, faulty.snapshot);
    // Recovery: restart → the first sample sent after the restart is stored (from the cloud's own rows).
    const firstStored = plan.map((k) => ward.query<{ at: number | null }>('SELECT min(stored_at) AS at FROM samples WHERE seq >= ?', Math.ceil(((k.restartAt - faulty.started) / 1000) * REPLAY.hz))[0]?.at ?? null);
    const last = faulty.watch.recovery(plan.at(-1)!.readyAt, faulty.watch.baseline(faulty.started + plan[0]!.plannedAtMs));
    writeFaultReport({
      name: 'edge-kill',
      seed: SEED,
      fault: `edge gateway kill -9 ×${KILLS}, ${DEVICES} devices × ${SAMPLES} samples at ${REPLAY.hz} Hz`,
      accounting: faulty.accounting,
      parity,
      recoveryS: plan.map((k) => (k.readyAt - k.killAt) / 1000),
      drainRecordsPerS: last.drainPerS,
      figures: {
        'reference: sent / stored / lost': `${reference.accounting.sent} / ${reference.accounting.stored} / ${reference.accounting.lost}`,
        'kills at (s after start)': plan.map((k) => ((k.killAt - faulty.started) / 1000).toFixed(2)).join(', '),
        'down (s)': plan.map((k) => ((k.restartAt - k.killAt) / 1000).toFixed(2)).join(', '),
        'restart → first new sample stored (s)': firstStored.map((at, i) => (at === null ? 'n/a' : ((at - plan[i]!.restartAt) / 1000).toFixed(2))).join(', '),
        'device links': `${faulty.links.sent} published, ${faulty.links.acked} acknowledged, ${faulty.links.dropped} dropped, ${faulty.links.failed} failed`,
        'redeliveries absorbed (cloud)': await ward.cloudMetric('vigil_cloud_duplicate_records_total'),
        'duplicates dropped (last edge process)': await ward.edgeMetric('vigil_edge_duplicates_total'),
        'rejected (last edge process)': await ward.edgeMetric('vigil_edge_messages_rejected_total'),
        'drain after devices stopped (s)': faulty.drainedAt === undefined ? null : (faulty.drainedAt - faulty.stoppedAt) / 1000,
      },
    });

    expect(plan.every((k) => k.readyAt > 0)).toBe(true);
    expect(faulty.links.dropped, 'device ring buffers overflowed: resize the test, a drop would hide a loss').toBe(0);
    expect(faulty.links.failed).toBe(0);
    for (const outcome of [reference, faulty]) {
      expect(outcome.accounting.lost, `lost samples, e.g. ${outcome.accounting.lostKeys.join(', ')}`).toBe(0);
      expect(outcome.accounting.duplicated).toBe(0);
      expect(outcome.accounting.unexpected).toBe(0);
      expect(outcome.accounting.stored).toBe(DEVICES * SAMPLES);
    }
    expect(reference.snapshot.alarms.length).toBeGreaterThan(DEVICES);
    expect(faulty.snapshot.alarms).toEqual(reference.snapshot.alarms);
    expect(faulty.snapshot.transitions).toEqual(reference.snapshot.transitions);
    expect(faulty.snapshot.news2).toEqual(reference.snapshot.news2);
  });
});
