/**
 * Disk full under the edge's outbox (docs/faults.md). The edge's data directory is a 16 MB tmpfs of its own. While
 * the uplink is cut (so the outbox must grow, as in a real outage), a ballast file takes every free byte; the
 * outbox's commits then fail. Required:
 *   - local critical alarms keep being raised (a patient's HR_LOW episode lies inside the full period);
 *   - the condition is reported: a metric (messages rejected, reason store_failed), a log line, /readyz not ok with
 *     the reason, and the OUTBOX_FULL technical alarm;
 *   - refuse, do not corrupt: a device message that could not be made durable is not acknowledged (the connection is
 *     closed, the device keeps and resends it); the outbox passes SQLite's integrity check afterwards;
 *   - once space returns, everything drains: 0 lost, 0 duplicated.
 * "0 lost" here means: every sample a device sent is stored once in the cloud. A sample is *accepted* by the edge
 * only when acknowledged (PUBACK); one refused while the disk is full stays the device's to resend — so the edge's
 * accepted count must equal the stored count exactly, and the devices' resends (not the edge) carry the rest.
 * The run is compared with a fault-free run of the same seed: cloud alarms and the edge's own alarms identical.
 * Seed: VIGIL_FAULT_SEED.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sleep, until, type FaultWard } from '../support/fault-ward.ts';
import { compareAlarms, faultSeed, LONG, REPLAY, runScenario, scenarioT0 } from '../support/fault-scenario.ts';
import { writeFaultReport } from '../support/fault-report.ts';
import { startFaultProxy, type FaultProxy } from '../support/tcp-fault-proxy.ts';
import { canMountTmpfs, mountSmallDisk, type SmallDisk } from '../support/fault-disk.ts';

const SEED = faultSeed('edge-disk-full-1');
const DEVICES = 20;
const SAMPLES = LONG ? 400 : 300;
const DISK_MB = 16;
const CUT_AT_MS = 5_000;
const FILL_AT_MS = 6_000;
const FULL_MS = LONG ? 10_000 : 5_000;
/** Device 0: HR 35/min (HR_LOW, a local critical limit) from seq 75, through the whole full period. */
const EPISODE = { from: 75, to: 75 + (FULL_MS / 1000 + 6) * REPLAY.hz, vitals: { hr: 35 } };

describe('edge outbox: disk full', () => {
  const wards: FaultWard[] = [];
  const disks: SmallDisk[] = [];
  const proxies: FaultProxy[] = [];
  afterAll(async () => {
    await Promise.all(wards.map((w) => w.close()));
    await Promise.all(proxies.map((p) => p.close()));
    for (const d of disks) d.close();
  });

  it.skipIf(!canMountTmpfs())('keeps alarming, reports, refuses rather than corrupts, and recovers without loss', async () => {
    const t0 = scenarioT0();
    const runOnce = async (withFault: boolean) => {
      const disk = mountSmallDisk(DISK_MB);
      disks.push(disk);
      let proxy: FaultProxy | undefined;
      const seen = { failAt: 0, filledBytes: 0, freedAt: 0, health: new Set<string>(), localAlarmsDuringFull: 0, technical: 0 };
      const outcome = await runScenario({
        seed: SEED,
        t0,
        devices: DEVICES,
        samples: SAMPLES,
        wards,
        // The uplink cut and the refused devices' resends delay data by ~10–15 s of wall time: with the default 10 s
        // bounds that data would be late and drive no cloud rule (the partition test's subject, not this one's), so
        // both runs here allow 60 s at the edge and 30 s of wall time (300 s of event time at ×10) in the cloud.
        ward: {
          edgeEnv: { VIGIL_EDGE_DATA_DIR: join(disk.path, 'edge'), VIGIL_EDGE_LATE_AFTER_MS: '60000' },
          cloudEnv: { VIGIL_CLOUD_STREAM_REORDER_MS: '300000', VIGIL_CLOUD_OUT_OF_ORDERNESS_MS: '300000' },
        },
        override: (i, seq) => (i === 0 && seq >= EPISODE.from && seq < EPISODE.to ? EPISODE.vitals : undefined),
        async uplinkPort(ward) {
          proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: ward.ports.uplink } });
          proxies.push(proxy);
          return proxy.port;
        },
        ...(withFault
          ? {
              async fault({ ward, at }) {
                await at(CUT_AT_MS);
                proxy!.partition({ mode: 'blackhole', existing: 'hold' });
                await at(FILL_AT_MS);
                const alarmsBefore = await ward.edgeMetric('vigil_edge_local_alarms_total', 'kind="physiological"');
                seen.filledBytes = disk.fill();
                await until('an outbox commit to fail', async () => (await ward.edgeMetric('vigil_edge_messages_rejected_total', 'reason="store_failed"')) > 0, 20_000, 100);
                seen.failAt = Date.now();
                while (Date.now() < seen.failAt + FULL_MS) {
                  const res = await fetch(`${ward.edgeUrl}/readyz`).then((r) => r.json() as Promise<{ status: string; checks?: Record<string, { ok: boolean; detail?: string }> }>).catch(() => undefined);
                  if (res) seen.health.add(`${res.status}: ${res.checks?.outbox?.detail ?? ''}`);
                  await sleep(500);
                }
                seen.localAlarmsDuringFull = (await ward.edgeMetric('vigil_edge_local_alarms_total', 'kind="physiological"')) - alarmsBefore;
                seen.technical = await ward.edgeMetric('vigil_edge_local_alarms_total', 'kind="technical"');
                disk.free();
                seen.freedAt = Date.now();
                proxy!.heal();
              },
            }
          : {}),
      });
      const { ward } = outcome;
      const accepted = await ward.edgeMetric('vigil_edge_messages_accepted_total', 'channel="vitals"');
      const storeFailed = await ward.edgeMetric('vigil_edge_messages_rejected_total', 'reason="store_failed"');
      const db = new Database(join(disk.path, 'edge', 'outbox.sqlite'), { readonly: true });
      const integrity = (db.pragma('integrity_check') as Array<{ integrity_check: string }>)[0]?.integrity_check;
      db.close();
      // The ward-level technical alarm, as forwarded to the cloud once the disk took writes again.
      const outboxFull = ward.query<{ n: number }>(`SELECT count(DISTINCT alarm_id) AS n FROM edge_alarm_reports WHERE body LIKE '%"code":"OUTBOX_FULL"%'`)[0]?.n ?? 0;
      return { ...outcome, seen, accepted, storeFailed, integrity, outboxFull };
    };

    const reference = await runOnce(false);
    await reference.ward.close();
    const faulty = await runOnce(true);
    const parity = compareAlarms(reference.snapshot, faulty.snapshot);
    const edgeParity = JSON.stringify(faulty.snapshot.edgeAlarms) === JSON.stringify(reference.snapshot.edgeAlarms);
    const rec = faulty.watch.recovery(faulty.seen.freedAt, faulty.watch.baseline(faulty.started + CUT_AT_MS));
    writeFaultReport({
      name: 'edge-disk-full',
      seed: SEED,
      fault: `edge data dir on a ${DISK_MB} MB tmpfs, uplink cut at ${CUT_AT_MS / 1000} s, disk filled at ${FILL_AT_MS / 1000} s, full for ${FULL_MS / 1000} s after the first failed commit`,
      accounting: faulty.accounting,
      parity,
      recoveryS: [rec.recoveryS],
      drainRecordsPerS: rec.drainPerS,
      figures: {
        'reference: sent / stored / lost': `${reference.accounting.sent} / ${reference.accounting.stored} / ${reference.accounting.lost}`,
        'ballast (bytes)': faulty.seen.filledBytes,
        'first failed commit after the fill (s)': (faulty.seen.failAt - faulty.started - FILL_AT_MS) / 1000,
        'device messages refused (store_failed)': faulty.storeFailed,
        'edge accepted (acknowledged) vitals / stored': `${faulty.accepted} / ${faulty.accounting.stored}`,
        'edge /readyz while full': [...faulty.seen.health].join(' | '),
        'local physiological alarms raised while full': faulty.seen.localAlarmsDuringFull,
        'local technical alarms raised (all codes)': faulty.seen.technical,
        'OUTBOX_FULL alarms reported to the cloud: reference / disk full': `${reference.outboxFull} / ${faulty.outboxFull}`,
        'edge alarms identical to the reference': `${edgeParity} (${faulty.snapshot.edgeAlarms.length} of ${reference.snapshot.edgeAlarms.length})`,
        'outbox integrity_check': faulty.integrity,
        'device links': `${faulty.links.sent} published, ${faulty.links.acked} acknowledged, ${faulty.links.dropped} dropped, ${faulty.links.failed} failed`,
      },
    });

    // The fault bit, and was reported.
    expect(faulty.storeFailed).toBeGreaterThan(0);
    expect([...faulty.seen.health].some((h) => !h.startsWith('ok'))).toBe(true);
    expect(faulty.outboxFull).toBe(1);
    expect(reference.outboxFull).toBe(0);
    // Local critical alarms kept working.
    expect(faulty.seen.localAlarmsDuringFull).toBeGreaterThan(0);
    // Refused, not corrupted; nothing the edge acknowledged is missing, nothing acknowledged twice.
    expect(faulty.integrity).toBe('ok');
    expect(faulty.accepted).toBe(faulty.accounting.stored);
    expect(faulty.links.dropped, 'device ring buffers overflowed: a drop would hide a loss').toBe(0);
    for (const outcome of [reference, faulty]) {
      expect(outcome.accounting.lost, `lost samples, e.g. ${outcome.accounting.lostKeys.join(', ')}`).toBe(0);
      expect(outcome.accounting.duplicated).toBe(0);
      expect(outcome.accounting.unexpected).toBe(0);
      expect(outcome.accounting.stored).toBe(DEVICES * SAMPLES);
    }
    expect(reference.snapshot.edgeAlarms.length).toBeGreaterThan(0);
    expect(faulty.snapshot.edgeAlarms).toEqual(reference.snapshot.edgeAlarms);
    expect(faulty.snapshot.alarms).toEqual(reference.snapshot.alarms);
    expect(faulty.snapshot.transitions).toEqual(reference.snapshot.transitions);
    expect(faulty.snapshot.news2).toEqual(reference.snapshot.news2);
  });
});
