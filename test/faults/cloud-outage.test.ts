/**
 * Edge ↔ cloud partition, then heal (docs/architecture.md "Guarantees", "Lateness policy"; docs/faults.md).
 *
 * The edge's uplink goes through a TCP fault proxy (test/support/tcp-fault-proxy.ts) to the cloud's embedded broker;
 * the seeded scenario (fault-scenario.ts, ×10 replay) runs fault-free, then with a partition:
 *   - CI: VIGIL_FAULT_PARTITION_S (default 15 s) 'blackhole': the existing connection is reset, reconnections are
 *     accepted and held silent (a middlebox that lost its state and now drops everything);
 *   - VIGIL_FAULTS_LONG=1: 60 s 'blackhole' with the existing connection held (nothing closed: only the uplink's
 *     MQTT keepalive, 15 s × 1.5, notices), and 60 s 'refuse' (reset, reconnections refused).
 * During the partition the edge keeps accepting (its outbox grows, /readyz "degraded" once it noticed) and the cloud
 * receives nothing. After the heal the backlog drains behind live data, marked late.
 *
 * Alarm parity, stated precisely: data held at the edge longer than VIGIL_EDGE_LATE_AFTER_MS (10 s) reaches the cloud
 * marked late and never drives a cloud rule (no stale alarm from a backlog) — so the scenario keeps every patient
 * normal in a quiet window around the partition, except patient 0, whose HR_LOW episode lies inside it. Required:
 * cloud alarms, transitions and NEWS2 scores identical to the fault-free run outside the quiet window; inside it,
 * every alarm the partitioned run raised is identical to one of the fault-free run's (no spurious or shifted alarm),
 * and those decided by late data are missing (by design: the fault-free run alarms for patient 0's HR_LOW, the
 * partitioned cloud does not), while the edge raised the same local alarm (same id) in both runs and forwarded it.
 * And 0 lost, 0 duplicated. Times are printed, never asserted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fleetVitals, sleep, type FaultWard } from '../support/fault-ward.ts';
import { compareAlarms, faultSeed, LONG, REPLAY, runScenario, scenarioT0, type AlarmSnapshot, type ScenarioOutcome } from '../support/fault-scenario.ts';
import { writeFaultReport } from '../support/fault-report.ts';
import { startFaultProxy, type FaultProxy, type PartitionOptions } from '../support/tcp-fault-proxy.ts';

const SEED = faultSeed('partition-1');
const DEVICES = 20;
const PARTITION_S = LONG ? 60 : Number(process.env.VIGIL_FAULT_PARTITION_S ?? 15);
const RUNS: Array<Required<PartitionOptions>> = LONG
  ? [{ mode: 'blackhole', existing: 'hold' }, { mode: 'refuse', existing: 'destroy' }]
  : [{ mode: 'blackhole', existing: 'destroy' }];
/** In seqs (= tenths of a second of wall time at ×10): warm-up, the partition, the quiet margins, the live tail. */
const S = REPLAY.hz;
const PART_FROM = 15 * S;
const PART_TO = PART_FROM + PARTITION_S * S;
const QUIET = { from: PART_FROM - 10 * S, to: PART_TO + 15 * S };
const SAMPLES = QUIET.to + 15 * S;
/** Patient 0's HR 35/min (HR_LOW) inside the partition: the edge alarms locally; its data reaches the cloud late. */
const EPISODE = { from: PART_FROM + 3 * S, to: Math.min(PART_TO - S, PART_FROM + 15 * S), vitals: { hr: 35 } };

const onsetOf = (line: string) => Number(/ onset=(-?\d+)/.exec(line)?.[1]);
const endOf = (line: string) => Number(/\.\.(-?\d+) /.exec(line)?.[1]);

/** The snapshot without what lies in the quiet window (event time relative to t0, ms). */
function outsideQuiet(s: AlarmSnapshot): AlarmSnapshot {
  const [from, to] = [QUIET.from * REPLAY.stepMs, QUIET.to * REPLAY.stepMs];
  const inside = (t: number) => t >= from && t < to;
  const alarms = s.alarms.filter((a) => !inside(onsetOf(a)));
  const ids = new Set(alarms.map((a) => a.split(' ')[0]));
  return { ...s, alarms, transitions: s.transitions.filter((t) => ids.has(t.split(' ')[0])), news2: s.news2.filter((n) => !inside(endOf(n))) };
}

describe('edge ↔ cloud partition', () => {
  const wards: FaultWard[] = [];
  const proxies: FaultProxy[] = [];
  afterAll(async () => {
    await Promise.all(wards.map((w) => w.close()));
    await Promise.all(proxies.map((p) => p.close()));
  });

  const t0 = scenarioT0();
  let reference: ScenarioOutcome | undefined;
  let refInside: string[] = [];

  for (const partition of RUNS) {
    it(`${PARTITION_S} s partition (${partition.mode}, existing connection ${partition.existing}): the edge buffers, then drains with 0 lost, 0 duplicated and the same alarms`, async () => {
      const common = {
        seed: SEED,
        t0,
        devices: DEVICES,
        samples: SAMPLES,
        wards,
        override: (i: number, seq: number) => {
          if (seq < QUIET.from || seq >= QUIET.to) return undefined;
          return i === 0 && seq >= EPISODE.from && seq < EPISODE.to ? EPISODE.vitals : fleetVitals(i, seq);
        },
      };
      if (!reference) {
        const ref = await runScenario(common);
        await ref.ward.close();
        refInside = ref.snapshot.alarms.filter((a) => !outsideQuiet({ ...ref.snapshot, alarms: [a] }).alarms.length);
        reference = ref;
      }
      let proxy: FaultProxy | undefined;
      const seen = { partAt: 0, healAt: 0, degradedAt: 0, depthAtPartition: 0, depthAtHeal: 0, storedAfter2s: 0, storedAtHeal: 0, statusAtHeal: '', edgeAlarmsDuring: 0 };
      const faulty = await runScenario({
        ...common,
        async uplinkPort(ward) {
          proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: ward.ports.uplink } });
          proxies.push(proxy);
          return proxy.port;
        },
        async fault({ ward, at }) {
          await at(PART_FROM * 100);
          seen.depthAtPartition = await ward.edgeMetric('vigil_edge_outbox_records');
          const alarmsBefore = await ward.edgeMetric('vigil_edge_local_alarms_total', 'kind="physiological"');
          seen.partAt = Date.now();
          proxy!.partition(partition);
          while (Date.now() < seen.partAt + PARTITION_S * 1000) {
            await sleep(Math.min(500, seen.partAt + PARTITION_S * 1000 - Date.now()));
            if ((await ward.edgeHealth())?.status === 'degraded') seen.degradedAt ||= Date.now();
            if (Date.now() - seen.partAt >= 2000) seen.storedAfter2s ||= ward.storedCount();
          }
          seen.statusAtHeal = (await ward.edgeHealth())?.status ?? 'n/a';
          seen.depthAtHeal = await ward.edgeMetric('vigil_edge_outbox_records');
          seen.storedAtHeal = ward.storedCount();
          seen.edgeAlarmsDuring = (await ward.edgeMetric('vigil_edge_local_alarms_total', 'kind="physiological"')) - alarmsBefore;
          seen.healAt = Date.now();
          proxy!.heal();
        },
      });
      const { ward } = faulty;
      const parity = compareAlarms(outsideQuiet(reference.snapshot), outsideQuiet(faulty.snapshot), `outside the quiet window around the partition (${QUIET.from / S}–${QUIET.to / S} s of wall time)`);
      const inside = faulty.snapshot.alarms.filter((a) => !outsideQuiet({ ...faulty.snapshot, alarms: [a] }).alarms.length);
      // From the cloud's own rows: when the backlog (sent before the heal) was stored, how fresh live data was meanwhile.
      const backlog = ward.query<{ n: number; first: number; last: number }>('SELECT count(*) AS n, min(stored_at) AS first, max(stored_at) AS last FROM samples WHERE stored_at >= ? AND seq < ?', seen.healAt, Math.floor(((seen.healAt - faulty.started) / 1000) * S))[0]!;
      const drainS = (backlog.last - backlog.first) / 1000;
      const late = ward.query<{ n: number }>('SELECT count(*) AS n FROM samples WHERE late = 1')[0]?.n ?? 0;
      const rec = faulty.watch.recovery(seen.healAt, faulty.watch.baseline(seen.partAt));
      writeFaultReport({
        name: LONG ? `partition-${partition.mode}-${partition.existing}` : 'partition',
        seed: SEED,
        fault: `${PARTITION_S} s edge ↔ cloud partition, proxy '${partition.mode}' (existing connection: ${partition.existing}), ${DEVICES} devices × ${SAMPLES} samples at ${REPLAY.hz} Hz`,
        accounting: faulty.accounting,
        parity,
        recoveryS: [rec.recoveryS],
        drainRecordsPerS: rec.drainPerS,
        figures: {
          'reference: sent / stored / lost': `${reference.accounting.sent} / ${reference.accounting.stored} / ${reference.accounting.lost}`,
          'edge /readyz degraded after (s)': seen.degradedAt ? (seen.degradedAt - seen.partAt) / 1000 : 'not during the partition',
          'edge /readyz at the heal': seen.statusAtHeal,
          'outbox at partition → at heal (records)': `${seen.depthAtPartition} → ${seen.depthAtHeal}`,
          'cloud stored during the partition (after 2 s)': seen.storedAtHeal - seen.storedAfter2s,
          'backlog samples stored after the heal': `${backlog.n} in ${drainS.toFixed(2)} s (${Math.round(backlog.n / Math.max(drainS, 0.001))} samples/s), first ${((backlog.first - seen.healAt) / 1000).toFixed(2)} s after the heal`,
          'samples stored late': late,
          'edge local physiological alarms during the partition': seen.edgeAlarmsDuring,
          'cloud alarms in the quiet window: reference / partitioned': `${refInside.length} / ${inside.length}`,
          'not raised from late data (by design)': refInside.filter((a) => !inside.includes(a)).map((a) => a.split(' ').slice(1, 3).join(' ')).join(', '),
          'edge alarms identical to the reference': JSON.stringify(faulty.snapshot.edgeAlarms) === JSON.stringify(reference.snapshot.edgeAlarms),
        },
      });

      // During the partition: the edge kept accepting and nothing reached the cloud.
      if (partition.existing === 'destroy' || PARTITION_S > 25) expect(seen.statusAtHeal).toBe('degraded');
      expect(seen.depthAtHeal - seen.depthAtPartition).toBeGreaterThan(0.5 * DEVICES * S * PARTITION_S);
      expect(seen.storedAtHeal).toBe(seen.storedAfter2s);
      // The edge alarmed locally for patient 0 and forwarded it; the cloud raised no stale alarm from the late backlog.
      expect(seen.edgeAlarmsDuring).toBeGreaterThan(0);
      expect(late).toBeGreaterThan(0);
      // Inside the quiet window: what the partitioned run raised there (from data that reached the cloud on time,
      // the partition's last < 10 s) is identical to the fault-free run; what depended on late data is not raised.
      expect(inside.filter((a) => !refInside.includes(a))).toEqual([]);
      expect(refInside.length).toBeGreaterThan(inside.length);
      expect(faulty.snapshot.edgeAlarms).toEqual(reference.snapshot.edgeAlarms);
      // Outside the quiet window: identical.
      expect(outsideQuiet(reference.snapshot).alarms.length).toBeGreaterThan(DEVICES / 2);
      expect(outsideQuiet(faulty.snapshot).alarms).toEqual(outsideQuiet(reference.snapshot).alarms);
      expect(outsideQuiet(faulty.snapshot).transitions).toEqual(outsideQuiet(reference.snapshot).transitions);
      expect(outsideQuiet(faulty.snapshot).news2).toEqual(outsideQuiet(reference.snapshot).news2);
      // The accounting.
      expect(faulty.links.dropped).toBe(0);
      expect(faulty.links.failed).toBe(0);
      for (const outcome of [reference, faulty]) {
        expect(outcome.accounting.lost, `lost samples, e.g. ${outcome.accounting.lostKeys.join(', ')}`).toBe(0);
        expect(outcome.accounting.duplicated).toBe(0);
        expect(outcome.accounting.unexpected).toBe(0);
        expect(outcome.accounting.stored).toBe(DEVICES * SAMPLES);
      }
      await ward.close();
    }, LONG ? 600_000 : 240_000); // a long run: the reference and a 60 s partition, ~105 s of devices each
  }
});
