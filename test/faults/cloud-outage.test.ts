/**
 * Guarantees "no loss, no duplicates" and "edge autonomy" through an edge↔cloud partition (docs/architecture.md).
 *
 * The edge's uplink goes through a TCP fault proxy to the cloud's embedded broker; 20 devices stream at 10 Hz. The
 * proxy partitions the link, then heals it:
 *   - 60 s 'refuse': the connection is reset, reconnections are refused at once;
 *   - 35 s 'blackhole' with the existing connection held: nothing is closed, only the uplink's MQTT keepalive
 *     (15 s, timeout at 1.5×) notices.
 * During the partition the edge must keep accepting (its outbox grows, /readyz "degraded") and the cloud receive
 * nothing. After the heal the backlog drains behind live data, marked late; a patient's alarming episode inside the
 * partition raises a local alarm at the edge, and no alarm in the cloud when its samples arrive late. Then the
 * accounting: 0 lost, 0 duplicated. Assertions are on counts; times are printed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { account, DeviceFleet, report, sleep, startFaultWard, until, type FaultWard } from '../support/fault-ward.ts';
import { startFaultProxy, type FaultProxy, type PartitionOptions } from '../support/tcp-fault-proxy.ts';

const DEVICES = 20;
const HZ = 10;
const WARM_UP_MS = 5_000;
/** Device 0's heart rate drops below HR_LOW (40/min, 5 s) in this part of the partition: all of it reaches the cloud late. */
const EPISODE = { fromMs: 3_000, toMs: 20_000, hr: 35 };

interface Run {
  partition: Required<PartitionOptions>;
  durationMs: number;
}

const RUNS: Run[] = [
  { partition: { mode: 'refuse', existing: 'destroy' }, durationMs: 60_000 },
  { partition: { mode: 'blackhole', existing: 'hold' }, durationMs: 35_000 },
];

const s = (ms: number | null | undefined) => (ms === null || ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

describe('edge ↔ cloud partition', () => {
  let ward: FaultWard | undefined;
  let proxy: FaultProxy | undefined;
  let fleet: DeviceFleet | undefined;

  afterEach(async () => {
    await fleet?.close();
    await proxy?.close();
    await ward?.close();
    fleet = proxy = ward = undefined;
  });

  for (const run of RUNS) {
    it(`${run.durationMs / 1000} s '${run.partition.mode}' partition: the edge buffers, then drains with 0 lost, 0 duplicated`, async () => {
      ward = await startFaultWard({ beds: DEVICES });
      const w = ward;
      proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: w.ports.uplink } });
      await w.startEdge(proxy.port);
      await w.edgeStatus('ok');
      fleet = new DeviceFleet(w, HZ, 2000);
      let partAt = Infinity;
      fleet.shape = (i, t) => (i === 0 && t >= partAt + EPISODE.fromMs && t < partAt + EPISODE.toMs ? { hr: EPISODE.hr } : undefined);
      await fleet.connect();
      fleet.start();
      await sleep(WARM_UP_MS);

      // Partition, and watch the edge once a second.
      const depthAtPartition = await w.edgeMetric('vigil_edge_outbox_records');
      partAt = Date.now();
      proxy.partition(run.partition);
      let degradedAt: number | undefined;
      let storedAfter2s: number | undefined;
      while (Date.now() < partAt + run.durationMs) {
        await sleep(Math.min(1000, partAt + run.durationMs - Date.now()));
        if ((await w.edgeHealth())?.status === 'degraded') degradedAt ??= Date.now();
        if (Date.now() - partAt >= 2000) storedAfter2s ??= w.storedCount();
      }
      const statusBeforeHeal = (await w.edgeHealth())?.status;
      const depthBeforeHeal = await w.edgeMetric('vigil_edge_outbox_records');
      const storedBeforeHeal = w.storedCount();

      // Heal; the backlog has drained once the cloud holds every sample sent up to now.
      const healAt = Date.now();
      const sentAtHeal = fleet.total;
      proxy.heal();
      const backlogDone = await until('the backlog to drain', () => (w.query<{ n: number }>('SELECT count(*) AS n FROM samples WHERE t <= ?', healAt)[0]?.n ?? 0) >= sentAtHeal, 90_000, 100).then(
        () => Date.now(),
        () => undefined,
      );
      await sleep(3_000); // live data after the drain
      fleet.stop();
      await fleet.settled(30_000);
      const total = fleet.total;
      await until('the outbox to empty', async () => (await w.edgeMetric('vigil_edge_outbox_records')) === 0 && w.storedCount() >= total, 30_000, 100).catch(() => undefined);

      const result = account(w, fleet);
      const links = fleet.stats();
      const lateForwarded = await w.edgeMetric('vigil_edge_late_records_total');
      const redeliveries = await w.cloudMetric('vigil_cloud_duplicate_records_total');
      const cloudAlarms = await w.cloudMetric('vigil_cloud_alarms_raised_total');
      const edgeAlarms = await w.edgeMetric('vigil_edge_local_alarms_total', 'kind="physiological"');
      // From the cloud's own records: when the backlog (sent before the heal) was stored, and how fresh live data was meanwhile.
      const backlog = w.query<{ n: number; first: number; last: number }>(
        'SELECT count(*) AS n, min(stored_at) AS first, max(stored_at) AS last FROM samples WHERE t <= ? AND stored_at >= ?', healAt, healAt)[0]!;
      const lags = w.query<{ lag: number }>('SELECT stored_at - t AS lag FROM samples WHERE t > ? AND stored_at <= ? ORDER BY lag', healAt, backlog.last).map((r) => r.lag);
      const firstLive = w.query<{ at: number | null }>('SELECT min(stored_at) AS at FROM samples WHERE t > ?', healAt)[0]?.at;
      const late = w.query<{ backlog: number; live: number }>('SELECT sum(t <= ?) AS backlog, sum(t > ?) AS live FROM samples WHERE late = 1', healAt, healAt)[0]!;
      const drainS = (backlog.last - backlog.first) / 1000;

      report(`cloud outage: ${run.durationMs / 1000} s '${run.partition.mode}' (existing connection: ${run.partition.existing}), ${DEVICES} devices × ${HZ} Hz`, {
        sent: result.sent,
        stored: result.stored,
        lost: result.lost,
        duplicated: result.duplicated,
        'stored, never sent': result.unexpected,
        'redeliveries absorbed (cloud)': redeliveries,
        'device links': `${links.sent} published, ${links.acked} acknowledged, ${links.dropped} dropped, ${links.failed} failed`,
        'edge /readyz degraded': `${s(degradedAt === undefined ? undefined : degradedAt - partAt)} after the partition; at the heal: ${statusBeforeHeal}`,
        'outbox at partition → at heal': `${depthAtPartition} → ${depthBeforeHeal} records`,
        'cloud stored during partition (after 2 s)': (storedBeforeHeal - (storedAfter2s ?? 0)),
        'backlog': `${backlog.n} samples, first stored ${s(backlog.first - healAt)} after the heal, drained in ${drainS.toFixed(2)} s (${Math.round(backlog.n / Math.max(drainS, 0.001))} samples/s; all stored ${s(backlogDone === undefined ? undefined : backlogDone - healAt)} after the heal)`,
        'first live sample stored': `${s(firstLive === null || firstLive === undefined ? undefined : firstLive - healAt)} after the heal`,
        'live lag while the backlog drained': lags.length ? `p50 ${quantile(lags, 0.5)} ms, p95 ${quantile(lags, 0.95)} ms, max ${lags[lags.length - 1]} ms over ${lags.length} samples` : 'no live sample stored before the backlog finished',
        'late: edge counter / cloud rows (backlog, live)': `${lateForwarded} / ${late.backlog ?? 0}, ${late.live ?? 0}`,
        'alarms: edge local physiological / cloud raised': `${edgeAlarms} / ${cloudAlarms}`,
        ...(result.lost > 0 ? { 'first lost keys': result.lostKeys.join(', ') } : {}),
      });

      // During the partition: the edge kept accepting, said so, and nothing reached the cloud.
      expect(statusBeforeHeal).toBe('degraded');
      expect(depthBeforeHeal - depthAtPartition).toBeGreaterThan(0.5 * DEVICES * HZ * (run.durationMs / 1000));
      expect(storedBeforeHeal).toBe(storedAfter2s);
      // After: the backlog was marked late, and its alarming episode (a local alarm at the edge) raised none in the cloud.
      expect(lateForwarded).toBeGreaterThan(0);
      expect(edgeAlarms).toBeGreaterThan(0);
      expect(cloudAlarms).toBe(0);
      // The accounting.
      expect(links.dropped, 'device ring buffers overflowed: resize the test, a drop would hide a loss').toBe(0);
      expect(links.failed).toBe(0);
      expect(result.lost, `lost samples, e.g. ${result.lostKeys.join(', ')}`).toBe(0);
      expect(result.duplicated).toBe(0);
      expect(result.unexpected).toBe(0);
      expect(result.stored).toBe(result.sent);
    });
  }
});
