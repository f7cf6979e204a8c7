/**
 * Guarantee "no loss, no duplicates" under `kill -9` of the edge gateway (docs/architecture.md, Guarantees).
 *
 * 20 devices send numbered samples at 10 Hz for 40 s to an edge gateway running as a child process. At 3 seeded
 * random moments the gateway is killed with SIGKILL and restarted on the same data directory after a seeded pause
 * (0.5–3 s); the device links reconnect and resend what was not acknowledged. Then the devices stop, the outbox
 * drains, and the cloud's `samples` table is compared with what each device sent: 0 lost, 0 duplicated. Times are
 * printed, never asserted (a shared 2-core machine).
 *
 * Limits set for a 10 Hz ward (stated, not defaults by accident): a device sends 10 msg/s, a fifth of the sustained
 * rate limit (50/s); its reconnect burst is what it buffered while the gateway was down, at most ~(3 s pause + ~3 s
 * start + 1 s reconnect) × 10 ≈ 70 messages, far below the burst of 600; the oldest resent sample is ~10 s old,
 * far inside the 300 s clock-skew window. A rejection would be acknowledged and not stored, so it would show as a
 * loss here, never hide as one.
 *
 * Seed: VIGIL_FAULT_SEED (default below); it fixes the kill moments and pauses, and is printed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { account, DeviceFleet, drained, planKills, report, sleep, startFaultWard, type FaultWard } from '../support/fault-ward.ts';

const SEED = process.env.VIGIL_FAULT_SEED ?? 'edge-kill-1';
const DEVICES = 20;
const HZ = 10;
const RUN_MS = 40_000;
const KILLS = 3;
/** Device resend ring: ≫ the ~70 messages a device buffers while the gateway is down, so a drop means a defect. */
const DEVICE_BUFFER = 2000;

interface Kill {
  plannedAtMs: number;
  pauseMs: number;
  killAt?: number;
  restartAt?: number;
  readyAt?: number;
}

const seconds = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);

describe('edge gateway kill -9 (seeded)', () => {
  let ward: FaultWard | undefined;
  let fleet: DeviceFleet | undefined;

  afterAll(async () => {
    await fleet?.close();
    await ward?.close();
  });

  it('loses and duplicates no sample across 3 kills and restarts', async () => {
    const kills: Kill[] = planKills(SEED, RUN_MS, KILLS);
    console.log(`edge-kill: seed "${SEED}", plan ${JSON.stringify(kills)}`);
    ward = await startFaultWard({
      beds: DEVICES,
      edgeEnv: { VIGIL_EDGE_RATE_LIMIT_PER_S: '50', VIGIL_EDGE_RATE_LIMIT_BURST: '600', VIGIL_EDGE_MAX_CLOCK_SKEW_MS: '300000' },
    });
    await ward.startEdge();
    await ward.edgeStatus('ok');
    fleet = new DeviceFleet(ward, HZ, DEVICE_BUFFER);
    await fleet.connect();

    const started = Date.now();
    fleet.start();
    for (const kill of kills) {
      await sleep(started + kill.plannedAtMs - Date.now());
      kill.killAt = Date.now();
      await ward.killEdge();
      await sleep(kill.pauseMs);
      kill.restartAt = Date.now();
      await ward.restartEdge();
      await ward.edgeStatus('ok');
      kill.readyAt = Date.now();
    }
    await sleep(started + RUN_MS - Date.now());
    fleet.stop();
    const stoppedAt = Date.now();

    const drainedAt = await drained(ward, fleet);

    const result = account(ward, fleet);
    const links = fleet.stats();
    const redeliveries = await ward.cloudMetric('vigil_cloud_duplicate_records_total');
    const edgeDuplicates = await ward.edgeMetric('vigil_edge_duplicates_total');
    const rejected = await ward.edgeMetric('vigil_edge_messages_rejected_total');
    const recovery = kills.map((k, i) => {
      const first = ward!.query<{ at: number | null }>('SELECT min(stored_at) AS at FROM samples WHERE t >= ?', k.killAt)[0]?.at ?? undefined;
      return `#${i + 1} killed at +${seconds(k.killAt! - started)}, down ${seconds(k.restartAt! - k.killAt!)}, ready ${seconds(k.readyAt! - k.restartAt!)} after restart, first new sample stored ${seconds(first === undefined ? undefined : first - k.restartAt!)} after restart`;
    });
    report(`edge kill -9 (seed "${SEED}", ${DEVICES} devices × ${HZ} Hz, ${RUN_MS / 1000} s)`, {
      sent: result.sent,
      stored: result.stored,
      lost: result.lost,
      duplicated: result.duplicated,
      'stored, never sent': result.unexpected,
      'redeliveries absorbed (cloud)': redeliveries,
      'duplicates dropped (last edge process)': edgeDuplicates,
      'rejected (last edge process)': rejected,
      'device links': `${links.sent} published, ${links.acked} acknowledged, ${links.dropped} dropped, ${links.failed} failed`,
      ...Object.fromEntries(recovery.map((r, i) => [`kill ${i + 1}`, r])),
      'drain (devices stopped → all stored)': seconds(drainedAt === undefined ? undefined : drainedAt - stoppedAt),
      ...(result.lost > 0 ? { 'first lost keys': result.lostKeys.join(', ') } : {}),
    });

    expect(kills.every((k) => k.readyAt !== undefined)).toBe(true);
    expect(links.dropped, 'device ring buffers overflowed: resize the test, a drop would hide a loss').toBe(0);
    expect(links.failed).toBe(0);
    expect(result.lost, `lost samples, e.g. ${result.lostKeys.join(', ')}`).toBe(0);
    expect(result.duplicated).toBe(0);
    expect(result.unexpected).toBe(0);
    expect(result.stored).toBe(result.sent);
  });
});
